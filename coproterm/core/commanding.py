"""The facilitator's commands as the session handles them: move between questions, open, lock, reveal,
hide, reset, moderate, start or stop a countdown, open or close an agreement round, and ask a
question on the spot.

Plain functions over the session's state; each change is an event handed to ``apply``, the
session's one path for live changes and replays, and the shell's randomness (a round's seed) comes
in as ``new_token`` (:meth:`~coproterm.core.session.Session.handle` passes both in).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from coproterm.core import answering
from coproterm.core.agreement import agreement_refusal
from coproterm.core.asked import ask
from coproterm.core.client_messages import AddQuestion, Command
from coproterm.core.events import Added, Agreeing, Commanded, Timed
from coproterm.core.hub_messages import Ack, Ballot
from coproterm.core.journal import Apply
from coproterm.core.outcomes import ConnId, Output, Record, Refused, Tell
from coproterm.core.refusals import Refusal
from coproterm.core.session_state import SessionState
from coproterm.core.wire_terms import MAX_TIMER, Action, Role


def command(
    session: SessionState,
    apply: Apply,
    new_token: Callable[[], bytes],
    conn: ConnId,
    role: Role,
    command: Command,
    at: float,
) -> list[Output]:
    if role is not Role.HOST:
        return [Refused(conn, command.seq, Refusal.HOST_ONLY)]
    if command.question >= len(session.questions):
        return [Refused(conn, command.seq, Refusal.NO_SUCH_QUESTION, (command.question + 1,))]
    if command.action in (Action.TIMER, Action.TIMER_ONLY, Action.STOP_TIMER):
        return timer(session, apply, conn, command, at)
    if command.action in (Action.AGREE, Action.END_AGREE):
        return agree(session, apply, new_token, conn, command)
    if command.action in (Action.MODERATE, Action.UNMODERATE):
        if session.deck.questions[command.question].answers is None:
            return [Refused(conn, command.seq, Refusal.NOT_MODERATED_HERE, (command.question + 1,))]
        if session.questions[command.question].moderated is (command.action is Action.MODERATE):
            return [Tell(conn, Ack(command.seq))]
    event = Commanded(command.action, command.question)
    outputs: list[Output] = [Record(event)]
    if command.action is Action.RESET:
        for member in session.participants.values():
            if command.question in member.votes and member.conn is not None:
                outputs.append(Tell(member.conn, Ballot(command.question, None)))
    apply(event)
    if command.action is Action.RESET:
        outputs += answering.clear_answers(session, apply, command.question)
    outputs.append(Tell(conn, Ack(command.seq)))
    return outputs


def timer(session: SessionState, apply: Apply, conn: ConnId, command: Command, at: float) -> list[Output]:
    """Start a countdown on a question (one runs at a time: a new one replaces it), or stop it."""
    if command.action is Action.STOP_TIMER:
        timer = session.timer
        if timer is None or not session.timer_running():
            return [Tell(conn, Ack(command.seq))]
        stopped = Timed(timer.question, 0, 0.0, timer.locks)
        apply(stopped)
        return [Record(stopped), Tell(conn, Ack(command.seq))]
    if not 1 <= command.seconds <= MAX_TIMER:
        return [Refused(conn, command.seq, Refusal.BAD_TIMER, (MAX_TIMER,))]
    locks = command.action is Action.TIMER
    started = Timed(command.question, command.seconds, at + command.seconds, locks)
    apply(started)
    outputs: list[Output] = [Record(started)]
    if locks and not session.questions[command.question].open:
        opened = Commanded(Action.OPEN, command.question)  # a countdown to a lock is a countdown of open voting
        apply(opened)
        outputs.append(Record(opened))
    outputs.append(Tell(conn, Ack(command.seq)))
    return outputs


def agree(
    session: SessionState, apply: Apply, new_token: Callable[[], bytes], conn: ConnId, command: Command
) -> list[Output]:
    """Open a question's answers for agreement, or close its round (core/agreement.py has the rules)."""
    opening = command.action is Action.AGREE
    found = session.rounds.get(command.question)
    if opening:
        refusal = agreement_refusal(session.deck.questions[command.question])
        if refusal is not None:
            return [Refused(conn, command.seq, refusal)]
    if (found.open if found is not None else False) == opening:
        return [Tell(conn, Ack(command.seq))]
    seed = found.seed if found is not None else new_token()  # the shell's randomness, logged with it
    event = Agreeing(command.question, opening, seed)
    apply(event)
    return [Record(event), Tell(conn, Ack(command.seq))]


def add(session: SessionState, apply: Apply, conn: ConnId, role: Role, message: AddQuestion) -> list[Output]:
    """A host asks a new question; it goes in after the current question (or at the end, if the host says so)."""
    if role is not Role.HOST:
        return [Refused(conn, message.seq, Refusal.HOST_ONLY)]
    added = ask(message, session.deck_data)
    if not isinstance(added, Added):
        reason, values = added
        return [Refused(conn, message.seq, reason, values)]
    count = len(session.deck.questions)
    added = replace(added, position=count if message.at_end else session.current + 1)
    apply(added)
    return [Record(added), Tell(conn, Ack(message.seq))]
