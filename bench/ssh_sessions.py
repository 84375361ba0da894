"""SSH participants: server memory per session, bytes per screen, CPU per redraw; and the room.

    python -m bench.ssh_sessions [--counts 50 200]
    python -m bench.ssh_sessions --room [--room-counts 0 50 200]

The gateway runs in its worker processes (the hub's default), so memory and CPU
are the hub's process and its workers together. ``--room`` measures what issue 15
asks: with 0, 50 and 200 SSH participants viewing while the host changes question,
a websocket participant's ack times (voting every 100 ms), the time until every
SSH screen shows the new question, and memory per SSH participant.

The hub and its SSH gateway run in a process of their own; the sessions are
real SSH sessions with a pty (asyncssh as the client, in this process, which is
lighter than hundreds of OpenSSH processes; the gateway cannot tell them apart).
Every figure is printed; bench/suite.py adds them to docs/performance.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import asyncssh
import pyte

from bench.loadgen import HubProcess
from coproterm.core.client_messages import Command, Hello, Vote
from coproterm.core.hub_messages import Ack, Error, Tally
from coproterm.core.wire_terms import Action
from tests.hubkit import Peer, join

SPECTRUM = 1
SPECTRUM_PROMPT = b"spectrum of interactions?"
NEXT_BOARD, NEXT_PROMPT = 2, b"new opportunity"
FIRST_SCREEN = b"co-production mean to you"
ROOM_CHANGES = (
    ("a scale", NEXT_BOARD, "new opportunity to co-produce?"),
    ("a scale", SPECTRUM, "spectrum of interactions?"),
    ("the grid", 4, "and how complex is it?"),
    ("a scale", SPECTRUM, "spectrum of interactions?"),
    ("an open answer", 5, "one reason why we should co-produce"),
    ("a scale", SPECTRUM, "spectrum of interactions?"),
)
"""The room's question changes, every kind of board in the built-in deck, the spectrum every other one (the
probe votes on it), each with words only its screen shows."""
KINDS = tuple(f"all_screens_s_{kind}" for kind in dict.fromkeys(kind for kind, _, _ in ROOM_CHANGES))


@dataclass
class Viewer:
    """One SSH session's screen, as bytes received."""

    received: bytearray = field(default_factory=bytearray)
    changed: asyncio.Event = field(default_factory=asyncio.Event)
    arrivals: list[tuple[float, int]] = field(default_factory=list)
    """When each piece of output arrived, and where it ends in ``received``."""

    def first_showing(self, changes: list[tuple[float, str]]) -> list[float | None]:
        """For each (time of a change, words only its screen shows): seconds until this screen showed the
        words, as the person's terminal draws it (lines joined by a space); None if it never did.

        Read afterwards, off the clock: only what changes is sent, so the bytes alone cannot tell, and a
        terminal emulator fed while measuring would slow the probe that shares this process.
        """
        terminal = pyte.Screen(80, 24)
        stream = pyte.ByteStream(terminal)
        shown: list[float | None] = [None] * len(changes)
        fed = 0
        for arrived, end in self.arrivals:
            stream.feed(bytes(self.received[fed:end]))
            fed = end
            current = sum(1 for started, _ in changes if started <= arrived) - 1
            if current >= 0 and shown[current] is None:
                started, words = changes[current]
                if words in " ".join(line.strip() for line in terminal.display):
                    shown[current] = arrived - started
        return shown


class _Session(asyncssh.SSHClientSession):  # type: ignore[type-arg]
    def __init__(self, viewer: Viewer) -> None:
        self.viewer = viewer

    def data_received(self, data: bytes, datatype: object) -> None:
        self.viewer.received += data
        self.viewer.arrivals.append((time.perf_counter(), len(self.viewer.received)))
        self.viewer.changed.set()


class _Client(asyncssh.SSHClient):
    """Answers the gateway's keyboard-interactive round (no questions, when no passcode is set)."""

    def kbdint_auth_requested(self) -> str:
        return ""

    def kbdint_challenge_received(
        self, name: str, instructions: str, lang: str, prompts: list[tuple[str, bool]]
    ) -> list[str]:
        return [""] * len(prompts)


def _tree(pid: int) -> list[int]:
    """A process and its children (the gateway workers), from /proc."""
    pids = [pid]
    for task in Path(f"/proc/{pid}/task").iterdir():
        children = (task / "children").read_text().split()
        pids += [int(child) for child in children]
    return pids


