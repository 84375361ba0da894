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

from coproterm.core.client_messages import Hello
from coproterm.core.hub_messages import Error
from coproterm.core.i18n import N_, Language
from coproterm.core.refusals import Refusal
from coproterm.core.refusals import words as refusal_words
from coproterm.core.wire import Message, decode, encode
from coproterm.core.wire_checks import ProtocolError
from coproterm.core.wire_terms import DEFAULT_PORT, FINAL_CLOSES, CloseCode, ErrorCode
from coproterm.deflate import client_extensions
from coproterm.portable import keep_alive

MAX_DELAY = 5.0
CLOSE_TIMEOUT = 1.0
"""How long a closing handshake may take before the socket is dropped (quitting must be quick)."""
ENDED_WORDS = N_("the session has ended; thank you")
NOT_UNDERSTOOD = N_("the hub sent something this app does not understand; update coproterm")
NOT_AN_ADDRESS = N_("{address} is not HOST or HOST:PORT")


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
    values: tuple[tuple[str, str], ...] = ()
    """The ``{placeholders}`` of ``detail`` (a catalog message), as (name, value) pairs."""
    refused: Error | None = None
    """The hub's refusal that stopped us, worded by the reader's face (its words are not sent)."""

    def words(self, lang: Language) -> str:
        """``detail`` in ``lang``: the hub's refusal where there was one, else what went wrong."""
        if self.refused is not None:
            return refusal_words(lang, self.refused.refusal, self.refused.values)
        return lang.t(self.detail, **dict(self.values)) if self.detail else ""

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
        raise AddressError(address) from None
    host = parts.hostname
    if not host:
        raise AddressError(address)
    host = f"[{host}]" if ":" in host else host
    return f"ws://{host}:{port}"


class AddressError(ValueError):
    """What a person typed is not a hub's address; :meth:`words` says so in their language."""

    def __init__(self, address: str) -> None:
        super().__init__(NOT_AN_ADDRESS.format(address=repr(address)))
        self.address = address

    def words(self, lang: Language) -> str:
        """The problem in ``lang``."""
        return lang.t(NOT_AN_ADDRESS, address=f"‘{self.address}’")


def _closes(error: Error) -> bool:
    """Whether the hub closes the connection after this refusal: then it, whatever message it answers
    (far too many votes, a message only a hub sends), is what explains the close."""
    try:
        return Refusal(error.refusal).close is not None
    except ValueError:
        return False


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

    @property
    def connected(self) -> bool:
        """Whether a connection to the hub is open now (what is sent may be answered)."""
        return self._socket is not None

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
            problem, final, values = await self._connection()
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
                        Phase.STOPPED,
                        problem,
                        refusal=refused,
                        close_code=self._close_code,
                        unreachable=unreachable,
                        values=values,
                        refused=self._refusal if self._close_code in FINAL_CLOSES else None,
                    )
                )
                return
            delay = min(self._max_delay, 0.5 * 2 ** max(0, attempt - 1))
            refusal = self._refusal if self._close_code == CloseCode.INTERNAL else None  # joining not saved
            self._on_status(LinkStatus(Phase.WAITING, problem, attempt, delay, values=values, refused=refusal))
            await asyncio.sleep(delay)

    async def _connection(self) -> tuple[str | None, bool, tuple[tuple[str, str], ...]]:
        """One connection, start to end: (what went wrong, whether it is final, the wording's values)."""
        refusal: Error | None = None
        self._refusal = None
        self._close_code = None
        try:
            async with connect(
                self.url,
                compression=None,
                extensions=client_extensions(),  # the hub compresses its large frames (the deck) only
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
                    if isinstance(message, Error) and (message.seq is None or _closes(message)):
                        refusal = self._refusal = message
                    self._on_message(message)
                return self._closed_by_hub(socket.close_code, refusal)
        except ConnectionClosed as closed:
            if closed.rcvd is None:
                return None, False, ()
            return self._closed_by_hub(closed.rcvd.code, refusal)
        except ProtocolError:
            return NOT_UNDERSTOOD, True, ()
        except InvalidURI:
            return N_("{address} is not a hub address"), True, (("address", self.url),)
        except InvalidHandshake:
            return N_("that address answered, but not as a coproterm hub"), False, ()
        except TimeoutError:
            return (
                N_("no answer from the hub (is the address right, and are you on the same network?)"),
                False,
                (),
            )
        except OSError as error:
            problem, values = _describe(error)
            return problem, False, values
        finally:
            self._socket = None

    def _closed_by_hub(
        self, code: int | None, refusal: Error | None
    ) -> tuple[str | None, bool, tuple[tuple[str, str], ...]]:
        """What a close from the hub means: (what to say, whether it is final, the wording's values).

        The close reason is English for logs: a refusal is worded from its ``Error``
        (:attr:`LinkStatus.refused`), a close without one from its code.
        """
        self._close_code = code
        if code == CloseCode.ENDED:
            return ENDED_WORDS, True, ()
        if code in FINAL_CLOSES:
            if code == CloseCode.REPLACED:
                return N_("you joined again from another window or device, so this one stopped"), True, ()
            return N_("the hub closed the connection ({code})"), True, (("code", str(code)),)
        if code == CloseCode.GOING_AWAY:
            return N_("the hub has stopped (it may be restarting)"), False, ()
        if code == CloseCode.INTERNAL and refusal is not None:
            return N_("your joining could not be saved; try again"), False, ()
        return None, False, ()


def _keep_alive(socket: ClientConnection) -> None:
    """Let the kernel notice a hub that vanished: probes after 75 s of silence, 3 misses.

    The hub pings every 60 s, so while it lives the line is never silent that long
    and this costs nothing; the app sends no pings of its own (bandwidth).
    """
    raw = socket.transport.get_extra_info("socket")
    if raw is None:
        return
    keep_alive(raw, 75, 10, 3)


def _describe(error: OSError) -> tuple[str, tuple[tuple[str, str], ...]]:
    """An error connecting, as a catalog message and its values (the system's own words are English)."""
    if error.errno == errno.ECONNREFUSED or isinstance(error, ConnectionRefusedError):
        return N_("nothing is listening at that address and port (is the hub running?)"), ()
    if error.errno in (errno.ENETUNREACH, errno.EHOSTUNREACH):
        return N_("that address cannot be reached from here (are you on the room's network?)"), ()
    if "Name or service not known" in str(error) or "nodename nor servname" in str(error):
        return N_("that host name is not known on this network; try its IP address"), ()
    name = errno.errorcode.get(error.errno or 0) or type(error).__name__
    return N_("cannot connect to the hub ({error})"), (("error", name),)
