"""Milliseconds of a core each SSH viewer costs its worker when the host changes question.

``python -m bench.ssh_worker_cpu [--viewers 100] [--rounds 2]``: the hub with one SSH worker
process (the real ``coproterm.server.ssh.worker``), that many SSH viewers at 80 x 24, and the host walking
the room's changes (``bench.ssh_sessions.ROOM_CHANGES``: the next scale, the spectrum, the grid,
the spectrum, an open answer, the spectrum). For each change, the worker's CPU time (user and
system, from /proc) from the host's command until every screen has shown something new and then
nothing for half a second, divided by the viewers; the median over the rounds is printed. The
figures "in a worker" of docs/performance.md's SSH section come from here: 200 screens within 2 s
on two cores leave each viewer about 20 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
from pathlib import Path

from bench.ssh_sessions import (
    FIRST_SCREEN,
    ROOM_CHANGES,
    SPECTRUM,
    SPECTRUM_PROMPT,
    HostWatch,
    RoomHub,
    open_viewer,
    settle,
    until_more,
    until_shown,
)
from coproterm.core.client_messages import Command, Hello
from coproterm.core.wire_terms import Action
from tests.hubkit import join


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def worker_of(hub_pid: int) -> int:
    """The hub's one SSH worker (its only child process)."""
    (worker,) = [
        int(child)
        for task in Path(f"/proc/{hub_pid}/task").iterdir()
        for child in (task / "children").read_text().split()
    ]
    return worker


async def measure(count: int, rounds: int) -> dict[str, list[float]]:
    """For each change, in order, the worker's milliseconds of a core per viewer, one per round."""
    labels = [f"{n}. {kind}: {words}" for n, (kind, _, words) in enumerate(ROOM_CHANGES, 1)]
    costs: dict[str, list[float]] = {label: [] for label in labels}
    with RoomHub(1) as hub:
        await asyncio.sleep(1.0)
        sessions = []
        for first in range(0, count, 25):
            sessions += await asyncio.gather(
                *(open_viewer(hub.ssh_port, f"p{i}") for i in range(first, min(first + 25, count)))
            )
        viewers = [viewer for _, viewer, _ in sessions]
        await asyncio.gather(*(until_shown(v, FIRST_SCREEN) for v in viewers))
        await settle(viewers)
        worker = worker_of(hub.pid)
        host = HostWatch(await join(hub.url, Hello(host_token=hub.token)))
        await host.command(lambda s: Command(s, Action.GOTO, SPECTRUM))
        await asyncio.gather(*(until_shown(v, SPECTRUM_PROMPT) for v in viewers))
        await settle(viewers)
        for _ in range(rounds):
            for label, (_, question, _) in zip(labels, ROOM_CHANGES, strict=True):
                marks = [len(v.received) for v in viewers]
                before = cpu_seconds(worker)
                await host.command(lambda s, q=question: Command(s, Action.GOTO, q))
                await asyncio.gather(*(until_more(v, m) for v, m in zip(viewers, marks, strict=True)))
                await settle(viewers, quiet=0.5, limit=60)
                costs[label].append(1000 * (cpu_seconds(worker) - before) / count)
        for connection, _, _ in sessions:
            connection.close()
        await host.close()
    return costs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--viewers", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    costs = asyncio.run(measure(args.viewers, args.rounds))
    print(f"{args.viewers} SSH viewers on one worker: ms of a core per viewer, each change (median of {args.rounds})")
    for change, values in costs.items():
        print(f"  {change:<50} {statistics.median(values):5.1f}  ({', '.join(f'{v:.1f}' for v in values)})")


if __name__ == "__main__":
    main()