def tree_rss_kib(pid: int) -> int:
    total = 0
    for each in _tree(pid):
        for line in Path(f"/proc/{each}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total


def tree_cpu_seconds(pid: int) -> float:
    ticks = 0
    for each in _tree(pid):
        fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
        ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def source_address(i: int) -> str:
    """Spread viewers over 127.0.0.2 and up, 10 to an address: the gateway caps sessions per address,
    and connections still logging in at 16 an address (core/vouching.py), which a room opened at once reaches."""
    return f"127.0.0.{2 + i // 10}"


async def open_viewer(port: int, name: str) -> tuple[asyncssh.SSHClientConnection, Viewer, asyncssh.SSHClientChannel]:  # type: ignore[type-arg]
    index = int(name.lstrip("pv") or 0) if name.lstrip("pv").isdigit() else 0
    connection, _ = await asyncssh.create_connection(
        _Client, "127.0.0.1", port, username=name, known_hosts=None, client_keys=None, agent_path=None,
        local_addr=(source_address(index), 0),
    )  # fmt: skip
    viewer = Viewer()
    channel, _ = await connection.create_session(
        lambda: _Session(viewer), term_type="xterm-256color", term_size=(80, 24), encoding=None
    )
    return connection, viewer, channel


async def settle(viewers: list[Viewer], quiet: float = 0.6, limit: float = 30) -> None:
    """Wait until no viewer has received anything for ``quiet`` seconds."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        for viewer in viewers:
            viewer.changed.clear()
        await asyncio.sleep(quiet)
        if not any(viewer.changed.is_set() for viewer in viewers):
            return


async def until_shown(viewer: Viewer, text: bytes, limit: float = 60, since: int = 0) -> None:
    async with asyncio.timeout(limit):
        while viewer.received.find(text, since) < 0:
            viewer.changed.clear()
            await viewer.changed.wait()


async def until_more(viewer: Viewer, mark: int, limit: float = 60) -> None:
    """Wait until ``viewer`` has received more than ``mark`` bytes."""
    async with asyncio.timeout(limit):
        while len(viewer.received) <= mark:
            viewer.changed.clear()
            await viewer.changed.wait()


async def step(
    hub: HubProcess, viewers: list[Viewer], act: Callable[[], Awaitable[object]], shown: bytes
) -> tuple[float, float]:
    """One change on every screen: the bytes each viewer received (median) and the CPU ms per viewer
    (the hub's process and its gateway workers)."""
    marks = [len(v.received) for v in viewers]
    cpu_before = tree_cpu_seconds(hub.pid)
    await act()
    await asyncio.gather(*(until_shown(v, shown, since=m) for v, m in zip(viewers, marks, strict=True)))
    await settle(viewers)
    cpu = tree_cpu_seconds(hub.pid) - cpu_before  # settle's quiet time costs the hub next to nothing
    received = statistics.median(len(v.received) - m for v, m in zip(viewers, marks, strict=True))
    return received, 1000 * cpu / len(viewers)


async def until_idle(hub: HubProcess, limit: float = 30) -> None:
    """Wait until the hub uses under 5% of a core over half a second (sessions done closing)."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        before = tree_cpu_seconds(hub.pid)
        await asyncio.sleep(0.5)
        if tree_cpu_seconds(hub.pid) - before < 0.025:
            return


async def measure(*counts: int) -> dict[str, float]:
    """Open sessions up to each of ``counts`` in turn (one hub), reading memory at each; then the bytes and
    CPU of each kind of screen change, with the first ``counts[0]`` sessions (per viewer they do not depend
    on how many watch, and a smaller room keeps the whole suite within its minutes)."""
    memory: dict[int, float] = {}
    with HubProcess("hub", ssh=True) as hub:
        await asyncio.sleep(0.5)
        baseline = tree_rss_kib(hub.pid)
        sessions: list[tuple[asyncssh.SSHClientConnection, Viewer, asyncssh.SSHClientChannel]] = []  # type: ignore[type-arg]
        for count in counts:
            for first in range(len(sessions), count, 25):
                batch = range(first, min(first + 25, count))
                sessions += await asyncio.gather(*(open_viewer(hub.ssh_port, f"p{i}") for i in batch))
            viewers = [viewer for _, viewer, _ in sessions]
            await asyncio.gather(*(until_shown(v, FIRST_SCREEN) for v in viewers))
            await settle(viewers)
            memory[count] = (tree_rss_kib(hub.pid) - baseline) / count
        first_paint = statistics.median(len(v.received) for v in viewers)
        count = counts[0]
        for connection, _, _ in sessions[count:]:
            connection.close()
        sessions, viewers = sessions[:count], viewers[:count]
        await until_idle(hub)

        host = await join(hub.url, Hello(host_token=hub.token))
        question_change, question_cpu = await step(
            hub, viewers, lambda: host.request(lambda s: Command(s, Action.GOTO, SPECTRUM)), SPECTRUM_PROMPT
        )
        reveal, reveal_cpu = await step(
            hub, viewers, lambda: host.request(lambda s: Command(s, Action.REVEAL, SPECTRUM)), b"Results"
        )

        channel, own = sessions[0][2], viewers[0]
        mark = len(own.received)
        channel.write(b"3\r")  # the first viewer casts a vote of their own
        await until_shown(own, b"counted: information")
        await settle(viewers)
        own_vote = len(own.received) - mark

        voter = await join(hub.url, Hello(name="voter"))
        updates = 5
        marks = [len(v.received) for v in viewers]
        cpu_before = tree_cpu_seconds(hub.pid)
        for i in range(updates):
            await voter.request(lambda s, i=i: Vote(s, SPECTRUM, i % 6))
            await asyncio.sleep(0.6)  # one redraw each: slower than the fan-out and the SSH batching
        await settle(viewers)
        cpu = tree_cpu_seconds(hub.pid) - cpu_before
        per_update = statistics.median((len(v.received) - m) / updates for v, m in zip(viewers, marks, strict=True))

        next_board, next_board_cpu = await step(
            hub, viewers, lambda: host.request(lambda s: Command(s, Action.GOTO, NEXT_BOARD)), NEXT_PROMPT
        )
        for connection, _, _ in sessions:
            connection.close()
        # Close the websockets here, while this loop can answer: the hub's shutdown would
        # otherwise wait for their closing handshakes while this process blocks in HubProcess.__exit__.
        await asyncio.gather(host.socket.close(), voter.socket.close())
    return {
        "count": count,
        **{f"rss_per_session_kib_{n}": kib for n, kib in memory.items()},
        "first_paint_bytes": first_paint,
        "question_change_bytes": question_change,
        "reveal_bytes": reveal,
        "next_board_bytes": next_board,
        "tally_update_bytes": per_update,
        "own_vote_bytes": own_vote,
        "cpu_ms_per_tally_update": 1000 * cpu / (updates * count),
        "cpu_ms_per_question_change": question_cpu,
        "cpu_ms_per_reveal": reveal_cpu,
        "cpu_ms_per_next_board": next_board_cpu,
    }


class HostWatch:
    """The host's connection read all the time: when each tally arrived, and commands answered."""

    def __init__(self, host: Peer) -> None:
        self.host = host
        self.tallies: list[tuple[float, tuple[int, ...]]] = []
        self._answer: asyncio.Future[object] | None = None
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        with contextlib.suppress(Exception):
            while True:
                message = await self.host.recv(timeout=3600)
                if isinstance(message, Tally) and message.question == SPECTRUM:
                    self.tallies.append((time.perf_counter(), tuple(message.counts)))
                elif isinstance(message, (Ack, Error)) and self._answer is not None and not self._answer.done():
                    self._answer.set_result(message)

    async def command(self, make: Callable[[int], object]) -> None:
        self.host.seq += 1
        self._answer = asyncio.get_running_loop().create_future()
        await self.host.send(make(self.host.seq))  # type: ignore[arg-type]
        await asyncio.wait_for(self._answer, 30)

    def shown_after(self, sent: float, cell: int) -> float | None:
        """Seconds from ``sent`` until the host had a tally with the probe's vote on ``cell`` (None when the
        vote changed nothing it could see: the question was not on, or the vote was already there)."""
        before: tuple[int, ...] | None = None
        for arrived, counts in self.tallies:
            if arrived < sent:
                before = counts
            elif before is None or before[cell] == 1:
                return None
            elif counts[cell] == 1:
                return arrived - sent
        return None

    async def close(self) -> None:
        self._reader.cancel()
        await self.host.socket.close()


async def probe_votes(url: str, stop: asyncio.Event, samples: list[tuple[float, float, int | None]]) -> None:
    """A websocket participant voting every 100 ms: (when, ack time in seconds, cell) for each vote."""
    voter = await join(url, Hello(name="probe"), source="127.0.0.250")
    i = 0
    try:
        while not stop.is_set():
            started = time.perf_counter()
            answer = await voter.request(lambda s, i=i: Vote(s, SPECTRUM, i % 6))
            # The cell, or None when the vote was refused (its question is not the one on).
            samples.append((started, time.perf_counter() - started, i % 6 if isinstance(answer, Ack) else None))
            i += 1
            await asyncio.sleep(max(0.0, 0.1 - (time.perf_counter() - started)))
    finally:
        await voter.socket.close()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


class RoomHub(HubProcess):
    """The hub with its SSH gateway in ``workers`` processes (None: the default, one per core up to four)."""

    def __init__(self, workers: int | None) -> None:
        super().__init__("hub", ssh=True)
        self.args = [sys.executable, "-m", "bench.ssh_sessions", "--serve-hub", str(workers or 0)]


async def serve_hub(workers: int) -> None:
    """The hub for RoomHub: prints {"port", "token", "pid", "ssh_port"}, serves until SIGTERM."""
    import json
    import signal
    import tempfile

    from coproterm.core.deck import default_deck
    from coproterm.server.hub_runner import HubRunner, SSHOptions, new_session

    token = "bench-host-token"
    options = SSHOptions(port=0, key_dir=Path(tempfile.mkdtemp()), workers=workers or None)
    runner = HubRunner(new_session(default_deck(), token), token, "127.0.0.1", 0, ssh=options)
    runner.hub.rate = 0
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    async with runner as hosted:
        info = {"port": hosted.port, "token": token, "pid": os.getpid(), "ssh_port": hosted.ssh_port}
        print(json.dumps(info), flush=True)
        await stop.wait()


async def room(count: int, workers: int | None = None) -> dict[str, float]:
    """``count`` SSH participants viewing while the host changes question (:data:`ROOM_CHANGES`)."""
    with RoomHub(workers) as hub:
        await asyncio.sleep(1.0)
        baseline = tree_rss_kib(hub.pid)
        sessions = []
        for first in range(0, count, 25):
            batch = range(first, min(first + 25, count))
            sessions += await asyncio.gather(*(open_viewer(hub.ssh_port, f"p{i}") for i in batch))
        viewers = [viewer for _, viewer, _ in sessions]
        await asyncio.gather(*(until_shown(v, FIRST_SCREEN) for v in viewers))
        await settle(viewers)
        memory = (tree_rss_kib(hub.pid) - baseline) / count if count else 0.0
        host = HostWatch(await join(hub.url, Hello(host_token=hub.token)))
        await host.command(lambda s: Command(s, Action.GOTO, SPECTRUM))
        if viewers:
            await asyncio.gather(*(until_shown(v, SPECTRUM_PROMPT) for v in viewers))
            await settle(viewers)
        stop, samples = asyncio.Event(), []
        prober = asyncio.create_task(probe_votes(hub.url, stop, samples))
        await asyncio.sleep(3)  # a quiet room first
        quiet_until = time.perf_counter()
        changes: list[tuple[float, str]] = []
        for _kind, question, words in ROOM_CHANGES:
            marks = [len(v.received) for v in viewers]
            changes.append((time.perf_counter(), words))
            await host.command(lambda s, q=question: Command(s, Action.GOTO, q))
            await asyncio.gather(*(until_more(v, m) for v, m in zip(viewers, marks, strict=True)))
            await settle(viewers, quiet=1.0, limit=60)  # every screen had something, and then nothing for 1 s
            await asyncio.sleep(3)
        stop.set()
        await prober
        for connection, _, _ in sessions:
            connection.close()
        await host.close()
    # Each change: when the slowest screen showed it.
    screens = [viewer.first_showing(changes) for viewer in viewers]
    for shown in screens:
        for (_, words), seconds in zip(changes, shown, strict=True):
            if seconds is None:
                raise RuntimeError(f"an SSH screen never showed {words!r} (a question it was sent)")
    shown_after = [max((shown[i] or 0.0 for shown in screens), default=0.0) for i in range(len(changes))]
    by_kind: dict[str, float] = {}
    for (kind, _, _), seconds in zip(ROOM_CHANGES, shown_after, strict=True):
        by_kind[kind] = max(by_kind.get(kind, 0.0), seconds)
    quiet = [t for when, t, _ in samples if when < quiet_until]
    busy = [t for when, t, _ in samples if when >= quiet_until]
    # The host's histogram: only while the probe votes on the question shown (SPECTRUM, every other change).
    on_host = [d for when, _, cell in samples if cell is not None and (d := host.shown_after(when, cell)) is not None]
    return {
        "host_p50_ms": 1000 * percentile(on_host, 0.5),
        "host_p99_ms": 1000 * percentile(on_host, 0.99),
        "count": count,
        "quiet_p50_ms": 1000 * percentile(quiet, 0.5),
        "quiet_p99_ms": 1000 * percentile(quiet, 0.99),
        "changes_p50_ms": 1000 * percentile(busy, 0.5),
        "changes_p99_ms": 1000 * percentile(busy, 0.99),
        "changes_max_ms": 1000 * max(busy, default=0.0),
        "all_screens_s_max": max(shown_after, default=0.0),
        "all_screens_s_median": statistics.median(shown_after) if shown_after else 0.0,
        **{f"all_screens_s_{kind}": seconds for kind, seconds in by_kind.items()},
        **{f"all_screens_s_change_{i}": seconds for i, seconds in enumerate(shown_after)},
        "rss_per_participant_kib": memory,
    }


def each_change(figures: dict[str, float]) -> str:
    """Seconds until every SSH screen showed each of the room's changes, in order."""
    return ", ".join(f"{figures.get(f'all_screens_s_change_{i}', 0.0):.1f}" for i in range(len(ROOM_CHANGES)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--counts", type=int, nargs="+", default=[50, 200])
    parser.add_argument("--room", action="store_true", help="the room under question changes (issue 15's figures)")
    parser.add_argument("--room-counts", type=int, nargs="+", default=[0, 50, 200])
    parser.add_argument("--ssh-workers", type=int, help="gateway processes for --room (default: the hub's default)")
    parser.add_argument("--serve-hub", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_hub is not None:
        import resource

        _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(serve_hub(args.serve_hub))
        return
    if args.room:
        print(
            "| SSH viewers | ws ack p50 / p99, quiet | ws ack p50 / p99 / max, question changes "
            "| vote to host's tally p50 / p99 | every SSH screen shows the question (median / max) "
            "| slowest: a scale / the grid / an open answer | each change | memory per SSH participant |"
        )
        print("|---|---|---|---|---|---|---|---|")
        for count in args.room_counts:
            f = asyncio.run(room(count, workers=args.ssh_workers))
            print(
                f"| {count} | {f['quiet_p50_ms']:.1f} / {f['quiet_p99_ms']:.1f} ms "
                f"| {f['changes_p50_ms']:.1f} / {f['changes_p99_ms']:.1f} / {f['changes_max_ms']:.1f} ms "
                f"| {f['host_p50_ms']:.1f} / {f['host_p99_ms']:.1f} ms "
                f"| {f['all_screens_s_median']:.2f} / {f['all_screens_s_max']:.2f} s "
                f"| {' / '.join(f'{f.get(key, 0.0):.2f}' for key in KINDS)} s "
                f"| {each_change(f)} s "
                f"| {f['rss_per_participant_kib'] / 1024:.2f} MB |",
                flush=True,
            )
        return
    figures = asyncio.run(measure(*sorted(args.counts)))
    for count in sorted(args.counts):
        print(f"{count:4} SSH sessions: {figures[f'rss_per_session_kib_{count}']:7.0f} KiB of server memory each")
    print(f"with {figures['count']:.0f} viewers, per viewer: first paint {figures['first_paint_bytes']:,.0f} B")
    for label, kind in STEPS.items():
        print(f"  {label:40} {figures[f'{kind}_bytes']:7,.0f} B  {figures[f'cpu_ms_per_{kind}']:6.1f} ms of CPU")
    print(f"  {'casting their own vote':40} {figures['own_vote_bytes']:7,.0f} B")


STEPS = {
    "a question change (discussion to a board)": "question_change",
    "results revealed": "reveal",
    "a board to the next": "next_board",
    "a tally update, results shown": "tally_update",
}


if __name__ == "__main__":
    main()
