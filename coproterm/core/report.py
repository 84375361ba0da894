"""What a finished session says: each question's tally, its votes, and how it moved.

Built by replaying a session's log through the state machine itself, so an
export can never disagree with what the room saw.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from coproterm.core.boards import Deck, Question
from coproterm.core.events import Commanded, Event, Joined, Voted
from coproterm.core.session import Session
from coproterm.core.wire import Action


@dataclass(frozen=True, slots=True)
class Ballot:
    """One participant's final vote on a question."""

    participant: int
    name: str
    cell: int


@dataclass(slots=True)
class QuestionReport:
    """A question's final tally, its votes, and the tally after every change."""

    index: int
    question: Question
    counts: tuple[int, ...] = ()
    ballots: list[Ballot] = field(default_factory=list)
    timeline: list[tuple[float, tuple[int, ...]]] = field(default_factory=list)
    """(time, counts) after each change to this question's tally, oldest first."""

    @property
    def total(self) -> int:
        return sum(self.counts)


@dataclass(slots=True)
class Report:
    """A whole session, ready to be written out."""

    deck: Deck
    questions: list[QuestionReport]
    participants: int
    started: float | None
    ended: float | None


def build_report(deck: Deck, entries: Iterable[tuple[float, Event]]) -> Report:
    """Replay a log (pairs of Unix time and event) into a report."""
    session = Session(deck, "", lambda: b"")
    reports = [QuestionReport(i, q) for i, q in enumerate(deck.questions)]
    first = last = None
    for at, event in entries:
        first = at if first is None else first
        last = at
        session.replay((event,))
        touched = _question_of(event)
        if touched is not None and deck.questions[touched].cells:
            reports[touched].timeline.append((at, session.tally(touched).counts))
    names = {m.number: m.name for m in session.participants.values()}
    for member in sorted(session.participants.values(), key=lambda m: m.number):
        for question, cell in sorted(member.votes.items()):
            reports[question].ballots.append(Ballot(member.number, names[member.number], cell))
    for report in reports:
        report.counts = session.tally(report.index).counts
    return Report(deck, reports, len(session.participants), first, last)


def _question_of(event: Event) -> int | None:
    """The question whose tally an event changes, if any."""
    match event:
        case Voted():
            return event.question
        case Commanded(action=Action.RESET):
            return event.question
        case Joined() | Commanded():
            return None
