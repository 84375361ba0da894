"""The SSH gateway: `ssh -p 2222 HOST` opens the participant app, and nothing else.

Each SSH session runs a :class:`ParticipantApp` in this process, on an
:class:`SSHDriver`, joined to the hub over its ordinary websocket path, so the
hub's rules apply to it as to anyone. What the server allows is narrow: a
terminal session with a pty; no exec, subsystem (sftp, scp), shell without a
pty, agent, X11 or port forwarding. Authentication asks nothing unless a
passcode is set: any user name and any key are welcome, and the pair (user
name, key, or else address) is how a returning participant gets their votes back.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
import os
import sys
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncssh
from rich.color import ColorSystem

from coproterm.tui.participant.app import ParticipantApp
from server.limits import NewcomerLimit
from server.ssh.driver import SSHDriver
from server.ssh.terminal import ChannelTerminal

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
REFUSAL = "coproterm: this server only runs the voting app. Connect with: ssh -p {port} {host}\r\n"
TOO_MANY_NEWCOMERS = "coproterm: too many new participants from your address: try again in a minute.\r\n"


def host_key(directory: Path) -> asyncssh.SSHKey:
    """This machine's persistent ed25519 host key (made on first use, mode 0600)."""
    path = directory / "ssh_host_ed25519_key"
    if path.exists():
        return asyncssh.read_private_key(path)
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = asyncssh.generate_private_key("ssh-ed25519")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(key.export_private_key())
    return key


def fingerprint(key: asyncssh.SSHKey) -> str:
    """The SHA256 fingerprint people compare with what their ssh client shows."""
    return key.get_fingerprint("sha256")


def color_system_for(term: str) -> ColorSystem:
    """The colours a client's terminal can show, from its TERM (SSH passes nothing else)."""
    term = term.lower()
    if term.endswith(("truecolor", "direct", "24bit")):
        return ColorSystem.TRUECOLOR
    if "256" in term:
        return ColorSystem.EIGHT_BIT
    return ColorSystem.STANDARD


@dataclass
class Gateway:
    """Serves the participant app over SSH for one hub."""

    hub_url: str
    key: asyncssh.SSHKey
    passcode: str | None = None
    advertised_host: str = "HOST"
    remember: Callable[[tuple[str, str], bytes], None] | None = None
    """Keeps an identity somewhere lasting (the session's log), to survive a restart."""
    _server: asyncssh.SSHAcceptor | None = None
    _active: int = 0
    _failures: dict[str, deque[float]] = field(default_factory=lambda: defaultdict(deque))
    identities: dict[tuple[str, str], bytes] = field(default_factory=dict)
    _apps: set[asyncio.Task[None]] = field(default_factory=set)
    newcomers: NewcomerLimit = field(default_factory=NewcomerLimit)
    """New participants per SSH client address: the hub cannot count them (they reach it from loopback)."""
    _streams: tuple[Any, Any] | None = None
    port: int = 0

    async def start(self, host: str, port: int) -> int:
        """Listen; returns the port."""
        self._server = await asyncssh.create_server(
            lambda: _Server(self),
            host,
            port,
            server_host_keys=[self.key],
            agent_forwarding=False,
            x11_forwarding=False,
            allow_scp=False,
            line_editor=False,
            login_timeout=LOGIN_TIMEOUT,
            keepalive_interval=60,
            keepalive_count_max=3,
            encoding=None,
        )
        self.port = self._server.sockets[0].getsockname()[1]
        return self.port

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 5)
        for task in list(self._apps):
            task.cancel()
        if self._apps:
            await asyncio.gather(*self._apps, return_exceptions=True)

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

    # -- running the app ---------------------------------------------------------

    def run_app(self, terminal: ChannelTerminal, username: str, identity: tuple[str, str]) -> None:
        """Start the participant app for one session, in a task of its own."""
        task = asyncio.create_task(self._run(terminal, username, identity))
        self._apps.add(task)
        task.add_done_callback(self._apps.discard)

    async def _run(self, terminal: ChannelTerminal, username: str, identity: tuple[str, str]) -> None:
        name = "" if username.lower() in GENERIC_USERS else username
        app = _SSHParticipantApp(self.hub_url, name, terminal)
        app.view.resume = self.identities.get(identity)
        app.on_welcome = lambda token: self._known(identity, token)
        terminal.leave = app.exit
        if not self._active:
            self._streams = (sys.stdout, sys.stderr)
        self._active += 1
        try:
            await app.run_async()
        except Exception:  # one person's crash must not take anyone else down
            log.exception("an SSH session's app failed")
        finally:
            self._active -= 1
            terminal.close()
            if not self._active and self._streams is not None:
                # Textual swaps sys.stdout/stderr while an app runs; overlapping sessions
                # can leave them pointing at a finished app's capture.
                sys.stdout, sys.stderr = self._streams
            with contextlib.suppress(OSError, asyncssh.Error):
                terminal.channel.exit(0)


