"""A real OpenSSH client in a pseudo-terminal, driven from a test's event loop."""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import itertools
import os
import pty
import re
import shutil
import signal
import struct
import sys
import termios
from typing import Any

import pyte
import pytest

from coproterm.core.deck import default_deck
from coproterm.core.session import Session
from coproterm.server.hub_runner import HubRunner, SSHOptions
from tests.conftest import HOST_TOKEN, counting_tokens
from tests.hubkit import join_host
from tests.textualkit import waking_timers

OPTIONS = [
    "-o", "StrictHostKeyChecking=no",
    "-o", "UserKnownHostsFile=/dev/null",
    "-o", "LogLevel=ERROR",
    "-o", "IdentitiesOnly=yes",
    "-o", "IdentityFile=/dev/null",
    "-o", "PubkeyAuthentication=no",
]  # fmt: skip


def ssh_binary() -> str:
    found = shutil.which("ssh")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("CI must install openssh-client (.ci/run does)")
        pytest.skip("no ssh client on this machine")
    return found


class Shown:
    """What a terminal of a given size has shown: every screen, in turn, as text.

    The gateway sends only the cells that change, so words are read off a terminal
    emulator's screen, never out of the byte stream. Each batch received leaves a
    screen; a pattern is looked for on each screen shown, and ``text`` is all of
    them one after another, so "has shown" and "never showed" both hold.
    """

    def __init__(self, width: int, height: int) -> None:
        self._screen = pyte.Screen(width, height)
        self._stream = pyte.ByteStream(self._screen)
        self._lines = [""] * height
        self.screens: list[str] = []

    def feed(self, data: bytes) -> None:
        screen = self._screen
        self._stream.feed(data)
        if len(self._lines) != screen.lines:
            self._lines = [""] * screen.lines
            screen.dirty.update(range(screen.lines))
        for y in screen.dirty:
            if y < screen.lines:
                row = screen.buffer[y]
                self._lines[y] = "".join(row[x].data for x in range(screen.columns)).rstrip()
        screen.dirty.clear()
        self.screens.append("\n".join(self._lines))

    def resize(self, width: int, height: int) -> None:
        self._screen.resize(height, width)

    def find(self, pattern: str, since: int = 0) -> bool:
        """Whether a screen shown since the ``since``-th showed ``pattern`` (a regular expression)."""
        return any(re.search(pattern, shown) for shown in self.screens[since:])

    @property
    def text(self) -> str:
        return "\n\f\n".join(self.screens)


class SSHClient:
    """``ssh -tt`` in a pty of a given size; read what it shows, type into it."""

    def __init__(
        self,
        port: int,
        user: str = "ann",
        *,
        size: tuple[int, int] = (80, 24),
        extra: tuple[str, ...] = (),
        env: dict[str, str] | None = None,
        identity: str | None = None,
        source: str | None = None,
        host: str = "127.0.0.1",
        via: tuple[str, ...] = (),
    ):
        """``identity``: a key file to offer (public-key auth on); ``source``: the address to connect from;
        ``via``: a command the client runs under (``ip netns exec NAME``, for a network of the test's own)."""
        options = OPTIONS if identity is None else [*OPTIONS[:8], "-o", f"IdentityFile={identity}"]
        if source is not None:
            options = [*options, "-b", source]
        self.argv = [*via, ssh_binary(), "-tt", "-p", str(port), *options, *extra, f"{user}@{host}"]
        self.env = {**os.environ, **(env or {})}
        self.size = size
        self.output = bytearray()
        self.shown = Shown(*size)
        self.changed = asyncio.Event()
        self.closed = False
        self._mark = 0

    @property
    def received(self) -> bytearray:
        """Every byte the client wrote to its terminal (as :attr:`Screen.received`)."""
        return self.output

    async def start(self) -> SSHClient:
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.execve(self.argv[0], self.argv, self.env)
        self._set_size(*self.size)
        asyncio.get_running_loop().add_reader(self.fd, self._readable)
        return self

    def _set_size(self, width: int, height: int) -> None:
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", height, width, 0, 0))

    def _readable(self) -> None:
        try:
            data = os.read(self.fd, 65536)
        except OSError:
            data = b""
        if not data:
            self.closed = True
            asyncio.get_running_loop().remove_reader(self.fd)
        self.output += data
        self.shown.feed(data)
        self.changed.set()

    @property
    def text(self) -> str:
        """Every screen shown so far, as text (see :class:`Shown`)."""
        return self.shown.text

    def type(self, keys: str) -> None:
        os.write(self.fd, keys.encode())

    async def leave(self) -> None:
        """Esc (out of a text box, where the question has one), then q: leave the session.

        A lone Esc is told from the start of a sequence by waiting; on a busy machine the
        q can still arrive first (alt+q), so this tries again while the session stays.
        """
        for _ in range(4):
            self.type("\x1b")
            await asyncio.sleep(0.6)
            self.type("q")
            for _ in range(30):
                if self.closed:
                    return
                await asyncio.sleep(0.1)

    async def expect(self, pattern: str, timeout: float = 15.0) -> None:
        """Wait until the screen has shown ``pattern`` (a regular expression) since the last mark."""
        async with asyncio.timeout(timeout):
            looked = self._mark
            while not self.shown.find(pattern, looked):
                looked = len(self.shown.screens)  # each screen is looked at once
                if self.closed:
                    raise AssertionError(f"ssh ended before {pattern!r}; it showed: {self.text[-500:]!r}")
                self.changed.clear()
                await self.changed.wait()

    def mark(self) -> None:
        """From now on, expect() looks only at what comes after this point."""
        self._mark = len(self.shown.screens)

    async def resize(self, width: int, height: int) -> None:
        self._set_size(width, height)
        self.shown.resize(width, height)
        os.kill(self.pid, signal.SIGWINCH)

    async def wait(self, timeout: float = 15.0) -> int:
        """The ssh client's exit status."""
        async with asyncio.timeout(timeout):
            while True:
                pid, status = os.waitpid(self.pid, os.WNOHANG)
                if pid:
                    while not self.closed:  # what the client wrote last may still wait in the pty (a busy machine)
                        self._readable()
                    self._close_fd()
                    return os.waitstatus_to_exitcode(status)
                await asyncio.sleep(0.05)

    def kill(self) -> None:
        """Pull the cable: the client dies without a goodbye."""
        os.kill(self.pid, signal.SIGKILL)

    def _close_fd(self) -> None:
        if not self.closed:
            asyncio.get_running_loop().remove_reader(self.fd)
            self.closed = True
        os.close(self.fd)


