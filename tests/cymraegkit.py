"""What a Welsh screen must not show: English sentences. Shared by the tests that walk every face in Welsh."""

from __future__ import annotations

import html
import re

from coproterm.core.deck import parse_deck

ENGLISH_WORDS = frozenset(
    [
        "the",
        "your",
        "you",
        "vote",
        "votes",
        "voting",
        "voted",
        "question",
        "questions",
        "answer",
        "answers",
        "locked",
        "unlocked",
        "connected",
        "connection",
        "connecting",
        "joined",
        "joining",
        "refused",
        "counted",
        "choose",
        "choice",
        "please",
        "error",
        "invalid",
        "cannot",
        "trying",
        "again",
        "with",
        "from",
        "this",
        "that",
        "there",
        "has",
        "have",
        "been",
        "only",
        "must",
        "should",
        "here",
        "what",
        "when",
        "where",
        "which",
        "who",
        "will",
        "would",
        "results",
        "shown",
        "hidden",
        "participant",
        "participants",
        "facilitator",
        "press",
        "type",
        "sent",
        "clear",
        "words",
        "used",
        "most",
        "room",
        "session",
        "hub",
        "not",
        "and",
        "are",
        "too",
        "many",
        "wrong",
        "could",
        "nothing",
        "usage",
        "required",
        "expected",
        "argument",
        "arguments",
        "unrecognized",
        "none",
        "waiting",
        "reset",
        "open",
        "opened",
        "keys",
        "search",
        "theme",
        "screenshot",
        "command",
        "commands",
        "quit",
        "leave",
        "back",
        "next",
        "previous",
    ]
)
"""Words of English that no Welsh sentence uses (names such as FixMyStreet and keys such as Enter are not here)."""


def english_in(text: str) -> list[str]:
    """The English words in ``text`` (whole words, any case), each once; web addresses are not read."""
    # web addresses, a message's {placeholders}, command-line options (--with-names): names, not words
    text = re.sub(r"(?:https?://|www\.)\S+|\{\w+\}|(?<!\w)--?[\w-]+", " ", text)
    # A word in capitals is a command line's name for a value (HOST, FILE, COMMAND), not a sentence.
    return sorted({w for w in re.findall(r"[A-Za-z]+", text) if w.lower() in ENGLISH_WORDS and not w.isupper()})


def screen_text(svg: str) -> str:
    """The characters an SVG screenshot of a Textual app shows, row by row."""
    rows: dict[str, list[str]] = {}
    for y, text in re.findall(r'<text[^>]*\by="([\d.]+)"[^>]*>(.*?)</text>', svg, re.S):
        rows.setdefault(y, []).append(html.unescape(re.sub(r"<[^>]+>", "", text)))
    lines = ("".join(parts) for _, parts in sorted(rows.items(), key=lambda item: float(item[0])))
    return "\n".join(lines).replace("\xa0", " ")


BILINGUAL_DECK = parse_deck(
    """
title = "Co-production and citizen involvement"
title_cy = "Cydgynhyrchu a chynnwys dinasyddion"

[scales.spectrum]
title = "A spectrum of engagement"
title_cy = "Sbectrwm ymgysylltu"

[[scales.spectrum.groups]]
label = "doing for"
label_cy = "gwneud ar gyfer"

[[scales.spectrum.groups]]
label = "doing with"
label_cy = "gwneud gyda"

[[scales.spectrum.positions]]
label = "consultation"
label_cy = "ymgynghori"
group = "doing for"
example = "surveys, urban planning, FixMyStreet"
example_cy = "arolygon, cynllunio trefol, FixMyStreet"
narrative = "We decide what questions to ask, and collect data to inform our decisions."
narrative_cy = "Rydym ni'n penderfynu pa gwestiynau i'w gofyn, ac yn casglu data i lywio ein penderfyniadau."

[[scales.spectrum.positions]]
label = "co-production / involvement"
label_cy = "cydgynhyrchu / cynnwys"
group = "doing with"

[[questions]]
prompt = "Where does your work live on the spectrum of interactions?"
prompt_cy = "Ble mae eich gwaith chi ar y sbectrwm rhyngweithio?"
board = "spectrum"
""",
    "<test deck>",
)
"""A short deck in English and Welsh: every word of it has its Welsh."""
