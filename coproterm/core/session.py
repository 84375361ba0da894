"""The session state machine: messages in, messages out, no I/O.

A :class:`Session` holds the deck, the participants, their votes and the state
of every question. The hub hands it each decoded message with the connection it
came from (:meth:`Session.handle`) and sends what it returns. Connections are
plain numbers chosen by the hub.

Tallies are kept incrementally: a vote moves one count, it never recounts.
Every change bumps :attr:`Session.version`; the hub's fan-out compares versions
to send each subscriber the latest :meth:`Session.state` and :meth:`Session.tally`
a few times a second, not one frame per vote.
"""

from __future__ import annotations

import hmac
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from coproterm.core.access import code_matches
from coproterm.core.boards import Deck, Kind
from coproterm.core.deck import deck_to_data
from coproterm.core.events import Commanded, Event, Joined, Voted
from coproterm.core.wire import (
    MAX_NAME,
    PROTOCOL_VERSION,
    Ack,
    Action,
    Ballot,
    CloseCode,
    Command,
    Error,
    ErrorCode,
    Hello,
    Message,
    Role,
    State,
    Tally,
    Turnout,
    Vote,
    Welcome,
)

ConnId = int

MAX_PARTICIPANTS = 5000
"""How many may be connected at once unless the host says otherwise (at most 65,535: the tally budget)."""
MAX_RECORDS = 50_000
"""How many different participants a session keeps (about 0.5 KB each, kept so anyone can come back)."""


@dataclass(frozen=True, slots=True)
class Send:
    """Send ``message`` to connection ``to``."""

    to: ConnId
    message: Message


@dataclass(frozen=True, slots=True)
class Close:
    """Close connection ``conn`` with a websocket close code and a reason."""

    conn: ConnId
    code: int
    reason: str


@dataclass(frozen=True, slots=True)
class Record:
    """Log ``event`` before sending anything that acknowledges it."""

    event: Event


Output = Send | Close | Record


@dataclass(slots=True)
class Participant:
    """Someone who joined; they keep their votes while away."""

    number: int
    """Order of joining, from 1; what exports call them."""
    token: bytes
    name: str
    votes: dict[int, int] = field(default_factory=dict)
    """The cell each question's vote names; no entry where there is no vote."""
    conn: ConnId | None = None
    """The connection they are on now, None while away."""


