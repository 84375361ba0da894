"""Reading a deck: from TOML text or from its plain structure (a file's, or a welcome's on the
wire), every field checked and cleaned, so a deck is validated by one piece of code wherever it
comes from. Errors (:class:`DeckError`) name the source, the key and the problem.

Decks as data the other way, the built-in decks and a deck in one language or both are
core/deck.py's; the deck's model is core/boards.py.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from coproterm.core.boards import Deck, Group, Position, Question, Scale, TextAnswers
from coproterm.core.i18n import N_
from coproterm.core.problems import Problem, Words, said
from coproterm.core.wire_terms import MAX_ANSWER_SLOTS, MAX_ANSWER_TEXT, MAX_QUESTIONS, MAX_TIMER

MAX_POSITIONS = 12
MAX_TEXT = 1000


TRANSLATED = frozenset({"title", "source", "label", "note", "example", "narrative", "notes", "prompt", "low", "high"})
"""The text fields a deck may give in Welsh too, as ``<field>_cy`` beside the English."""


_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
"""Characters a deck's text may not hold: control characters (escapes among them) and bidi overrides.
A deck reaches participants' terminals; these would let it write to their clipboard or screen."""


class DeckError(Problem, ValueError):
    """A deck that cannot be used, with where (the source and key, never translated) and why (catalog words)."""

    def __init__(self, place: str, problem: str | Words, /, **values: object) -> None:
        self.place = place
        self.problem = problem if isinstance(problem, Words) else said(problem, **values)
        super().__init__(said(PLACED, place=place, problem=self.problem) if place else self.problem)


PLACED = N_("{place}: {problem}")
"""A deck's mistake after where it is: the source (a file name) and the key (``questions[2].board``)."""


def parse_deck(text: str, source: str = "<deck>") -> Deck:
    """Parse TOML text into a checked deck."""
    import tomllib  # here: a participant's app reads decks from the hub, never TOML

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        at = re.search(r"at line (\d+), column (\d+)", str(error))
        if at is None:
            raise DeckError(source, N_("not valid TOML")) from None
        raise DeckError(
            source, N_("not valid TOML (line {line}, column {column})"), line=int(at[1]), column=int(at[2])
        ) from None
    return deck_from_data(data, source)


def deck_from_data(data: object, source: str = "<deck>") -> Deck:
    """Check a plain deck structure (from TOML or the wire) and build the deck."""
    reader = _Reader(source)
    top = reader.table(data, "")
    reader.only(top, "", {"title", "source", "scales", "questions"})
    scales_data = reader.table(top.get("scales", {}), "scales")
    scales: dict[str, Scale] = {}
    for key, value in scales_data.items():
        scales[key] = _scale(reader, key, value)
    questions_data = reader.array(top.get("questions"), "questions")
    if not questions_data:
        reader.fail("questions", N_("a deck needs at least one question"))
    if len(questions_data) > MAX_QUESTIONS:
        reader.fail(
            "questions", N_("at most {most} questions, not {count}"), most=MAX_QUESTIONS, count=len(questions_data)
        )
    questions: tuple[Question, ...] = ()
    for i, item in enumerate(questions_data):
        questions += (_workshop_question(reader, f"questions[{i}]", item, scales, questions),)
    return Deck(
        title=reader.text(top, "title", "", required=True),
        source=reader.text(top, "source", ""),
        questions=questions,
        scales=tuple(scales.values()),
        title_cy=reader.text(top, "title_cy", ""),
        source_cy=reader.text(top, "source_cy", ""),
    )


