"""No leaks: the hub's memory after 10,000 connect/disconnect cycles, against its baseline.

    python -m bench.leaks [--cycles 10000]

Each cycle is a participant that connects, says hello, votes and leaves. The
baseline is taken after a warm-up of 1,000 cycles (so the allocator and caches
have settled), then RSS is read after every 2,000 more.
"""

from __future__ import annotations

import argparse
import asyncio
import time

from bench.loadgen import HubProcess
from coproterm.core.client_messages import Command, Hello, Vote
from coproterm.core.wire_terms import Action
from tests.hubkit import join

SPECTRUM = 1


PEOPLE = 500
"""The room: the same 500 people come and go, as participants with flaky Wi-Fi do."""
TOKENS: dict[int, bytes] = {}


async def cycles(url: str, count: int, offset: int) -> None:
    async def visit(i: int) -> None:
        person = i % PEOPLE
        peer = await join(url, Hello(name=f"p{person}", resume=TOKENS.get(person)))
        TOKENS[person] = peer.welcome.resume
        await peer.request(lambda s: Vote(s, SPECTRUM, i % 6))
        await peer.socket.close()

    for first in range(0, count, 50):
        await asyncio.gather(*(visit(offset + i) for i in range(first, min(first + 50, count))))


async def run(total: int) -> None:
    with HubProcess("hub") as hub:
        host = await join(hub.url, Hello(host_token=hub.token))
        await host.request(lambda s: Command(s, Action.GOTO, SPECTRUM))
        await cycles(hub.url, 1000, 0)
        await asyncio.sleep(1)
        baseline = hub.rss_kib()
        print(f"baseline after 1,000 warm-up cycles: {baseline / 1024:.1f} MiB", flush=True)
        started, done = time.time(), 0
        while done < total:
            step = min(2000, total - done)
            await cycles(hub.url, step, 1000 + done)
            done += step
            await asyncio.sleep(0.5)
            rss = hub.rss_kib()
            print(f"after {done:,} more cycles: {rss / 1024:.1f} MiB ({(rss - baseline) / 1024:+.1f} MiB)", flush=True)
        print(f"{total:,} connect/disconnect cycles of {PEOPLE} people in {time.time() - started:.0f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cycles", type=int, default=10_000)
    asyncio.run(run(parser.parse_args().cycles))


if __name__ == "__main__":
    main()
