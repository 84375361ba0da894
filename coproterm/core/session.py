"""The workshop's state machine: messages in, outcomes out, no I/O.

A :class:`Session` holds the deck, the participants, their votes and the state
of every question. The connection protocol (:mod:`coproterm.core.protocol`)
hands it each decoded message with the connection it came from
(:meth:`Session.handle`); it answers with what to tell, what to record and what
it refused, and the protocol turns refusals into errors and closes by one table.
Connections are plain numbers chosen by the shell.

Tallies are kept incrementally: a vote moves one count, it never recounts.
Every change bumps :attr:`Session.version`. Every change is an event
(:mod:`coproterm.core.events`) applied by the one path that also replays a log;
while the log has not confirmed an event it is kept in a journal, so a batch
that could not be saved is undone exactly (:meth:`Session.unsaved`).
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from typing import Any

from coproterm.core.access import code_matches
from coproterm.core.agreement import Round, agreement_refusal, apply_agreeing, apply_marked, mark_refusal
from coproterm.core.alerts import Alert
from coproterm.core.answers import AnswerBook, answer_refusal
from coproterm.core.asked import ask, place, renumbered, shifted, with_added
from coproterm.core.ballots import QuestionState, picks_refusal, set_vote, starts_moderated, vote_refusal
from coproterm.core.boards import Deck
from coproterm.core.client_messages import AddQuestion, Choose, Command, Hello, Mark, Moderate, Speak, Vote
from coproterm.core.client_messages import Answer as AnswerMessage
from coproterm.core.deck import deck_from_data, deck_to_data, in_one_language
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
from coproterm.core.hub_messages import (
    Ack,
    Ballot,
    Mine,
    Speaks,
    Translated,
    Welcome,
)
from coproterm.core.i18n import language
from coproterm.core.journal import Journal
from coproterm.core.outcomes import Close, ConnId, Output, Record, Refused, Tell
from coproterm.core.refusals import Refusal
from coproterm.core.roster import MAX_RECORDS, Participant, Roster, clean_name
from coproterm.core.wire import Message
from coproterm.core.wire_terms import (
    APPROVE_ALL,
    MAX_PARTICIPANTS,
    MAX_TIMER,
    PROTOCOL_VERSION,
    Action,
    CloseCode,
    Role,
)


class Session:
    """One workshop's live state."""

    def __init__(
        self,
        deck: Deck,
        host_token: str,
        new_token: Callable[[], bytes],
        *,
        max_participants: int = MAX_PARTICIPANTS,
        max_records: int = MAX_RECORDS,
        join_code: str = "",
        require_code: bool = False,
    ) -> None:
        self.deck = deck
        self.join_code = join_code
        """Shown to the room; asked of newcomers when ``require_code``."""
        self.require_code = require_code and bool(join_code)
        self._host_token = host_token.encode()
        self._new_token = new_token
        self.max_participants = max_participants
        self.max_records = max_records
        self._deck_words: dict[str | None, Mapping[str, Any]] = {None: deck_to_data(deck)}
        """The deck's plain form: in both languages (None), and in each one a participant reads."""
        self._asked = any(question.added for question in deck.questions)
        self.last_added: Added | None = None
        """The latest question asked on the spot in this process (what connections welcomed before it are sent)."""
        self.current = 0
        self.questions = [QuestionState(counts=[0] * q.cells, moderated=starts_moderated(q)) for q in deck.questions]
        self.roster = Roster()
        """The participants and the connections."""
        self._version = 0
        self._alert: Alert | None = None
        self._journal = Journal()
        """Changes the log has not confirmed (coproterm/core/journal.py)."""
        self.answers = [AnswerBook() for _ in deck.questions]
        """Each question's written answers (empty but for text questions)."""
        self._last_answer = 0
        """The highest answer id given (ids are never reused, even after an undo)."""
        self.timer: Timed | None = None
        """The latest countdown (running, ended, or stopped: ``seconds`` 0); None before the first."""
        self.timer_version = 0
        """Bumped whenever the countdown starts, stops or ends: everyone is sent it again."""
        self.rounds: dict[int, Round] = {}
        """Each question opened for agreement (open now or closed), by question."""

    # -- reading ---------------------------------------------------------------

    @property
    def alert(self) -> Alert | None:
        """Trouble everyone should hear of (the log cannot be written)."""
        return self._alert

    def _alerting(self, alert: Alert | None) -> None:
        if alert != self._alert:
            self._alert = alert
            self._version += 1

    @property
    def version(self) -> int:
        """Bumped on every change that subscribers should hear of."""
        return self._version

    @property
    def journaling(self) -> bool:
        """Each change is kept until the log confirms it (:meth:`saved`), so that it can be undone (:meth:`unsaved`)."""
        return self._journal.on

    def journal(self, on: bool = True) -> None:
        """From now on, keep each change until the log confirms it (a hub that logs: ``on``), or not."""
        self._journal.on = on

    def connections_changed(self) -> None:
        """Something hosts are shown of the connections changed (how many are over SSH, or in plain mode):
        subscribers are sent the state again."""
        self._version += 1

    @property
    def participants(self) -> dict[bytes, Participant]:
        """Everyone who joined, away or not, by resume token (the roster's)."""
        return self.roster.participants

    @property
    def connected(self) -> int:
        """Participants connected now."""
        return self.roster.connected

    def knows(self, resume: bytes | None) -> bool:
        """Whether a hello with this resume token comes back as someone who joined before."""
        return self.roster.knows(resume)

    def role(self, conn: ConnId) -> Role | None:
        """The role of a welcomed connection; None before its hello."""
        return self.roster.roles.get(conn)

    def member(self, conn: ConnId) -> Participant | None:
        """The participant on this connection, if it is one."""
        return self.roster.members.get(conn)

    def timer_running(self) -> bool:
        """Whether a countdown is running (started, neither stopped nor ended)."""
        return self.timer is not None and self.timer.seconds > 0 and not self.timer.ended

    def timer_due(self) -> float | None:
        """When the running countdown ends, by the hub's clock; None when none runs."""
        return self.timer.deadline if self.timer is not None and self.timer_running() else None

    def clock(self, at: float) -> list[Output]:
        """The hub's clock says ``at``: a countdown that has run out ends (and locks its question, if it locks).

        The shell calls this when :meth:`timer_due` passes; the end is recorded like any command.
        """
        timer = self.timer
        if timer is None or not self.timer_running() or at < timer.deadline:
            return []
        ended = Timed(timer.question, timer.seconds, timer.deadline, timer.locks, ended=True)
        self._apply(ended)
        outputs: list[Output] = [Record(ended)]
        if timer.locks and self.questions[timer.question].open:
            lock = Commanded(Action.LOCK, timer.question)
            self._apply(lock)
            outputs.append(Record(lock))
        return outputs

    @property
    def revealed(self) -> bool:
        """Whether participants are shown the current question's results."""
        return self.questions[self.current].revealed

    # -- changing --------------------------------------------------------------

    def handle(self, conn: ConnId, message: Message, at: float = 0.0) -> list[Output]:
        """Apply one message from a connection; return what to send, record and refuse.

        ``at`` is the hub's clock (Unix time): a countdown started now ends ``seconds`` after it.
        """
        if isinstance(message, Hello):
            return self._hello(conn, message)
        role = self.roster.roles.get(conn)
        seq = (
            message.seq
            if isinstance(message, (Vote, Command, AnswerMessage, Moderate, Choose, AddQuestion, Mark))
            else None
        )
        if role is None:
            return [Refused(conn, seq, Refusal.HELLO_FIRST)]
        if isinstance(message, Vote):
            return self._vote(conn, role, message)
        if isinstance(message, Choose):
            return self._choose(conn, role, message)
        if isinstance(message, Command):
            return self._command(conn, role, message, at)
        if isinstance(message, AnswerMessage):
            return self._answer(conn, message)
        if isinstance(message, Moderate):
            return self._moderate(conn, role, message)
        if isinstance(message, Speak):
            return self._speak(conn, message)
        if isinstance(message, AddQuestion):
            return self._add(conn, role, message)
        if isinstance(message, Mark):
            return self._mark(conn, message)
        return [Refused(conn, None, Refusal.HUB_ONLY)]

    def disconnect(self, conn: ConnId) -> None:
        """Forget a connection; its participant stays, away, with their votes."""
        if self.roster.disconnect(conn):
            self._version += 1

    def _hello(self, conn: ConnId, hello: Hello) -> list[Output]:
        if conn in self.roster.roles:
            return [Refused(conn, None, Refusal.SECOND_HELLO)]
        if hello.version != PROTOCOL_VERSION:
            return [Refused(conn, None, Refusal.OTHER_VERSION, (PROTOCOL_VERSION, hello.version))]
        if hello.host_token is not None:
            if not hmac.compare_digest(hello.host_token.encode(), self._host_token):
                return [Refused(conn, None, Refusal.WRONG_TOKEN)]
            self.roster.roles[conn] = Role.HOST
            votes: tuple[int | None, ...] = (None,) * len(self.questions)
            welcome = Welcome(
                PROTOCOL_VERSION, Role.HOST, None, self._deck_words[None], votes, self.join_code, self.require_code
            )
            return [Tell(conn, welcome)]

        outputs: list[Output] = []
        member = self.participants.get(hello.resume) if hello.resume is not None else None
        if member is None:
            if self.require_code and hello.code is None:
                return [Refused(conn, None, Refusal.CODE_MISSING)]
            if self.require_code and not code_matches(hello.code, self.join_code):
                return [Refused(conn, None, Refusal.WRONG_CODE)]
            if self.connected >= self.max_participants:
                return [Refused(conn, None, Refusal.FULL)]
            if len(self.participants) >= self.max_records:
                return [Refused(conn, None, Refusal.KEPT_ALL, (self.max_records,))]
            joined = Joined(self.roster.last_number + 1, self._new_token(), clean_name(hello.name or ""))
            self._apply(joined)
            member = self.participants[joined.token]
            outputs.append(Record(joined))
        else:
            if member.conn is not None:
                outputs.append(Close(member.conn, CloseCode.REPLACED, "joined again from another connection"))
                self.roster.roles.pop(member.conn, None)
                self.roster.members.pop(member.conn, None)
            name = clean_name(hello.name or "")
            if name and name != member.name:
                renamed = Joined(member.number, member.token, name)
                self._apply(renamed)
                outputs.append(Record(renamed))
        member.conn = conn
        self.roster.roles[conn] = Role.PARTICIPANT
        self.roster.members[conn] = member
        self._version += 1
        votes = tuple(member.votes.get(i) for i in range(len(self.questions)))
        welcome = Welcome(PROTOCOL_VERSION, Role.PARTICIPANT, member.token, self._deck_in(hello.language), votes)
        self.roster.deck_language.pop(conn, None)
        if hello.language is not None:
            self.roster.deck_language[conn] = hello.language
        outputs.append(Tell(conn, welcome))
        if member.language:
            outputs.append(Tell(conn, Speaks(member.language)))
            if hello.language is not None and hello.language != member.language:
                # The face turns to the language chosen before: it needs the deck in it too.
                self.roster.deck_language[conn] = member.language
                outputs.append(Tell(conn, Translated(member.language, self._deck_in(member.language))))
        outputs += self._mine(conn, member)
        return outputs

    def _speak(self, conn: ConnId, message: Speak) -> list[Output]:
        """Remember a participant's language (a host's is its own affair: nothing to remember).

        A participant whose deck came in the other language is sent it in this one.
        """
        member = self.roster.members.get(conn)
        if member is None:
            return []
        outputs: list[Output] = []
        had = self.roster.deck_language.get(conn)
        if had is not None and had != message.language:
            self.roster.deck_language[conn] = message.language
            outputs.append(Tell(conn, Translated(message.language, self._deck_in(message.language))))
        if member.language != message.language:
            event = Spoke(member.number, message.language)
            self._apply(event)
            outputs.append(Record(event))
        return outputs

    def _deck_in(self, code: str | None) -> Mapping[str, Any]:
        """The deck's plain form in one language (None: both), made once per language."""
        data = self._deck_words.get(code)
        if data is None and code is not None:
            data = self._deck_words[code] = deck_to_data(in_one_language(self.deck, language(code)))
        return data if data is not None else self._deck_words[None]

    def _vote(self, conn: ConnId, role: Role, vote: Vote) -> list[Output]:
        member = self.roster.members.get(conn)
        if role is not Role.PARTICIPANT or member is None:
            return [Refused(conn, vote.seq, Refusal.HOSTS_DO_NOT_VOTE)]
        refusal = vote_refusal(vote, self.current, self.deck, self.questions)
        if refusal is not None:
            reason, values = refusal
            return [Refused(conn, vote.seq, reason, values)]
        if member.votes.get(vote.question) == vote.choice:
            return [Tell(conn, Ack(vote.seq))]
        voted = Voted(member.number, vote.question, vote.choice)
        self._apply(voted)
        return [Record(voted), Tell(conn, Ack(vote.seq))]

    def _choose(self, conn: ConnId, role: Role, choose: Choose) -> list[Output]:
        """A pick-several vote: checked like a vote (docs/protocol.md), then its positions; cast as a mask."""
        member = self.roster.members.get(conn)
        if role is not Role.PARTICIPANT or member is None:
            return [Refused(conn, choose.seq, Refusal.HOSTS_DO_NOT_VOTE)]
        refusal = vote_refusal(
            Vote(choose.seq, choose.question, None), self.current, self.deck, self.questions
        ) or picks_refusal(self.deck.questions[choose.question], choose.picks)
        if refusal is not None:
            reason, values = refusal
            return [Refused(conn, choose.seq, reason, values)]
        choice = choose.picks or None
        if member.votes.get(choose.question) == choice:
            return [Tell(conn, Ack(choose.seq))]
        voted = Voted(member.number, choose.question, choice)
        self._apply(voted)
        return [Record(voted), Tell(conn, Ack(choose.seq))]

    def _command(self, conn: ConnId, role: Role, command: Command, at: float) -> list[Output]:
        if role is not Role.HOST:
            return [Refused(conn, command.seq, Refusal.HOST_ONLY)]
        if command.question >= len(self.questions):
            return [Refused(conn, command.seq, Refusal.NO_SUCH_QUESTION, (command.question + 1,))]
        if command.action in (Action.TIMER, Action.TIMER_ONLY, Action.STOP_TIMER):
            return self._timer(conn, command, at)
        if command.action in (Action.AGREE, Action.END_AGREE):
            return self._agree(conn, command)
        if command.action in (Action.MODERATE, Action.UNMODERATE):
            if self.deck.questions[command.question].answers is None:
                return [Refused(conn, command.seq, Refusal.NOT_MODERATED_HERE, (command.question + 1,))]
            if self.questions[command.question].moderated is (command.action is Action.MODERATE):
                return [Tell(conn, Ack(command.seq))]
        event = Commanded(command.action, command.question)
        outputs: list[Output] = [Record(event)]
        if command.action is Action.RESET:
            for member in self.participants.values():
                if command.question in member.votes and member.conn is not None:
                    outputs.append(Tell(member.conn, Ballot(command.question, None)))
        self._apply(event)
        if command.action is Action.RESET:
            outputs += self._clear_answers(command.question)
        outputs.append(Tell(conn, Ack(command.seq)))
        return outputs

    def _timer(self, conn: ConnId, command: Command, at: float) -> list[Output]:
        """Start a countdown on a question (one runs at a time: a new one replaces it), or stop it."""
        if command.action is Action.STOP_TIMER:
            timer = self.timer
            if timer is None or not self.timer_running():
                return [Tell(conn, Ack(command.seq))]
            stopped = Timed(timer.question, 0, 0.0, timer.locks)
            self._apply(stopped)
            return [Record(stopped), Tell(conn, Ack(command.seq))]
        if not 1 <= command.seconds <= MAX_TIMER:
            return [Refused(conn, command.seq, Refusal.BAD_TIMER, (MAX_TIMER,))]
        locks = command.action is Action.TIMER
        started = Timed(command.question, command.seconds, at + command.seconds, locks)
        self._apply(started)
        outputs: list[Output] = [Record(started)]
        if locks and not self.questions[command.question].open:
            opened = Commanded(Action.OPEN, command.question)  # a countdown to a lock is a countdown of open voting
            self._apply(opened)
            outputs.append(Record(opened))
        outputs.append(Tell(conn, Ack(command.seq)))
        return outputs

    # -- agreeing with each other ---------------------------------------------------

    def _agree(self, conn: ConnId, command: Command) -> list[Output]:
        """Open a question's answers for agreement, or close its round (core/agreement.py has the rules)."""
        opening = command.action is Action.AGREE
        found = self.rounds.get(command.question)
        if opening:
            refusal = agreement_refusal(self.deck.questions[command.question])
            if refusal is not None:
                return [Refused(conn, command.seq, refusal)]
        if (found.open if found is not None else False) == opening:
            return [Tell(conn, Ack(command.seq))]
        seed = found.seed if found is not None else self._new_token()  # the shell's randomness, logged with it
        event = Agreeing(command.question, opening, seed)
        self._apply(event)
        return [Record(event), Tell(conn, Ack(command.seq))]

    def _mark(self, conn: ConnId, message: Mark) -> list[Output]:
        """A participant agrees with, disagrees with or passes on another's answer."""
        member = self.roster.members.get(conn)
        if member is None:
            return [Refused(conn, message.seq, Refusal.HOSTS_DO_NOT_MARK)]
        index = message.question
        count = len(self.questions)
        book = self.answers[index] if index < count else None
        refusal = mark_refusal(index, self.current, count, self.rounds.get(index), book, member.number, message)
        if refusal is not None:
            reason, values = refusal
            return [Refused(conn, message.seq, reason, values)]
        if self.rounds[index].stances.get(member.number, {}).get(message.answer) == message.stance:
            return [Tell(conn, Ack(message.seq))]
        event = Marked(member.number, index, message.answer, message.stance)
        self._apply(event)
        return [Record(event), Tell(conn, Ack(message.seq))]

    def agreement_round(self, question: int | None = None) -> Round | None:
        """The question's agreement round (the current question's by default), None if never opened."""
        return self.rounds.get(self.current if question is None else question)

    # -- a question asked on the spot ----------------------------------------------

    @property
    def deck_data(self) -> Mapping[str, Any]:
        """The deck in its plain form, as welcomes carry it (with every question asked on the spot)."""
        return self._deck_words[None]

    @property
    def asked_on_the_spot(self) -> bool:
        """Whether the deck holds a question added during the session (older clients cannot show it)."""
        return self._asked

    def _add(self, conn: ConnId, role: Role, message: AddQuestion) -> list[Output]:
        """A host asks a new question; it goes in after the current question (or at the end, if the host says so)."""
        if role is not Role.HOST:
            return [Refused(conn, message.seq, Refusal.HOST_ONLY)]
        added = ask(message, self._deck_words[None])
        if not isinstance(added, Added):
            reason, values = added
            return [Refused(conn, message.seq, reason, values)]
        count = len(self.deck.questions)
        added = replace(added, position=count if message.at_end else self.current + 1)
        self._apply(added)
        return [Record(added), Tell(conn, Ack(message.seq))]

    # -- written answers -----------------------------------------------------------

    def _answer(self, conn: ConnId, message: AnswerMessage) -> list[Output]:
        """Write, edit or take back one of a participant's answers (checked as docs/protocol.md lists)."""
        member = self.roster.members.get(conn)
        if member is None:
            return [Refused(conn, message.seq, Refusal.HOSTS_DO_NOT_ANSWER)]
        index = message.question
        question = self.deck.questions[index] if index < len(self.questions) else None
        book = self.answers[index] if question is not None else None
        had = book.in_slot(member.number, message.slot) if book is not None else None
        is_open = question is not None and self.questions[index].open
        refusal = answer_refusal(index, self.current, question, is_open, book, message, had)
        if isinstance(refusal, tuple):
            reason, values = refusal
            return [Refused(conn, message.seq, reason, values)]
        cleaned = refusal
        if (had.text if had is not None else None) == cleaned:
            return [Tell(conn, Ack(message.seq))]
        assert book is not None
        hidden = book.hidden_slots.get((member.number, message.slot))
        answer_id = had.id if had is not None else hidden if hidden is not None else self._last_answer + 1
        was_waiting = had is not None and had.waiting
        waiting = cleaned is not None and self.questions[index].moderated
        event = Answered(member.number, index, message.slot, answer_id, cleaned, waiting)
        self._apply(event)
        outputs: list[Output] = [Record(event)]
        if cleaned is not None and not book.answers[answer_id].hidden and book.hides(member.number, cleaned):
            # The words of a hidden answer written in another slot are hidden too (recorded: a replay need not guess).
            hide = Moderated(index, answer_id, True)
            self._apply(hide)
            outputs.append(Record(hide))
        outputs.append(Tell(conn, Ack(message.seq)))
        if book.answers[answer_id].hidden or waiting or was_waiting:
            # The writer is told it stays hidden, or that it waits for the facilitator (or no longer does).
            outputs.append(Tell(conn, self._mine_of(index, member.number)))
        return outputs

    def _moderate(self, conn: ConnId, role: Role, message: Moderate) -> list[Output]:
        """Hide an answer from the room, or show it again; approve one waiting answer, or all (hosts only)."""
        if role is not Role.HOST:
            return [Refused(conn, message.seq, Refusal.HOST_ONLY)]
        if message.question >= len(self.questions):
            return [Refused(conn, message.seq, Refusal.NO_SUCH_QUESTION, (message.question + 1,))]
        book = self.answers[message.question]
        if message.approve and message.answer == APPROVE_ALL:
            if self.deck.questions[message.question].answers is None:
                return [Refused(conn, message.seq, Refusal.NOT_MODERATED_HERE, (message.question + 1,))]
            events: list[Moderated | Approved] = [Approved(message.question, i) for i in book.waiting_ids()]
        else:
            answer = book.answers.get(message.answer)
            if answer is None or answer.removed:
                return [Refused(conn, message.seq, Refusal.NO_SUCH_ANSWER, (message.question + 1, message.answer))]
            events = []
            if answer.hidden != message.hidden:
                events.append(Moderated(message.question, message.answer, message.hidden))
            if message.approve and answer.waiting:
                events.append(Approved(message.question, message.answer))
        outputs: list[Output] = []
        writers: set[int] = set()
        for event in events:
            self._apply(event)
            outputs.append(Record(event))
            writers.add(book.answers[event.answer].participant)
        outputs.append(Tell(conn, Ack(message.seq)))
        for number in sorted(writers):
            writer = self.roster.numbered.get(number)
            if writer is not None and writer.conn is not None:
                outputs.append(Tell(writer.conn, self._mine_of(message.question, writer.number)))
        return outputs

    def _clear_answers(self, question: int) -> list[Output]:
        """A reset takes back every written answer to the question, each as its own event (the log replays them)."""
        outputs: list[Output] = []
        writers: set[int] = set()
        for answer in self.answers[question].current():
            event = Answered(answer.participant, question, answer.slot, answer.id, None)
            self._apply(event)
            outputs.append(Record(event))
            writers.add(answer.participant)
        for number in sorted(writers):
            member = self.roster.numbered.get(number)
            if member is not None and member.conn is not None:
                outputs.append(Tell(member.conn, Mine(question, ())))
        return outputs

    def _mine(self, conn: ConnId, member: Participant) -> list[Output]:
        """A welcomed participant hears their own answers back (after a resume, or on a second device)."""
        return [
            Tell(conn, self._mine_of(index, member.number))
            for index, book in enumerate(self.answers)
            if book.of(member.number)
        ]

    def _mine_of(self, question: int, participant: int) -> Mine:
        """A participant's own answers to a question, and which of them the facilitator hid."""
        own = sorted(self.answers[question].of(participant).items())
        return Mine(
            question,
            tuple((slot, a.text) for slot, a in own),
            tuple(slot for slot, a in own if a.hidden),
            tuple(slot for slot, a in own if a.waiting),
        )

    # -- the log's word ----------------------------------------------------------

    def saved(self, events: Iterable[Event]) -> None:
        """The log has these events: they can no longer be undone; a log that failed before works again."""
        self._journal.confirmed(events)
        self._alerting(None)

    def unsaved(self, events: Iterable[Event], problem: Alert | None = None) -> list[ConnId]:
        """The log could not record these events: undo exactly them, keep every later change (none, if they
        hold a question asked on the spot: each was numbered with it); everyone is told ``problem`` (what is
        wrong with the log) until a write succeeds again (:meth:`saved`).

        Returns the connections whose participant no longer exists (their joining was
        not saved): the protocol closes them.
        """
        if problem is not None:
            self._alerting(problem)
        failed = {id(event) for event in events}
        later = self._journal.take_from(failed)
        if not later:
            return []
        # A question asked on the spot renumbered every change after it: none of them stands without it
        # (the log refuses them too), so they are undone with it and their senders told they were not saved.
        kept = not any(isinstance(event, Added) for event, _ in later if id(event) in failed)
        for _, undo in reversed(later):
            undo()
        for event, _ in later:
            if kept and id(event) not in failed:
                self._apply(event)
        orphans = self.roster.orphans()
        self._version += 1
        return orphans

    # -- applying events: the one path for live changes and replays --------------

    def replay(self, events: Iterable[Event]) -> None:
        """Apply logged events, in order, to a fresh session (nothing is journaled: they are saved)."""
        journaling, self._journal.on = self._journal.on, False
        try:
            for event in events:
                self._apply(event)
        finally:
            self._journal.on = journaling

    def _apply(self, event: Event) -> None:
        """Apply one event; journal how to undo it while the log has not confirmed it."""
        match event:
            case Joined():
                undo = self.roster.apply_joined(event)
            case Voted():
                member = self.roster.numbered[event.participant]
                undo = self._undo_vote(member, event.question, member.votes.get(event.question))
                set_vote(
                    self.questions[event.question],
                    self.deck.questions[event.question],
                    member,
                    event.question,
                    event.choice,
                )
            case Commanded():
                undo = self._apply_commanded(event)
            case Spoke():
                undo = self.roster.apply_spoke(event)
            case Timed():
                undo = self._apply_timed(event)
            case Added():
                undo = self._apply_added(event)
            case Agreeing():
                undo = apply_agreeing(self.rounds, len(self.questions), event)
            case Marked():
                undo = apply_marked(self.rounds, event)
            case Answered() | Moderated() | Approved():
                undo = self.answers[event.question].apply(event)
                if isinstance(event, Answered):
                    self._last_answer = max(self._last_answer, event.answer)
        self._version += 1
        self._journal.keep(event, undo)

    def _apply_timed(self, event: Timed) -> Callable[[], None]:
        before = self.timer
        if event.question >= len(self.questions):  # a damaged log's row: a countdown on nothing changes nothing
            return lambda: None
        self.timer = event
        self.timer_version += 1

        def undo() -> None:
            self.timer = before
            self.timer_version += 1

        return undo

    def _apply_added(self, event: Added) -> Callable[[], None]:
        """The question goes in at its place; every question from there on is numbered one more (votes and all)."""
        deck, words = self.deck, self._deck_words
        position = place(event, len(deck.questions))
        grown = with_added(words[None], event)
        self._deck_words = {None: grown}  # each language's form is made again, with the new question, when asked for
        self.deck = deck_from_data(grown, "the deck")
        added = self.deck.questions[position]
        self.questions.insert(position, QuestionState(counts=[0] * added.cells, moderated=starts_moderated(added)))
        self.answers.insert(position, AnswerBook())
        current, timer = self.current, self.timer
        self.current = renumbered(current, position)
        if timer is not None:
            self.timer = replace(timer, question=renumbered(timer.question, position))
        for member in self.participants.values():
            member.votes = shifted(member.votes, position)
        asked, self._asked = self._asked, True
        last, self.last_added = self.last_added, event

        def undo() -> None:
            self.deck, self._deck_words, self._asked, self.last_added = deck, words, asked, last
            del self.questions[position]
            del self.answers[position]
            self.current, self.timer = current, timer
            for member in self.participants.values():
                member.votes = {q - (q > position): cell for q, cell in member.votes.items() if q != position}

        return undo

    def _undo_vote(self, member: Participant, question: int, before: int | None) -> Callable[[], None]:
        def undo() -> None:
            set_vote(self.questions[question], self.deck.questions[question], member, question, before)

        return undo

    def _apply_commanded(self, event: Commanded) -> Callable[[], None]:
        status = self.questions[event.question]
        current, was_open, was_revealed = self.current, status.open, status.revealed
        was_moderated = status.moderated
        match event.action:
            case Action.MODERATE | Action.UNMODERATE:
                status.moderated = event.action is Action.MODERATE
            case Action.GOTO:
                self.current = event.question
            case Action.OPEN | Action.LOCK:
                status.open = event.action is Action.OPEN
            case Action.REVEAL | Action.HIDE:
                status.revealed = event.action is Action.REVEAL
            case Action.RESET:
                cleared = [
                    (member, member.votes.pop(event.question))
                    for member in self.participants.values()
                    if event.question in member.votes
                ]
                counts, status.counts = status.counts, [0] * len(status.counts)
                people, status.people = status.people, 0

                def restore_votes() -> None:
                    status.counts, status.people = counts, people
                    for member, choice in cleared:
                        member.votes[event.question] = choice

                return restore_votes

        def restore() -> None:
            self.current, status.open, status.revealed = current, was_open, was_revealed
            status.moderated = was_moderated

        return restore
