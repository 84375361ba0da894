"""The load generator: simulated participants in worker processes, over real websockets.

Each worker process runs a share of the participants in one asyncio loop; every
participant speaks the real protocol (hello, welcome, votes, acks) to a hub in
another process, so a 2-core machine measures the hub, not its load. Workers
connect, wait at a barrier, run their scenario in a common time window, and
report what they counted.

    from bench.loadgen import HubProcess, run
    with HubProcess("hub") as hub:
        stats = run(hub.url, clients=500, scenario="flood", duration=5)

Scenarios: ``flood`` (vote as fast as acks come back), ``steady`` (each votes at
``rate`` per second, Poisson), ``hold`` (connect and stay), ``workshop`` (follow
the host's questions and vote like people do). The soak and hardening tests reuse
``churn`` (connect, vote, drop, reconnect with the resume token).
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import os
import random
import resource
import socket as stdlib_socket
import struct
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from coproterm.core.boards import Deck
from coproterm.core.client_messages import Answer, Choose, Hello, Mark, Marking, Vote
from coproterm.core.deck import deck_from_data
from coproterm.core.hub_messages import Ack, Error, State, ToMark, Welcome
from coproterm.core.wire import decode, encode
from coproterm.core.wire_terms import MAX_MARKS, Stance
from coproterm.deflate import client_extensions

ROOT = Path(__file__).resolve().parent.parent
HEADER = 52
"""Bytes of IPv4 (20) and TCP (20 + 12 of timestamps) headers on every segment."""


class HubProcess:
    """A hub (or the bare yardstick) in its own process, for the length of a ``with``."""

    def __init__(
        self,
        mode: str = "hub",
        *,
        scale: float = 1.0,
        workshop: bool = False,
        data_dir: str | None = None,
        ssh: bool = False,
        limited: bool = False,
    ) -> None:
        self.args = [sys.executable, "-m", "bench.hubproc", "--mode", mode, "--scale", str(scale)]
        if limited:
            self.args.append("--limited")
        if workshop:
            self.args.append("--workshop")
        if ssh:
            self.args.append("--ssh")
        if data_dir:
            self.args += ["--data-dir", data_dir]

    def __enter__(self) -> HubProcess:
        self.process = subprocess.Popen(self.args, cwd=ROOT, stdout=subprocess.PIPE, text=True)
        info = json.loads(self.process.stdout.readline())  # type: ignore[union-attr]
        self.port, self.token, self.pid, self.ssh_port = info["port"], info["token"], info["pid"], info.get("ssh_port")
        self.url = f"ws://127.0.0.1:{self.port}"
        return self

    def rss_kib(self) -> int:
        """The hub process's resident memory now."""
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        raise RuntimeError("no VmRSS")

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def __exit__(self, *exc: object) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()


@dataclass
class Plan:
    """What every simulated participant does."""

    url: str
    scenario: str
    clients: int
    duration: float = 5.0
    warmup: float = 1.0
    rate: float = 1.0
    question: int = 1
    cells: int = 6
    seed: int = 1


@dataclass
class Stats:
    """What one worker counted (summed over workers by :func:`run`)."""

    connected: int = 0
    acks: int = 0
    refused: int = 0
    sent: int = 0
    frames: Counter[str] = field(default_factory=Counter)
    frame_bytes: Counter[str] = field(default_factory=Counter)
    tcp: Counter[str] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)

    def plain(self) -> dict[str, Any]:
        """For the trip between processes (dataclasses.asdict would rebuild a Counter from its pairs)."""
        return {name: dict(value) if isinstance(value, Counter) else value for name, value in vars(self).items()}

    def add(self, other: dict[str, Any]) -> None:
        self.connected += other["connected"]
        self.acks += other["acks"]
        self.refused += other["refused"]
        self.sent += other["sent"]
        self.frames.update(other["frames"])
        self.frame_bytes.update(other["frame_bytes"])
        self.tcp.update(other["tcp"])
        self.failures += other["failures"][:5]