def _slug(label: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")


def _scale(reader: _Reader, key: str, value: object) -> Scale:
    where = f"scales.{key}"
    if not re.fullmatch(r"[A-Za-z0-9_-]{1,40}", key):
        reader.fail(where, N_("a scale's name is 1 to 40 letters, digits, '-' or '_'"))
    table = reader.table(value, where)
    reader.only(table, where, {"title", "low", "high", "groups", "positions"})
    group_labels: list[tuple[str, str]] = []
    group_welsh: list[tuple[str, str]] = []
    for i, item in enumerate(reader.array(table.get("groups", []), f"{where}.groups")):
        group_where = f"{where}.groups[{i}]"
        group = reader.table(item, group_where)
        reader.only(group, group_where, {"label", "note"})
        label = reader.text(group, "label", group_where, required=True)
        if label in (existing for existing, _ in group_labels):
            reader.fail(f"{group_where}.label", N_("the group {label} is named twice"), label=repr(label))
        group_labels.append((label, reader.text(group, "note", group_where)))
        group_welsh.append((reader.text(group, "label_cy", group_where), reader.text(group, "note_cy", group_where)))

    positions: list[Position] = []
    membership: list[str] = []
    items = reader.array(table.get("positions"), f"{where}.positions")
    if not 2 <= len(items) <= MAX_POSITIONS:
        reader.fail(
            f"{where}.positions",
            N_("a scale has 2 to {most} positions, not {count}"),
            most=MAX_POSITIONS,
            count=len(items),
        )
    for i, item in enumerate(items):
        pos_where = f"{where}.positions[{i}]"
        pos = reader.table(item, pos_where)
        reader.only(pos, pos_where, {"label", "key", "group", "example", "narrative", "notes"})
        label = reader.text(pos, "label", pos_where, required=True)
        positions.append(
            Position(
                label=label,
                key=reader.text(pos, "key", pos_where) or _slug(label),
                example=reader.text(pos, "example", pos_where),
                narrative=reader.text(pos, "narrative", pos_where),
                notes=_notes(reader, pos, "notes", pos_where),
                label_cy=reader.text(pos, "label_cy", pos_where),
                example_cy=reader.text(pos, "example_cy", pos_where),
                narrative_cy=reader.text(pos, "narrative_cy", pos_where),
                notes_cy=_notes(reader, pos, "notes_cy", pos_where),
            )
        )
        member_of = reader.text(pos, "group", pos_where)
        if group_labels and member_of not in (name for name, _ in group_labels):
            known = ", ".join(repr(name) for name, _ in group_labels)
            reader.fail(
                f"{pos_where}.group", N_("expected one of {known}, not {given}"), known=known, given=repr(member_of)
            )
        if not group_labels and member_of:
            reader.fail(f"{pos_where}.group", N_("the scale {name} defines no groups"), name=repr(key))
        membership.append(member_of)
    keys = [p.key for p in positions]
    if len(set(keys)) != len(keys):
        reader.fail(f"{where}.positions", N_("two positions share a key; give each a distinct key"))
    return Scale(
        key=key,
        title=reader.text(table, "title", where, required=True),
        positions=tuple(positions),
        groups=_groups(reader, where, group_labels, group_welsh, membership),
        low=reader.text(table, "low", where),
        high=reader.text(table, "high", where),
        title_cy=reader.text(table, "title_cy", where),
        low_cy=reader.text(table, "low_cy", where),
        high_cy=reader.text(table, "high_cy", where),
    )


def _notes(reader: _Reader, table: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
    notes = reader.array(table.get(key, []), f"{where}.{key}")
    for j, note in enumerate(notes):
        if not isinstance(note, str) or len(note) > MAX_TEXT:
            reader.fail(f"{where}.{key}[{j}]", N_("expected text of at most {most} characters"), most=MAX_TEXT)
        unsafe = _UNSAFE.search(note)
        if unsafe:
            reader.fail(f"{where}.{key}[{j}]", UNSAFE_CHARACTER, character=f"U+{ord(unsafe.group()):04X}")
    return tuple(notes)


def _groups(
    reader: _Reader,
    where: str,
    labels: list[tuple[str, str]],
    welsh: list[tuple[str, str]],
    membership: list[str],
) -> tuple[Group, ...]:
    groups: list[Group] = []
    for (label, note), (label_cy, note_cy) in zip(labels, welsh, strict=True):
        members = [i for i, name in enumerate(membership) if name == label]
        if not members:
            reader.fail(f"{where}.groups", N_("the group {label} has no positions"), label=repr(label))
        if members != list(range(members[0], members[-1] + 1)):
            reader.fail(
                f"{where}.positions", N_("the group {label} must be one unbroken run of positions"), label=repr(label)
            )
        groups.append(
            Group(label=label, start=members[0], stop=members[-1] + 1, note=note, label_cy=label_cy, note_cy=note_cy)
        )
    return tuple(sorted(groups, key=lambda g: g.start))


def _question(reader: _Reader, where: str, value: object, scales: Mapping[str, Scale]) -> Question:
    table = reader.table(value, where)
    reader.only(table, where, {"prompt", "board", "note", *TEXT_KEYS})
    board = table.get("board")
    x = y = None
    if isinstance(board, str):
        x = _scale_named(reader, f"{where}.board", board, scales)
    elif isinstance(board, Sequence) and not isinstance(board, (bytes, bytearray)):
        if len(board) != 2 or not all(isinstance(name, str) for name in board):
            reader.fail(f"{where}.board", N_("a grid is two scale names: [x, y]"))
        x = _scale_named(reader, f"{where}.board", board[0], scales)
        y = _scale_named(reader, f"{where}.board", board[1], scales)
    elif board is not None:
        reader.fail(f"{where}.board", N_("expected a scale name, or [x, y] for a grid"))
    return Question(
        prompt=reader.text(table, "prompt", where, required=True),
        x=x,
        y=y,
        answers=_text_answers(reader, where, table, x),
        note=reader.text(table, "note", where),
        prompt_cy=reader.text(table, "prompt_cy", where),
        note_cy=reader.text(table, "note_cy", where),
    )


TEXT_KEYS = ("answers", "max_answers", "max_length", "moderated")
"""A text question's keys: ``answers = "text"``, and optionally ``max_answers``, ``max_length`` and ``moderated``."""


def _text_answers(reader: _Reader, where: str, table: Mapping[str, Any], board: Scale | None) -> TextAnswers | None:
    """A question's written answers (``answers = "text"``), checked; None for other questions."""
    kind = table.get("answers")
    if kind is None:
        for key in TEXT_KEYS[1:]:
            if key in table:
                reader.fail(f"{where}.{key}", N_('only a text question (answers = "text") takes this'))
        return None
    if kind != "text":
        reader.fail(f"{where}.answers", N_('the only kind of answers is "text", not {given}'), given=repr(kind))
    if board is not None:
        reader.fail(f"{where}.answers", N_("a question takes written answers or has a board, not both"))
    default = TextAnswers()
    limits = {"max_answers": MAX_ANSWER_SLOTS, "max_length": MAX_ANSWER_TEXT}
    values: dict[str, int] = {}
    for key, most in limits.items():
        value = table.get(key, getattr(default, key))
        if type(value) is not int or not 1 <= value <= most:
            reader.fail(f"{where}.{key}", WHOLE_NUMBER, most=most, given=repr(value))
        values[key] = value
    moderated = table.get("moderated", False)
    if type(moderated) is not bool:
        reader.fail(f"{where}.moderated", N_("expected true or false"))
    return TextAnswers(**values, moderated=moderated)


WORKSHOP_KEYS = (
    "id",
    "section",
    "pick",
    "compare",
    "details",
    "section_cy",
    "details_cy",
    "timer",
    "timer_locks",
    "added",
)
"""A question's workshop keys, all optional: checked here, the rest by :func:`_question`."""
MAX_PICK = 16
"""Most positions one vote may choose: a pick-several vote is a 16-bit mask."""


def _workshop_question(
    reader: _Reader, where: str, value: object, scales: Mapping[str, Scale], earlier: tuple[Question, ...]
) -> Question:
    """A question with its section, its id, how many it may pick, what it compares with and its details."""
    table = dict(reader.table(value, where))
    mine = {key: table.pop(key) for key in WORKSHOP_KEYS if key in table}
    question = _question(reader, where, table, scales)
    ident = reader.text(mine, "id", where)
    if ident and not re.fullmatch(r"[A-Za-z0-9_-]{1,40}", ident):
        reader.fail(f"{where}.id", N_("a question's id is 1 to 40 letters, digits, '-' or '_'"))
    if ident and any(q.id == ident for q in earlier):
        reader.fail(f"{where}.id", N_("two questions share the id {name}"), name=repr(ident))
    section = reader.text(mine, "section", where) if "section" in mine else (earlier[-1].section if earlier else "")
    if "section" in mine:
        section_cy = reader.text(mine, "section_cy", where)
    else:
        section_cy = earlier[-1].section_cy if earlier else ""
    pick = mine.get("pick", 1)
    if type(pick) is not int or not 1 <= pick <= MAX_PICK:
        reader.fail(f"{where}.pick", WHOLE_NUMBER, most=MAX_PICK, given=repr(pick))
    if pick > 1 and (question.x is None or question.y is not None or pick > question.x.size):
        reader.fail(f"{where}.pick", N_("only a question on one scale can pick several, and at most its positions"))
    compare = None
    if "compare" in mine:
        name = reader.text(mine, "compare", where, required=True)
        found = [i for i, q in enumerate(earlier) if q.id == name]
        if not found:
            reader.fail(f"{where}.compare", N_("no earlier question has the id {name}"), name=repr(name))
        compare = found[0]
        before = earlier[compare]
        same = question.x is not None and question.y is None and (before.x, before.y) == (question.x, None)
        if not same or pick > 1 or before.pick > 1:
            reader.fail(
                f"{where}.compare", N_("a question compares with an earlier one-choice question on the same scale")
            )
    details = reader.array(mine.get("details", []), f"{where}.details")
    for j, line in enumerate(details):
        if not isinstance(line, str) or len(line) > MAX_TEXT or _UNSAFE.search(line):
            reader.fail(f"{where}.details[{j}]", N_("expected plain text of at most {most} characters"), most=MAX_TEXT)
    details_cy = _notes(reader, mine, "details_cy", where)
    timer = mine.get("timer", 0)
    if type(timer) is not int or not 0 <= timer <= MAX_TIMER:
        reader.fail(f"{where}.timer", N_("expected seconds, a whole number from 1 to {most}"), most=MAX_TIMER)
    timer_locks = mine.get("timer_locks", True)
    if type(timer_locks) is not bool:
        reader.fail(f"{where}.timer_locks", N_("expected true or false"))
    added = mine.get("added", False)
    if type(added) is not bool:
        reader.fail(f"{where}.added", N_("expected true or false"))
    return replace(
        question,
        id=ident,
        section=section,
        pick=pick,
        compare=compare,
        details=tuple(details),
        section_cy=section_cy,
        details_cy=details_cy,
        timer=timer,
        timer_locks=timer_locks,
        added=added,
    )


def _scale_named(reader: _Reader, where: str, name: str, scales: Mapping[str, Scale]) -> Scale:
    if name not in scales:
        if not scales:
            reader.fail(where, N_("no scale named {name} (the deck defines none)"), name=repr(name))
        known = ", ".join(repr(key) for key in scales)
        reader.fail(where, N_("no scale named {name} (the deck defines {known})"), name=repr(name), known=known)
    return scales[name]


MISSING = N_("is missing")
WHOLE_NUMBER = N_("expected a whole number from 1 to {most}, not {given}")
UNSAFE_CHARACTER = N_("character {character} is not allowed (control characters and escapes)")


class _Reader:
    """Typed access to untrusted plain data, failing with the source and key."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, where: str, problem: str, /, **values: object) -> Any:
        """Raise the deck's mistake at ``where``: ``problem`` is a catalog message, ``values`` its placeholders'."""
        place = f"{self.source}: {where}" if where else self.source
        raise DeckError(place, problem, **values)

    def table(self, value: object, where: str) -> Mapping[str, Any]:
        if not isinstance(value, Mapping) or not all(isinstance(k, str) for k in value):
            self.fail(where, N_("expected a table"))
        assert isinstance(value, Mapping)
        return value

    def array(self, value: object, where: str) -> Sequence[Any]:
        if value is None:
            self.fail(where, MISSING)
        if not isinstance(value, (list, tuple)):
            self.fail(where, N_("expected an array"))
        assert isinstance(value, (list, tuple))
        return value

    def only(self, table: Mapping[str, Any], where: str, allowed: set[str]) -> None:
        allowed = allowed | {f"{key}_cy" for key in allowed & TRANSLATED}
        unknown = sorted(set(table) - allowed)
        if unknown:
            expected = ", ".join(sorted(allowed))
            self.fail(
                f"{where}.{unknown[0]}" if where else unknown[0], N_("unknown key (expected {known})"), known=expected
            )

    def text(self, table: Mapping[str, Any], key: str, where: str, *, required: bool = False) -> str:
        full = f"{where}.{key}" if where else key
        value = table.get(key)
        if value is None:
            if required:
                self.fail(full, MISSING)
            return ""
        if not isinstance(value, str):
            self.fail(full, N_("expected text, not {given}"), given=type(value).__name__)
        if len(value) > MAX_TEXT:
            self.fail(full, N_("at most {most} characters"), most=MAX_TEXT)
        unsafe = _UNSAFE.search(value)
        if unsafe:
            self.fail(full, UNSAFE_CHARACTER, character=f"U+{ord(unsafe.group()):04X}")
        if required and not value.strip():
            self.fail(full, N_("must not be empty"))
        return str(value)