@dataclass(slots=True)
class QuestionState:
    """Whether a question takes votes, whether its results show, and its tally."""

    counts: list[int]
    open: bool = True
    revealed: bool = False


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
        self._deck_data = deck_to_data(deck)
        self.current = 0
        self.questions = [QuestionState(counts=[0] * q.cells) for q in deck.questions]
        self.participants: dict[bytes, Participant] = {}
        self._numbered: dict[int, Participant] = {}
        self._roles: dict[ConnId, Role] = {}
        self._members: dict[ConnId, Participant] = {}
        self.version = 0
        """Bumped on every change that subscribers should hear of."""
        self._alert: str | None = None

    # -- reading ---------------------------------------------------------------

    @property
    def alert(self) -> str | None:
        """Trouble everyone should hear of (set by the hub, e.g. the log cannot be written)."""
        return self._alert

    @alert.setter
    def alert(self, text: str | None) -> None:
        if text != self._alert:
            self._alert = text
            self.version += 1

    @property
    def connected(self) -> int:
        """Participants connected now."""
        return len(self._members)

    def knows(self, resume: bytes | None) -> bool:
        """Whether a hello with this resume token comes back as someone who joined before."""
        return resume is not None and resume in self.participants

    def role(self, conn: ConnId) -> Role | None:
        """The role of a welcomed connection; None before its hello."""
        return self._roles.get(conn)

    def state(self) -> State:
        status = self.questions[self.current]
        return State(current=self.current, open=status.open, revealed=status.revealed, alert=self._alert)

    def turnout(self) -> Turnout:
        return Turnout(connected=self.connected, voted=sum(self.questions[self.current].counts))

    def tally(self, question: int | None = None) -> Tally:
        index = self.current if question is None else question
        return Tally(question=index, counts=tuple(self.questions[index].counts))

    def sees_results(self, conn: ConnId) -> bool:
        """Whether this connection is shown the current tally."""
        role = self._roles.get(conn)
        return role is Role.HOST or (role is Role.PARTICIPANT and self.questions[self.current].revealed)

    # -- changing --------------------------------------------------------------

    def handle(self, conn: ConnId, message: Message) -> list[Output]:
        """Apply one message from a connection; return what to send and close."""
        if isinstance(message, Hello):
            return self._hello(conn, message)
        role = self._roles.get(conn)
        seq = message.seq if isinstance(message, (Vote, Command)) else None
        if role is None:
            return [_error(conn, seq, ErrorCode.NOT_JOINED, "send a hello first")]
        if isinstance(message, Vote):
            return self._vote(conn, role, message)
        if isinstance(message, Command):
            return self._command(conn, role, message)
        return [_error(conn, seq, ErrorCode.BAD_MESSAGE, f"a hub does not take {type(message).__name__}")]

    def disconnect(self, conn: ConnId) -> None:
        """Forget a connection; its participant stays, away, with their votes."""
        self._roles.pop(conn, None)
        member = self._members.pop(conn, None)
        if member is not None and member.conn == conn:
            member.conn = None
            self.version += 1

    def _hello(self, conn: ConnId, hello: Hello) -> list[Output]:
        if conn in self._roles:
            return [_error(conn, None, ErrorCode.ALREADY_JOINED, "this connection has joined already")]
        if hello.version != PROTOCOL_VERSION:
            return [
                _error(
                    conn,
                    None,
                    ErrorCode.VERSION,
                    f"this hub speaks protocol version {PROTOCOL_VERSION}",
                )
            ]
        if hello.host_token is not None:
            if not hmac.compare_digest(hello.host_token.encode(), self._host_token):
                return [_error(conn, None, ErrorCode.BAD_TOKEN, "wrong host token")]
            self._roles[conn] = Role.HOST
            votes: tuple[int | None, ...] = (None,) * len(self.questions)
            welcome = Welcome(
                PROTOCOL_VERSION, Role.HOST, None, self._deck_data, votes, self.join_code, self.require_code
            )
            return [Send(conn, welcome)]

        outputs: list[Output] = []
        member = self.participants.get(hello.resume) if hello.resume is not None else None
        if member is None:
            if self.require_code and hello.code is None:
                return [_error(conn, None, ErrorCode.CODE_REQUIRED, "this session needs its join code")]
            if self.require_code and not code_matches(hello.code, self.join_code):
                return [_error(conn, None, ErrorCode.BAD_CODE, "that is not this session's join code")]
            if self.connected >= self.max_participants:
                return [_error(conn, None, ErrorCode.FULL, "the session is full")]
            if len(self.participants) >= self.max_records:
                text = f"this session has had {self.max_records:,} participants, its most: the host can start another"
                return [_error(conn, None, ErrorCode.FULL, text)]
            joined = Joined(len(self.participants) + 1, self._new_token(), clean_name(hello.name or ""))
            member = self._apply_joined(joined)
            outputs.append(Record(joined))
        else:
            if member.conn is not None:
                outputs.append(Close(member.conn, CloseCode.REPLACED, "joined again from another connection"))
                self._roles.pop(member.conn, None)
                self._members.pop(member.conn, None)
            name = clean_name(hello.name or "")
            if name and name != member.name:
                renamed = Joined(member.number, member.token, name)
                self._apply_joined(renamed)
                outputs.append(Record(renamed))
        member.conn = conn
        self._roles[conn] = Role.PARTICIPANT
        self._members[conn] = member
        self.version += 1
        votes = tuple(member.votes.get(i) for i in range(len(self.questions)))
        welcome = Welcome(PROTOCOL_VERSION, Role.PARTICIPANT, member.token, self._deck_data, votes)
        outputs.append(Send(conn, welcome))
        return outputs

    def _vote(self, conn: ConnId, role: Role, vote: Vote) -> list[Output]:
        member = self._members.get(conn)
        if role is not Role.PARTICIPANT or member is None:
            return [
                _error(
                    conn,
                    vote.seq,
                    ErrorCode.NOT_HOST,
                    "a host does not vote; join as a participant",
                )
            ]
        refusal = self._check_vote(vote)
        if refusal is not None:
            code, text = refusal
            return [_error(conn, vote.seq, code, text)]
        if member.votes.get(vote.question) == vote.choice:
            return [Send(conn, Ack(vote.seq))]
        voted = Voted(member.number, vote.question, vote.choice)
        self._apply_voted(voted)
        return [Record(voted), Send(conn, Ack(vote.seq))]

    def _check_vote(self, vote: Vote) -> tuple[ErrorCode, str] | None:
        if vote.question >= len(self.questions):
            return ErrorCode.UNKNOWN_QUESTION, f"there is no question {vote.question}"
        if vote.question != self.current:
            return ErrorCode.NOT_CURRENT, "that question is not the current one"
        question = self.deck.questions[vote.question]
        if question.kind is Kind.DISCUSSION:
            return (
                ErrorCode.NO_BOARD,
                "this question is for talking through; there is nothing to cast",
            )
        if vote.choice is not None and vote.choice >= question.cells:
            return ErrorCode.BAD_CHOICE, f"choose a cell from 0 to {question.cells - 1}"
        if not self.questions[vote.question].open:
            return ErrorCode.LOCKED, "voting on this question is locked"
        return None

    def _command(self, conn: ConnId, role: Role, command: Command) -> list[Output]:
        if role is not Role.HOST:
            return [_error(conn, command.seq, ErrorCode.NOT_HOST, "only the host can do that")]
        if command.question >= len(self.questions):
            return [
                _error(
                    conn,
                    command.seq,
                    ErrorCode.UNKNOWN_QUESTION,
                    f"there is no question {command.question}",
                )
            ]
        event = Commanded(command.action, command.question)
        outputs: list[Output] = [Record(event)]
        if command.action is Action.RESET:
            for member in self.participants.values():
                if command.question in member.votes and member.conn is not None:
                    outputs.append(Send(member.conn, Ballot(command.question, None)))
        self._apply_commanded(event)
        outputs.append(Send(conn, Ack(command.seq)))
        return outputs

    # -- applying events: the one path for live changes and replays --------------

    def replay(self, events: Iterable[Event]) -> None:
        """Apply logged events, in order, to a fresh session."""
        for event in events:
            match event:
                case Joined():
                    self._apply_joined(event)
                case Voted():
                    self._apply_voted(event)
                case Commanded():
                    self._apply_commanded(event)

    def restore(self, events: Iterable[Event]) -> list[ConnId]:
        """Go back to exactly what ``events`` record, keeping live connections.

        Used when changes could not be logged: what was not saved is undone.
        Returns the connections whose participant no longer exists (to close).
        """
        connections = {conn: member.token for conn, member in self._members.items()}
        self.current = 0
        self.questions = [QuestionState(counts=[0] * q.cells) for q in self.deck.questions]
        self.participants = {}
        self._numbered = {}
        self.replay(events)
        self._members = {}
        orphans = []
        for conn, token in connections.items():
            member = self.participants.get(token)
            if member is None:
                self._roles.pop(conn, None)
                orphans.append(conn)
            else:
                member.conn = conn
                self._members[conn] = member
        self.version += 1
        return orphans

    def _apply_joined(self, event: Joined) -> Participant:
        member = self.participants.get(event.token)
        if member is None:
            member = Participant(event.participant, event.token, event.name)
            self.participants[event.token] = member
            self._numbered[event.participant] = member
        else:
            member.name = event.name
        return member

    def _apply_voted(self, event: Voted) -> None:
        member = self._numbered[event.participant]
        counts = self.questions[event.question].counts
        before = member.votes.get(event.question)
        if before is not None:
            counts[before] -= 1
        if event.choice is None:
            member.votes.pop(event.question, None)
        else:
            counts[event.choice] += 1
            member.votes[event.question] = event.choice
        self.version += 1

    def _apply_commanded(self, event: Commanded) -> None:
        status = self.questions[event.question]
        match event.action:
            case Action.GOTO:
                self.current = event.question
            case Action.OPEN | Action.LOCK:
                status.open = event.action is Action.OPEN
            case Action.REVEAL | Action.HIDE:
                status.revealed = event.action is Action.REVEAL
            case Action.RESET:
                status.counts = [0] * len(status.counts)
                for member in self.participants.values():
                    member.votes.pop(event.question, None)
        self.version += 1


def _error(conn: ConnId, seq: int | None, code: ErrorCode, text: str) -> Send:
    return Send(conn, Error(seq, code, text))


def clean_name(name: str) -> str:
    """A display name safe to show: no control or format characters, trimmed, bounded."""
    kept = "".join(" " if ch.isspace() else ch for ch in name if ch.isspace() or unicodedata.category(ch)[0] != "C")
    return " ".join(kept.split())[:MAX_NAME]