def run(
    url: str,
    clients: int,
    scenario: str,
    *,
    processes: int | None = None,
    on_start: Callable[[float, float], None] | None = None,
    seed: int = 0,
    **plan: Any,
) -> Stats:
    """Run ``clients`` participants across worker processes; return their summed counts.

    ``on_start(start, end)`` is called with the measured window's wall-clock bounds
    once every participant is connected, for probes that run beside the load.
    Runs with different ``seed`` values make different choices.
    """
    processes = processes or max(1, min(4, clients // 100 or 1))
    shares = [clients // processes + (1 if i < clients % processes else 0) for i in range(processes)]
    context = multiprocessing.get_context("spawn")
    ready, go, results = context.Barrier(processes + 1), context.Value("d", 0.0), context.Queue()
    workers = [
        context.Process(
            target=_worker,
            args=(asdict(Plan(url, scenario, share, seed=seed * processes + i + 1, **plan)), ready, go, results),
        )
        for i, share in enumerate(shares)
    ]
    for worker in workers:
        worker.start()
    ready.wait(timeout=120)
    go.value = time.time() + 0.3
    if on_start is not None:
        settings = Plan(url, scenario, clients, **plan)
        on_start(go.value + settings.warmup, go.value + settings.warmup + settings.duration)
    total = Stats()
    for _ in workers:
        total.add(results.get(timeout=600))
    for worker in workers:
        worker.join(30)
    return total


def _worker(plan: dict[str, Any], ready: Any, go: Any, results: Any) -> None:
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    stats = asyncio.run(_participants(Plan(**plan), ready, go))
    results.put(stats.plain())


async def _participants(plan: Plan, ready: Any, go: Any) -> Stats:
    stats = Stats()
    rng = random.Random(plan.seed)
    people = []
    for first in range(0, plan.clients, 25):  # a room fills quickly, not all in the same millisecond
        batch = range(first, min(first + 25, plan.clients))
        joined = await asyncio.gather(
            *(_Participant.join(plan, stats, f"p{plan.seed}-{i}") for i in batch), return_exceptions=True
        )
        for person in joined:
            if isinstance(person, BaseException):
                stats.failures.append(f"join: {person!r}")
            else:
                people.append(person)
    stats.connected = len(people)
    await asyncio.to_thread(ready.wait, 120)
    while go.value == 0.0:
        await asyncio.sleep(0.01)
    start = go.value + plan.warmup
    end = start + plan.duration
    await asyncio.sleep(max(0.0, go.value - time.time()))
    tasks = [asyncio.create_task(person.act(plan, start, end, random.Random(rng.random()))) for person in people]
    await asyncio.gather(*tasks, return_exceptions=True)
    for person in people:
        stats.tcp.update(person.tcp_totals())
    await asyncio.gather(*(person.close() for person in people), return_exceptions=True)
    return stats


class _Participant:
    """One simulated participant: a socket, a reader, and the behaviour of a scenario."""

    def __init__(self, socket: ClientConnection, stats: Stats, welcome: Welcome) -> None:
        self.socket, self.stats, self.welcome = socket, stats, welcome
        self.answered = asyncio.Event()
        self.state: State | None = None
        self.state_changed = asyncio.Event()
        self.counting = False
        self.seq = 0
        self._deck: Deck | None = None
        self.to_mark: ToMark | None = None
        """The answers the hub last offered this participant to mark, in an agreement round."""
        self.to_mark_changed = asyncio.Event()
        self.reader = asyncio.create_task(self._read())

    @classmethod
    async def join(cls, plan: Plan, stats: Stats, name: str) -> _Participant:
        socket = await connect(
            plan.url,
            compression=None,
            extensions=client_extensions(),  # as `coproterm join` offers
            ping_interval=None,
            max_size=2**20,
            open_timeout=30,
        )
        await socket.send(encode(Hello(name=name, language="en")))  # as `coproterm join` in English asks
        welcome = decode(await asyncio.wait_for(socket.recv(), 30))  # type: ignore[arg-type]
        if not isinstance(welcome, Welcome):
            raise ConnectionError(f"not welcomed: {welcome}")
        return cls(socket, stats, welcome)

    async def _read(self) -> None:
        try:
            async for frame in self.socket:
                message = decode(frame)  # type: ignore[arg-type]
                kind = type(message).__name__
                if self.counting:
                    self.stats.frames[kind] += 1
                    self.stats.frame_bytes[kind] += len(frame) + 2
                if isinstance(message, (Ack, Error)):
                    if self.counting:
                        self.stats.acks += isinstance(message, Ack)
                        self.stats.refused += isinstance(message, Error)
                    self.answered.set()
                elif isinstance(message, State):
                    self.state = message
                    self.state_changed.set()
                elif isinstance(message, ToMark):
                    held = self.to_mark
                    if message.items is None and held is not None and held.question == message.question:
                        message = ToMark(message.question, message.open, held.items, message.left)  # the same offer
                    self.to_mark = message
                    self.to_mark_changed.set()
        except ConnectionClosed:
            pass

    async def vote(self, question: int, choice: int | None) -> None:
        self.seq += 1
        self.answered.clear()
        several = self._deck is not None and self._deck.questions[question].several
        if several:  # a pick-several question: this position, as a Choose
            await self.socket.send(encode(Choose(self.seq, question, 0 if choice is None else 1 << choice)))
        else:
            await self.socket.send(encode(Vote(self.seq, question, choice)))
        if self.counting:
            self.stats.sent += 1
        await self.answered.wait()

    async def answer(self, question: int, text: str) -> None:
        self.seq += 1
        self.answered.clear()
        await self.socket.send(encode(Answer(self.seq, question, 0, text)))
        if self.counting:
            self.stats.sent += 1
        await self.answered.wait()

    async def act(self, plan: Plan, start: float, end: float, rng: random.Random) -> None:
        if plan.scenario == "workshop":
            await self._workshop(plan, end, rng)
            return
        while (now := time.time()) < end:
            self.counting = start <= now
            if plan.scenario == "flood":
                await self.vote(plan.question, rng.randrange(plan.cells))
            elif plan.scenario == "steady":
                await asyncio.sleep(min(rng.expovariate(plan.rate), max(0.0, end - now)))  # the window ends on time
                if time.time() < end:
                    await self.vote(plan.question, rng.randrange(plan.cells))
            else:  # hold
                await asyncio.sleep(min(0.5, max(0.0, end - now)))
        self.counting = False

    async def _workshop(self, plan: Plan, end: float, rng: random.Random) -> None:
        """Vote on each open question like a person: read, think, vote, maybe think again; write an answer on an
        open question, and mark the others' answers while they are open for agreement."""
        marking = asyncio.create_task(self._marking(plan.rate, end, random.Random(rng.random())))
        try:
            await self._voting(plan, end, rng)
        finally:
            marking.cancel()

    async def _marking(self, scale: float, end: float, rng: random.Random) -> None:
        """Each answer offered to mark: read it, think a few seconds, agree, disagree or pass. The marks go as the
        apps send them (coproterm/core/view.py: together, once one answer of the offer or none is left unmarked)."""
        held: list[Marking] = []
        done: set[tuple[int, int]] = set()
        while time.time() < end:
            offered = self.to_mark
            waiting = [a for a, _ in offered.items or () if (offered.question, a) not in done] if offered else []
            if offered is None or not offered.open or not waiting:
                if held and offered is not None and offered.open:
                    await self._send_marks(offered.question, held)
                held = []
                await self.to_mark_changed.wait()
                self.to_mark_changed.clear()
                continue
            await asyncio.sleep(rng.uniform(2, 8) / scale)
            now = self.to_mark
            if now is None or not now.open or now.question != offered.question:
                held = []  # the round closed or moved on meanwhile
                continue
            stance = rng.choice((Stance.AGREE, Stance.AGREE, Stance.DISAGREE, Stance.PASS))
            held.append((waiting[0], stance))
            done.add((offered.question, waiting[0]))
            unmarked = [a for a, _ in now.items or () if (now.question, a) not in done]
            if len(unmarked) <= 1 or len(held) >= MAX_MARKS:
                await self._send_marks(now.question, held)
                held = []

    async def _send_marks(self, question: int, held: list[Marking]) -> None:
        self.seq += 1
        await self.socket.send(encode(Mark(self.seq, question, tuple(held))))
        if self.counting:
            self.stats.sent += 1

    async def _voting(self, plan: Plan, end: float, rng: random.Random) -> None:
        self.counting = True
        done: set[int] = set()
        scale = plan.rate  # how many times faster than real time
        while time.time() < end:
            try:
                await asyncio.wait_for(self.state_changed.wait(), max(0.01, end - time.time()))
            except TimeoutError:
                break
            self.state_changed.clear()
            state = self.state
            if state is None or not state.open or state.current in done:
                continue
            done.add(state.current)
            cells = self.cells(state.current)
            if not cells:
                assert self._deck is not None
                if self._deck.questions[state.current].answers is not None:  # an open question: one answer
                    await asyncio.sleep(rng.uniform(5, 60) / scale)
                    if self.state and self.state.current == state.current and self.state.open:
                        await self.answer(state.current, f"Rhannu grym {rng.randrange(100)}")
                continue
            await asyncio.sleep(rng.uniform(5, 60) / scale)
            if self.state and self.state.current == state.current and self.state.open:
                await self.vote(state.current, rng.randrange(cells))
            if rng.random() < 0.3:
                await asyncio.sleep(rng.uniform(5, 30) / scale)
                if self.state and self.state.current == state.current and self.state.open:
                    await self.vote(state.current, rng.randrange(cells))

    def cells(self, question: int) -> int:
        """How many cells the question's board has (from the deck in the welcome)."""
        if self._deck is None:
            self._deck = deck_from_data(self.welcome.deck)
        return self._deck.questions[question].cells

    def tcp_totals(self) -> Counter[str]:
        """Bytes and segments this socket sent and received, from the kernel (Linux TCP_INFO)."""
        raw = self.socket.transport.get_extra_info("socket")
        try:
            info = raw.getsockopt(stdlib_socket.IPPROTO_TCP, stdlib_socket.TCP_INFO, 232)
            acked, received = struct.unpack_from("QQ", info, 120)
            segs_out, segs_in = struct.unpack_from("II", info, 136)
        except (OSError, struct.error, AttributeError):
            return Counter()
        return Counter(bytes_out=acked, bytes_in=received, segs_out=segs_out, segs_in=segs_in)

    async def close(self) -> None:
        await self.socket.close()
        self.reader.cancel()