class _SSHParticipantApp(ParticipantApp):
    """The participant app, on an SSH channel, with the client's colours and no animation."""

    def __init__(self, url: str, name: str, terminal: ChannelTerminal) -> None:
        super().__init__(url, name, discover=False)
        self.terminal = terminal
        self.driver_class = SSHDriver
        self.animation_level = "none"
        self.console._color_system = color_system_for(terminal.term)  # per app; Rich reads it when rendering
        self.on_welcome: Callable[[bytes], None] | None = None
        """Told the resume token once the hub welcomes this participant."""

    def on_mount(self) -> None:
        # ParticipantApp's own on_mount runs too: Textual calls the handler of every class in the MRO.
        self.watch(self, "revision", self._remember)

    def _remember(self) -> None:
        if self.view.resume is not None and self.on_welcome is not None:
            self.on_welcome(self.view.resume)


class _Server(asyncssh.SSHServer):
    """One SSH connection: who it is, and what it may open."""

    def __init__(self, gateway: Gateway) -> None:
        self.gateway = gateway
        self.address = "?"
        self.key_id = ""

    def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
        self.conn = conn
        peer = conn.get_extra_info("peername")
        self.address = peer[0] if peer else "?"
        if self.gateway.locked_out(self.address):
            conn.disconnect(asyncssh.DISC_NO_MORE_AUTH_METHODS_AVAILABLE, "too many wrong passcodes; try later")

    def begin_auth(self, username: str) -> bool:
        return True  # always run auth, to learn a key where one is offered

    def public_key_auth_supported(self) -> bool:
        return self.gateway.passcode is None

    def validate_public_key(self, username: str, key: asyncssh.SSHKey) -> bool:
        self.key_id = fingerprint(key)
        return True

    def kbdint_auth_supported(self) -> bool:
        return True

    def get_kbdint_challenge(
        self, username: str, lang: str, submethods: str
    ) -> bool | tuple[str, str, str, list[tuple[str, bool]]]:
        if self.gateway.passcode is None:
            return True  # nothing to ask
        return ("coproterm", "This session has a passcode.", "", [("Session passcode: ", False)])

    def validate_kbdint_response(self, username: str, responses: list[str]) -> bool:
        return self._check(responses[0] if responses else "")

    def password_auth_supported(self) -> bool:
        return self.gateway.passcode is not None

    def validate_password(self, username: str, password: str) -> bool:
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

    def session_requested(self) -> asyncssh.SSHServerSession[bytes]:
        identity = (self.conn.get_extra_info("username") or "", self.key_id or self.address)
        return _Session(self.gateway, identity, self.address)


class _Session(asyncssh.SSHServerSession):  # type: ignore[type-arg]
    """One SSH session: a terminal with the app in it, or a polite refusal."""

    def __init__(self, gateway: Gateway, identity: tuple[str, str], address: str) -> None:
        self.gateway = gateway
        self.identity = identity
        self.address = address
        self.terminal: ChannelTerminal | None = None
        self.refusal: str | None = None

    def connection_made(self, channel: asyncssh.SSHServerChannel) -> None:  # type: ignore[type-arg]
        self.channel = channel

    def pty_requested(self, term_type: str, term_size: tuple[int, int, int, int], term_modes: object) -> bool:
        return True

    def shell_requested(self) -> bool:
        if self.channel.get_terminal_type() is None:
            self.refusal = "coproterm: the voting app needs a terminal: leave out -T.\r\n"
        return True

    def exec_requested(self, command: str) -> bool:
        self.refusal = REFUSAL.format(port=self.gateway.port, host=self.gateway.advertised_host)
        return True

    def subsystem_requested(self, subsystem: str) -> bool:
        return False  # no sftp, no scp

    def session_started(self) -> None:
        known = self.identity in self.gateway.identities
        if self.refusal is None and not known and not self.gateway.newcomers.allow(self.address, time.monotonic()):
            self.refusal = TOO_MANY_NEWCOMERS
        if self.refusal is not None:
            self.channel.write_stderr(self.refusal.encode())
            self.channel.exit(1)
            return
        width, height, _, _ = self.channel.get_terminal_size()
        term = self.channel.get_terminal_type() or "xterm"
        self.terminal = ChannelTerminal(_Utf8Channel(self.channel), width or 80, height or 24, term)
        username = self.channel.get_extra_info("username") or ""
        self.gateway.run_app(self.terminal, username, self.identity)

    def data_received(self, data: bytes, datatype: object) -> None:
        if self.terminal is not None and self.terminal.driver is not None:
            self.terminal.driver.feed(data.decode("utf-8", "replace"))

    def terminal_size_changed(self, width: int, height: int, pixwidth: int, pixheight: int) -> None:
        if self.terminal is not None:
            self.terminal.size = (width, height)
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


class _Utf8Channel:
    """The channel, taking text (the server runs with no encoding so input stays bytes)."""

    def __init__(self, channel: asyncssh.SSHServerChannel) -> None:  # type: ignore[type-arg]
        self.channel = channel

    def write(self, data: str) -> None:
        self.channel.write(data.encode("utf-8", "replace"))

    def exit(self, status: int) -> None:
        self.channel.exit(status)
