"""The SSH gateway: `ssh -p 2222 HOST` opens the participant app, and nothing else.

Each SSH session runs a :class:`ParticipantApp` in this process, on an
:class:`SSHDriver`, joined to the hub over its ordinary websocket path, so the
hub's rules apply to it as to anyone; with the gateway secret, the hub also
learns the person's own address. What the server allows is narrow: a terminal
session with a pty; no exec, subsystem (sftp, scp), shell without a pty, agent,
X11 or port forwarding. Authentication asks nothing unless a passcode is set:
any user name and any key are welcome, and the pair (user name, key, or else
address) is how a returning participant gets their votes back. A key counts
only once the client has signed with it.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
import socket
import sys
import time
import unicodedata
from collections import Counter, defaultdict, deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import asyncssh
from rich.color import ColorSystem

from coproterm import portable
from coproterm.core.gateway import CLIENT_HEADER, GATEWAY_HEADER, unauthenticated_limit  # noqa: F401  (as before)
from coproterm.core.i18n import ENGLISH, N_, WELSH, from_locale, language
from coproterm.core.limits import AddressLimit, NewcomerLimit, RateLimit
from coproterm.core.wire import LANGUAGE_CODES, Role, Speak
from coproterm.tui.participant.app import ParticipantApp
from coproterm.tui.textual_private import add_line_filter, set_color_system
from server.ssh import packets
from server.ssh.driver import SSHDriver
from server.ssh.guards import Collector, ProofHeaders, Prover, bounded_env
from server.ssh.keys import fingerprint, host_key  # noqa: F401  (where callers have always found them)
from server.ssh.pacing import Pacer
from server.ssh.plain import PlainChannel, run_plain, wants_plain, without_suffix
from server.ssh.terminal import ChannelTerminal, capabilities, clamp

HAS_PASSCODE = N_("This session has a passcode.")
PASSCODE_PROMPT = N_("Session passcode")
LOCKED_OUT = N_("too many wrong passcodes; try later")


def both(message: str, join: str = " / ") -> str:
    """A message in Welsh and in English, Welsh first: said before the person's language is known
    (the passcode is asked before the terminal's LANG reaches the gateway)."""
    return f"{language(WELSH).t(message)}{join}{message}"


log = logging.getLogger("coproterm.ssh")

GENERIC_USERS = frozenset(
    {
        "root",
        "admin",
        "administrator",
        "user",
        "guest",
        "pi",
        "ubuntu",
        "debian",
        "participant",
        "anonymous",
        "coproterm",
        "ssh",
        "me",
        "test",
    }
)
"""User names that say nothing about the person: they join without a name."""
FAILURES_ALLOWED = 5
FAILURE_WINDOW = 600.0
LOGIN_TIMEOUT = 30
KEEPALIVE_IDLE, KEEPALIVE_EVERY, KEEPALIVE_MISSED = 90, 30, 3
"""A client gone silent (a pulled cable) is noticed by TCP keepalives: after KEEPALIVE_IDLE seconds with
nothing either way, a probe every KEEPALIVE_EVERY seconds, and after KEEPALIVE_MISSED unanswered ones
(3 minutes in all; as long for a screen it never takes) its session ends; its votes stay. A TCP probe and its answer cost ~100 bytes of the
person's link; an SSH keepalive and its reply cost ~470 (measured), for the same knowledge."""
SESSIONS_PER_ADDRESS = 32
"""Live SSH sessions one address may hold (as the hub allows websocket connections)."""
CODES_PER_SESSION = 5
"""Join codes one SSH session may try before it is closed."""
CODES_PER_ADDRESS = 10
CODE_EVERY = 60.0
"""Seconds in which an address earns one more join-code try once its tries are spent."""
UNREACHABLE_RETRY = 2.0
"""Seconds before an SSH participant's app tries again a hub it has not reached yet."""
PROBE_SECONDS = 5.0
"""Seconds a live session's client has to answer when someone comes as the same (user name, address):
answered, the newcomer is another person; not, the live one's cable was pulled and the newcomer is them."""
STOP_GRACE = 3.0
"""Seconds the apps get to end by themselves when the gateway stops."""

# The gateway's own words, in the catalog (N_) and said in the person's language (LANG / LC_* or their choice).
REFUSAL = N_("coproterm: this server only runs the voting app. Connect with: ssh -p {port} {host}\r\n")
TOO_MANY_NEWCOMERS = N_("coproterm: too many new participants from your address: try again in a minute.\r\n")
TOO_MANY_SESSIONS = N_("coproterm: too many sessions from your address: close one and try again.\r\n")
NEEDS_TERMINAL = N_("coproterm: the voting app needs a terminal: leave out -T.\r\n")
ENDED = N_("coproterm: the session has ended; thank you.")
LEFT = N_("coproterm: you have left the session; your votes are kept. Thank you.")
REPLACED = N_("coproterm: you joined again from another window; this one is closed.")
TOO_MANY_CODES = N_("coproterm: too many wrong join codes; ask the facilitator for the code and try again later.")
TOO_SLOW = N_("coproterm: your connection stopped taking the screen; connect again to come back.")
FAILED = N_("coproterm: the app stopped unexpectedly; connect again to come back (your votes are kept).")
TO_PLAIN = N_("Plain mode: from here on, lines only.")
SAME_NAME = N_(
    "coproterm: someone is in the session already under this name from your address: you join as a new"
    " participant, with a vote of your own. Another name (ssh NAME@...) tells you apart."
)
HUB_GONE = N_("coproterm: the hub stopped unexpectedly; connect again in a minute to come back (your votes are kept).")


def keep_alive(sock: socket.socket | None) -> None:
    """Have the kernel probe an idle connection and end it when the far end is gone (KEEPALIVE_IDLE)."""
    if sock is None:
        return
    # And when screens are waiting to be taken (no probes then), the same three minutes at most.
    gone_after = KEEPALIVE_IDLE + KEEPALIVE_EVERY * KEEPALIVE_MISSED
    portable.keep_alive(sock, KEEPALIVE_IDLE, KEEPALIVE_EVERY, KEEPALIVE_MISSED, unsent_for=gone_after)


def color_system_for(term: str) -> ColorSystem | None:
    """The colours a client's terminal can show, from its TERM (None: no colour)."""
    return capabilities(term, {}).color_system


def clean_user(name: str) -> str:
    """An SSH user name as a display name: no control or format characters, at most 40 long."""
    kept = "".join(c for c in name if unicodedata.category(c)[0] != "C")
    return kept.strip()[:40]


@dataclass
class _Live:
    """One running app, for replacing it and ending it well."""

    app: _SSHParticipantApp
    terminal: ChannelTerminal
    address: str
    farewell: str = ""


@dataclass
class Gateway:
    """Serves the participant app over SSH for one hub."""

    hub_url: str
    key: asyncssh.SSHKey
    passcode: str | None = None
    advertised_host: str = "HOST"
    remember: Callable[[tuple[str, str], bytes], None] | None = None
    """Keeps an identity somewhere lasting (the session's log, a supervisor), to survive a restart."""
    secret: str | None = None
    """The gateway secret: with it the hub trusts the client address this gateway passes on."""
    sessions_per_address: int = SESSIONS_PER_ADDRESS
    language: str = ENGLISH
    """The language for a client whose LANG / LC_* name neither Welsh nor English (``--lang``)."""
    _server: asyncssh.SSHAcceptor | None = None
    _active: int = 0
    _failures: dict[str, deque[float]] = field(default_factory=lambda: defaultdict(deque))
    identities: dict[tuple[str, str], bytes] = field(default_factory=dict)
    _apps: set[asyncio.Task[None]] = field(default_factory=set)
    _live: dict[tuple[str, str], _Live] = field(default_factory=dict)
    _per_address: Counter[str] = field(default_factory=Counter)
    _codes: dict[str, RateLimit] = field(default_factory=dict)
    newcomers: NewcomerLimit = field(default_factory=NewcomerLimit)
    """New participants per SSH client address (the hub may not know them apart without the secret)."""
    unauthenticated: AddressLimit = field(default_factory=unauthenticated_limit)
    """Connections per address not logged in yet (counted from the accept)."""
    elsewhere: Callable[[tuple[str, str]], Awaitable[bool]] | None = None
    """In a worker: whether another worker holds a session of this identity whose client answers (asked
    through the supervisor; that worker ends one that does not answer)."""
    on_live: Callable[[tuple[str, str], bool], None] | None = None
    """In a worker: told when an identity's session starts here (True) and ends (False)."""
    collector: Collector = field(default_factory=Collector)
    """Frees finished apps after sessions end."""
    _prover: Prover | None = None
    _streams: tuple[Any, Any] | None = None
    _stopping: bool = False
    port: int = 0

    async def start(self, host: str, port: int, *, reuse_port: bool = False) -> int:
        """Listen; returns the port. ``reuse_port``: share it with other worker processes."""
        packets.without_ignored_packets()
        self._server = await asyncssh.create_server(
            lambda: _Server(self),
            "" if host == "::" else host,  # "::": IPv6 and IPv4 alike, as the hub listens
            port,
            server_host_keys=[self.key],
            agent_forwarding=False,
            x11_forwarding=False,
            allow_scp=False,
            line_editor=False,
            login_timeout=LOGIN_TIMEOUT,
            keepalive_interval=0,  # TCP keepalives instead (KEEPALIVE_IDLE)
            **packets.options(),  # fewer bytes a join, no key renewal within a workshop
            encoding=None,
            reuse_port=reuse_port or None,
        )
        self.port = self._server.sockets[0].getsockname()[1]
        return self.port

    @property
    def sessions(self) -> int:
        """SSH sessions with an app running."""
        return self._active

    async def stop(self, farewell: str = ENDED) -> None:
        """Stop listening; end every app, leaving each terminal as it was with a last word (``farewell``)."""
        self._stopping = True
        if self._server is not None:
            self._server.close()
        for live in list(self._live.values()):
            live.farewell = live.farewell or farewell
            live.app.exit()
        if self._apps:
            _, late = await asyncio.wait(list(self._apps), timeout=STOP_GRACE)
            for task in late:
                task.cancel()
            if late:  # an app that will not even be cancelled is left behind, not waited for forever
                await asyncio.wait(late, timeout=STOP_GRACE)
        if self._server is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 5)
        self.collector.stop()

    def prover(self) -> Prover:
        """This process's proofs of the gateway secret to the hub (one per websocket handshake)."""
        assert self.secret is not None
        if self._prover is None:
            self._prover = Prover(self.secret)
        return self._prover

    def _known(self, identity: tuple[str, str], token: bytes) -> None:
        if self.identities.get(identity) != token:
            self.identities[identity] = token
            if self.remember is not None:
                self.remember(identity, token)

    # -- who may come in ---------------------------------------------------------

    def locked_out(self, address: str) -> bool:
        failures = self._failures[address]
        while failures and failures[0] < time.monotonic() - FAILURE_WINDOW:
            failures.popleft()
        return len(failures) >= FAILURES_ALLOWED

    def failed(self, address: str) -> None:
        self._failures[address].append(time.monotonic())
        log.info("wrong passcode from %s", address)

    def passcode_ok(self, typed: str) -> bool:
        assert self.passcode is not None
        return hmac.compare_digest(typed.strip().encode(), self.passcode.encode())

    def code_try(self, address: str) -> bool:
        """Count one join code typed from ``address``; False once its tries are spent."""
        bucket = self._codes.get(address)
        if bucket is None:
            if len(self._codes) >= 4096:
                self._codes.clear()  # forgetting gives at most one more allowance each
            bucket = self._codes[address] = RateLimit(
                rate=1 / CODE_EVERY, burst=CODES_PER_ADDRESS, tokens=CODES_PER_ADDRESS
            )
        return bucket.allow(time.monotonic())

    def admit(self, address: str) -> bool:
        """Count one more live session from ``address``; False if it has as many as allowed."""
        if self.sessions_per_address > 0 and self._per_address[address] >= self.sessions_per_address:
            return False
        self._per_address[address] += 1
        return True

    def _release(self, address: str) -> None:
        self._per_address[address] -= 1
        if self._per_address[address] <= 0:
            del self._per_address[address]

    # -- running the app ---------------------------------------------------------

    def hold(self, identity: tuple[str, str], live: _Live) -> None:
        """``live`` is the session of ``identity`` now (told to the supervisor, for other workers' claims)."""
        self._live[identity] = live
        if self.on_live is not None:
            self.on_live(identity, True)

    def let_go(self, identity: tuple[str, str], live: _Live) -> None:
        """``live`` ended: ``identity`` is free, unless a newer session holds it already."""
        if self._live.get(identity) is live:
            del self._live[identity]
            if self.on_live is not None:
                self.on_live(identity, False)

    def contested(self, identity: tuple[str, str]) -> bool:
        """Whether a session may be live as ``identity`` (here, or in another worker: asked of the
        supervisor); then :meth:`claim` finds out who a new one is."""
        return identity in self._live or self.elsewhere is not None

    async def probe_here(self, identity: tuple[str, str]) -> bool:
        """Whether this worker's session of ``identity`` has a client that answers; one that does not
        (a pulled cable) is ended, so whoever claims the identity may take it."""
        live = self._live.get(identity)
        if live is None:
            return False
        connection = live.terminal.channel.channel.get_extra_info("connection")
        if await packets.answers(connection, PROBE_SECONDS):
            return True
        log.info("an SSH client at %s no longer answers; its identity goes to the one who came back", live.address)
        live.farewell = live.farewell or REPLACED
        live.app.exit()
        live.terminal.channel.drop()
        return False

    async def claim(self, identity: tuple[str, str]) -> tuple[tuple[str, str], bool]:
        """The identity a new keyless session takes: ``identity`` when no one is live as it, or when the
        live one's client no longer answers (a pulled cable: that session ends, the newcomer resumes
        it); else the next of ``(user, "address#2")``, ``#3``... that no answering client holds
        (another person behind the same NAT, with a ballot of their own). True if it is not
        ``identity``: the person is then told they joined as a new participant."""
        user, address = identity
        for number in range(1, max(self.sessions_per_address, SESSIONS_PER_ADDRESS) + 2):
            candidate = identity if number == 1 else (user, f"{address}#{number}")
            if candidate in self._live:
                alive = await self.probe_here(candidate)
            else:
                alive = self.elsewhere is not None and await self.elsewhere(candidate)
            if not alive:
                return candidate, number > 1
        return (user, f"{address}#{number + 1}"), True

    def run_app(
        self, terminal: ChannelTerminal, username: str, identity: tuple[str, str], address: str, *, told: str = ""
    ) -> None:
        """Start the participant app for one session, in a task of its own (the address is counted);
        ``told``: a line the app shows first."""
        task = asyncio.create_task(self._run(terminal, username, identity, address, told))
        self._apps.add(task)
        task.add_done_callback(self._apps.discard)

    async def _run(
        self, terminal: ChannelTerminal, username: str, identity: tuple[str, str], address: str, told: str = ""
    ) -> None:
        name = "" if username.lower() in GENERIC_USERS else clean_user(username)
        app = _SSHParticipantApp(self.hub_url, name, terminal, self, address)
        app.told = told
        app.view.resume = self.identities.get(identity)
        app.on_welcome = lambda token: self._known(identity, token)
        live = _Live(app, terminal, address)
        older = self._live.get(identity)
        if older is not None:  # one app per identity: the newer window wins
            older.farewell = REPLACED
            older.app.exit()
        self.hold(identity, live)
        terminal.leave = lambda: self._end(live, LEFT)
        terminal.overflowed = lambda: self._drop(live)
        if not self._active:
            self._streams = (sys.stdout, sys.stderr)
        self._active += 1
        try:
            await app.run_async()
        except Exception:  # one person's crash must not take anyone else down
            log.exception("an SSH session's app failed")
            live.farewell = live.farewell or FAILED
        finally:
            app.pacer.stop()
            self._active -= 1
            # p: the same person goes on in plain mode on this channel (their address stays counted).
            switching = app.wants_plain and not live.farewell and not self._stopping and terminal.go_plain is not None
            if not switching:
                self._release(address)
            self.let_go(identity, live)
            if not self._active and self._streams is not None:
                # Textual swaps sys.stdout/stderr while an app runs; overlapping sessions
                # can leave them pointing at a finished app's capture.
                sys.stdout, sys.stderr = self._streams
            if switching and terminal.go_plain is not None:
                terminal.finish(app.lang.t(TO_PLAIN))
                terminal.go_plain(app.lang.code)
            else:
                if not live.farewell:
                    live.farewell = ENDED if (self._stopping or app.ended) else LEFT
                said = app.lang.t(live.farewell)
                if app.keep_at_end:  # their own record, asked for with k, left in their terminal's scrollback
                    said = app.record_text().replace("\n", "\r\n") + "\r\n" + said
                terminal.finish(said)
                with contextlib.suppress(OSError, asyncssh.Error):
                    terminal.channel.exit(0)
            self.collector.ended()

    @staticmethod
    def _end(live: _Live, farewell: str) -> None:
        live.farewell = live.farewell or farewell
        live.app.exit()

    @staticmethod
    def _drop(live: _Live) -> None:
        log.info("an SSH client at %s stopped reading; dropped", live.address)
        live.farewell = TOO_SLOW
        live.app.exit()
        live.terminal.channel.drop()


