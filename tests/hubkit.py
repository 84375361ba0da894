"""Test helpers: a real hub on 127.0.0.1:0 and raw protocol clients."""

from __future__ import annotations

import asyncio
import contextlib
import re
import signal
import sys
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path

from websockets.asyncio.client import ClientConnection, connect

from coproterm.core.client_messages import Command, Hello, Vote
from coproterm.core.deck import default_deck
from coproterm.core.hub_messages import Ack, Attendance, Ballot, Error, State, Tally, Turnout, Welcome
from coproterm.core.refusals import Refusal
from coproterm.core.session import Session
from coproterm.core.wire import Message, decode, encode
from coproterm.core.wire_terms import MAX_QUESTIONS, Action
from coproterm.server.hub import Hub
from coproterm.server.hub_runner import HubRunner
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
    """A `coproterm serve` in a process of its own: what it printed until it served, where to reach it, and
    what it printed after and on stderr (read all along, so a chatty hub never waits on a full pipe)."""

    process: asyncio.subprocess.Process
    said: str
    """Its standard output up to the line that says Ctrl-C stops it."""
    _out: bytearray
    _err: bytearray
    _readers: tuple[asyncio.Task[None], ...]

    @property
    def stdout(self) -> str:
        """What it printed after :attr:`said` (all of it once :meth:`stop` has returned)."""
        return self._out.decode(errors="replace")

    @property
    def stderr(self) -> str:
        """What it wrote on stderr (all of it once :meth:`stop` has returned)."""
        return self._err.decode(errors="replace")

    @property
    def target(self) -> str:
        """What a person types after `coproterm join` (host:port)."""
        found = re.search(r"coproterm join (\S+)", self.said)
        assert found is not None, self.said
        return found.group(1)

    @property
    def url(self) -> str:
        return "ws://" + self.target

    @property
    def port(self) -> int:
        return int(self.target.rsplit(":", 1)[1])

    @property
    def token(self) -> str:
        found = re.search(r"host token: (\S+)", self.said)
        assert found is not None, self.said
        return found.group(1)

    async def stop(self, how: signal.Signals = signal.SIGINT, timeout: float = 20) -> int:
        """Send ``how`` (Ctrl-C unless told; SIGKILL pulls the plug) if it still runs, wait for it to end and
        for what it printed; its exit code."""
        if self.process.returncode is None:
            self.process.send_signal(how)
        code = await asyncio.wait_for(self.process.wait(), timeout)
        if how == signal.SIGKILL:  # nothing more to read: its SSH workers may hold its pipes a moment longer
            for reader in self._readers:
                reader.cancel()
        else:
            await asyncio.wait_for(asyncio.gather(*self._readers), timeout)
        return code


async def _read_into(stream: asyncio.StreamReader, into: bytearray) -> None:
    while chunk := await stream.read(65536):
        into += chunk


async def start_serve(
    *args: str,
    data: Path | None = None,
    port: int = 0,
    stdin_text: str | None = None,
    preexec_fn: Callable[[], None] | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 30,
) -> ServedHub:
    """`coproterm serve` on 127.0.0.1, the one way the tests and benches start a hub in a process of its own.

    ``data``: its --data-dir (none: the one conftest gives each test); ``port``: its websocket port (0: a free
    one; the same again to resume where a killed hub was); ``args``: any other options, as a person types them
    (``--ssh-port 0 --no-mdns`` for no SSH and no mDNS); ``stdin_text``: what is typed to it; ``preexec_fn``:
    run in the child before it starts (an rlimit); ``env``: its whole environment (the test's if None). Returns once it says Ctrl-C stops it; stop it with
    :meth:`ServedHub.stop`.
    """
    where = ("--data-dir", str(data)) if data is not None else ()
    process = await asyncio.create_subprocess_exec(
        *COPROTERM,
        *("serve", "--host", "127.0.0.1", "--port", str(port), *where, *args),
        stdin=asyncio.subprocess.PIPE if stdin_text is not None else asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        preexec_fn=preexec_fn,
        env=env,
    )
    assert process.stdout is not None and process.stderr is not None
    err = bytearray()
    err_reader = asyncio.create_task(_read_into(process.stderr, err))
    if stdin_text is not None:
        assert process.stdin is not None
        process.stdin.write(stdin_text.encode())
        process.stdin.close()
    said = ""
    try:
        async with asyncio.timeout(timeout):
            while "Ctrl-C" not in said:
                line = (await process.stdout.readline()).decode()
                if not line:
                    await process.wait()
                    await err_reader
                    raise AssertionError(f"serve stopped before serving: {said}{err.decode(errors='replace')}")
                said += line
    except BaseException:
        if process.returncode is None:
            process.kill()
            await process.wait()
        err_reader.cancel()
        raise
    out = bytearray()
    return ServedHub(process, said, out, err, (asyncio.create_task(_read_into(process.stdout, out)), err_reader))


async def goto(host: Peer, question: int) -> None:
    """The host moves the room to ``question``."""
    await host.request(lambda s: Command(s, Action.GOTO, question))
