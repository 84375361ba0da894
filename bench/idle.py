"""What an idle room costs the hub: CPU with 2,000 participants connected and nothing happening.

    python -m bench.idle [--participants 2000]

The hub runs in its own process; participants connect from worker processes and
stay. Prints the hub's CPU use over 5 s, as a share of one core.
"""

from __future__ import annotations

import argparse
import time

from bench.figures import with_load
from bench.loadgen import HubProcess, Stats, run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--participants", type=int, default=2000)
    count = parser.parse_args().participants
    with HubProcess("hub") as hub:
        share: dict[str, float] = {}

        def load(on_start) -> Stats:  # type: ignore[no-untyped-def]
            return run(hub.url, count, "hold", duration=7, warmup=0, on_start=on_start)

        def measure(start: float, end: float) -> None:
            time.sleep(max(0.0, start - time.time()) + 1.0)
            before = hub.cpu_seconds()
            time.sleep(5)
            share["cpu"] = (hub.cpu_seconds() - before) / 5

        stats, _ = with_load(load, measure)
    print(f"idle hub, {stats.connected} connected: {100 * share['cpu']:.1f}% of a core")


if __name__ == "__main__":
    main()
