"""The hub's side of the connection protocol: bytes and a clock in, what to do out.

This is to the hub what websockets' ``protocol.py`` is to WebSocket framing.
:class:`HubProtocol` owns every rule of a connection: it decodes each frame,
counts it against its sender's rate limit, limits newcomers and connections
per address, hands the message to the workshop's :class:`Session`, turns every
refusal into an error and a close by one table (:mod:`coproterm.core.refusals`),
and decides which frames each connection is sent (:meth:`HubProtocol.fan_out`).
It never reads a clock, a socket or a disk: the shell passes ``now`` in and
carries out the outputs:

- :class:`Send`: write these bytes to this connection;
- :class:`Close`: close this connection with this code and reason;
- :class:`Save`: write these events to the log *before* carrying out the
  outputs that follow it; then tell the protocol :meth:`~HubProtocol.saved`,
  or :meth:`~HubProtocol.unsaved` (which undoes exactly that batch and says
  what to send instead).
"""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field, replace

from coproterm.core import read_models
from coproterm.core.agreement import most_agreed, most_split
from coproterm.core.alerts import Alert
from coproterm.core.answers import WallSnapshot, wall_delta
from coproterm.core.client_messages import Hello, Mark
from coproterm.core.events import Added as AddedEvent
from coproterm.core.events import Event
from coproterm.core.hub_messages import (
    Added,
    Agreement,
    AnswerItem,
    Answers,
    Error,
    Offered,
    ToMark,
    Translated,
    Wall,
)
from coproterm.core.limits import BURST, RATE, AddressLimit, KeyedLimit, NewcomerLimit
from coproterm.core.outcomes import Close, ConnId, Record, Refused, Tell
from coproterm.core.refusals import Refusal, english
from coproterm.core.session import Session
from coproterm.core.wire import Message, decode, encode
from coproterm.core.wire_checks import ProtocolError, VersionMismatch
from coproterm.core.wire_terms import PROTOCOL_VERSION, CloseCode, Role

HELLO_TIMEOUT = 10.0
"""Seconds a connection has to send its hello."""
MAX_FRAME = 4 * 1024
"""Largest frame a client may send (larger: close 1009, by the websocket layer); a vote is 5 to 10 bytes."""
MAX_CLOSE_REASON = 120
ANSWER_TICKS = 2
"""A host is sent answers at most every this many host fan-out rounds (every 0.1 s: 10 frames a second)."""
"""A websocket close reason must fit in 123 bytes."""


@dataclass(frozen=True, slots=True)
class Send:
    """Write ``frame`` to connection ``to``."""

    to: ConnId
    frame: bytes


@dataclass(frozen=True, slots=True)
class Save:
    """Log ``events`` (from ``conn``'s message ``seq``) before carrying out what follows."""

    conn: ConnId
    seq: int | None
    events: tuple[Event, ...]


Output = Send | Close | Save


@dataclass(frozen=True, slots=True)
class Broadcast:
    """One frame for many connections (the fan-out)."""

    frame: bytes
    to: tuple[ConnId, ...]


@dataclass(slots=True)
class _Connection:
    address: str
    vouched: bool = False
    """A gateway (SSH) speaks for this connection's participant."""
    plain: bool = False
    """The client said it is the plain (line-by-line) app: the dashboard counts them."""
    welcomed: bool = False
    """True once its Welcome is sent: no fan-out reaches it before that."""
    had: dict[str, bytes] = field(default_factory=dict)
    """The last frame of each kind (state, turnout, tally) it was sent."""
    answers_at: tuple[int, int] | None = None
    """A host's place in the current text question's answers: (question, stamp) last sent."""
    answers_tick: int = -ANSWER_TICKS
    """The host fan-out tick of its last answers frame."""
    wall_had: tuple[int, WallSnapshot] | None = None
    """A participant's view of the revealed wall: (question, what it was last sent)."""
    timer_had: int = 0
    """The session's ``timer_version`` of the last countdown frame it was sent."""
    mark_key: tuple[int, bool, int, int] | None = None
    """A participant in an agreement round: (question, open, answers stamp, their marks) its next answer was worked
    out at."""
    mark_had: bytes = b""
    """The last :class:`ToMark` frame it was sent."""
    offered: tuple[int, tuple[Offered, ...]] | None = None
    """The offer it holds: (question, the answers of the last :class:`ToMark` with answers it was sent)."""
    added_had: int = 0
    """How many of the questions asked on the spot in this process (``Session.grown``) it has been sent or
    welcomed after: it is owed each later one, in order."""


