"""Decks as data: read a deck from TOML (or from the wire) and check every field.

A deck file names its scales and then its questions::

    title = "My workshop"

    [scales.spectrum]
    title = "A spectrum of engagement"

    [[scales.spectrum.groups]]
    label = "doing to"

    [[scales.spectrum.positions]]
    label = "coercion / protection"
    group = "doing to"
    example = "criminal justice, safeguarding"

    [[questions]]
    prompt = "Where does your work live on the spectrum of interactions?"
    board = "spectrum"                   # a grid: board = ["spectrum", "complexity"]

The same plain structure (:func:`deck_to_data`) travels to clients in the
welcome message, and :func:`deck_from_data` checks it on arrival, so a deck is
validated by one piece of code wherever it comes from: that reading and checking
is core/deck_reading.py's (its :class:`DeckError`, :func:`parse_deck` and
:func:`deck_from_data` are named here too, where callers have always found them).
This module holds the built-in decks, a deck file read, a deck as plain data, and
a deck in one language or both.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

from coproterm.core.boards import Deck, Question
from coproterm.core.deck_reading import DeckError as DeckError
from coproterm.core.deck_reading import deck_from_data as deck_from_data
from coproterm.core.deck_reading import parse_deck as parse_deck
from coproterm.core.i18n import N_, Language
from coproterm.core.problems import os_reason

DEFAULT_DECK = "copro_learning.toml"


def load_deck(path: str | Path) -> Deck:
    """Read and check a deck file."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise DeckError(str(path), N_("cannot read the deck: {reason}"), reason=os_reason(error)) from None
    return parse_deck(raw.decode("utf-8", errors="replace"), str(path))


def default_deck() -> Deck:
    """The short built-in deck: six questions of the #CoproLearning workshop (what tests and benchmarks use)."""
    return builtin_deck(SHORT)


WORKSHOP = "workshop"
SHORT = "short"
BUILTIN_DECKS = {
    WORKSHOP: (DEFAULT_DECK, N_("the whole #CoproLearning workshop, about two hours (the default)")),
    SHORT: ("short.toml", N_("six questions of the same workshop, about half an hour")),
}
"""The decks that come with coproterm: name to (file, what it is: a catalog message, worded where it is shown)."""


def builtin_deck(name: str = WORKSHOP) -> Deck:
    """A deck that comes with coproterm, by name (:data:`BUILTIN_DECKS`)."""
    if name not in BUILTIN_DECKS:
        known = ", ".join(BUILTIN_DECKS)
        raise DeckError(
            "", N_("there is no built-in deck {name} (the built-in decks are {known})"), name=repr(name), known=known
        )
    filename = BUILTIN_DECKS[name][0]
    text = resources.files("coproterm.core.decks").joinpath(filename).read_text("utf-8")
    return parse_deck(text, f"<built-in {filename}>")


def find_deck(given: str | Path | None) -> Deck:
    """The deck a command line names: a file, or a built-in deck's name; the whole workshop if none."""
    if given is None:
        return builtin_deck(WORKSHOP)
    if str(given) in BUILTIN_DECKS and not Path(given).exists():
        return builtin_deck(str(given))
    return load_deck(given)


def deck_to_data(deck: Deck) -> dict[str, Any]:
    """The plain structure of a deck: TOML-shaped, msgpack-ready."""
    scales: dict[str, Any] = {}
    for scale in deck.scales:
        entry: dict[str, Any] = _drop_empty(
            {
                "title": scale.title,
                "title_cy": scale.title_cy,
                "low": scale.low,
                "low_cy": scale.low_cy,
                "high": scale.high,
                "high_cy": scale.high_cy,
            }
        )
        if scale.groups:
            entry["groups"] = [
                _drop_empty({"label": g.label, "label_cy": g.label_cy, "note": g.note, "note_cy": g.note_cy})
                for g in scale.groups
            ]
        entry["positions"] = [
            _drop_empty(
                {
                    "label": p.label,
                    "key": p.key,
                    "group": (g.label if (g := scale.group_of(i)) else ""),
                    "example": p.example,
                    "narrative": p.narrative,
                    "notes": list(p.notes),
                    "label_cy": p.label_cy,
                    "example_cy": p.example_cy,
                    "narrative_cy": p.narrative_cy,
                    "notes_cy": list(p.notes_cy),
                }
            )
            for i, p in enumerate(scale.positions)
        ]
        scales[scale.key] = entry
    questions: list[dict[str, Any]] = []
    for number, question in enumerate(deck.questions):
        item: dict[str, Any] = _drop_empty({"prompt": question.prompt, "prompt_cy": question.prompt_cy})
        if question.x is not None and question.y is not None:
            item["board"] = [question.x.key, question.y.key]
        elif question.x is not None:
            item["board"] = question.x.key
        if question.note:
            item["note"] = question.note
        if question.note_cy:
            item["note_cy"] = question.note_cy
        item.update(_text_answers_data(question))
        item.update(_workshop_data(question, deck.questions[number - 1] if number else None, deck))
        questions.append(item)
    top = {"title": deck.title, "title_cy": deck.title_cy, "source": deck.source, "source_cy": deck.source_cy}
    return _drop_empty({**top, "scales": scales, "questions": questions})


