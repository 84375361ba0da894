"""Agreeing with each other: the rules of an agreement round on a question's written answers.

The facilitator opens a text question's answers for agreement; each participant is shown the
others' answers (never who wrote them, never their own), one at a time, and marks each agree,
disagree or pass. The room learns which answers it shares and which split it, without the loudest
voice (or the earliest answer) winning.

The order each participant sees answers in must not favour early answers: it is decided here,
per participant, from a seed the hub draws when the round opens and logs with it
(:class:`~coproterm.core.events.Agreeing`). An answer's place for a participant is a hash of
(seed, participant, answer id) (:func:`order_key`): no randomness here, the same order after a
reconnection or a ``--resume``, and an answer written later falls anywhere in it, not last.

Only answers the room may see are offered or counted (:attr:`coproterm.core.answers.HeldAnswer.visible`:
the one test of that, whatever it comes to include).

Pure bookkeeping for :class:`~coproterm.core.session.Session`, like :mod:`coproterm.core.answers`.
"""

from __future__ import annotations

import hashlib
import heapq
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from coproterm.core.answers import AnswerBook, HeldAnswer
from coproterm.core.boards import Question
from coproterm.core.client_messages import Mark, Marking
from coproterm.core.events import Agreeing, Marked
from coproterm.core.hub_messages import MAX_AGREEMENT_ITEMS, AgreementItem
from coproterm.core.refusals import Refusal
from coproterm.core.wire_terms import MAX_MARKS, Stance

SEED_BYTES = 16
"""How long a round's seed is (the hub draws it as it draws resume tokens)."""


def order_key(seed: bytes, participant: int, answer: int) -> bytes:
    """Where ``answer`` comes in ``participant``'s order: the smallest is shown first."""
    return hashlib.blake2b(
        participant.to_bytes(4, "big") + answer.to_bytes(4, "big"), key=seed[:64], digest_size=8
    ).digest()


@dataclass(frozen=True, slots=True)
class Marks:
    """One answer's marks: how many agree, disagree and passed."""

    answer: int
    agree: int = 0
    disagree: int = 0
    passed: int = 0

    @property
    def item(self) -> AgreementItem:
        """As an :class:`~coproterm.core.wire.Agreement` frame carries it."""
        return self.answer, self.agree, self.disagree, self.passed


@dataclass(slots=True)
class Round:
    """A question's agreement round: whether it is open, its seed, and every mark."""

    seed: bytes
    open: bool = True
    stances: dict[int, dict[int, Stance]] = field(default_factory=dict)
    """Participant to (answer id to their mark)."""
    counts: dict[int, list[int]] = field(default_factory=dict)
    """Answer id to its counts, by :class:`~coproterm.core.wire.Stance` (pass, agree, disagree)."""
    total: int = 0
    """Marks in all (a changed mark counts once)."""
    stamp: int = 0
    """Bumped on every change: what the hub compares to know a frame is owed."""
    _places: dict[int, dict[int, bytes]] = field(default_factory=dict)

    def apply(self, event: Marked) -> Callable[[], None]:
        """Apply one mark; return how to undo exactly it."""
        mine = self.stances.setdefault(event.participant, {})
        before = mine.get(event.answer)
        self._set(event.participant, event.answer, event.stance)

        def undo() -> None:
            self._set(event.participant, event.answer, before)

        return undo

    def _set(self, participant: int, answer: int, stance: Stance | None) -> None:
        mine = self.stances.setdefault(participant, {})
        before = mine.get(answer)
        counts = self.counts.setdefault(answer, [0, 0, 0])
        if before is not None:
            counts[before] -= 1
            self.total -= 1
            del mine[answer]
        if stance is not None:
            counts[stance] += 1
            self.total += 1
            mine[answer] = stance
        if not mine:
            del self.stances[participant]
        self.stamp += 1

    def place_of(self, participant: int, answer: int) -> bytes:
        """``answer``'s place in ``participant``'s order (kept: worked out once each)."""
        places = self._places.setdefault(participant, {})
        found = places.get(answer)
        if found is None:
            found = places[answer] = order_key(self.seed, participant, answer)
        return found

    def next_for(self, participant: int, book: AnswerBook, count: int = MAX_MARKS) -> tuple[list[HeldAnswer], int]:
        """The next ``count`` answers ``participant`` is to mark, first first (none: none left), and how many are
        left, these among them."""
        marked = self.stances.get(participant, {})
        waiting = [
            a for a in book.answers.values() if a.visible and a.participant != participant and a.id not in marked
        ]
        return heapq.nsmallest(count, waiting, key=lambda a: self.place_of(participant, a.id)), len(waiting)

    def people(self) -> int:
        """Participants who have marked at least one answer."""
        return len(self.stances)

    def marks(self, book: AnswerBook) -> list[Marks]:
        """Every answer the room may see that has a mark, with its counts."""
        found = []
        for answer, (passed, agree, disagree) in self.counts.items():
            shown = book.answers.get(answer)
            if shown is not None and shown.visible and passed + agree + disagree:
                found.append(Marks(answer, agree, disagree, passed))
        return found


