"""What a finished session says: each question's tally, its votes, and how it moved.

Built by replaying a session's log through the state machine itself, so an
export can never disagree with what the room saw. A damaged row (a vote by
someone who never joined, a cell the board does not have) is left out and
named, so one bad row costs that row, not the session.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from enum import StrEnum

from coproterm.core import read_models
from coproterm.core.agreement import Marks
from coproterm.core.answers import room_sees
from coproterm.core.boards import Deck, Question
from coproterm.core.events import (
    Added,
    Agreeing,
    Answered,
    Approved,
    Commanded,
    Event,
    Joined,
    Marked,
    Moderated,
    Spoke,
    Timed,
    Voted,
)
from coproterm.core.log_check import Flaw, LogCheck, Logged
from coproterm.core.movement import Movement
from coproterm.core.session import Session
from coproterm.core.shares import half_up, percent
from coproterm.core.wire_terms import Action


@dataclass(frozen=True, slots=True)
class FinalVote:
    """One participant's final vote on a question."""

    participant: int
    name: str
    cell: int
    at: float = 0.0
    """When they last changed it (Unix time)."""


@dataclass(frozen=True, slots=True)
class Pair:
    """One participant's before and after, on a question compared with an earlier one."""

    participant: int
    name: str
    before: int
    """Their position on the earlier question."""
    after: int
    """Their position on this one."""

    @property
    def steps(self) -> int:
        """How far they moved: positive towards the scale's end (doing with), negative away."""
        return self.after - self.before


@dataclass(frozen=True, slots=True)
class WrittenAnswer:
    """One written answer to a text question, as it stood at the end."""

    id: int
    participant: int
    name: str
    text: str
    at: float
    """When it was last written or edited (Unix time)."""
    hidden: bool
    waiting: bool = False
    """Never approved: written to a moderated question (or edited there last) and never let through to the room."""

    @property
    def shown(self) -> bool:
        """Whether the room could see it at the end (the session's rule: :attr:`coproterm.core.answers.HeldAnswer.visible`)."""
        return room_sees(hidden=self.hidden, waiting=self.waiting)


class TimerEnd(StrEnum):
    """How a countdown ended (the JSON's words; the CSV words them in its language)."""

    RAN_OUT = "ran out"
    STOPPED = "stopped"
    """The facilitator stopped it."""
    REPLACED = "replaced"
    """Another countdown started before it ran out (one runs at a time)."""
    RUNNING = "running"
    """Still running when the log ends."""


@dataclass(frozen=True, slots=True)
class CountdownRecord:
    """One countdown the facilitator started on a question, and how it ended."""

    seconds: int
    locks: bool
    """Whether voting was to lock when it ran out (else only the countdown stopped)."""
    started: float
    ended: float | None = None
    """When it ran out, was stopped or replaced (Unix time); None while it runs."""
    end: TimerEnd = TimerEnd.RUNNING

    @property
    def locked(self) -> bool:
        """Whether its end locked voting (it ran out, and it was one that locks)."""
        return self.locks and self.end is TimerEnd.RAN_OUT


@dataclass(frozen=True, slots=True)
class AgreementReport:
    """A question's agreement round as it ended: every answer's marks, and who marked."""

    marks: tuple[Marks, ...]
    """Each answer still shown to the room that was marked, by answer id."""
    total: int
    """Marks in all (a changed mark counts once)."""
    people: int
    """Participants who marked at least one answer."""

    def most_agreed(self, limit: int = 5) -> list[Marks]:
        from coproterm.core.agreement import most_agreed

        return most_agreed(self.marks, limit)

    def most_split(self, limit: int = 5) -> list[Marks]:
        from coproterm.core.agreement import most_split

        return most_split(self.marks, limit)


@dataclass(slots=True)
class QuestionReport:
    """A question's final tally, its votes, and the tally after every change."""

    index: int
    question: Question
    counts: tuple[int, ...] = ()
    final_votes: list[FinalVote] = field(default_factory=list)
    timeline: list[tuple[float, tuple[int, ...]]] = field(default_factory=list)
    """(time, counts) after each change to this question's tally, oldest first."""
    resets: list[float] = field(default_factory=list)
    """When the facilitator cleared this question's votes."""
    answers: list[WrittenAnswer] = field(default_factory=list)
    pairs: list[Pair] = field(default_factory=list)
    """On a question compared with an earlier one: everyone who answered both, by participant number."""
    compared: QuestionReport | None = None
    """The earlier question this one is compared with (before and after), if any."""
    countdowns: list[CountdownRecord] = field(default_factory=list)
    """Each countdown the facilitator started on this question, oldest first."""
    agreement: AgreementReport | None = None
    """The question's agreement round, if its answers were opened for agreement."""

    @property
    def timers(self) -> list[tuple[int, bool]]:
        """Each countdown started on this question: (seconds, whether voting was to lock when it ended)."""
        return [(countdown.seconds, countdown.locks) for countdown in self.countdowns]

    @property
    def total(self) -> int:
        return sum(self.counts)

    @property
    def people(self) -> int:
        """Participants with a final vote (on a pick-several question, fewer than the positions counted)."""
        return len(self.final_votes)

    @property
    def movement(self) -> Movement | None:
        """The room's move, on a question compared with an earlier one (None on other questions)."""
        if self.question.compare is None or self.question.x is None:
            return None
        return Movement.of(self.question.x.size, ((p.before, p.after) for p in self.pairs))


