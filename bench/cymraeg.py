"""Figures for Cymraeg a Saesneg (issue 18), printed, never asserted:

    .venv/bin/python -m bench.cymraeg        # a few seconds

1. The Welcome's bytes on the wire for the built-in deck with and without its Welsh
   twins: what a bilingual deck costs each joining participant, once.
2. The ChooseLanguage (7) and ChosenLanguage (29) frames' bytes: what remembering a language costs.
3. Localising the built-in deck (the fold a face does when a Welcome arrives or the
   person presses i), and translating one interface string: CPU time per call.
4. Reading the compiled Welsh catalog once per process, and its size.
"""

from __future__ import annotations

import dataclasses
import statistics
import time
from importlib import resources

from coproterm.core.boards import Deck
from coproterm.core.client_messages import ChooseLanguage
from coproterm.core.deck import BUILTIN_DECKS, builtin_deck, deck_to_data, default_deck, localise
from coproterm.core.hub_messages import ChosenLanguage, Welcome
from coproterm.core.i18n import _catalog, language
from coproterm.core.wire import encode
from coproterm.core.wire_terms import PROTOCOL_VERSION, Role


def english_only(deck: Deck) -> Deck:
    """The deck with every Welsh twin dropped (what the deck cost before Welsh)."""
    done: dict[int, object] = {}

    def strip(thing: object) -> object:
        if id(thing) in done:
            return done[id(thing)]
        changes: dict[str, object] = {}
        for item in dataclasses.fields(thing):  # type: ignore[arg-type]
            value = getattr(thing, item.name)
            if item.name.endswith("_cy"):
                changes[item.name] = () if isinstance(value, tuple) else ""
            elif dataclasses.is_dataclass(value) and not isinstance(value, type):
                changes[item.name] = strip(value)
            elif isinstance(value, tuple) and value and dataclasses.is_dataclass(value[0]):
                changes[item.name] = tuple(strip(part) for part in value)
        done[id(thing)] = result = dataclasses.replace(thing, **changes)  # type: ignore[type-var]
        return result

    stripped = strip(deck)
    assert isinstance(stripped, Deck)
    return stripped


def per_call(function: object, rounds: int) -> float:
    """Microseconds per call, the median of five runs."""
    runs = []
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(rounds):
            function()  # type: ignore[operator]
        runs.append((time.perf_counter() - start) / rounds * 1e6)
    return statistics.median(runs)


def main() -> None:
    for name in BUILTIN_DECKS:
        deck = builtin_deck(name)
        votes = (None,) * len(deck.questions)
        both = len(encode(Welcome(PROTOCOL_VERSION, Role.PARTICIPANT, bytes(16), deck_to_data(deck), votes)))
        plain = english_only(deck)
        english = len(encode(Welcome(PROTOCOL_VERSION, Role.PARTICIPANT, bytes(16), deck_to_data(plain), votes)))
        extra = both - english
        print(f"1. Welcome, built-in deck {name!r} ({len(deck.questions)} questions): {english:,} B English only,")
        print(f"   {both:,} B with its Welsh ({extra:+,} B, {100 * extra / english:.0f}% more, once per join)")
    deck = default_deck()
    print(
        f"2. ChooseLanguage('cy') {len(encode(ChooseLanguage('cy')))} B, ChosenLanguage('cy') {len(encode(ChosenLanguage('cy')))} B"
    )

    welsh = language("cy")
    print(f"3. localise(built-in deck, cy): {per_call(lambda: localise(deck, welsh), 200):.0f} µs a call;")
    print(f"   cy+en: {per_call(lambda: localise(deck, language('cy+en')), 200):.0f} µs;")
    count = 5000
    print(
        f"   t('question {{number}} of {{count}}'): "
        f"{per_call(lambda: welsh.t('question {number} of {count}', number=3, count=14), count):.2f} µs"
    )

    _catalog.cache_clear()
    start = time.perf_counter()
    _catalog("cy")
    took = (time.perf_counter() - start) * 1e3
    size = resources.files("coproterm").joinpath("locale/cy/LC_MESSAGES/coproterm.mo").read_bytes()
    print(f"4. the Welsh catalog: {len(size):,} B compiled, read in {took:.1f} ms once per process")


if __name__ == "__main__":
    main()