class _SSHParticipantApp(ParticipantApp):
    """The participant app, on an SSH channel, drawn for the client's terminal, with no animation."""

    ADDRESS_BOX = False  # the gateway chose the hub's address: a person over SSH cannot correct it, only wait
    REMEMBERS = False  # the gateway keeps SSH identities (user name and key), not this machine's files

    def __init__(self, url: str, name: str, terminal: ChannelTerminal, gateway: Gateway, address: str) -> None:
        super().__init__(url, name, discover=False, lang=terminal.caps.language or gateway.language)
        self.terminal = terminal
        self.gateway = gateway
        self.address = address
        self.driver_class = SSHDriver
        self.animation_level = "none"
        caps = terminal.caps
        set_color_system(self.console, caps.color_system or ColorSystem.STANDARD)  # per app; Rich reads it
        if caps.color_system is None or caps.no_color:
            from textual.filter import NoColor

            # Textual would still send colours with no colour system: drop them from every line
            # (what is left are attributes, and "default colour" codes any terminal ignores).
            self.no_color = True
            add_line_filter(self, NoColor())
        self.ascii_only = caps.ascii
        """The person's locale is not UTF-8: the faces may choose plain-text symbols (the gateway maps the rest)."""
        if gateway.secret:
            # ParticipantApp takes no headers of its own yet; its link sends these with every handshake,
            # and each handshake needs a proof of its own (the hub refuses one it has seen).
            self.link._headers = ProofHeaders(gateway.prover(), address)
        self.on_welcome: Callable[[bytes], None] | None = None
        """Told the resume token once the hub welcomes this participant."""
        self._codes_tried = 0
        self.pacer = Pacer(self._send_now, self._not_sent)
        """Keeps a held key (30 presses a second) under the hub's rate: only the latest of each kind goes."""

    async def send(self, message: Any, seq: int) -> bool:
        return await self.pacer.send(message, seq)

    async def action_language(self) -> None:
        # As every face does, but the hub hears only the latest of a run of switches (a held `i`).
        self.speak(self.lang.other())
        self._chosen = self.lang.code
        if self.view.role is Role.PARTICIPANT and self.lang.code in LANGUAGE_CODES:
            await self.pacer.send(Speak(self.lang.code), None)

    async def _send_now(self, message: Any, seq: int | None) -> bool:
        if seq is None:
            return await self.link.send(message)
        return await super().send(message, seq)

    def _not_sent(self, message: Any, seq: int | None) -> None:
        """A message that a newer one of its kind replaced, or that could not go: not waited for."""
        if seq is None:
            return
        self._answered(seq)
        self.view.unsent(seq)
        self.view.written.refused(seq)
        self.revision += 1

    @property
    def ended(self) -> bool:
        """The hub said the session is over (the link stopped for good with that reason)."""
        status = self.link_status
        return bool(getattr(status, "ended", False))

    told = ""
    """A line to show first (who the person joins as, when someone else is live under their name)."""

    def on_mount(self) -> None:
        # ParticipantApp's own on_mount runs too: Textual calls the handler of every class in the MRO.
        self.watch(self, "revision", self._remember)
        if self.told:
            self.notify(self.told.removeprefix("coproterm: "), timeout=20)

    def _remember(self) -> None:
        if self.view.resume is not None and self.on_welcome is not None:
            self.on_welcome(self.view.resume)

    def on_vote_screen_code_given(self, event: Any) -> None:
        # Guessing the code is bounded per session and per address, as the hub bounds it per connection.
        # (ParticipantApp's handler runs after this one unless prevented: Textual walks the MRO.)
        self._codes_tried += 1
        if self._codes_tried > CODES_PER_SESSION or not self.gateway.code_try(self.address):
            event.prevent_default()
            for live in self.gateway._live.values():
                if live.app is self:
                    live.farewell = TOO_MANY_CODES
            self.exit()

    def action_keep(self) -> None:
        """A file written here would be on the hub, not the person's computer: print the record as they leave."""
        self.keep_at_end = True
        self.notify(self.t("Your answers will be printed in this terminal when you leave (q)."), timeout=12)

    def watch_link_status(self) -> None:
        if self.ended:  # nothing to come back to: let the person read it, then close
            self.set_timer(3, self.exit)
        elif self.link_status.phase.name == "STOPPED" and getattr(self.link_status, "unreachable", False):
            # The link gives up on a hub it never reached (a mistyped address, for `join`); here the
            # gateway chose the address and the hub is only busy or restarting: keep trying.
            self.set_timer(UNREACHABLE_RETRY, self.connect)


