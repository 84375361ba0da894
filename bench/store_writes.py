"""The session log's writing cost per vote, through the real store (SQLite, WAL, synchronous=FULL).

    python -m bench.store_writes [--votes 2000] [--runs 3]

Three figures, each the median of ``--runs``: one vote per commit (every vote waits for its own
fsync: a quiet room), bursts of 50 votes arriving together (group commit: a busy room), and the
written answers' worst case (one answer rewritten again and again, its old versions pruned).
Printed as votes per second and microseconds per vote; nothing is asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from coproterm.core.deck import deck_to_data, default_deck
from coproterm.core.events import Answered, Event, Joined, Voted
from coproterm.server.store import SessionStore

PEOPLE = 50


async def _timed(folder: Path, votes: int, burst: int, answers: bool) -> float:
    deck = default_deck()
    store = SessionStore.create(folder, deck_to_data(deck), deck.title, "tok")
    store.start()
    await store.append([Joined(n, n.to_bytes(16, "big"), f"p{n}") for n in range(1, PEOPLE + 1)])

    def event(i: int) -> Event:
        person = i % PEOPLE + 1
        if answers:
            return Answered(person, 0, 0, person, f"answer {i}")
        return Voted(person, 1 + i % 2, i % 7)

    start = time.perf_counter()
    for first in range(0, votes, burst):
        await asyncio.gather(*(store.append([event(i)]) for i in range(first, min(first + burst, votes))))
    elapsed = time.perf_counter() - start
    await store.close()
    return elapsed


def measure(votes: int, burst: int, answers: bool, runs: int) -> float:
    times = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory(dir=Path.cwd()) as folder:
            times.append(asyncio.run(_timed(Path(folder), votes, burst, answers)))
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--votes", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    for label, burst, answers, votes in (
        ("one vote per commit", 1, False, args.votes // 4),
        ("bursts of 50 votes", 50, False, args.votes),
        ("one answer rewritten, bursts of 50", 50, True, args.votes),
    ):
        elapsed = measure(votes, burst, answers, args.runs)
        print(f"{label:38} {votes / elapsed:9,.0f} votes/s {elapsed / votes * 1e6:8.1f} us/vote")


if __name__ == "__main__":
    main()
