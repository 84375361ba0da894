"""SSH workers' memory under churn: `python -m bench.ssh_churn --seconds 120`.

A hub with its SSH workers in a process of its own; six SSH identities from
127.0.0.2 connect, wait a second for their screen, leave, and connect again, for
``--seconds``. The workers' resident memory together is printed every
``--every`` seconds, and once more after the churn stops: flat once the first
apps are collected (server/ssh/guards.py) means finished apps no longer pile up.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import time

from bench.loadgen import HubProcess
from bench.ssh_attacks import churn, worker_rss_kib


def _churn(url: str, seconds: float, port: int) -> None:
    asyncio.run(churn(url, time.monotonic() + seconds, port))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=120.0, help="how long the churn runs")
    parser.add_argument("--every", type=float, default=10.0, help="seconds between memory readings")
    args = parser.parse_args()
    context = multiprocessing.get_context("spawn")
    with HubProcess("hub", limited=True, ssh=True) as hub:
        time.sleep(2)
        started = time.monotonic()
        print(f"t=0 s: workers {worker_rss_kib(hub.pid) // 1024} MB", flush=True)
        attacker = context.Process(target=_churn, args=(hub.url, args.seconds, hub.ssh_port))
        attacker.start()
        while attacker.is_alive():
            attacker.join(args.every)
            print(f"t={time.monotonic() - started:.0f} s: workers {worker_rss_kib(hub.pid) // 1024} MB", flush=True)
        time.sleep(25)  # the last sessions end and their apps are collected
        print(f"t={time.monotonic() - started:.0f} s (churn over): workers {worker_rss_kib(hub.pid) // 1024} MB")


if __name__ == "__main__":
    main()
