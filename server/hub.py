"""The websocket hub: the I/O shell around a :class:`~coproterm.core.protocol.HubProtocol`.

It accepts connections, hands each frame to the protocol with the time, and
carries out what comes back: writes, closes, and log writes that must land
before anything that acknowledges them. Every rule (limits, refusals, close
codes, who is sent what) is the protocol's. Tallies and state are fanned out,
coalesced: a change goes out at once to an audience that has heard nothing
for its interval (:data:`HOST_INTERVAL`, :data:`PARTICIPANT_INTERVAL`), and
changes that keep coming are sent at most that often, skipping a subscriber
whose socket is not draining, so a slow client costs at most one write buffer.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import socket as sockets
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from websockets.asyncio.server import Server, ServerConnection, broadcast, serve
from websockets.exceptions import ConnectionClosed

from coproterm.core.events import Added
from coproterm.core.limits import BURST, RATE, AddressLimit, Inflow, NewcomerLimit
from coproterm.core.outcomes import Close, ConnId
from coproterm.core.protocol import HELLO_TIMEOUT, MAX_FRAME, HubProtocol, Output, Save, Send
from coproterm.core.session import Session
from coproterm.core.vouching import PAST_BOUND_SAID_EVERY, GatewayLimit, Vouch, Vouched, Vouching
from coproterm.deflate import hub_extensions
from coproterm.server.listening import dual_stack, quiet_refused_accepts
from coproterm.server.store import SessionStore, StoreError
from coproterm.server.web import Page, answer

log = logging.getLogger("coproterm.hub")

HOST_INTERVAL = 0.05
PARTICIPANT_INTERVAL = 0.2
MAX_WRITE_BUFFER = 64 * 1024
"""A subscriber whose unsent bytes exceed this is skipped until it drains."""
MAX_UNREAD = 256 * 1024
"""A connection whose unsent bytes exceed this (pongs to a ping flood, a client that never reads) is dropped."""
FAIR_SHARE = 8
"""Frames of one connection handled before the others get a turn (one TCP read can hold thousands)."""
FACE_HEADER = "X-Coproterm-Face"
"""Sent as ``plain`` by the plain (line-by-line) app, so the dashboard can count who reads that way."""


class _Guarded(ServerConnection):
    """A websocket connection counted from the TCP accept, and dropped if it stops reading."""

    hub: Hub
    address: str = "?"
    vouch: Vouch | None = None
    """What a gateway's proof in the handshake came to (counted against that gateway until it closes)."""

    def connection_made(self, transport: Any) -> None:
        super().connection_made(transport)
        self.conn = next(self.hub._ids)
        peer = transport.get_extra_info("peername")
        address = str(peer[0]) if peer else "?"
        address = address.removeprefix("::ffff:") if "." in address else address  # IPv4 on a dual-stack socket
        self.address = address
        if any(isinstance(o, Close) for o in self.hub.protocol.opened(self.conn, address)):
            transport.close()  # before the handshake: nothing is spent on it, not even a reply
            return
        self.hub._sockets[self.conn] = self
        self.inflow = Inflow()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        transport = self.transport
        if transport is None or transport.is_closing():
            return
        if transport.get_write_buffer_size() > MAX_UNREAD:
            log.info("dropping a connection that does not read what it is sent")
            transport.abort()
            return
        pause = self.inflow.pause_for(len(data), asyncio.get_running_loop().time())
        if pause > 0:
            transport.pause_reading()
            asyncio.get_running_loop().call_later(pause, self._read_again)

    def _read_again(self) -> None:
        transport = self.transport
        if transport is not None and not transport.is_closing():
            transport.resume_reading()

    def connection_lost(self, exc: Exception | None) -> None:
        super().connection_lost(exc)
        self.hub._sockets.pop(self.conn, None)
        self.hub.protocol.closed(self.conn)
        if self.vouch is not None:
            self.hub.vouching.closed(self.vouch)
            self.vouch = None
        self.hub.changed()


