"""The SSH gateway: `ssh -p 2222 HOST` opens the participant app, and nothing else.

Each SSH session runs a :class:`ParticipantApp` in this process, on an
:class:`SSHDriver`, joined to the hub over its ordinary websocket path, so the
hub's rules apply to it as to anyone; with the gateway secret, the hub also
learns the person's own address. Who is let in and how often is
:class:`coproterm.core.gateway_rules.GatewayRules`'s to say; the gateway is in four
parts: this one (the server, and each session's app from start to farewell),
``auth.py`` (one connection: who it is, what it may open), ``channel.py`` (one
session: a terminal with the app in it, or a refusal) and ``app.py`` (the
participant app on a channel).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import sys
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

import asyncssh
from rich.color import ColorSystem

from coproterm import portable
from coproterm.core.gateway_rules import SESSIONS_PER_ADDRESS, Admission, GatewayRules
from coproterm.core.i18n import ENGLISH
from coproterm.server.ssh import packets
from coproterm.server.ssh.app import SSHParticipantApp
from coproterm.server.ssh.auth import GatewayServer
from coproterm.server.ssh.gateway_words import ENDED, FAILED, LEFT, REPLACED, TO_PLAIN, TOO_SLOW
from coproterm.server.ssh.guards import Collector, Prover
from coproterm.server.ssh.keys import fingerprint, host_key  # noqa: F401  (where callers have always found them)
from coproterm.server.ssh.live import GENERIC_USERS, Live, clean_user
from coproterm.server.ssh.terminal import ChannelTerminal, capabilities

log = logging.getLogger("coproterm.ssh")

LOGIN_TIMEOUT = 30
KEEPALIVE_IDLE, KEEPALIVE_EVERY, KEEPALIVE_MISSED = 90, 30, 3
"""A client gone silent (a pulled cable) is noticed by TCP keepalives: after KEEPALIVE_IDLE seconds with
nothing either way, a probe every KEEPALIVE_EVERY seconds, and after KEEPALIVE_MISSED unanswered ones
(3 minutes in all; as long for a screen it never takes) its session ends; its votes stay. A TCP probe and its answer cost ~100 bytes of the
person's link; an SSH keepalive and its reply cost ~470 (measured), for the same knowledge."""
PROBE_SECONDS = 5.0
"""Seconds a live session's client has to answer when someone comes as the same (user name, address):
answered, the newcomer is another person; not, the live one's cable was pulled and the newcomer is them."""
STOP_GRACE = 3.0
"""Seconds the apps get to end by themselves when the gateway stops."""


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
    language: str = ENGLISH
    """The language for a client whose LANG / LC_* name neither Welsh nor English (``--lang``)."""
    _server: asyncssh.SSHAcceptor | None = None
    _active: int = 0
    identities: dict[tuple[str, str], bytes] = field(default_factory=dict)
    _apps: set[asyncio.Task[None]] = field(default_factory=set)
    _live: dict[tuple[str, str], Live] = field(default_factory=dict)
    rules: GatewayRules = field(default_factory=GatewayRules)
    """Who may come in and how often: asked at each step, carried out here and in auth.py / channel.py."""
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

    def __post_init__(self) -> None:
        if self.passcode is not None:
            self.rules.passcode_set = self.passcode

    async def start(self, host: str, port: int, *, reuse_port: bool = False) -> int:
        """Listen; returns the port. ``reuse_port``: share it with other worker processes."""
        packets.without_ignored_packets()
        self._server = await asyncssh.create_server(
            lambda: GatewayServer(self),
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

    # -- running the app ---------------------------------------------------------

    def hold(self, identity: tuple[str, str], live: Live) -> None:
        """``live`` is the session of ``identity`` now (told to the supervisor, for other workers' claims)."""
        self._live[identity] = live
        if self.on_live is not None:
            self.on_live(identity, True)

    def let_go(self, identity: tuple[str, str], live: Live) -> None:
        """``live`` ended: ``identity`` is free, unless a newer session holds it already."""
        if self._live.get(identity) is live:
            del self._live[identity]
            if self.on_live is not None:
                self.on_live(identity, False)

    def say_at_end(self, app: object, farewell: str) -> None:
        """What the person running ``app`` reads as it ends (instead of the usual goodbye)."""
        for live in self._live.values():
            if live.app is app:
                live.farewell = farewell

    def keep_alive(self, sock: socket.socket | None) -> None:
        """Have the kernel notice a client gone silent (:func:`keep_alive`)."""
        keep_alive(sock)

    def in_background(self, work: Coroutine[Any, Any, None]) -> None:
        """Run ``work`` as this gateway's own task (waited for, then cancelled, when it stops)."""
        task = asyncio.get_running_loop().create_task(work)
        self._apps.add(task)
        task.add_done_callback(self._apps.discard)

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
        for number in range(1, max(self.rules.sessions_per_address, SESSIONS_PER_ADDRESS) + 2):
            candidate = identity if number == 1 else (user, f"{address}#{number}")
            if candidate in self._live:
                alive = await self.probe_here(candidate)
            else:
                alive = self.elsewhere is not None and await self.elsewhere(candidate)
            if not alive:
                return candidate, number > 1
        return (user, f"{address}#{number + 1}"), True

    def run_app(
        self, terminal: ChannelTerminal, username: str, identity: tuple[str, str], entry: Admission, *, told: str = ""
    ) -> None:
        """Start the participant app for one session let in by the rules (``entry``), in a task of its own;
        ``told``: a line the app shows first."""
        self.in_background(self._run(terminal, username, identity, entry, told))

    async def _run(
        self, terminal: ChannelTerminal, username: str, identity: tuple[str, str], entry: Admission, told: str = ""
    ) -> None:
        name = "" if username.lower() in GENERIC_USERS else clean_user(username)
        app = SSHParticipantApp(self.hub_url, name, terminal, self, entry)
        app.told = told
        app.view.resume = self.identities.get(identity)
        app.on_welcome = lambda token: self._known(identity, token)
        live = Live(app, terminal, entry)
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
                self.rules.left(entry)
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
    def _end(live: Live, farewell: str) -> None:
        live.farewell = live.farewell or farewell
        live.app.exit()

    @staticmethod
    def _drop(live: Live) -> None:
        log.info("an SSH client at %s stopped reading; dropped", live.address)
        live.farewell = TOO_SLOW
        live.app.exit()
        live.terminal.channel.drop()
