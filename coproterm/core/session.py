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

The session owns the state and the one ``_apply`` path; the parts with their own
state and rules live beside it: the roster (:mod:`coproterm.core.roster`), the
ballots (:mod:`coproterm.core.ballots`), the journal (:mod:`coproterm.core.journal`),
agreement rounds (:mod:`coproterm.core.agreement`), and what it answers with
(:mod:`coproterm.core.outcomes`). The messages are handled by plain functions
handed the session and its ``_apply``: votes and marks
(:mod:`coproterm.core.voting`), written answers (:mod:`coproterm.core.answering`),
the facilitator's commands (:mod:`coproterm.core.commanding`); what the protocol
sends is read by :mod:`coproterm.core.read_models`.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from typing import Any

from coproterm.core import answering, commanding, voting
from coproterm.core.access import code_matches
from coproterm.core.agreement import Round, apply_agreeing, apply_marked
from coproterm.core.alerts import Alert
from coproterm.core.answers import AnswerBook
from coproterm.core.asked import place, renumbered, shifted, with_added
from coproterm.core.ballots import QuestionState, set_vote, starts_moderated
from coproterm.core.boards import Deck
from coproterm.core.client_messages import AddQuestion, Choose, ChooseLanguage, Command, Hello, Mark, Moderate, Vote
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
from coproterm.core.hub_messages import ChosenLanguage, Translated, Welcome
from coproterm.core.i18n import language
from coproterm.core.journal import Journal
from coproterm.core.outcomes import Close, ConnId, Output, Record, Refused, Tell
from coproterm.core.refusals import Refusal
from coproterm.core.roster import MAX_RECORDS, Participant, Roster, clean_name
from coproterm.core.wire import Message
from coproterm.core.wire_terms import MAX_PARTICIPANTS, PROTOCOL_VERSION, Action, CloseCode, Role


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
        """The latest question asked on the spot in this process."""
        self.grown: list[tuple[Added, int, int]] = []
        """Every question asked on the spot in this process, in order: (its event, where it went, the deck's
        length after it). Each connection welcomed before one is sent its own ``Added``, none coalesced."""
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
        self.last_answer = 0
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
            return voting.vote(self, self._apply, conn, role, message)
        if isinstance(message, Choose):
            return voting.choose(self, self._apply, conn, role, message)
        if isinstance(message, Command):
            return commanding.command(self, self._apply, self._new_token, conn, role, message, at)
        if isinstance(message, AnswerMessage):
            return answering.answer(self, self._apply, conn, message)
        if isinstance(message, Moderate):
            return answering.moderate(self, self._apply, conn, role, message)
        if isinstance(message, ChooseLanguage):
            return self._speak(conn, message)
        if isinstance(message, AddQuestion):
            return commanding.add(self, self._apply, conn, role, message)
        if isinstance(message, Mark):
            return voting.mark(self, self._apply, conn, message)
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
            outputs.append(Tell(conn, ChosenLanguage(member.language)))
            if hello.language is not None and hello.language != member.language:
                # The face turns to the language chosen before: it needs the deck in it too.
                self.roster.deck_language[conn] = member.language
                outputs.append(Tell(conn, Translated(member.language, self._deck_in(member.language))))
        outputs += answering.mine(self, conn, member)
        return outputs

    def _speak(self, conn: ConnId, message: ChooseLanguage) -> list[Output]:
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
                    self.last_answer = max(self.last_answer, event.answer)
        self.applied(event, undo)

    def applied(self, event: Event, undo: Callable[[], None]) -> None:
        """An event was applied: the session changed, and how to undo it is journaled until the log has it."""
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
        current, timer, rounds = self.current, self.timer, self.rounds
        self.current = renumbered(current, position)
        if timer is not None:
            self.timer = replace(timer, question=renumbered(timer.question, position))
        self.rounds = shifted(rounds, position)  # as the store renumbers Agreeing and Marked rows on --resume
        for member in self.participants.values():
            member.votes = shifted(member.votes, position)
        asked, self._asked = self._asked, True
        last, self.last_added = self.last_added, event
        self.grown.append((event, position, len(self.deck.questions)))

        def undo() -> None:
            self.deck, self._deck_words, self._asked, self.last_added = deck, words, asked, last
            self.grown.pop()
            del self.questions[position]
            del self.answers[position]
            self.current, self.timer, self.rounds = current, timer, rounds
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
