"""The websocket hub: the I/O shell around a :class:`~coproterm.core.session.Session`.

Each connection's frames are decoded, handed to the session, and its answers
sent back. Tallies and state are not sent per vote: a fan-out loop sends each
subscriber the latest state at most :data:`HOST_INTERVAL` (hosts) or
:data:`PARTICIPANT_INTERVAL` (participants) apart, and skips a subscriber whose
socket is not draining, so a slow client costs at most one write buffer.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from websockets.asyncio.server import Server, ServerConnection, broadcast, serve
from websockets.exceptions import ConnectionClosed
from websockets.frames import CloseCode

from coproterm.core.session import Close, ConnId, Record, Send, Session
from coproterm.core.wire import (
    MAX_ERROR_TEXT,
    Command,
    Error,
    ErrorCode,
    Hello,
    Message,
    ProtocolError,
    Role,
    VersionMismatch,
    Vote,
    decode,
    encode,
)
from server.limits import BURST, RATE, AddressLimit, NewcomerLimit, RateLimit
from server.store import SessionStore, StoreError

log = logging.getLogger("coproterm.hub")

MAX_FRAME = 4 * 1024
"""Largest frame a client may send; a vote is 5 to 10 bytes."""
HOST_INTERVAL = 0.05
PARTICIPANT_INTERVAL = 0.2
HELLO_TIMEOUT = 10.0
MAX_WRITE_BUFFER = 64 * 1024
"""A subscriber whose unsent bytes exceed this is skipped until it drains."""

REFUSED_HELLO = frozenset(
    {
        ErrorCode.VERSION,
        ErrorCode.BAD_TOKEN,
        ErrorCode.FULL,
        ErrorCode.NOT_JOINED,
        ErrorCode.CODE_REQUIRED,
        ErrorCode.BAD_CODE,
    }
)
"""Refusals after which the connection is closed (1008)."""


@dataclass(slots=True)
class _Peer:
    """What the hub keeps per connection, besides the session's own record."""

    socket: ServerConnection
    address: str
    limit: RateLimit
    welcomed: bool = False
    """True once its Welcome is sent: no fan-out reaches it before that."""
    sent: dict[str, bytes] = field(default_factory=dict)
    """The last frame of each kind (state, turnout, tally) sent to it."""


