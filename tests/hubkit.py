"""Test helpers: a real hub on 127.0.0.1:0 and raw protocol clients."""

from __future__ import annotations

import asyncio
import contextlib
import re
import signal
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

from websockets.asyncio.client import ClientConnection, connect

from coproterm.core.deck import default_deck
from coproterm.core.refusals import Refusal
from coproterm.core.session import Session
from coproterm.core.wire import (
    MAX_QUESTIONS,
    Ack,
    Action,
    Attendance,
    Ballot,
    Command,
    Error,
    Hello,
    Message,
    State,
    Tally,
    Turnout,
    Vote,
    Welcome,
    decode,
    encode,
)
from server.hosting import HubRunner
from server.hub import Hub
from tests.conftest import HOST_TOKEN, counting_tokens

COPROTERM = (sys.executable, "-m", "coproterm")
"""The command as a user runs it, in a process of its own."""


@dataclass
class RunningHub:
    hub: Hub
    url: str

    @property
    def session(self) -> Session:
        return self.hub.session


@contextlib.asynccontextmanager
async def running_hub(session: Session | None = None, **options) -> AsyncIterator[RunningHub]:
    """A real hub on 127.0.0.1, port 0, with deterministic tokens."""
    runner = HubRunner(
        session or Session(default_deck(), HOST_TOKEN, counting_tokens()),
        HOST_TOKEN,
        "127.0.0.1",
        0,
    )
    for name, value in options.items():
        setattr(runner.hub, name, value)
    async with runner as hosted:
        yield RunningHub(hosted.hub, hosted.local_url)


@dataclass
class Peer:
    """A raw protocol client that keeps the latest state and tally it heard."""

    socket: ClientConnection
    welcome: Welcome | None = None
    state: State | None = None
    tally: Tally | None = None
    turnout: Turnout | None = None
    attendance: Attendance | None = None
    replies: list[Message] = field(default_factory=list)
    seq: int = 0

    async def send(self, message: Message) -> None:
        await self.socket.send(encode(message))

    async def recv(self, timeout: float = 5.0) -> Message:
        message = decode(await asyncio.wait_for(self.socket.recv(), timeout))
        if isinstance(message, State):
            self.state = message
        elif isinstance(message, Tally):
            self.tally = message
        elif isinstance(message, Turnout):
            self.turnout = message
        elif isinstance(message, Attendance):
            self.attendance = message
        return message

    async def reply(self, timeout: float = 5.0) -> Message:
        """The next answer to something this peer sent (a welcome, ack, error or ballot), past the updates."""
        while True:
            message = await self.recv(timeout)
            if isinstance(message, (Welcome, Ack, Error, Ballot)):
                return message

    async def request(self, make) -> Message:
        """Send a message built from a fresh seq; return the ack or error for it."""
        self.seq += 1
        await self.send(make(self.seq))
        message = await self.reply()
        assert isinstance(message, (Ack, Error)) and message.seq == self.seq, message
        return message

    async def until(self, predicate, timeout: float = 5.0) -> None:
        """Read updates until ``predicate(self)`` holds."""
        async with asyncio.timeout(timeout):
            while not predicate(self):
                await self.recv(timeout)


NO_SUCH_QUESTION = MAX_QUESTIONS
"""A question no deck has (the wire's bound; a deck's questions are numbered below it): a vote on it is
refused and changes nothing (see :func:`heard_until_answered`)."""


async def heard_until_answered(peer: Peer) -> list[Message]:
    """Everything the hub had written to ``peer`` before it read a request sent now, in order.

    The request is a vote on :data:`NO_SUCH_QUESTION`: refused (no such question; a host's, hosts do not
    vote), it changes nothing. The hub writes one
    connection's frames in order, so whatever it wrote to ``peer`` before reading the vote arrives before
    the refusal: with a :meth:`Hub.flush` just before, "nothing arrived" is asked of the hub, not of the clock.
    """
    peer.seq += 1
    seq = peer.seq
    await peer.send(Vote(seq, NO_SUCH_QUESTION, 0))
    heard: list[Message] = []
    while True:
        message = await peer.recv()
        if isinstance(message, Error) and message.seq == seq:
            assert message.refusal in (Refusal.NO_SUCH_QUESTION, Refusal.HOSTS_DO_NOT_VOTE), message
            return heard
        heard.append(message)


def dial(url: str, source: str | None = None, **options):
    """A raw websocket connection, from ``source`` (another loopback address, 127.0.0.2…) if given:
    the hub's limits apply to every address but its own (127.0.0.1)."""
    if source is not None:
        options["local_addr"] = (source, 0)
    return connect(url, compression=None, max_size=2**20, **options)


