"""A participant's votes as the session handles them: a vote (one cell), a pick-several choice (a mask)
and a mark on another's answer in an agreement round.

Plain functions over the session's state; each change is an event handed to ``apply``, the
session's one path for live changes and replays (:meth:`~coproterm.core.session.Session.handle`
passes it in). The checks, in the order docs/protocol.md lists them, are
:mod:`coproterm.core.ballots` (:func:`~coproterm.core.ballots.vote_refusal`,
:func:`~coproterm.core.ballots.picks_refusal`) and :func:`coproterm.core.agreement.mark_refusal`.
"""

from __future__ import annotations

from coproterm.core.agreement import mark_refusal
from coproterm.core.ballots import picks_refusal, vote_refusal
from coproterm.core.client_messages import Choose, Mark, Vote
from coproterm.core.events import Marked, Voted
from coproterm.core.hub_messages import Ack
from coproterm.core.journal import Apply
from coproterm.core.outcomes import ConnId, Output, Record, Refused, Tell
from coproterm.core.refusals import Refusal
from coproterm.core.session_state import SessionState
from coproterm.core.wire_terms import Role


def vote(session: SessionState, apply: Apply, conn: ConnId, role: Role, vote: Vote) -> list[Output]:
    member = session.roster.members.get(conn)
    if role is not Role.PARTICIPANT or member is None:
        return [Refused(conn, vote.seq, Refusal.HOSTS_DO_NOT_VOTE)]
    refusal = vote_refusal(vote, session.current, session.deck, session.questions)
    if refusal is not None:
        reason, values = refusal
        return [Refused(conn, vote.seq, reason, values)]
    if member.votes.get(vote.question) == vote.choice:
        return [Tell(conn, Ack(vote.seq))]
    voted = Voted(member.number, vote.question, vote.choice)
    apply(voted)
    return [Record(voted), Tell(conn, Ack(vote.seq))]


def choose(session: SessionState, apply: Apply, conn: ConnId, role: Role, choose: Choose) -> list[Output]:
    """A pick-several vote: checked like a vote (docs/protocol.md), then its positions; cast as a mask."""
    member = session.roster.members.get(conn)
    if role is not Role.PARTICIPANT or member is None:
        return [Refused(conn, choose.seq, Refusal.HOSTS_DO_NOT_VOTE)]
    refusal = vote_refusal(
        Vote(choose.seq, choose.question, None), session.current, session.deck, session.questions
    ) or picks_refusal(session.deck.questions[choose.question], choose.picks)
    if refusal is not None:
        reason, values = refusal
        return [Refused(conn, choose.seq, reason, values)]
    choice = choose.picks or None
    if member.votes.get(choose.question) == choice:
        return [Tell(conn, Ack(choose.seq))]
    voted = Voted(member.number, choose.question, choice)
    apply(voted)
    return [Record(voted), Tell(conn, Ack(choose.seq))]


def mark(session: SessionState, apply: Apply, conn: ConnId, message: Mark) -> list[Output]:
    """A participant agrees with, disagrees with or passes on others' answers: each mark that changes something is
    logged, all of them together, before the one Ack."""
    member = session.roster.members.get(conn)
    if member is None:
        return [Refused(conn, message.seq, Refusal.HOSTS_DO_NOT_MARK)]
    index = message.question
    count = len(session.questions)
    book = session.answers[index] if index < count else None
    counted = mark_refusal(index, session.current, count, session.rounds.get(index), book, member.number, message)
    if isinstance(counted, tuple):
        reason, values = counted
        return [Refused(conn, message.seq, reason, values)]
    outputs: list[Output] = []
    for answer, stance in counted:
        if session.rounds[index].stances.get(member.number, {}).get(answer) != stance:
            event = Marked(member.number, index, answer, stance)
            apply(event)
            outputs.append(Record(event))
    return [*outputs, Tell(conn, Ack(message.seq))]
