"""A connection to a hub that comes back by itself.

:class:`Link` connects, says hello, and hands every message to a callback; when
the connection drops it waits (0.5 s, doubling to at most 5 s) and connects
again, saying hello with the resume token so the participant keeps their votes.
It stops when the hub refuses it for good (wrong version, wrong token, a full
session, the same participant joining elsewhere), when the host ends the
session, when the hub sends something this app does not understand, when the
address never reached a hub at all (a mistyped address is corrected, not
retried forever), and when it is closed.
"""

from __future__ import annotations

import asyncio
import errno
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import Enum
from urllib.parse import urlsplit

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidURI

from coproterm.core.i18n import N_
from coproterm.core.view import clean_text
from coproterm.core.wire import (
    DEFAULT_PORT,
    FINAL_CLOSES,
    CloseCode,
    Error,
    ErrorCode,
    Hello,
    Message,
    ProtocolError,
    decode,
    encode,
)
from coproterm.portable import keep_alive

MAX_DELAY = 5.0
CLOSE_TIMEOUT = 1.0
"""How long a closing handshake may take before the socket is dropped (quitting must be quick)."""
ENDED_WORDS = N_("the session has ended; thank you")
NOT_UNDERSTOOD = "the hub sent something this app does not understand ({}); update coproterm"


class Phase(Enum):
    CONNECTING = "connecting"
    OPEN = "open"
    WAITING = "waiting"
    """Lost or could not connect; trying again after a delay."""
    STOPPED = "stopped"
    """Refused for good; the detail says why."""


@dataclass(frozen=True, slots=True)
class LinkStatus:
    """How the connection is, in words a person can act on."""

    phase: Phase
    detail: str = ""
    attempt: int = 0
    delay: float = 0.0
    refusal: ErrorCode | None = None
    """Why the hub refused us for good, where it said (a join code is needed, the session is full…)."""
    close_code: int | None = None
    """How the hub closed the last connection, when it did (``CloseCode.ENDED``: the session is over)."""
    unreachable: bool = False
    """Stopped without ever reaching a hub at this address: the address is likely wrong."""

    @property
    def ended(self) -> bool:
        """The host ended the session: there is nothing to come back to."""
        return self.close_code == CloseCode.ENDED


def hub_url(address: str) -> str:
    """``HOST``, ``HOST:PORT``, ``[v6]:PORT`` or a ws:// URL, as a ws:// URL."""
    address = address.strip()
    if address.startswith(("ws://", "wss://")):
        return address
    parts = urlsplit(f"//{address}")
    try:
        port = parts.port or DEFAULT_PORT
    except ValueError:
        raise ValueError(f"{address!r} is not HOST or HOST:PORT") from None
    host = parts.hostname
    if not host:
        raise ValueError(f"{address!r} is not HOST or HOST:PORT")
    host = f"[{host}]" if ":" in host else host
    return f"ws://{host}:{port}"