def most_agreed(marks: Iterable[Marks], limit: int = MAX_AGREEMENT_ITEMS) -> list[Marks]:
    """The answers most agreed on: more agree than disagree, the widest margin first (then most agreeing)."""
    agreed = [m for m in marks if m.agree > m.disagree]
    return sorted(agreed, key=lambda m: (-(m.agree - m.disagree), -m.agree, m.answer))[:limit]


def most_split(marks: Iterable[Marks], limit: int = MAX_AGREEMENT_ITEMS) -> list[Marks]:
    """The answers the room is split on: some agree and some disagree; the more on the smaller side
    and the closer the two sides, the more split."""
    split = [m for m in marks if m.agree and m.disagree]
    return sorted(split, key=lambda m: (-min(m.agree, m.disagree), abs(m.agree - m.disagree), m.answer))[:limit]


def agreement_refusal(question: Question) -> Refusal | None:
    """Why a question's answers cannot be opened for agreement, or None."""
    return Refusal.NOT_FOR_AGREEMENT if question.answers is None else None


def mark_refusal(
    index: int,
    current: int,
    count: int,
    round_: Round | None,
    book: AnswerBook | None,
    participant: int,
    message: Mark,
) -> tuple[Refusal, tuple[int, ...]] | list[Marking]:
    """Why a participant's marks cannot count, checked in the order docs/protocol.md lists; or the marks that count.

    A mark on an answer the room has stopped seeing since it was offered (hidden, taken back, waiting) is left
    out and the others count; if none is left, the frame is refused."""
    if index >= count or book is None:
        return Refusal.NO_SUCH_QUESTION, (index + 1,)
    if index != current:
        return Refusal.NOT_CURRENT, ()
    if round_ is None or not round_.open:
        return Refusal.NOT_AGREEING, ()
    counted = []
    for answer_id, stance in message.marks:
        answer = book.answers.get(answer_id)
        if answer is None:
            return Refusal.NO_ANSWER_TO_MARK, ()
        if answer.participant == participant:
            return Refusal.OWN_ANSWER, ()
        if answer.visible:
            counted.append((answer_id, stance))
    if not counted:
        return Refusal.NO_ANSWER_TO_MARK, ()
    return counted


def apply_agreeing(rounds: dict[int, Round], questions: int, event: Agreeing) -> Callable[[], None]:
    """A round opens (the first time with its seed), closes or opens again; returns how to undo it."""
    found = rounds.get(event.question)
    if event.question >= questions:  # a damaged log's row: a round on nothing changes nothing
        return lambda: None
    if found is None:
        rounds[event.question] = Round(event.seed, event.open)

        def forget() -> None:
            rounds.pop(event.question, None)

        return forget
    was = found.open
    found.open = event.open
    found.stamp += 1

    def undo() -> None:
        found.open = was
        found.stamp += 1

    return undo


def apply_marked(rounds: dict[int, Round], event: Marked) -> Callable[[], None]:
    """A participant's mark counts in its round; returns how to undo it."""
    found = rounds.get(event.question)
    if found is None:  # a damaged log's row: a mark in no round changes nothing
        return lambda: None
    return found.apply(event)