@dataclass
class Hub:
    """Serves one session to websocket clients."""

    session: Session
    host_interval: float = HOST_INTERVAL
    participant_interval: float = PARTICIPANT_INTERVAL
    hello_timeout: float = HELLO_TIMEOUT
    ping_interval: float = 60.0
    """One ping a minute finds a participant who vanished (laptop shut, out of range)
    within 90 s, for about 10 KB an hour; clients do not ping back."""
    ping_timeout: float = 30.0
    store: SessionStore | None = None
    """Where accepted changes are logged; None runs without a log (tests, benchmarks)."""
    rate: float = RATE
    """Votes and commands per second per connection (0: no limit)."""
    burst: int = BURST
    addresses: AddressLimit = field(default_factory=AddressLimit)
    newcomers: NewcomerLimit = field(default_factory=NewcomerLimit)
    clock: Callable[[], float] = time.monotonic
    _peers: dict[ConnId, _Peer] = field(default_factory=dict)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _background: set[asyncio.Task[None]] = field(default_factory=set)
    _encoded_version: int = -1
    _frames: dict[str, bytes] = field(default_factory=dict)
    _delivered: dict[bool, int | None] = field(default_factory=dict)
    """The session version every subscriber has had, per audience (hosts only, everyone)."""

    # -- serving ---------------------------------------------------------------

    def serve(self, host: str, port: int) -> Awaitable[Server]:
        """Start listening; use as ``async with hub.serve(...) as server``."""
        return serve(
            self.handler,
            host,
            port,
            compression=None,
            max_size=MAX_FRAME,
            max_queue=4,
            ping_interval=self.ping_interval,
            ping_timeout=self.ping_timeout,
            close_timeout=5,
        )

    async def fan_out(self) -> None:
        """Send the latest state and tallies forever; run it as a task."""
        ticks_per_participant_flush = max(1, round(self.participant_interval / self.host_interval))
        for tick in itertools.count():
            await asyncio.sleep(self.host_interval)
            self.flush(participants=tick % ticks_per_participant_flush == 0)

    def flush(self, *, participants: bool = True) -> None:
        """Send every subscriber (hosts; participants too if asked) what changed.

        The state goes to everyone, the turnout to hosts, the tally to whoever
        may see it. Each frame is encoded once per change and sent only to
        connections that have not had those exact bytes. When nothing changed
        since the last complete pass for this audience, and no slow client is
        still owed an update, it returns at once: an idle room costs nothing.
        """
        version = self.session.version
        if self._delivered.get(participants) == version:
            return
        frames = self._latest_frames()
        recipients: dict[str, list[ServerConnection]] = {kind: [] for kind in frames}
        owed = False
        for conn, peer in self._peers.items():
            role = self.session.role(conn)
            if role is None or not peer.welcomed or (role is Role.PARTICIPANT and not participants):
                continue
            transport = peer.socket.transport
            if transport is None or transport.get_write_buffer_size() > MAX_WRITE_BUFFER:
                owed = True  # not draining: it gets the latest once it does
                continue
            for kind in self._kinds_for(conn, role):
                if peer.sent.get(kind) is not frames[kind]:
                    peer.sent[kind] = frames[kind]
                    recipients[kind].append(peer.socket)
        for kind, sockets in recipients.items():
            if sockets:
                broadcast(sockets, frames[kind])
        self._delivered[participants] = None if owed else version

    def _latest_frames(self) -> dict[str, bytes]:
        """The current frames, re-encoded only after a change and kept when their bytes are the same."""
        if self.session.version != self._encoded_version:
            self._encoded_version = self.session.version
            latest = {
                "state": encode(self.session.state()),
                "turnout": encode(self.session.turnout()),
                "tally": encode(self.session.tally()),
            }
            for kind, frame in latest.items():
                if self._frames.get(kind) != frame:
                    self._frames[kind] = frame
        return self._frames

    def _kinds_for(self, conn: ConnId, role: Role) -> tuple[str, ...]:
        if role is Role.HOST:
            return ("state", "turnout", "tally")
        return ("state", "tally") if self.session.sees_results(conn) else ("state",)

    async def handler(self, socket: ServerConnection) -> None:
        """Serve one connection until it closes."""
        address = str(socket.remote_address[0]) if socket.remote_address else "?"
        if not self.addresses.admit(address):
            await socket.close(CloseCode.POLICY_VIOLATION, "too many connections from your address")
            return
        conn = next(self._ids)
        self._peers[conn] = _Peer(socket, address, RateLimit(self.rate, self.burst, self.burst))
        try:
            try:
                first = await asyncio.wait_for(socket.recv(), self.hello_timeout)
            except TimeoutError:
                await socket.close(CloseCode.POLICY_VIOLATION, "no hello in time")
                return
            if not await self._receive(conn, socket, first):
                return
            async for frame in socket:
                if not await self._receive(conn, socket, frame):
                    return
        except ConnectionClosed:
            pass
        finally:
            del self._peers[conn]
            self.addresses.release(address)
            self.session.disconnect(conn)

    # -- one frame -------------------------------------------------------------

    async def _receive(self, conn: ConnId, socket: ServerConnection, frame: str | bytes) -> bool:
        """Handle one frame; False once the connection is to be closed."""
        if isinstance(frame, str):
            await socket.close(CloseCode.UNSUPPORTED_DATA, "binary msgpack frames only")
            return False
        try:
            message = decode(frame)
        except VersionMismatch as mismatch:
            return await self._refuse(socket, ErrorCode.VERSION, str(mismatch), CloseCode.POLICY_VIOLATION)
        except ProtocolError as error:
            return await self._refuse(socket, ErrorCode.BAD_MESSAGE, str(error), CloseCode.INVALID_DATA)
        if isinstance(message, (Vote, Command)) and not self._peers[conn].limit.allow(self.clock()):
            return await self._too_fast(conn, socket, message.seq)
        if self._newcomer(conn, message) and not self.newcomers.allow(self._peers[conn].address, self.clock()):
            text = "too many new participants from your address: try again in a minute"
            return await self._refuse(socket, ErrorCode.RATE_LIMITED, text, CloseCode.POLICY_VIOLATION)
        was_welcomed = self.session.role(conn) is not None
        outputs = self.session.handle(conn, message)
        events = [output.event for output in outputs if isinstance(output, Record)]
        if events and self.store is not None:
            try:
                await self.store.append(events)  # on disk before anyone hears "accepted"
            except StoreError as error:
                seq = message.seq if isinstance(message, (Vote, Command)) else None
                await socket.send(encode(Error(seq, ErrorCode.UNAVAILABLE, str(error)[:MAX_ERROR_TEXT])))
                return self.session.role(conn) is not None
        keep_open = True
        for output in outputs:
            if isinstance(output, Close):
                self._close_other(output.conn, output.code, output.reason)
            elif isinstance(output, Send):
                keep_open &= await self._send(conn, socket, output)
        if not was_welcomed and self.session.role(conn) is not None:
            self._send_latest(conn)
        return keep_open

    # -- the log -----------------------------------------------------------------

    def attach_store(self, store: SessionStore) -> None:
        """Log every change in ``store``; when it cannot be written, undo and tell everyone."""
        self.store = store
        store.on_failure = self._unsaved
        store.on_recovery = self._saved

    def _unsaved(self, problem: str) -> None:
        log.error("%s", problem)
        assert self.store is not None
        for orphan in self.session.restore(self.store.events()):
            self._close_other(orphan, CloseCode.INTERNAL_ERROR, "your joining could not be saved; try again")
        self.session.alert = problem

    def _saved(self) -> None:
        log.info("the session log can be written again")
        self.session.alert = None

    async def _send(self, conn: ConnId, socket: ServerConnection, output: Send) -> bool:
        frame = encode(output.message)
        if output.to != conn:
            peer = self._peers.get(output.to)
            if peer is not None:
                broadcast([peer.socket], frame)
            return True
        await socket.send(frame)
        if isinstance(output.message, Error) and output.message.code in REFUSED_HELLO:
            await socket.close(CloseCode.POLICY_VIOLATION, output.message.message[:120])
            return False
        return True

    async def _too_fast(self, conn: ConnId, socket: ServerConnection, seq: int) -> bool:
        """Refuse a message past the rate limit; close a connection that keeps on."""
        if self._peers[conn].limit.flooding:
            return await self._refuse(
                socket, ErrorCode.RATE_LIMITED, "far too many messages", CloseCode.POLICY_VIOLATION
            )
        await socket.send(encode(Error(seq, ErrorCode.RATE_LIMITED, "too many votes too fast: slow down")))
        return True

    def _newcomer(self, conn: ConnId, message: Message) -> bool:
        """Whether this message would add someone new to the session (not a host, not someone coming back)."""
        return (
            isinstance(message, Hello)
            and message.host_token is None
            and self.session.role(conn) is None
            and not self.session.knows(message.resume)
        )

    async def _refuse(self, socket: ServerConnection, code: ErrorCode, text: str, close: int) -> bool:
        log.info("closing a connection: %s", text)
        await socket.send(encode(Error(None, code, text)))
        await socket.close(close, text[:120])
        return False

    def _send_latest(self, conn: ConnId) -> None:
        """A newly welcomed connection hears the state now, not at the next tick."""
        peer, role = self._peers[conn], self.session.role(conn)
        assert role is not None
        peer.welcomed = True
        frames = self._latest_frames()
        for kind in self._kinds_for(conn, role):
            peer.sent[kind] = frames[kind]
            broadcast([peer.socket], frames[kind])

    def _close_other(self, conn: ConnId, code: int, reason: str) -> None:
        peer = self._peers.get(conn)
        if peer is None:
            return
        task = asyncio.create_task(peer.socket.close(code, reason))
        self._background.add(task)
        task.add_done_callback(self._background.discard)
