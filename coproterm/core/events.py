"""What a session records: every accepted change, as data.

The state machine turns each accepted message into one of these and applies it
through the same code that replays a log, so a session rebuilt from its log is
exactly the session that wrote it. The store keeps them in order; exports read
them back to show how each question's tally moved.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from coproterm.core.wire_terms import Action, Stance


@dataclass(frozen=True, slots=True)
class Joined:
    """A participant joined for the first time, or came back under a new name."""

    participant: int
    """Their number, from 1, in order of first joining."""
    token: bytes
    name: str


@dataclass(frozen=True, slots=True)
class Voted:
    """A participant's vote on a question became ``choice`` (None: cleared)."""

    participant: int
    question: int
    choice: int | None


@dataclass(frozen=True, slots=True)
class Commanded:
    """The host acted on a question."""

    action: Action
    question: int


@dataclass(frozen=True, slots=True)
class Answered:
    """A participant wrote, edited (same ``answer``) or took back (``text`` None) a written answer."""

    participant: int
    question: int
    slot: int
    """Which of the participant's answers to the question (from 0)."""
    answer: int
    """The answer's id, from 1 in the session, kept through edits."""
    text: str | None
    waiting: bool = False
    """The question was moderated when this was written: it waits for the facilitator's approval before
    the room sees it (decided when it was accepted, so a replay need not know when moderation was on)."""


@dataclass(frozen=True, slots=True)
class Moderated:
    """The facilitator hid an answer from the room (``hidden``), or showed it again."""

    question: int
    answer: int
    hidden: bool


@dataclass(frozen=True, slots=True)
class Approved:
    """The facilitator approved a waiting answer: the room may see it (until it is edited on a moderated question)."""

    question: int
    answer: int


@dataclass(frozen=True, slots=True)
class Spoke:
    """A participant chose the language they read (``"cy"`` or ``"en"``): it comes back with them."""

    participant: int
    language: str


@dataclass(frozen=True, slots=True)
class Timed:
    """A countdown on a question started, stopped or ended (the hub's clock decided it ended)."""

    question: int
    seconds: int
    """Its length; 0: it was stopped (no countdown runs)."""
    deadline: float
    """When it ends, by the hub's clock (Unix time, so a resumed hub finds it still running or over)."""
    locks: bool
    """Whether voting on the question locks when it ends."""
    ended: bool = False
    """It ran out (the lock, if any, is its own ``Commanded`` event beside it)."""


@dataclass(frozen=True, slots=True, eq=False)
class Added:
    """The facilitator asked a question on the spot: it went in at ``position`` (None: at the end of the deck).

    ``question`` is the question's entry and ``scale`` (name, entry) the scale made for its typed
    options, both in a deck's plain form (:func:`coproterm.core.deck.deck_to_data`). Every question
    from ``position`` on is numbered one more from then: votes, answers, commands and countdowns
    logged before it name them by their old numbers (:func:`coproterm.core.asked.renumbered`).
    """

    question: dict[str, Any]
    scale: tuple[str, dict[str, Any]] | None = None
    position: int | None = None


@dataclass(frozen=True, slots=True)
class Agreeing:
    """The facilitator opened a question's answers for agreement (``open``), or closed the round."""

    question: int
    open: bool
    seed: bytes
    """Drawn by the hub when the round first opened (kept when it opens again): each participant's
    order of answers follows from it (:func:`coproterm.core.agreement.order_key`), the same after a resume."""


@dataclass(frozen=True, slots=True)
class Marked:
    """A participant agreed with, disagreed with or passed on another's answer (again: the mark changed)."""

    participant: int
    question: int
    answer: int
    stance: Stance


Event = Joined | Voted | Commanded | Answered | Moderated | Approved | Spoke | Timed | Added | Agreeing | Marked