@contextlib.contextmanager
def corked(connections: list[ServerConnection]) -> Iterator[None]:
    """Hold back what is written to ``connections`` until the block ends, so that the frames one of them is sent
    together (a State and its Tally, an Ack and the next ToMark) leave in one TCP segment, not one each: at
    52 bytes of TCP/IP header a segment, and an acknowledgement back for each, that is most of a small
    frame's cost (docs/performance.md). Linux's TCP_CORK; elsewhere the frames go as they are written."""
    cork = getattr(sockets, "TCP_CORK", None)
    held = []
    for connection in connections if cork is not None else []:
        raw = connection.transport.get_extra_info("socket") if connection.transport is not None else None
        if raw is not None and raw.family in (sockets.AF_INET, sockets.AF_INET6):
            with contextlib.suppress(OSError):
                raw.setsockopt(sockets.IPPROTO_TCP, cork, 1)
                held.append(raw)
    try:
        yield
    finally:
        for raw in held:
            with contextlib.suppress(OSError):
                raw.setsockopt(sockets.IPPROTO_TCP, cork, 0)


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
    """Frames per second per participant (0: no limit)."""
    burst: int = BURST
    addresses: AddressLimit = field(default_factory=AddressLimit)
    newcomers: NewcomerLimit = field(default_factory=NewcomerLimit)
    gateway_secret: str | None = None
    """Shared with the SSH gateway's workers, new at every start; never sent, only proven (core.vouching)."""
    gateway_limit: GatewayLimit = field(default_factory=GatewayLimit)
    """What one gateway may vouch for; past it, its connections count at its own address."""
    past_bound_every: float = PAST_BOUND_SAID_EVERY
    """Seconds over which connections past a gateway's bound are counted, then said in one line."""
    page: Page | None = None
    """The phone page served on the websocket port (None: off, ``--no-web``)."""
    names: frozenset[str] = field(default_factory=frozenset)
    """Host names this hub answers browsers to, besides its addresses and ``localhost``
    (its mDNS name, an advertised name): see :func:`coproterm.server.web.own_host`."""
    clock: Callable[[], float] = time.monotonic
    wall_clock: Callable[[], float] = time.time
    """The hub's clock for countdowns (Unix time: a resumed hub finds a countdown still running or over)."""
    _protocol: HubProtocol | None = None
    _vouching: Vouching | None = None
    _past_bound_timer: asyncio.TimerHandle | None = None
    _sockets: dict[ConnId, _Guarded] = field(default_factory=dict)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _background: set[asyncio.Task[None]] = field(default_factory=set)
    _change: dict[bool, asyncio.Event] = field(default_factory=dict)
    _timer_change: asyncio.Event | None = None

    @property
    def protocol(self) -> HubProtocol:
        """The rules; made on first use, from the hub's settings."""
        if self._protocol is None:
            self._protocol = HubProtocol(
                self.session,
                rate=self.rate,
                burst=self.burst,
                addresses=self.addresses,
                newcomers=self.newcomers,
                durable=self.store is not None,
            )
        return self._protocol

    # -- serving ---------------------------------------------------------------

    def serve(self, host: str | None, port: int) -> Awaitable[Server]:
        """Start listening; use as ``async with hub.serve(...) as server``.

        ``::`` listens on IPv6 and IPv4 alike (asyncio alone would make it IPv6 only, and the
        dashboard and gateway on this machine dial 127.0.0.1)."""
        quiet_refused_accepts()
        guarded = type("GuardedConnection", (_Guarded,), {"hub": self})
        where: dict[str, Any] = {"host": host, "port": port}
        if host == "::":
            where = {"sock": dual_stack(port)}
        return serve(
            self.handler,
            **where,
            compression=None,
            extensions=hub_extensions(),  # large frames only (the deck): coproterm/deflate.py
            max_size=MAX_FRAME,
            max_queue=4,
            ping_interval=self.ping_interval,
            ping_timeout=self.ping_timeout,
            close_timeout=5,
            create_connection=guarded,
            process_request=lambda _, request: answer(self.page, request, self.names),
        )

    async def handler(self, socket: ServerConnection) -> None:
        """Serve one connection until it closes."""
        assert isinstance(socket, _Guarded)
        conn = socket.conn
        if conn not in self._sockets:
            return  # refused at the accept
        vouched = self._vouched_address(socket)
        if vouched is not None and not await self._carry_out(conn, self.protocol.vouched(conn, vouched)):
            return
        if socket.request is not None and socket.request.headers.get(FACE_HEADER, "").strip().lower() == "plain":
            self.protocol.plain(conn)
        try:
            try:
                first = await asyncio.wait_for(socket.recv(), self.hello_timeout)
            except TimeoutError:
                await self._carry_out(conn, self.protocol.hello_overdue(conn))
                return
            if not await self._carry_out(conn, self.protocol.receive(conn, first, self.clock(), self.wall_clock())):
                return
            handled = 0
            async for frame in socket:
                if not await self._carry_out(conn, self.protocol.receive(conn, frame, self.clock(), self.wall_clock())):
                    return
                handled += 1
                if handled % FAIR_SHARE == 0:
                    await asyncio.sleep(0)  # one connection's queued frames must not starve the others
        except ConnectionClosed:
            pass

    @property
    def vouching(self) -> Vouching:
        """What the hub makes of a gateway's proof (core.vouching): made for the current secret and bound."""
        secret = self.gateway_secret or ""
        if self._vouching is None or self._vouching.secret != secret or self._vouching.limit is not self.gateway_limit:
            self._vouching = Vouching(secret, self.gateway_limit)
        return self._vouching

    def _vouched_address(self, socket: _Guarded) -> str | None:
        """Where a participant a gateway speaks for is counted (None: no gateway proved itself).

        Their own address, when the gateway proves it holds the secret and names one it may speak
        for, within what it may vouch for (core.vouching); else the gateway's own address, under its
        own limits (they are still counted as over SSH)."""
        if self.gateway_secret is None or socket.request is None:
            return None
        vouch = self.vouching.vouch(socket.request.headers, socket.address, self.clock())
        if vouch.outcome is Vouched.WRONG_PROOF:
            log.warning("a connection offered a wrong or replayed gateway proof; its address is its own")
        elif vouch.outcome is Vouched.PAST_BOUND and self._past_bound_timer is None:
            self._past_bound_timer = asyncio.get_running_loop().call_later(self.past_bound_every, self._say_past_bound)
        socket.vouch = vouch
        return vouch.address

    def _say_past_bound(self) -> None:
        """One line for each gateway that went past its bound lately, with how many connections did."""
        self._past_bound_timer = None
        for gateway, count in self.vouching.past_bound_to_say().items():
            log.warning(
                "the gateway at %s vouched for more than it may: %d connection(s) in the last %d s counted at its"
                " own address",
                gateway,
                count,
                round(self.past_bound_every),
            )

    # -- carrying out ----------------------------------------------------------

    async def _carry_out(self, conn: ConnId, outputs: list[Output]) -> bool:
        """Do what the protocol decided, in order; False once ``conn`` (the connection at hand) is closed."""
        open_ = True
        index = 0
        while index < len(outputs):
            output = outputs[index]
            index += 1
            if isinstance(output, Save):
                replacement = await self._save(output)
                if replacement is not None:
                    outputs = replacement
                    index = 0
            elif isinstance(output, Send):
                frames = [output.frame]
                while index < len(outputs) and isinstance(more := outputs[index], Send) and more.to == output.to:
                    frames.append(more.frame)  # an Ack and the next ToMark: one TCP segment, not two
                    index += 1
                self._write(output.to, *frames)
            elif isinstance(output, Close) and output.conn == conn:
                open_ = False
                socket = self._sockets.get(conn)
                if socket is not None:  # closed before the handler returns, or websockets would close with 1000
                    log.info("closing a connection (%s): %s", output.code, output.reason)
                    await self._close_own(socket, output)
            elif isinstance(output, Close):
                self._close(output)
        self.changed()
        return open_

    @staticmethod
    async def _close_own(socket: ServerConnection, close: Close) -> None:
        """Close the connection at hand, reading past what it had queued without handling it: a full
        queue pauses reading, and the client's answer to our close frame would wait behind it."""
        closing = asyncio.get_running_loop().create_task(socket.close(close.code, close.reason))
        with contextlib.suppress(ConnectionClosed):
            async for _ in socket:
                pass
        await closing

    def _carry_out_now(self, outputs: list[Output]) -> None:
        """Carry out outputs that need no log write (no awaiting), from a callback."""
        for output in outputs:
            if isinstance(output, Send):
                self._write(output.to, output.frame)
            elif isinstance(output, Close):
                self._close(output)

    async def _save(self, save: Save) -> list[Output] | None:
        """Log a batch; None when saved, or what to do instead when it could not be."""
        if self.store is None:
            return None
        try:
            await self.store.append(list(save.events))  # on disk before anyone hears "accepted"
        except StoreError as error:
            log.error("%s", error)
            instead = self.protocol.unsaved(save, error.alert)
            if any(isinstance(event, Added) for event in save.events):
                self.store.insertion_undone()  # what was queued behind the question failed with it; the next is written
            return instead
        if self.session.alert is not None:
            log.info("the session log can be written again")
        self.protocol.saved(save)
        return None

    def _write(self, conn: ConnId, *frames: bytes) -> None:
        socket = self._sockets.get(conn)
        if socket is None:
            return
        with corked([socket] if len(frames) > 1 else []):
            for frame in frames:
                broadcast([socket], frame)

    def _close(self, close: Close) -> None:
        """Start closing a connection (its close frame follows what was written before)."""
        socket = self._sockets.get(close.conn)
        if socket is None:
            return
        log.info("closing a connection (%s): %s", close.code, close.reason)
        task = asyncio.get_running_loop().create_task(socket.close(close.code, close.reason))
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def end(self) -> None:
        """The host ended the session: close every connection with 'the session has ended'."""
        self._carry_out_now(self.protocol.end())
        if self._background:
            await asyncio.wait(list(self._background), timeout=5)

    # -- the fan-out -------------------------------------------------------------

    def changed(self) -> None:
        """Something may have changed: wake the fan-out."""
        for event in self._change.values():
            event.set()
        if self._timer_change is not None:
            self._timer_change.set()

    async def fan_out(self) -> None:
        """Send the latest state and tallies until cancelled; run it as a task."""
        await asyncio.gather(
            self._fan_out_to(participants=False, interval=self.host_interval),
            self._fan_out_to(participants=True, interval=self.participant_interval),
            self._count_down(),
        )

    async def _count_down(self) -> None:
        """End a countdown when the hub's clock passes its deadline (the protocol decides; this only waits)."""
        change = self._timer_change = asyncio.Event()
        while True:
            change.clear()
            due = self.protocol.timer_due()
            wait = None if due is None else due - self.wall_clock()
            if wait is not None and wait <= 0:
                await self._carry_out(0, self.protocol.clock(self.wall_clock()))
                if self.protocol.timer_due() == due:
                    await asyncio.sleep(1)  # the log refused its end: try again in a second, not in a loop
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(change.wait(), wait)  # a new, stopped or changed countdown: look again

    async def _fan_out_to(self, *, participants: bool, interval: float) -> None:
        """One audience: a change goes out at once, then at most once per ``interval`` while they keep coming."""
        change = self._change[participants] = asyncio.Event()
        loop = asyncio.get_running_loop()
        last = -interval
        delivered = -1
        while True:
            await change.wait()
            change.clear()
            if self.session.version == delivered:
                continue
            wait = last + interval - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            last = loop.time()
            version = self.session.version
            if self.flush(participants=participants):
                delivered = version
            else:
                loop.call_later(interval, change.set)  # a slow client is still owed the latest

    def flush(self, *, participants: bool = True) -> bool:
        """Send every subscriber (hosts; participants too if asked) what changed; False if one is still owed."""
        broadcasts, owed = self.protocol.fan_out(
            participants=participants, draining=self._draining(), at=self.wall_clock()
        )
        seen: set[ConnId] = set()
        several: set[ConnId] = set()  # sent more than one frame now: theirs go in one segment
        for each in broadcasts:
            several.update(seen.intersection(each.to))
            seen.update(each.to)
        with corked([self._sockets[conn] for conn in several if conn in self._sockets]):
            for each in broadcasts:
                broadcast([self._sockets[conn] for conn in each.to if conn in self._sockets], each.frame)
        return not owed

    def _draining(self) -> set[ConnId]:
        """The connections whose unsent bytes are within :data:`MAX_WRITE_BUFFER` (the rest wait their turn)."""
        return {
            conn
            for conn, socket in self._sockets.items()
            if socket.transport is not None and socket.transport.get_write_buffer_size() <= MAX_WRITE_BUFFER
        }
