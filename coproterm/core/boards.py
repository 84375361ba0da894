"""Boards and questions: what a participant places their work on.

A *scale* is an ordered row of positions (the spectrum of engagement, the
complexity domains), optionally gathered into labelled groups. A question asks
the room to place their work on one scale, on a grid of two scales (x by y), or
on nothing at all (a *discussion* prompt, talked through in the room).

Every board is, to the state machine, a number of *cells*: a vote is a cell
index and a tally is one count per cell. On a grid the cell of column ``x`` and
row ``y`` is ``y * width + x``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


@dataclass(frozen=True, slots=True)
class Position:
    """One place on a scale, with the words a participant reads about it."""

    label: str
    """Short name, shown on the board (``"consultation"``)."""
    key: str = ""
    """Stable identifier used in exports (``"consultation"``)."""
    example: str = ""
    """Where it is seen in practice (``"surveys, urban planning, FixMyStreet"``)."""
    narrative: str = ""
    """What an organisation working here would say, in its own words."""
    notes: tuple[str, ...] = ()
    """Further lines of help (descriptors, advice, a risk scale)."""
    label_cy: str = ""
    """The label in Welsh (every ``*_cy`` field: empty where the deck gives no Welsh)."""
    example_cy: str = ""
    narrative_cy: str = ""
    notes_cy: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Group:
    """A labelled run of neighbouring positions on a scale."""

    label: str
    """The group's name (``"doing to"``)."""
    start: int
    """Index of the group's first position."""
    stop: int
    """Index one past the group's last position."""
    note: str = ""
    """What the group means (who holds the knowledge and the decisions)."""
    label_cy: str = ""
    note_cy: str = ""

    def __contains__(self, index: object) -> bool:
        return isinstance(index, int) and self.start <= index < self.stop


@dataclass(frozen=True, slots=True)
class Scale:
    """An ordered row of positions: the axis of a board."""

    key: str
    """The name the deck uses for this scale (``"spectrum"``)."""
    title: str
    """A heading for the board (``"A spectrum of engagement"``)."""
    positions: tuple[Position, ...]
    groups: tuple[Group, ...] = ()
    low: str = ""
    """What the start of the scale stands for, shown at its end."""
    high: str = ""
    """What the end of the scale stands for, shown at its end."""
    title_cy: str = ""
    low_cy: str = ""
    high_cy: str = ""

    @property
    def size(self) -> int:
        return len(self.positions)

    def group_of(self, index: int) -> Group | None:
        """The group that holds position ``index``, if the scale has groups."""
        for group in self.groups:
            if index in group:
                return group
        return None


class Kind(Enum):
    """What a question asks the room to do."""

    DISCUSSION = "discussion"
    """A prompt to talk through; nothing is cast."""
    SCALE = "scale"
    """Place your work on one scale."""
    GRID = "grid"
    """Place your work on two scales at once (x by y)."""
    TEXT = "text"
    """Write short answers (open answers: a wall and its words)."""


@dataclass(frozen=True, slots=True)
class TextAnswers:
    """How a text question takes written answers."""

    max_answers: int = 3
    """Answers one person may give."""
    max_length: int = 200
    """Characters in one answer."""
    moderated: bool = False
    """Answers wait for the facilitator's approval before the room sees them (``moderated = true``); the
    facilitator can turn it on or off during the session (``Action.MODERATE``, ``Action.UNMODERATE``)."""


@dataclass(frozen=True, slots=True)
class Question:
    """One step of a workshop: a prompt, and the board votes are cast on."""

    prompt: str
    x: Scale | None = None
    """The board for a scale question, or the horizontal axis of a grid."""
    y: Scale | None = None
    """The vertical axis of a grid; None for other kinds."""
    note: str = ""
    """A line of context shown under the prompt."""
    id: str = ""
    """A name other questions use to refer to this one (``compare``)."""
    section: str = ""
    """The part of the workshop the question belongs to (``"WHAT?"``); a run of questions shares one."""
    pick: int = 1
    """How many positions a participant may choose (``pick = 2``: up to two; scales only)."""
    compare: int | None = None
    """The index of an earlier question on the same scale this one is compared with (before and after)."""
    details: tuple[str, ...] = ()
    """Lines participants can open to read (a case study's points)."""
    timer: int = 0
    """Seconds of the countdown the facilitator's timer key starts on this question by default (0: none set)."""
    timer_locks: bool = True
    """Whether voting locks when this question's countdown ends (False: only the timer stops)."""
    answers: TextAnswers | None = None
    """Set for a text question (``answers = "text"`` in a deck): written answers, no board."""
    prompt_cy: str = ""
    note_cy: str = ""
    section_cy: str = ""
    details_cy: tuple[str, ...] = ()
    added: bool = False
    """Asked on the spot: the facilitator added it during the session (exports and the report say so)."""

    @property
    def kind(self) -> Kind:
        if self.x is None:
            return Kind.TEXT if self.answers is not None else Kind.DISCUSSION
        return Kind.SCALE if self.y is None else Kind.GRID

    @property
    def width(self) -> int:
        return self.x.size if self.x is not None else 0

    @property
    def height(self) -> int:
        return self.y.size if self.y is not None else (1 if self.x is not None else 0)

    @property
    def cells(self) -> int:
        """How many places a vote may name (0 for a discussion)."""
        return self.width * self.height

    def cell(self, x: int, y: int = 0) -> int:
        """The cell index of column ``x`` and row ``y``."""
        if not (0 <= x < self.width and 0 <= y < self.height):
            raise IndexError(f"({x}, {y}) is outside a {self.width} x {self.height} board")
        return y * self.width + x

    def coordinates(self, cell: int) -> tuple[int, int]:
        """The column and row of a cell index."""
        if not 0 <= cell < self.cells:
            raise IndexError(f"cell {cell} is outside a board of {self.cells} cells")
        return cell % self.width, cell // self.width

    @property
    def several(self) -> bool:
        """Whether a vote is a set of positions (a bitmask) rather than one cell."""
        return self.pick > 1

    def chosen(self, choice: int) -> tuple[int, ...]:
        """The cells a vote names: the one cell, or each position whose bit is set."""
        if not self.several:
            return (choice,)
        return tuple(i for i in range(self.cells) if choice >> i & 1)

    def describe_choice(self, choice: int) -> str:
        """The words for a vote: one cell, or every position chosen (``"a + b"``)."""
        return " + ".join(self.describe(cell) for cell in self.chosen(choice))

    def describe(self, cell: int) -> str:
        """The words for a cell: a position's label, or ``x · y`` on a grid."""
        x, y = self.coordinates(cell)
        assert self.x is not None
        if self.y is None:
            return self.x.positions[x].label
        return f"{self.x.positions[x].label} · {self.y.positions[y].label}"


@dataclass(frozen=True, slots=True)
class Deck:
    """A workshop: its title and its questions, in order."""

    title: str
    questions: tuple[Question, ...]
    scales: tuple[Scale, ...] = ()
    """Every scale the questions use, in the order the deck defines them."""
    source: str = ""
    """Where the material comes from, credited on screens and exports."""
    title_cy: str = ""
    source_cy: str = ""