async def join(url: str, hello: Hello | None = None, source: str | None = None) -> Peer:
    # No max_queue: a peer that has not read every update can still close at once (a full queue would
    # stop it reading the server's close frame until close_timeout).
    peer = Peer(await dial(url, source, max_queue=None))
    await peer.send(hello or Hello(name="Ann"))
    welcome = await peer.reply()
    assert isinstance(welcome, Welcome), welcome
    peer.welcome = welcome
    return peer


async def join_host(url: str) -> Peer:
    return await join(url, Hello(host_token=HOST_TOKEN))


@dataclass
class ServedHub:
    """A `coproterm serve` in a process of its own: where to reach it, and what it said on stderr once stopped."""

    url: str
    token: str
    stderr: str = ""


@contextlib.asynccontextmanager
async def serve_resumed(data_dir: Path, session_id: str) -> AsyncIterator[ServedHub]:
    """`coproterm serve --resume SESSION` on 127.0.0.1 (no SSH, no mDNS) until the block ends, then Ctrl-C.

    ``stderr`` holds what it wrote, once the block has ended and the process with it.
    """
    process = await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "coproterm", "serve", "--resume", session_id, "--host", "127.0.0.1", "--port", "0"),
        *("--ssh-port", "0", "--no-mdns", "--data-dir", str(data_dir)),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert process.stdout is not None
    served: ServedHub | None = None
    try:
        text = ""
        async with asyncio.timeout(30):
            while "Ctrl-C" not in text:
                line = (await process.stdout.readline()).decode()
                if not line:
                    _, err = await process.communicate()
                    raise AssertionError(f"serve exited: {text} {err.decode()}")
                text += line
        address, token = re.search(r"coproterm join (\S+)", text), re.search(r"host token: (\S+)", text)
        assert address is not None and token is not None, text
        served = ServedHub("ws://" + address.group(1), token.group(1))
        yield served
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGINT)
            _, err = await asyncio.wait_for(process.communicate(), 30)
            if served is not None:
                served.stderr = err.decode()


async def start_serve(*args: str) -> tuple[asyncio.subprocess.Process, str, str]:
    """Start `coproterm serve` on a free port; return it, its join target and its host token."""
    process, target, token, _ = await start_serve_saying(*args)
    return process, target, token


async def start_serve_saying(
    *args: str, stdin_text: str | None = None
) -> tuple[asyncio.subprocess.Process, str, str, str]:
    """As :func:`start_serve`, with what it printed before serving (and ``stdin_text`` fed to it)."""
    process = await asyncio.create_subprocess_exec(
        *COPROTERM,
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        "0",
        *args,
        stdin=asyncio.subprocess.PIPE if stdin_text is not None else asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    if stdin_text is not None:
        process.stdin.write(stdin_text.encode())
        process.stdin.close()
    lines = []
    async with asyncio.timeout(20):
        while not lines or "Ctrl-C" not in lines[-1]:
            line = (await process.stdout.readline()).decode()
            if not line:
                raise AssertionError(f"serve stopped: {(await process.stderr.read()).decode()}")
            lines.append(line)
    text = "".join(lines)
    target = re.search(r"coproterm join (\S+)", text).group(1)
    token = re.search(r"host token: (\S+)", text).group(1)
    return process, target, token, text


async def start_serve_in(data: Path, *args: str, port: int = 0) -> tuple[asyncio.subprocess.Process, str, str]:
    """`coproterm serve` keeping its sessions in ``data``: the process, its join target and its host token."""
    process = await asyncio.create_subprocess_exec(
        *COPROTERM,
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--data-dir",
        str(data),
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
    )
    text = ""
    async with asyncio.timeout(20):
        while "Ctrl-C" not in text:
            line = (await process.stdout.readline()).decode()
            if not line:
                raise AssertionError(f"serve exited: {text}")
            text += line
    return (
        process,
        re.search(r"coproterm join (\S+)", text).group(1),
        re.search(r"host token: (\S+)", text).group(1),
    )


async def start_serve_printing_in(data: Path, *args: str, port: int = 0) -> tuple[asyncio.subprocess.Process, str]:
    """`coproterm serve` keeping its sessions in ``data`` (SSH on a free port, no mDNS): the process, and what it
    printed up to "Ctrl-C"."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "coproterm",
        "serve",
        *("--host", "127.0.0.1", "--port", str(port), "--data-dir", str(data), "--ssh-port", "0", "--no-mdns"),
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
    )
    text = ""
    async with asyncio.timeout(20):
        while "Ctrl-C" not in text:
            line = (await process.stdout.readline()).decode()
            assert line, f"serve exited: {text}"
            text += line
    return process, text


async def goto(host: Peer, question: int) -> None:
    """The host moves the room to ``question``."""
    await host.request(lambda s: Command(s, Action.GOTO, question))
