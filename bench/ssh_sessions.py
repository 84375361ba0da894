"""SSH participants: server memory per session, bytes per screen, CPU per redraw.

    python -m bench.ssh_sessions [--counts 50 200]

The hub and its SSH gateway run in a process of their own; the sessions are
real SSH sessions with a pty (asyncssh as the client, in this process, which is
lighter than hundreds of OpenSSH processes; the gateway cannot tell them apart).
Every figure is printed; bench/suite.py adds them to docs/performance.md.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import asyncssh

from bench.loadgen import HubProcess
from coproterm.core.wire import Action, Command, Hello, Vote
from tests.hubkit import join

SPECTRUM = 1
SPECTRUM_PROMPT = b"spectrum of interactions?"
NEXT_BOARD, NEXT_PROMPT = 2, b"new opportunity"
FIRST_SCREEN = b"co-production mean to you"


@dataclass
class Viewer:
    """One SSH session's screen, as bytes received."""

    received: bytearray = field(default_factory=bytearray)
    changed: asyncio.Event = field(default_factory=asyncio.Event)


class _Session(asyncssh.SSHClientSession):  # type: ignore[type-arg]
    def __init__(self, viewer: Viewer) -> None:
        self.viewer = viewer

    def data_received(self, data: bytes, datatype: object) -> None:
        self.viewer.received += data
        self.viewer.changed.set()


class _Client(asyncssh.SSHClient):
    """Answers the gateway's keyboard-interactive round (no questions, when no passcode is set)."""

    def kbdint_auth_requested(self) -> str:
        return ""

    def kbdint_challenge_received(
        self, name: str, instructions: str, lang: str, prompts: list[tuple[str, bool]]
    ) -> list[str]:
        return [""] * len(prompts)


async def open_viewer(port: int, name: str) -> tuple[asyncssh.SSHClientConnection, Viewer, asyncssh.SSHClientChannel]:  # type: ignore[type-arg]
    connection, _ = await asyncssh.create_connection(
        _Client, "127.0.0.1", port, username=name, known_hosts=None, client_keys=None, agent_path=None
    )
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


async def step(
    hub: HubProcess, viewers: list[Viewer], act: Callable[[], Awaitable[object]], shown: bytes
) -> tuple[float, float]:
    """One change on every screen: the bytes each viewer received (median) and the hub's CPU ms per viewer."""
    marks = [len(v.received) for v in viewers]
    cpu_before = hub.cpu_seconds()
    await act()
    await asyncio.gather(*(until_shown(v, shown, since=m) for v, m in zip(viewers, marks, strict=True)))
    await settle(viewers)
    cpu = hub.cpu_seconds() - cpu_before  # settle's quiet time costs the hub next to nothing
    received = statistics.median(len(v.received) - m for v, m in zip(viewers, marks, strict=True))
    return received, 1000 * cpu / len(viewers)


async def until_idle(hub: HubProcess, limit: float = 30) -> None:
    """Wait until the hub uses under 5% of a core over half a second (sessions done closing)."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        before = hub.cpu_seconds()
        await asyncio.sleep(0.5)
        if hub.cpu_seconds() - before < 0.025:
            return


async def measure(*counts: int) -> dict[str, float]:
    """Open sessions up to each of ``counts`` in turn (one hub), reading memory at each; then the bytes and
    CPU of each kind of screen change, with the first ``counts[0]`` sessions (per viewer they do not depend
    on how many watch, and a smaller room keeps the whole suite within its minutes)."""
    memory: dict[int, float] = {}
    with HubProcess("hub", ssh=True) as hub:
        await asyncio.sleep(0.5)
        baseline = hub.rss_kib()
        sessions: list[tuple[asyncssh.SSHClientConnection, Viewer, asyncssh.SSHClientChannel]] = []  # type: ignore[type-arg]
        for count in counts:
            for first in range(len(sessions), count, 25):
                batch = range(first, min(first + 25, count))
                sessions += await asyncio.gather(*(open_viewer(hub.ssh_port, f"p{i}") for i in batch))
            viewers = [viewer for _, viewer, _ in sessions]
            await asyncio.gather(*(until_shown(v, FIRST_SCREEN) for v in viewers))
            await settle(viewers)
            memory[count] = (hub.rss_kib() - baseline) / count
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
        cpu_before = hub.cpu_seconds()
        for i in range(updates):
            await voter.request(lambda s, i=i: Vote(s, SPECTRUM, i % 6))
            await asyncio.sleep(0.6)  # one redraw each: slower than the fan-out and the SSH batching
        await settle(viewers)
        cpu = hub.cpu_seconds() - cpu_before
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--counts", type=int, nargs="+", default=[50, 200])
    args = parser.parse_args()
    figures = asyncio.run(measure(*sorted(args.counts)))
    for count in sorted(args.counts):
        print(f"{count:4} SSH sessions: {figures[f'rss_per_session_kib_{count}']:7.0f} KiB of server memory each")
    print(f"with {figures['count']:.0f} viewers, per viewer: first paint {figures['first_paint_bytes']:,.0f} B")
    for label, kind in STEPS.items():
        print(f"  {label:40} {figures[f'{kind}_bytes']:7,.0f} B  {figures[f'cpu_ms_per_{kind}']:6.1f} ms of hub CPU")
    print(f"  {'casting their own vote':40} {figures['own_vote_bytes']:7,.0f} B")


STEPS = {
    "a question change (discussion to a board)": "question_change",
    "results revealed": "reveal",
    "a board to the next": "next_board",
    "a tally update, results shown": "tally_update",
}


if __name__ == "__main__":
    main()