class _Server(asyncssh.SSHServer):
    """One SSH connection: who it is, and what it may open."""

    def __init__(self, gateway: Gateway) -> None:
        self.gateway = gateway
        self.address = "?"
        self.key_id = ""
        self._offered = ""
        self._by_key = False
        self._unauthenticated = False
        """Counted against its address as not logged in yet."""

    def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
        self.conn = conn
        peer = conn.get_extra_info("peername")
        self.address = peer[0] if peer else "?"
        keep_alive(conn.get_extra_info("socket"))
        if not self.gateway.unauthenticated.admit(self.address):
            # Ended before key exchange, as the hub does at its accept: one address cannot hold the
            # worker's file descriptors with connections that never log in.
            asyncio.get_running_loop().call_soon(conn.abort)
            return
        self._unauthenticated = True
        if self.gateway.locked_out(self.address):
            conn.disconnect(asyncssh.DISC_NO_MORE_AUTH_METHODS_AVAILABLE, both(LOCKED_OUT))

    def connection_lost(self, exc: Exception | None) -> None:
        self._authenticated()

    def _authenticated(self) -> None:
        if self._unauthenticated:
            self._unauthenticated = False
            self.gateway.unauthenticated.release(self.address)

    def begin_auth(self, username: str) -> bool:
        return True  # always run auth, to learn a key where one is offered

    def auth_completed(self) -> None:
        self._authenticated()
        # Every other way in marks itself below; so a success that follows a key was a signed one
        # (asyncssh verified the signature), and only then may the key stand for the person.
        self.key_id = self._offered if self._by_key else ""

    def public_key_auth_supported(self) -> bool:
        return self.gateway.passcode is None

    def validate_public_key(self, username: str, key: asyncssh.SSHKey) -> bool:
        # Called for a query (no signature) as well as for the signed request: remember only.
        self._offered = fingerprint(key)
        self._by_key = True
        return True

    def kbdint_auth_supported(self) -> bool:
        return True

    def get_kbdint_challenge(
        self, username: str, lang: str, submethods: str
    ) -> bool | tuple[str, str, str, list[tuple[str, bool]]]:
        self._by_key = False
        if self.gateway.passcode is None:
            return True  # nothing to ask
        return ("coproterm", both(HAS_PASSCODE), "", [(both(PASSCODE_PROMPT) + ": ", False)])

    def validate_kbdint_response(self, username: str, responses: Sequence[str]) -> bool:
        self._by_key = False
        return self._check(responses[0] if responses else "")

    def password_auth_supported(self) -> bool:
        return self.gateway.passcode is not None

    def validate_password(self, username: str, password: str) -> bool:
        self._by_key = False
        return self._check(password)

    def _check(self, typed: str) -> bool:
        if self.gateway.locked_out(self.address):
            return False
        if self.gateway.passcode is None or self.gateway.passcode_ok(typed):
            return True
        self.gateway.failed(self.address)
        return False

    def server_requested(self, listen_host: str, listen_port: int) -> bool:
        return False  # no remote forwarding

    def connection_requested(self, dest_host: str, dest_port: int, orig_host: str, orig_port: int) -> bool:
        return False  # no local forwarding

    def unix_connection_requested(self, dest_path: str) -> bool:
        return False

    def session_requested(self) -> tuple[asyncssh.SSHServerChannel, asyncssh.SSHServerSession]:  # type: ignore[type-arg]
        identity = (self.conn.get_extra_info("username") or "", self.key_id or self.address)
        channel = self.conn.create_server_channel(encoding=None)
        channel._process_env_request = bounded_env(channel)  # type: ignore[method-assign,assignment]
        return channel, _Session(self.gateway, identity, self.address, keyed=bool(self.key_id))


