"""What the protocol asks the session for, to send: the read models (the state, the turnout, the
tally, how many people voted, who has joined, the moves between two questions, the moderation
queue, the countdown).

Plain functions over the session's state; each builds the message it is sent as
(:mod:`coproterm.core.hub_messages`). :mod:`coproterm.core.protocol` decides who is sent which.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from coproterm.core.hub_messages import Attendance, Moderation, Moves, State, Tally, Timer, Turnout, VoterCount
from coproterm.core.movement import Movement

if TYPE_CHECKING:
    from coproterm.core.session import Session


def state(session: Session) -> State:
    status = session.questions[session.current]
    return State(
        current=session.current,
        open=status.open,
        revealed=status.revealed,
        alert=session.alert,
        moderated=status.moderated and session.deck.questions[session.current].answers is not None,
    )


def turnout(session: Session) -> Turnout:
    voted_here = sum(session.current in member.votes for member in session.roster.members.values())
    return Turnout(connected=session.connected, voted=session.questions[session.current].people, voted_here=voted_here)


def moves(session: Session, question: int | None = None) -> Moves | None:
    """Before and after on a question compared with an earlier one (None for other questions)."""
    index = session.current if question is None else question
    asked = session.deck.questions[index]
    before = asked.compare
    if before is None or asked.x is None:
        return None
    pairs = (
        (member.votes[before], member.votes[index])
        for member in session.participants.values()
        if index in member.votes and before in member.votes
    )
    return Moves(index, before, Movement.of(asked.x.size, pairs).counts)


def people(session: Session, question: int | None = None) -> VoterCount:
    """How many people have a vote on a question (the current one by default)."""
    index = session.current if question is None else question
    return VoterCount(question=index, people=session.questions[index].people)


def attendance(session: Session) -> Attendance:
    """Everyone who has joined, away or not: what a host's "voted" is counted out of."""
    return Attendance(joined=len(session.participants))


def moderation(session: Session) -> Moderation | None:
    """Whether the current question's answers wait for approval, and how many wait (None: it takes none)."""
    if session.deck.questions[session.current].answers is None:
        return None
    return Moderation(
        session.current, session.questions[session.current].moderated, session.answers[session.current].queued
    )


def tally(session: Session, question: int | None = None) -> Tally:
    index = session.current if question is None else question
    return Tally(question=index, counts=tuple(session.questions[index].counts))


def timer_message(session: Session, at: float) -> Timer | None:
    """The countdown as everyone is told it at ``at`` (the hub's clock); None before the first."""
    timer = session.timer
    if timer is None:
        return None
    if timer.seconds == 0:
        return Timer(timer.question, 0, 0, timer.locks)
    left = 0 if timer.ended else min(max(round((timer.deadline - at) * 1000), 0), timer.seconds * 1000)
    return Timer(timer.question, timer.seconds, left, timer.locks)
