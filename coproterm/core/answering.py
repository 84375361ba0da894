"""Written answers as the session handles them: a participant writes, edits or takes back an answer,
the facilitator hides, shows or approves one (or all), a reset takes them all back, and each writer
hears their own answers back (``YourAnswers``).

Plain functions over the session's state; each change is an event handed to ``apply``, the
session's one path for live changes and replays (:meth:`~coproterm.core.session.Session.handle`
passes it in). Which answers may be written and which the room sees is decided in
:mod:`coproterm.core.answers`.
"""

from __future__ import annotations

from coproterm.core.answers import answer_refusal
from coproterm.core.client_messages import Answer as AnswerMessage
from coproterm.core.client_messages import Moderate
from coproterm.core.events import Answered, Approved, Moderated
from coproterm.core.hub_messages import Ack, YourAnswers
from coproterm.core.journal import Apply
from coproterm.core.outcomes import ConnId, Output, Record, Refused, Tell
from coproterm.core.refusals import Refusal
from coproterm.core.roster import Participant
from coproterm.core.session_state import SessionState
from coproterm.core.wire_terms import APPROVE_ALL, Role


def answer(session: SessionState, apply: Apply, conn: ConnId, message: AnswerMessage) -> list[Output]:
    """Write, edit or take back one of a participant's answers (checked as docs/protocol.md lists)."""
    member = session.roster.members.get(conn)
    if member is None:
        return [Refused(conn, message.seq, Refusal.HOSTS_DO_NOT_ANSWER)]
    index = message.question
    question = session.deck.questions[index] if index < len(session.questions) else None
    book = session.answers[index] if question is not None else None
    had = book.in_slot(member.number, message.slot) if book is not None else None
    is_open = question is not None and session.questions[index].open
    refusal = answer_refusal(index, session.current, question, is_open, book, message, had)
    if isinstance(refusal, tuple):
        reason, values = refusal
        return [Refused(conn, message.seq, reason, values)]
    cleaned = refusal
    if (had.text if had is not None else None) == cleaned:
        return [Tell(conn, Ack(message.seq))]
    assert book is not None
    hidden = book.hidden_slots.get((member.number, message.slot))
    answer_id = had.id if had is not None else hidden if hidden is not None else session.last_answer + 1
    was_waiting = had is not None and had.waiting
    waiting = cleaned is not None and session.questions[index].moderated
    event = Answered(member.number, index, message.slot, answer_id, cleaned, waiting)
    apply(event)
    outputs: list[Output] = [Record(event)]
    if cleaned is not None and not book.answers[answer_id].hidden and book.hides(member.number, cleaned):
        # The words of a hidden answer written in another slot are hidden too (recorded: a replay need not guess).
        hide = Moderated(index, answer_id, True)
        apply(hide)
        outputs.append(Record(hide))
    outputs.append(Tell(conn, Ack(message.seq)))
    if book.answers[answer_id].hidden or waiting or was_waiting:
        # The writer is told it stays hidden, or that it waits for the facilitator (or no longer does).
        outputs.append(Tell(conn, mine_of(session, index, member.number)))
    return outputs


def moderate(session: SessionState, apply: Apply, conn: ConnId, role: Role, message: Moderate) -> list[Output]:
    """Hide an answer from the room, or show it again; approve one waiting answer, or all (hosts only)."""
    if role is not Role.HOST:
        return [Refused(conn, message.seq, Refusal.HOST_ONLY)]
    if message.question >= len(session.questions):
        return [Refused(conn, message.seq, Refusal.NO_SUCH_QUESTION, (message.question + 1,))]
    book = session.answers[message.question]
    if message.approve and message.answer == APPROVE_ALL:
        if session.deck.questions[message.question].answers is None:
            return [Refused(conn, message.seq, Refusal.NOT_MODERATED_HERE, (message.question + 1,))]
        approvals = [Approved(message.question, i) for i in book.waiting_ids()]
        events: list[Moderated | Approved] = list(approvals)
        for approval, undo in zip(approvals, book.approve(approvals), strict=True):  # one pass, however long
            session.applied(approval, undo)
    else:
        answer = book.answers.get(message.answer)
        if answer is None or answer.removed:
            return [Refused(conn, message.seq, Refusal.NO_SUCH_ANSWER, (message.question + 1, message.answer))]
        events = []
        if answer.hidden != message.hidden:
            events.append(Moderated(message.question, message.answer, message.hidden))
        if message.approve and answer.waiting:
            events.append(Approved(message.question, message.answer))
        for event in events:
            apply(event)
    outputs: list[Output] = []
    writers: set[int] = set()
    for event in events:
        outputs.append(Record(event))
        writers.add(book.answers[event.answer].participant)
    outputs.append(Tell(conn, Ack(message.seq)))
    for number in sorted(writers):
        writer = session.roster.numbered.get(number)
        if writer is not None and writer.conn is not None:
            outputs.append(Tell(writer.conn, mine_of(session, message.question, writer.number)))
    return outputs


def clear_answers(session: SessionState, apply: Apply, question: int) -> list[Output]:
    """A reset takes back every written answer to the question, each as its own event (the log replays them)."""
    outputs: list[Output] = []
    writers: set[int] = set()
    for answer in session.answers[question].current():
        event = Answered(answer.participant, question, answer.slot, answer.id, None)
        apply(event)
        outputs.append(Record(event))
        writers.add(answer.participant)
    for number in sorted(writers):
        member = session.roster.numbered.get(number)
        if member is not None and member.conn is not None:
            outputs.append(Tell(member.conn, YourAnswers(question, ())))
    return outputs


def mine(session: SessionState, conn: ConnId, member: Participant) -> list[Output]:
    """A welcomed participant hears their own answers back (after a resume, or on a second device)."""
    return [
        Tell(conn, mine_of(session, index, member.number))
        for index, book in enumerate(session.answers)
        if book.of(member.number)
    ]


def mine_of(session: SessionState, question: int, participant: int) -> YourAnswers:
    """A participant's own answers to a question, and which of them the facilitator hid."""
    own = sorted(session.answers[question].of(participant).items())
    return YourAnswers(
        question,
        tuple((slot, a.text) for slot, a in own),
        tuple(slot for slot, a in own if a.hidden),
        tuple(slot for slot, a in own if a.waiting),
    )