class _Session(asyncssh.SSHServerSession):  # type: ignore[type-arg]
    """One SSH session: a terminal with the app in it, or a polite refusal."""

    def __init__(self, gateway: Gateway, identity: tuple[str, str], address: str, *, keyed: bool = False) -> None:
        self.gateway = gateway
        self.identity = identity
        self.address = address
        self.terminal: ChannelTerminal | None = None
        self.plain: PlainChannel | None = None
        self.refusal: str | None = None
        self.keyed = keyed
        """The identity is a key the client signed with (else the user name and address)."""
        self.wants_plain = False
        self._early: list[str] | None = None
        self._decoder = _decoder()

    def connection_made(self, channel: asyncssh.SSHServerChannel) -> None:  # type: ignore[type-arg]
        self.channel = channel

    def _words(self, text: str) -> str:
        """One of the gateway's messages in the language the client's LANG / LC_* ask for."""
        return language(from_locale(self.channel.get_environment())).t(text)

    def pty_requested(self, term_type: str, term_size: tuple[int, int, int, int], term_modes: object) -> bool:
        return True

    def shell_requested(self) -> bool:
        username = self.channel.get_extra_info("username") or ""
        if self.channel.get_terminal_type() is None and not username.lower().endswith("+plain"):  # plain needs none
            self.refusal = self._words(NEEDS_TERMINAL)
        return True

    def exec_requested(self, command: str) -> bool:
        self.refusal = self._words(REFUSAL).format(port=self.gateway.port, host=self.gateway.advertised_host)
        return True

    def subsystem_requested(self, subsystem: str) -> bool:
        return False  # no sftp, no scp

    def session_started(self) -> None:
        username = self.channel.get_extra_info("username") or ""
        self.wants_plain = wants_plain(username, self.channel.get_terminal_type())
        if self.wants_plain:  # dai+plain is dai, with dai's votes
            self.identity = (without_suffix(self.identity[0]), self.identity[1])
        known = self.identity in self.gateway.identities
        if self.refusal is None and not known and not self.gateway.newcomers.allow(self.address, time.monotonic()):
            self.refusal = self._words(TOO_MANY_NEWCOMERS)
        if self.refusal is None and not self.gateway.admit(self.address):
            self.refusal = self._words(TOO_MANY_SESSIONS)
        if self.refusal is not None:
            self._refuse(self.refusal)
            return
        width, height, _, _ = self.channel.get_terminal_size()
        term = self.channel.get_terminal_type() or "xterm"
        caps = capabilities(term, self.channel.get_environment())
        width, height = clamp(width, height)
        self.terminal = ChannelTerminal(_TextChannel(self.channel), width, height, term, caps)
        if self.keyed or not self.gateway.contested(self.identity):
            self._start()
            return
        # Someone is live as this (user name, address): the same person back after a pulled cable, or
        # another person behind the same NAT. Which is found by asking the live one's client.
        self._early = []
        task = asyncio.get_running_loop().create_task(self._claim())
        self.gateway._apps.add(task)
        task.add_done_callback(self.gateway._apps.discard)

    async def _claim(self) -> None:
        identity, another = await self.gateway.claim(self.identity)
        if self.channel.is_closing():
            self.gateway._release(self.address)  # gone while we asked
            return
        new = another and identity not in self.gateway.identities
        if new and not self.gateway.newcomers.allow(self.address, time.monotonic()):
            self.gateway._release(self.address)
            self._refuse(self._words(TOO_MANY_NEWCOMERS))
            return
        self.identity = identity
        self._start(self._words(SAME_NAME) if another else "")

    def _refuse(self, refusal: str) -> None:
        with contextlib.suppress(OSError, asyncssh.Error):
            self.channel.write_stderr(refusal.encode())
            self.channel.exit(1)

    def _start(self, told: str = "") -> None:
        """The app for this session, as ``self.identity``; ``told``: a line said first (who they join as)."""
        assert self.terminal is not None
        early, self._early = self._early, None
        if self.wants_plain:  # lines only: screen readers, TERM=dumb
            self._plain(told=told)
            if early and self.plain is not None:
                self.plain.feed("".join(early))
            return
        self.terminal.go_plain = self._plain
        username = self.channel.get_extra_info("username") or ""
        self.gateway.run_app(self.terminal, username, self.identity, self.address, told=told)

    def _plain(self, lang: str = "", *, told: str = "") -> None:
        """Plain mode on this channel: from the start, or once the person pressed p in the full app."""
        assert self.terminal is not None
        username = self.channel.get_extra_info("username") or ""
        identity = (without_suffix(self.identity[0]), self.identity[1])
        echo = self.channel.get_terminal_type() is not None
        self.plain = run_plain(self.gateway, self.terminal, username, identity, self.address, echo=echo, lang=lang)
        if told:
            self.plain.write(told + "\n")

    def data_received(self, data: bytes, datatype: object) -> None:
        if (
            self._early is not None
        ):  # the app is not chosen yet: kept for it (a client without a terminal types at once)
            if len(self._early) < 64:
                self._early.append(self._decoder.decode(data))
        elif self.plain is not None:
            self.plain.feed(self._decoder.decode(data))
        elif self.terminal is not None and self.terminal.driver is not None:
            self.terminal.driver.feed(self._decoder.decode(data))

    def terminal_size_changed(self, width: int, height: int, pixwidth: int, pixheight: int) -> None:
        if self.terminal is not None:
            self.terminal.resize(width, height)
            if self.terminal.driver is not None:
                self.terminal.driver.resized(width, height)

    def eof_received(self) -> bool:
        self._leave()
        return False

    def break_received(self, msec: int) -> bool:
        self._leave()
        return True

    def connection_lost(self, exc: Exception | None) -> None:
        self._leave()

    def _leave(self) -> None:
        if self.terminal is not None and self.terminal.leave is not None:
            self.terminal.leave()


def _decoder() -> Any:
    import codecs

    return codecs.getincrementaldecoder("utf-8")("replace")


class _TextChannel:
    """The channel, taking text (the server runs with no encoding so input stays bytes)."""

    def __init__(self, channel: asyncssh.SSHServerChannel) -> None:  # type: ignore[type-arg]
        self.channel = channel

    def write(self, data: str, *, ascii: bool = False) -> None:
        self.channel.write(data.encode("ascii" if ascii else "utf-8", "replace"))

    def get_write_buffer_size(self) -> int:
        return int(self.channel.get_write_buffer_size())

    def drop(self) -> None:
        """End the whole connection at once: its client reads nothing, so no goodbye would arrive."""
        connection = self.channel.get_extra_info("connection")
        with contextlib.suppress(Exception):
            connection.abort()

    def exit(self, status: int) -> None:
        self.channel.exit(status)