def localise(deck: Deck, language: Language) -> Deck:
    """The deck as one language reads it: every text field with a Welsh twin takes the Welsh.

    Where the deck gives no Welsh the English stays; in bilingual mode a field shows both,
    Welsh first. The Welsh twins themselves are kept, so a localised deck can be localised again.
    Any dataclass field ``f`` with a sibling ``f_cy`` is translated, so new question kinds
    that add text fields (and their ``_cy`` twins) are covered here without a change.
    """
    if language.code == "en":
        return deck

    def read(thing: Any, name: str, value: Any) -> Any:
        welsh = getattr(thing, f"{name}_cy", None)
        if isinstance(value, str) and isinstance(welsh, str):
            return language.pick(value, welsh, join=_JOIN.get(name, "\n"))
        if isinstance(value, tuple) and isinstance(welsh, tuple) and welsh:
            return (*welsh, *value) if language.bilingual else welsh
        return _KEEP

    return _rewritten(deck, read)


def in_one_language(deck: Deck, language: Language) -> Deck:
    """The deck with the words of one language only (what a participant reading it is sent).

    Every text takes ``language``'s words (Welsh where the deck has them, English where not)
    and no Welsh twin is kept: about half the bytes of the whole deck. Reading it in that
    language again gives the same words (:func:`localise` leaves it as it is).
    """

    def without_twin(_thing: Any, name: str, value: Any) -> Any:
        return type(value)() if name.endswith("_cy") and isinstance(value, (str, tuple)) else _KEEP

    return _rewritten(localise(deck, language), without_twin)


_KEEP = object()
"""What a field rewrite returns to leave a field as it is (its parts are still visited)."""


def _rewritten(deck: Deck, rewrite: Callable[[Any, str, Any], Any]) -> Deck:
    """The deck with ``rewrite(part, field, value)`` applied to every field of every part (scales,
    positions, groups, questions), each part rebuilt once however often it is shared."""
    done: dict[int, Any] = {}

    def one(thing: Any) -> Any:
        if id(thing) in done:
            return done[id(thing)]
        changes: dict[str, Any] = {}
        for item in dataclasses.fields(thing):
            value = getattr(thing, item.name)
            changed = rewrite(thing, item.name, value)
            if changed is not _KEEP:
                changes[item.name] = changed
            elif dataclasses.is_dataclass(value) and not isinstance(value, type):
                changes[item.name] = one(value)
            elif isinstance(value, tuple) and value and dataclasses.is_dataclass(value[0]):
                changes[item.name] = tuple(one(part) for part in value)
        done[id(thing)] = result = dataclasses.replace(thing, **changes)
        return result

    rewritten = one(deck)
    assert isinstance(rewritten, Deck)
    return rewritten


_JOIN = {"label": " | ", "title": " / ", "low": " | ", "high": " | "}
"""Bilingual mode: short fields side by side, long ones a line each (Welsh first either way)."""


def _drop_empty(entry: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in entry.items() if value not in ("", [], {})}


def _text_answers_data(question: Question) -> dict[str, Any]:
    """A text question's keys in a deck's plain form (none for other questions)."""
    if question.answers is None:
        return {}
    data: dict[str, Any] = {
        "answers": "text",
        "max_answers": question.answers.max_answers,
        "max_length": question.answers.max_length,
    }
    if question.answers.moderated:
        data["moderated"] = True
    return data


def _workshop_data(question: Question, before: Question | None, deck: Deck) -> dict[str, Any]:
    """A question's workshop keys in a deck's plain form (a section only where it changes)."""
    item: dict[str, Any] = {}
    if question.id:
        item["id"] = question.id
    if question.section != (before.section if before is not None else ""):
        item["section"] = question.section
        if question.section_cy:
            item["section_cy"] = question.section_cy
    if question.pick > 1:
        item["pick"] = question.pick
    if question.compare is not None:
        item["compare"] = deck.questions[question.compare].id
    if question.details:
        item["details"] = list(question.details)
    if question.details_cy:
        item["details_cy"] = list(question.details_cy)
    if question.timer:
        item["timer"] = question.timer
    if not question.timer_locks:
        item["timer_locks"] = False
    if question.added:
        item["added"] = True
    return item