class Link:
    """Keeps a connection to a hub and reports what happens on it."""

    def __init__(
        self,
        url: str,
        hello: Callable[[], Hello],
        on_message: Callable[[Message], None],
        on_status: Callable[[LinkStatus], None],
        *,
        max_delay: float = MAX_DELAY,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.url = url
        self._hello = hello
        self._on_message = on_message
        self._on_status = on_status
        self._max_delay = max_delay
        self._headers = dict(headers or {})
        """Sent with the websocket handshake (an SSH gateway vouches for its participant's address)."""
        self._socket: ClientConnection | None = None
        self._refusal: Error | None = None
        self._close_code: int | None = None
        self._reached = False
        """Whether a hub ever answered at this address (then a failure is a hub restarting, not a typo)."""
        self._closed = False

    async def send(self, message: Message) -> bool:
        """Send if connected; False if the message could not go."""
        socket = self._socket
        if socket is None:
            return False
        try:
            await socket.send(encode(message))
        except ConnectionClosed:
            return False
        return True

    async def close(self, timeout: float = CLOSE_TIMEOUT) -> None:
        """Close the connection for good, waiting at most ``timeout`` for the hub to agree.

        A hub that has just come back from a stall may not answer the closing
        handshake for a while; quitting must not wait for it.
        """
        self._closed = True
        socket = self._socket
        if socket is None:
            return
        try:
            await asyncio.wait_for(socket.close(), timeout)
        except (TimeoutError, OSError):
            pass
        finally:
            socket.transport.abort()

    async def run(self) -> None:
        """Connect, and connect again, until stopped for good (see the module's docstring) or cancelled."""
        attempt = 0
        self._closed = False
        while True:
            attempt += 1
            self._on_status(LinkStatus(Phase.CONNECTING, attempt=attempt))
            problem, final = await self._session()
            if self._closed:
                return
            if problem is None:
                attempt = 0
                problem = N_("the connection was lost")
            unreachable = not self._reached and not final
            if final or unreachable:
                refused = self._refusal.code if self._refusal is not None else None
                self._on_status(
                    LinkStatus(
                        Phase.STOPPED, problem, refusal=refused, close_code=self._close_code, unreachable=unreachable
                    )
                )
                return
            delay = min(self._max_delay, 0.5 * 2 ** max(0, attempt - 1))
            self._on_status(LinkStatus(Phase.WAITING, problem, attempt, delay))
            await asyncio.sleep(delay)

    async def _session(self) -> tuple[str | None, bool]:
        """One connection, start to end: (what went wrong, whether it is final)."""
        refusal: Error | None = None
        self._refusal = None
        self._close_code = None
        try:
            async with connect(
                self.url,
                compression=None,
                max_size=2**20,
                open_timeout=5,
                close_timeout=CLOSE_TIMEOUT,
                ping_interval=None,
                additional_headers=self._headers or None,
            ) as socket:
                self._reached = True
                _keep_alive(socket)
                await socket.send(encode(self._hello()))
                self._socket = socket
                self._on_status(LinkStatus(Phase.OPEN))
                async for frame in socket:
                    # The callback may find the message makes no sense (a deck that does not
                    # validate): a ProtocolError like one from the codec, handled below.
                    message = decode(frame)  # type: ignore[arg-type]
                    if isinstance(message, Error) and message.seq is None:
                        refusal = self._refusal = message
                    self._on_message(message)
                return self._closed_by_hub(socket.close_code, socket.close_reason, refusal)
        except ConnectionClosed as closed:
            if closed.rcvd is None:
                return None, False
            return self._closed_by_hub(closed.rcvd.code, closed.rcvd.reason, refusal)
        except ProtocolError as error:
            return NOT_UNDERSTOOD.format(clean_text(str(error), lines=False)), True
        except InvalidURI:
            return f"{self.url} is not a hub address", True
        except InvalidHandshake as error:
            return f"that address answered, but not as a coproterm hub ({clean_text(str(error), lines=False)})", False
        except TimeoutError:
            return (
                N_("no answer from the hub (is the address right, and are you on the same network?)"),
                False,
            )
        except OSError as error:
            return _describe(error), False
        finally:
            self._socket = None

    def _closed_by_hub(self, code: int | None, reason: str | None, refusal: Error | None) -> tuple[str | None, bool]:
        """What a close from the hub means: (what to say, whether it is final)."""
        self._close_code = code
        if code == CloseCode.ENDED:
            return ENDED_WORDS, True
        if code in FINAL_CLOSES:
            why = clean_text(refusal.message if refusal else reason or "", lines=False)
            return why or f"the hub closed the connection ({code})", True
        if code == CloseCode.GOING_AWAY:
            return N_("the hub has stopped (it may be restarting)"), False
        return None, False


def _keep_alive(socket: ClientConnection) -> None:
    """Let the kernel notice a hub that vanished: probes after 75 s of silence, 3 misses.

    The hub pings every 60 s, so while it lives the line is never silent that long
    and this costs nothing; the app sends no pings of its own (bandwidth).
    """
    raw = socket.transport.get_extra_info("socket")
    if raw is None:
        return
    keep_alive(raw, 75, 10, 3)


def _describe(error: OSError) -> str:
    if error.errno == errno.ECONNREFUSED or isinstance(error, ConnectionRefusedError):
        return N_("nothing is listening at that address and port (is the hub running?)")
    if error.errno in (errno.ENETUNREACH, errno.EHOSTUNREACH):
        return N_("that address cannot be reached from here (are you on the room's network?)")
    if "Name or service not known" in str(error) or "nodename nor servname" in str(error):
        return N_("that host name is not known on this network; try its IP address")
    return f"cannot connect: {error.strerror or error}"