@dataclass(slots=True)
class Report:
    """A whole session, ready to be written out."""

    deck: Deck
    questions: list[QuestionReport]
    participants: int
    """Everyone who joined, voting or not."""
    started: float | None
    ended: float | None
    voters: int = 0
    """Those who voted on at least one question (their vote may since have been cleared)."""
    flaws: list[Flaw] = field(default_factory=list)
    """Rows of the log left out because they cannot be replayed."""
    changes: int = 0
    """Every vote logged: cast, changed or taken back (a vote changed twice is three changes)."""

    @property
    def votes(self) -> int:
        """The votes standing at the end: one per person per question they answered (however many they chose)."""
        return sum(q.people for q in self.questions)

    def counted(self) -> str:
        """Its people and votes, in the words every command uses: "7 participants, 65 votes, 81 changes"."""
        return counted(self.participants, self.votes, self.changes)


def share(count: int, total: int) -> str:
    """``count`` of ``total`` as a lone whole percentage ("33%"), or "–" when there is nothing to share.

    Rounded half up, as :mod:`coproterm.core.shares` rounds a lone share; a question's shares
    (which add up to 100 as shown) come from :func:`coproterm.core.shares.printed`.
    """
    return percent(half_up(count, total)) if total else percent(None)


def counted(participants: int, votes: int, changes: int) -> str:
    """A session's size as every command words it: votes standing at the end, changes logged on the way."""
    return (
        f"{participants} participant{'s' if participants != 1 else ''},"
        f" {votes} vote{'s' if votes != 1 else ''}, {changes} change{'s' if changes != 1 else ''}"
    )


def build_report(deck: Deck, logged: Iterable[Logged], flaws: Iterable[Flaw] = ()) -> Report:
    """Replay a log into a report; rows that cannot be replayed are skipped and listed in ``flaws``."""
    session = Session(deck, "", lambda: b"")
    reports = [QuestionReport(i, q) for i, q in enumerate(deck.questions)]
    found = list(flaws)
    voters: set[int] = set()
    changes = 0
    written: dict[tuple[int, int], float] = {}
    voted_at: dict[tuple[int, int], float] = {}
    first = last = None
    running: tuple[int, int] | None = None
    for _, at, event in LogCheck(deck).sound(logged, found):
        first = at if first is None else min(first, at)  # answers replay after the other events
        last = at if last is None else max(last, at)
        session.replay((event,))
        if isinstance(event, Answered):
            written[(event.question, event.answer)] = at
        if isinstance(event, Voted):
            changes += 1
            voted_at[(event.participant, event.question)] = at
            if event.choice is not None:
                voters.add(event.participant)
        if isinstance(event, Timed):
            running = _counted_down(reports, running, event, at)
        touched = _question_of(event)
        if touched is not None and deck.questions[touched].cells:
            reports[touched].timeline.append((at, read_models.tally(session, touched).counts))
            if isinstance(event, Commanded):
                reports[touched].resets.append(at)
    names = {m.number: m.name for m in session.participants.values()}
    for member in sorted(session.participants.values(), key=lambda m: m.number):
        for question, cell in sorted(member.votes.items()):
            reports[question].final_votes.append(
                FinalVote(member.number, names[member.number], cell, voted_at.get((member.number, question), 0.0))
            )
    for report in reports:
        report.counts = read_models.tally(session, report.index).counts
        report.answers = [
            WrittenAnswer(
                a.id,
                a.participant,
                names.get(a.participant, ""),
                a.text,
                written[(report.index, a.id)],
                a.hidden,
                a.waiting,
            )
            for a in session.answers[report.index].current()
        ]
    for index, round_ in session.rounds.items():
        marks = tuple(sorted(round_.marks(session.answers[index]), key=lambda m: m.answer))
        reports[index].agreement = AgreementReport(marks, round_.total, round_.people())
    for report in reports:
        if report.question.compare is not None:
            report.compared = reports[report.question.compare]
            report.pairs = _pairs(report.compared, report)
    found.sort(key=lambda flaw: flaw.row)
    return Report(deck, reports, len(session.participants), first, last, len(voters), found, changes)


def _counted_down(
    reports: list[QuestionReport], running: tuple[int, int] | None, event: Timed, at: float
) -> tuple[int, int] | None:
    """A countdown's start, stop or end written into its question's report; the one running after it (question, index).

    One countdown runs at a time: a start ends the one running (replaced); a stop or an end ends it.
    """
    if running is not None:
        question, index = running
        countdowns = reports[question].countdowns
        end = TimerEnd.RAN_OUT if event.ended else TimerEnd.REPLACED if event.seconds else TimerEnd.STOPPED
        # A countdown that ran out ended at its deadline (a hub killed then may have logged its end on resuming).
        countdowns[index] = replace(countdowns[index], ended=event.deadline if event.ended else at, end=end)
    if event.seconds and not event.ended:
        countdowns = reports[event.question].countdowns
        countdowns.append(CountdownRecord(event.seconds, event.locks, at))
        return event.question, len(countdowns) - 1
    return None


def _pairs(before: QuestionReport, after: QuestionReport) -> list[Pair]:
    """Everyone's final votes on both questions of a before-and-after."""
    earlier = {vote.participant: vote.cell for vote in before.final_votes}
    return [
        Pair(vote.participant, vote.name, earlier[vote.participant], vote.cell)
        for vote in after.final_votes
        if vote.participant in earlier
    ]


def _question_of(event: Event) -> int | None:
    """The question whose tally an event changes, if any."""
    match event:
        case Voted():
            return event.question
        case Commanded(action=Action.RESET):
            return event.question
        case (
            Joined()
            | Commanded()
            | Spoke()
            | Answered()
            | Moderated()
            | Approved()
            | Timed()
            | Added()
            | Agreeing()
            | Marked()
        ):
            return None