async def run_ssh(port: int, *args: str, stdin: bytes = b"", timeout: float = 15.0) -> tuple[int, str, str]:
    """A non-interactive ssh (or sftp) command: exit status, stdout, stderr."""
    process = await asyncio.create_subprocess_exec(
        *args[:1], *(["-P", str(port)] if args[0].endswith("sftp") else ["-p", str(port)]), *OPTIONS, *args[1:],
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(process.communicate(stdin), timeout)
    return process.returncode or 0, out.decode(), err.decode()


class Screen:
    """What an asyncssh client session received: the bytes, and the screens they drew."""

    def __init__(self, width: int = 80, height: int = 24) -> None:
        self.received = bytearray()
        self.shown = Shown(width, height)
        self.changed = asyncio.Event()
        self.closed = asyncio.Event()

    @property
    def text(self) -> str:
        """Every screen shown so far, as text (see :class:`Shown`)."""
        return self.shown.text

    async def expect(self, pattern: str, timeout: float = 20.0) -> None:
        async with asyncio.timeout(timeout):
            looked = 0
            while not self.shown.find(pattern, looked):
                looked = len(self.shown.screens)
                if self.closed.is_set():
                    raise AssertionError(f"the session ended before {pattern!r}; it showed: {self.text[-500:]!r}")
                self.changed.clear()
                await self.changed.wait()


_MARK = re.compile(rb"\x1b\]2;coproterm test mark \d+\x07")
"""A window title: the terminal shows nothing new for it, and the app never sends one like it."""
_marks = itertools.count()


async def drawn_and_sent(live: Any, screen: Screen | SSHClient) -> None:
    """Until an SSH session's app (``live``, one of ``Gateway._live``'s) has drawn all it owes and ``screen``,
    its client, holds all of it: asked of the app and of the channel, not of the clock.

    A round is the app's timers that fire once having fired (the later step of something begun), its next
    refresh (Textual's ``call_after_refresh``: every message handled, the screen drawn), its terminal sending
    what it held, and a mark written on the channel behind that arriving; the channel keeps order, so whatever
    was sent before the mark has arrived with it. It ends at a round in which nothing but its mark arrived.
    """
    while True:
        before = len(screen.received)
        async with asyncio.timeout(20):
            while waking_timers(live.app, once=True):
                await asyncio.sleep(0.01)
        refreshed = asyncio.Event()
        assert live.app.call_after_refresh(refreshed.set), "the app is still running"
        mark = b"\x1b]2;coproterm test mark %d\x07" % next(_marks)
        async with asyncio.timeout(20):
            await refreshed.wait()
            while live.terminal.holding:
                await asyncio.sleep(0.01)
            live.terminal.channel.write(mark.decode())
            while True:
                screen.changed.clear()
                if mark in screen.received[before:]:
                    break
                await screen.changed.wait()
        if screen.received[before:] == mark:
            return


def sent_since(screen: Screen | SSHClient, start: int) -> int:
    """The bytes ``screen`` received from the app after its first ``start`` (the marks of
    :func:`drawn_and_sent` left out)."""
    return len(_MARK.sub(b"", bytes(screen.received[start:])))


def asyncssh_client(
    port: int,
    user: str = "ann",
    *,
    size: tuple[int, int] = (80, 24),
    term: str = "xterm-256color",
    source: str | None = None,
    env: dict[str, str] | None = None,
    window: int = 2 * 1024 * 1024,
    sock: object = None,
):  # type: ignore[no-untyped-def]
    """An asyncssh client session with a pty (lighter than OpenSSH, and able to misbehave); ``sock``: a
    connected socket to speak over (one made in a network namespace, tests/netkit.py)."""
    import asyncssh

    class _Session(asyncssh.SSHClientSession):  # type: ignore[type-arg]
        def __init__(self, screen: Screen) -> None:
            self.screen = screen

        def data_received(self, data: bytes, datatype: object) -> None:
            self.screen.received += data
            self.screen.shown.feed(data)
            self.screen.changed.set()

        def connection_lost(self, exc: Exception | None) -> None:
            self.screen.closed.set()
            self.screen.changed.set()

    class _Client(asyncssh.SSHClient):
        def kbdint_auth_requested(self) -> str:
            return ""

        def kbdint_challenge_received(self, name, instructions, lang, prompts):  # type: ignore[no-untyped-def]
            return [""] * len(prompts)

    async def open_() -> tuple[asyncssh.SSHClientConnection, asyncssh.SSHClientChannel, Screen]:  # type: ignore[type-arg]
        conn, _ = await asyncssh.create_connection(
            _Client, "127.0.0.1", port, username=user, known_hosts=None, client_keys=None, agent_path=None,
            local_addr=(source, 0) if source else None, sock=sock,
        )  # fmt: skip
        screen = Screen(min(size[0], 300), min(size[1], 100))  # the gateway draws no larger (a test claims more)
        channel, _ = await conn.create_session(
            lambda: _Session(screen), term_type=term, term_size=size, encoding=None, env=env or {}, window=window
        )
        return conn, channel, screen

    return open_()


@contextlib.asynccontextmanager
async def serving_ssh(tmp_path, passcode=None):
    """A hub on 127.0.0.1 serving SSH in this process (no workers), with a host joined: ``(hosted, host)``."""
    ssh_binary()
    session = Session(default_deck(), HOST_TOKEN, counting_tokens())
    options = SSHOptions(port=0, passcode=passcode, key_dir=tmp_path, workers=0)
    async with HubRunner(session, HOST_TOKEN, "127.0.0.1", 0, ssh=options) as hosted:
        assert hosted.ssh_port, hosted.ssh_problem
        host = await join_host(hosted.local_url)
        yield hosted, host


@contextlib.asynccontextmanager
async def serving_ssh_with_gateway(tmp_path, session=None):
    """As :func:`serving_ssh`, for ``session`` (a fresh one if none), and its SSH gateway: ``(hosted, host, gateway)``."""
    ssh_binary()
    session = session or Session(default_deck(), HOST_TOKEN, counting_tokens())
    runner = HubRunner(session, HOST_TOKEN, "127.0.0.1", 0, ssh=SSHOptions(port=0, key_dir=tmp_path, workers=0))
    async with runner as hosted:
        assert hosted.ssh_port, hosted.ssh_problem
        host = await join_host(hosted.local_url)
        yield hosted, host, runner.gateway


def cells(screen: pyte.Screen) -> list[list[tuple[object, ...]]]:
    """Every cell of a terminal's screen: its character, colours and attributes."""
    return [
        [
            (c.data, c.fg, c.bg, c.bold, c.italics, c.underscore, c.reverse)
            for c in (screen.buffer[y][x] for x in range(screen.columns))
        ]
        for y in range(screen.lines)
    ]


@contextlib.asynccontextmanager
async def remote_gateway(hub_url, tmp_path, secret, workers=1):
    """``coproterm ssh-gateway`` in a process of its own; yields (process, SSH port)."""
    env = {**os.environ, "COPROTERM_GATEWAY_SECRET": secret}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "coproterm", "ssh-gateway", "--hub", hub_url, "--host", "127.0.0.1",
        "--ssh-port", "0", "--ssh-workers", str(workers), "--data-dir", str(tmp_path / "gateway"),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL, env=env,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        port = None
        async with asyncio.timeout(60):
            while port is None:
                line = (await process.stdout.readline()).decode()
                assert line, "the gateway stopped before it listened"
                found = re.search(r"ssh -p (\d+)", line)
                port = int(found.group(1)) if found else None
        yield process, port
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
            await asyncio.wait_for(process.wait(), 20)