class HubProtocol:
    """Every connection to one session, and the rules they live by."""

    def __init__(
        self,
        session: Session,
        *,
        rate: float = RATE,
        burst: int = BURST,
        addresses: AddressLimit | None = None,
        newcomers: NewcomerLimit | None = None,
        durable: bool = False,
    ) -> None:
        self.session = session
        self.session.journal(durable)
        self.rates = KeyedLimit(rate, burst)
        """Frames per participant (per connection for hosts and before the hello); 0 turns it off."""
        self.addresses = addresses or AddressLimit()
        self.newcomers = newcomers or NewcomerLimit()
        self._connections: dict[ConnId, _Connection] = {}
        self._encoded_version = -1
        self._frames: dict[str, bytes] = {}
        self._host_ticks = 0
        self._added: list[tuple[AddedEvent, bytes]] = []
        """Each question asked on the spot in this process with its ``Added`` frame, encoded once
        (in step with ``Session.grown``)."""
        self._pages: dict[object, int] = {}
        """Within one fan-out round: the stamp each answers frame brings a host up to."""
        self._at = 0.0
        """The hub's clock (Unix time) as last told: countdowns are measured by it."""

    # -- connections -----------------------------------------------------------

    def opened(self, conn: ConnId, address: str) -> list[Output]:
        """A connection was accepted from ``address`` (before its handshake)."""
        if not self.addresses.admit(address):
            self._connections[conn] = _Connection("")  # counted nowhere; closed at once
            return self._refuse(conn, None, Refusal.TOO_MANY_CONNECTIONS)
        self._connections[conn] = _Connection(address)
        return []

    def vouched(self, conn: ConnId, address: str) -> list[Output]:
        """A trusted gateway says this connection speaks for someone at ``address``: count them there."""
        connection = self._connections[conn]
        if connection.address:
            self.addresses.release(connection.address)
        connection.address = ""
        if not self.addresses.admit(address):
            return self._refuse(conn, None, Refusal.TOO_MANY_CONNECTIONS)
        connection.address = address
        connection.vouched = True
        self.session.connections_changed()  # hosts are told how many are on SSH
        return []

    def plain(self, conn: ConnId) -> None:
        """The client says it is the plain (line-by-line) app: counted for hosts, nothing else changes."""
        connection = self._connections.get(conn)
        if connection is not None and not connection.plain:
            connection.plain = True
            self.session.connections_changed()  # hosts are told how many are in plain mode

    def closed(self, conn: ConnId) -> None:
        """The connection is gone; its participant stays, away, with their votes."""
        connection = self._connections.pop(conn, None)
        if connection is not None and connection.address:
            self.addresses.release(connection.address)
        self.session.disconnect(conn)

    def hello_overdue(self, conn: ConnId) -> list[Output]:
        """The shell's timer ran out: a connection that has not said hello is closed."""
        if self.session.role(conn) is not None:
            return []
        return self._refuse(conn, None, Refusal.NO_HELLO_IN_TIME)

    def end(self) -> list[Output]:
        """The host ended the session: everyone is told, and nobody should come back."""
        return [output for conn in list(self._connections) for output in self._refuse(conn, None, Refusal.ENDED)]

    # -- one frame ---------------------------------------------------------------

    def receive(self, conn: ConnId, frame: bytes | str, now: float, at: float | None = None) -> list[Output]:
        """Everything that follows from one frame of ``conn``'s, received at ``now``.

        ``now`` is the steady clock limits are counted by; ``at`` the hub's clock (Unix time,
        ``now`` if not given) a countdown is measured by.
        """
        self._at = now if at is None else at
        if isinstance(frame, str):
            return self._refuse(conn, None, Refusal.TEXT_FRAME)
        try:
            message = decode(frame)
        except VersionMismatch as mismatch:
            return self._refuse(conn, None, Refusal.OTHER_VERSION, (PROTOCOL_VERSION, mismatch.version))
        except ProtocolError as error:
            return self._refuse(conn, None, Refusal.MALFORMED, detail=str(error))
        seq = getattr(message, "seq", None)  # every client message but the hello has one
        bucket = self.rates.bucket(self._rate_key(conn), now) if self.rates.rate > 0 else None
        if bucket is not None and not bucket.allow(now):
            if bucket.flooding:
                return self._refuse(conn, seq, Refusal.FLOODING)
            return self._refuse(conn, seq, Refusal.TOO_FAST)
        if self._newcomer(conn, message) and not self.newcomers.allow(self._connections[conn].address, now):
            return self._refuse(conn, None, Refusal.TOO_MANY_NEWCOMERS)
        welcomed_before = self.session.role(conn) is not None
        outputs = self._outputs(conn, seq, self.session.handle(conn, message, self._at))
        if not welcomed_before and self.session.role(conn) is not None:
            outputs += self._welcome_latest(conn)
        elif isinstance(message, Mark) and conn in self._connections:
            outputs += self._next_to_mark(conn)  # the next answer at once, not at the next fan-out
        return outputs

    def clock(self, at: float) -> list[Output]:
        """The hub's clock says ``at`` (Unix time): a countdown that ran out ends, logged like a command.

        The shell calls this once :meth:`timer_due` has passed; what it returns is carried out like a
        received frame's outputs (a :class:`Save` first)."""
        self._at = at
        return self._outputs(0, None, self.session.clock(at))

    def timer_due(self) -> float | None:
        """When the running countdown ends, by the hub's clock (None: none runs): the shell calls :meth:`clock` then."""
        return self.session.timer_due()

    def saved(self, save: Save) -> None:
        """The log has ``save``'s events; a log that failed before works again."""
        self.session.saved(save.events)

    def unsaved(self, save: Save, problem: Alert) -> list[Output]:
        """The log could not take ``save``'s events: undo exactly them, tell everyone, refuse the message.

        The outputs replace those that followed the :class:`Save`.
        """
        outputs: list[Output] = []
        orphans = self.session.unsaved(save.events, problem)
        kept = len(self.session.grown)
        del self._added[kept:]  # an undone question's frame must never stand for the next one asked
        # Those sent an undone question (or a deck holding it) renumbered what they keep: a new welcome resyncs them.
        reason = "a question asked on the spot was not saved"
        resync: list[Output] = []
        for c, had in self._connections.items():
            if had.added_had > kept:
                resync.append(Close(c, CloseCode.INTERNAL, reason))
                had.added_had = kept  # owed the next question asked, should the close not have gone through yet
        for orphan in orphans:
            outputs += self._refuse(orphan, None, Refusal.JOINING_NOT_SAVED)
        if save.conn in self._connections and all(o.conn != save.conn for o in outputs if isinstance(o, Close)):
            outputs += self._refuse(save.conn, save.seq, Refusal.NOT_SAVED)
        return outputs + resync

    # -- the fan-out ---------------------------------------------------------------

    def fan_out(
        self, *, participants: bool, draining: AbstractSet[ConnId] | None = None, at: float | None = None
    ) -> tuple[list[Broadcast], bool]:
        """What every welcomed connection is owed now: (broadcasts, whether a slow one is still owed).

        Everyone is sent the countdown when it starts, stops or ends, its time left as of ``at``
        (the hub's clock, Unix time; the last one it was told if not given).
        Hosts get the state, the turnout, the attendance and the current tally; participants (only when
        ``participants``) the state, and the tally while the question is revealed. Each
        frame is encoded once per change and sent only to connections that have not had
        those exact bytes. ``draining`` are the connections whose sockets take more now (the shell
        knows: their write buffers are short; None: every one); any other is skipped and stays owed.
        """
        frames = self._latest_frames()
        recipients: dict[str, list[ConnId]] = {kind: [] for kind in frames}
        added = self._added_frames()
        added_to: list[list[ConnId]] = [[] for _ in added]
        owed = False
        if not participants:
            self._host_ticks += 1
        written: dict[object, tuple[bytes, list[ConnId]]] = {}
        self._pages.clear()
        if at is not None:
            self._at = at
        timer_version = self.session.timer_version
        for conn, connection in self._connections.items():
            role = self.session.role(conn)
            if role is None or not connection.welcomed or (role is Role.PARTICIPANT and not participants):
                continue
            if draining is not None and conn not in draining:
                owed = True
                continue
            if connection.timer_had != timer_version:
                connection.timer_had = timer_version
                if "timer" not in written:  # encoded once a round, with the time left now, only when owed
                    written["timer"] = (self._timer_frame(), [])
                written["timer"][1].append(conn)
            for index in range(connection.added_had, len(added)):
                added_to[index].append(conn)
            connection.added_had = len(added)
            for kind in self._kinds_for(role):
                if connection.had.get(kind) is not frames[kind]:
                    connection.had[kind] = frames[kind]
                    recipients[kind].append(conn)
            if role is Role.HOST and not participants:
                owed |= self._answers_for_host(conn, connection, written)
            elif role is Role.PARTICIPANT:
                self._wall_for(conn, connection, written)
                frame = self._to_mark(conn, connection)
                if frame:
                    written[("mark", conn)] = (frame, [conn])
        # Each grown deck goes first, in the order asked: a state naming a new question must not arrive before it.
        broadcasts = [Broadcast(frame, tuple(conns)) for frame, conns in zip(added, added_to, strict=True) if conns]
        broadcasts += [Broadcast(frames[kind], tuple(conns)) for kind, conns in recipients.items() if conns]
        broadcasts += [Broadcast(frame, tuple(conns)) for frame, conns in written.values() if frame]
        return broadcasts, owed

    def _answers_for_host(
        self, conn: ConnId, connection: _Connection, written: dict[object, tuple[bytes, list[ConnId]]]
    ) -> bool:
        """A host is sent the current text question's answers that changed since its last such frame.

        At most one frame every :data:`ANSWER_TICKS` host rounds, of at most a page of answers;
        returns whether the host is still owed some.
        """
        question = self.session.current
        if self.session.deck.questions[question].answers is None:
            connection.answers_at = None
            return False
        book = self.session.answers[question]
        fresh = connection.answers_at is None or connection.answers_at[0] != question
        stamp = 0 if fresh or connection.answers_at is None else connection.answers_at[1]
        if not fresh and stamp == book.stamp:
            return False
        if self._host_ticks - connection.answers_tick < ANSWER_TICKS:
            return True
        key = ("answers", question, fresh, stamp)
        if key not in written:
            items, upto = book.changes_since(stamp)
            frame = encode(
                Answers(
                    question,
                    fresh,
                    book.live,
                    tuple(
                        AnswerItem(a.id, a.participant, None if a.removed else a.text, a.hidden, a.waiting)
                        for a in items
                    ),
                )
            )
            written[key] = (frame, [])
            self._pages[key] = upto
        written[key][1].append(conn)
        upto = self._pages[key]
        connection.answers_at = (question, upto)
        connection.answers_tick = self._host_ticks
        return upto != book.stamp

    def _wall_for(
        self, conn: ConnId, connection: _Connection, written: dict[object, tuple[bytes, list[ConnId]]]
    ) -> None:
        """A participant is sent the revealed wall once, then only its changes (capped: :class:`WallSnapshot`)."""
        question = self.session.current
        if not self.session.revealed or self.session.deck.questions[question].answers is None:
            connection.wall_had = None
            return
        view = self.session.answers[question].wall()
        before = connection.wall_had[1] if connection.wall_had and connection.wall_had[0] == question else None
        if before is view:
            return
        key = ("wall", question, id(before))
        if key not in written:
            fresh, added, dropped, words = wall_delta(before, view)
            unchanged = not (fresh or added or dropped or words) and before is not None and before.total == view.total
            frame = b"" if unchanged else encode(Wall(question, fresh, view.total, added, dropped, words))
            written[key] = (frame, [])
        written[key][1].append(conn)
        connection.wall_had = (question, view)

    def _to_mark(self, conn: ConnId, connection: _Connection) -> bytes:
        """A participant's next answers to mark, when they changed (empty: nothing owed).

        Worked out again only when the round or the question's answers changed since it last was.
        """
        session = self.session
        question = session.current
        round_ = session.agreement_round()
        member = session.member(conn)
        if round_ is None or member is None:
            connection.mark_key = None
            return b""
        book = session.answers[question]
        # What this person's next answer depends on: the round open, the answers shown, how many they marked
        # (another's mark changes nothing for them: a room of 1,000 is not worked through on every mark).
        key = (question, round_.open, book.stamp, len(round_.stances.get(member.number, ())))
        if connection.mark_key == key:
            return b""
        connection.mark_key = key
        if round_.open:
            answers, left = round_.next_for(member.number, book)
            items = tuple((answer.id, answer.text) for answer in answers)
            if connection.offered == (question, items) and items:
                # Another's answer came or went further down this person's order: the count changed, the offer
                # did not (its words are not sent again).
                message = ToMark(question, True, None, left)
            else:
                message = ToMark(question, True, items, left)
                connection.offered = (question, items)
        else:
            message = ToMark(question, False, (), 0)
            connection.offered = (question, ())
        frame = encode(message)
        if frame == connection.mark_had:
            return b""
        connection.mark_had = frame
        return frame

    def _next_to_mark(self, conn: ConnId) -> list[Output]:
        """After a participant's mark: the next answer for them (the mark itself changed the round)."""
        frame = self._to_mark(conn, self._connections[conn])
        return [Send(conn, frame)] if frame else []

    def _agreement(self) -> Agreement | None:
        """The current question's agreement round as hosts are shown it (None: no round on it)."""
        session = self.session
        round_ = session.agreement_round()
        if round_ is None:
            return None
        marks = round_.marks(session.answers[session.current])
        return Agreement(
            session.current,
            round_.open,
            round_.total,
            round_.people(),
            tuple(m.item for m in most_agreed(marks)),
            tuple(m.item for m in most_split(marks)),
        )

    def _timer_frame(self) -> bytes:
        """The countdown's frame as of the hub's clock now (empty before the first countdown)."""
        message = read_models.timer_message(self.session, self._at)
        return encode(message) if message is not None else b""

    def _kinds_for(self, role: Role) -> tuple[str, ...]:
        """Which frames a connection in this role is sent: the one rule of who sees a tally."""
        current = self.session.deck.questions[self.session.current]
        several = ("people",) if current.several else ()
        if role is Role.HOST:
            moves = ("moves",) if current.compare is not None else ()
            moderation = ("moderation",) if current.answers is not None else ()
            agreement = ("agreement",) if self.session.agreement_round() is not None else ()
            return ("state", "turnout", "attendance", "tally", *several, *moves, *moderation, *agreement)
        return ("state", "tally", *several) if self.session.revealed else ("state",)

    def _latest_frames(self) -> dict[str, bytes]:
        """The current frames, re-encoded only after a change and kept (same object) when their bytes are the same."""
        if self.session.version != self._encoded_version:
            self._encoded_version = self.session.version
            latest = {
                "state": encode(read_models.state(self.session)),
                "turnout": encode(read_models.turnout(self.session)),
                "attendance": encode(
                    replace(
                        read_models.attendance(self.session),
                        over_ssh=self._counted("vouched"),
                        plain=self._counted("plain"),
                    )
                ),
                "tally": encode(read_models.tally(self.session)),
                "people": encode(read_models.people(self.session)),
            }
            moves = read_models.moves(self.session)
            if moves is not None:
                latest["moves"] = encode(moves)
            moderation = read_models.moderation(self.session)
            if moderation is not None:
                latest["moderation"] = encode(moderation)
            agreement = self._agreement()
            if agreement is not None:
                latest["agreement"] = encode(agreement)
            for kind, frame in latest.items():
                if self._frames.get(kind) != frame:
                    self._frames[kind] = frame
        return self._frames

    def _added_frames(self) -> list[bytes]:
        """Each question asked on the spot in this process as its ``Added`` frame, in order, each encoded once.

        A connection welcomed before a question was asked is sent its frame (a welcome carries the whole deck):
        it names the new question, where it went, the scale made for its options, if any, and the deck's
        length after it, so a client that missed one can tell.
        """
        grown = self.session.grown
        for index in range(len(self._added)):
            if self._added[index][0] is not grown[index][0]:
                del self._added[index:]
                break
        for event, position, count in grown[len(self._added) :]:
            self._added.append((event, encode(Added(position, event.question, event.scale, count))))
        return [frame for _, frame in self._added]

    # -- helpers -------------------------------------------------------------------

    def _counted(self, flag: str) -> int:
        """Participants connected now whose connection has ``flag`` set (``vouched``: over SSH; ``plain``)."""
        return sum(
            1
            for conn, connection in self._connections.items()
            if getattr(connection, flag) and self.session.member(conn) is not None
        )

    def _rate_key(self, conn: ConnId) -> object:
        """A participant's frames count against them, whichever connection they come on."""
        member = self.session.member(conn)
        return ("participant", member.number) if member is not None else ("connection", conn)

    def _newcomer(self, conn: ConnId, message: Message) -> bool:
        """Whether this message would add someone new to the session (not a host, not someone coming back)."""
        return (
            isinstance(message, Hello)
            and message.host_token is None
            and self.session.role(conn) is None
            and not self.session.knows(message.resume)
        )

    def _outputs(self, conn: ConnId, seq: int | None, decided: list[Refused | Tell | Close | Record]) -> list[Output]:
        """The session's decision as outputs: one Save first (if anything changed), refusals by the table."""
        events = tuple(output.event for output in decided if isinstance(output, Record))
        outputs: list[Output] = [Save(conn, seq, events)] if events else []
        for output in decided:
            if isinstance(output, Tell):
                if isinstance(output.message, Translated):
                    outputs += self._owed_added(output.to)
                outputs.append(Send(output.to, encode(output.message)))
            elif isinstance(output, Close):
                outputs.append(output)
            elif isinstance(output, Refused):
                outputs += self._refuse(output.conn, output.seq, output.refusal, output.values)
        return outputs

    def _owed_added(self, conn: ConnId) -> list[Output]:
        """A grown deck the connection has not yet been sent, to go before a translation of the deck grown.

        The fan-out's rule (a grown deck goes first) for a frame sent at once: a client renumbers its ballots
        on the ``Added``, and a deck in another language that already holds the question must not come first.
        """
        connection = self._connections.get(conn)
        if connection is None or not connection.welcomed:
            return []
        added = self._added_frames()
        owed, connection.added_had = added[connection.added_had :], len(added)
        return [Send(conn, frame) for frame in owed]

    def _welcome_latest(self, conn: ConnId) -> list[Output]:
        """A newly welcomed connection hears the state now, not at the next tick."""
        connection = self._connections[conn]
        connection.welcomed = True
        role = self.session.role(conn)
        assert role is not None
        frames = self._latest_frames()
        outputs: list[Output] = []
        connection.added_had = len(self.session.grown)  # the welcome carried the whole deck
        for kind in self._kinds_for(role):
            connection.had[kind] = frames[kind]
            outputs.append(Send(conn, frames[kind]))
        written: dict[object, tuple[bytes, list[ConnId]]] = {}
        self._pages.clear()
        if role is Role.HOST:
            connection.answers_tick = self._host_ticks - ANSWER_TICKS
            self._answers_for_host(conn, connection, written)
        else:
            self._wall_for(conn, connection, written)
            connection.mark_key, connection.mark_had, connection.offered = None, b"", None
            frame = self._to_mark(conn, connection)
            if frame:
                written[("mark", conn)] = (frame, [conn])
        outputs += [Send(conn, frame) for frame, _ in written.values() if frame]
        timer_frame = self._timer_frame()
        connection.timer_had = self.session.timer_version
        if timer_frame:
            outputs.append(Send(conn, timer_frame))
        return outputs

    def _refuse(
        self, conn: ConnId, seq: int | None, refusal: Refusal, values: tuple[int, ...] = (), detail: str = ""
    ) -> list[Output]:
        """The refusal as the table says: its ``Error`` (the refusal and its numbers, no words), then any close.

        The close reason is the refusal in English (or ``detail``, what was wrong with a malformed
        frame): for logs and a browser's developer tools; faces word the ``Error`` instead.
        """
        values = tuple(min(max(value, 0), 0xFFFF_FFFF) for value in values)
        outputs: list[Output] = []
        if refusal.error is not None:
            outputs.append(Send(conn, encode(Error(seq, refusal.error, refusal, values))))
        if refusal.close is not None:
            outputs.append(Close(conn, refusal.close, _reason(detail or english(refusal, values))))
        return outputs


def _reason(text: str) -> str:
    """A close reason: at most 123 bytes of UTF-8, cut at a character."""
    data = text.encode()[:MAX_CLOSE_REASON]
    return data.decode(errors="ignore")
