"""The attacks on written answers, the dashboard and the log (issue 27), for `python -m bench.attacks`.

`coproterm host` as it runs (its hub in a process of its own, a headless dashboard on the word
view of 4,992 stuffed answers) while one participant rewrites an answer 9.4 times a second; what
rebuilding the participants' wall costs with 200,000 distinct words; and the session log under
answer rewriting (rows, size, resume and export times).
"""

from __future__ import annotations

import asyncio
import multiprocessing
import statistics
import time
from typing import Any

from bench.attacks import ATTACKER, PROBE
from coproterm.core.client_messages import Answer, Hello
from coproterm.core.hub_messages import Ack
from tests.hubkit import join

# -- `coproterm host`: the dashboard's word view beside a full wall (issue 27, finding 1) -------------------

WHAT = 0
"""The built-in deck's first question takes written answers."""
FILLERS = 1664
"""Participants filling the wall from the hub's own address (exempt from the newcomer limit): 4,992 answers."""


def _stuffed(n: int) -> str:
    """An answer of 200 characters of distinct words (the most a word view has to count)."""
    words, k = [], 0
    while len(" ".join(words)) < 190:
        words.append(f"w{n}x{k}")
        k += 1
    return " ".join(words)[:200]


def _dashboard_host(ready: multiprocessing.Queue, done: Any, dashboard: bool = True) -> None:  # type: ignore[type-arg]
    """`coproterm host` as it runs: its hub in a process of its own, the dashboard (Textual, headless at 100 x 30)
    in this one, on the word view of the wall."""
    import tempfile

    from coproterm.cli import _parser
    from coproterm.commands.hub_process import HubProcess
    from coproterm.tui.host.app import HostApp
    from coproterm.tui.widgets.wall import AnswerWall

    where = ["--host", "127.0.0.1", "--port", "0", "--ssh-port", "0", "--no-mdns", "--data-dir", tempfile.mkdtemp()]
    args = _parser().parse_args(["host", "--deck", "short", *where])
    hub = HubProcess(args)
    hosted, _ = hub.start()
    ready.put((hosted.local_url, hosted.pid))
    app = HostApp(hosted.local_url, hosted.host_token, hosted.join_targets)

    async def drive() -> None:
        if not dashboard:  # the yardstick: the same hub and traffic with no dashboard at all
            while not done.is_set():
                await asyncio.sleep(0.2)
            return
        async with app.run_test(headless=True, size=(100, 30)) as pilot:
            while not app.screen.query(AnswerWall):
                await pilot.pause(0.1)
            app.screen.query_one(AnswerWall).words_view = True
            while not done.is_set():
                await asyncio.sleep(0.2)

    try:
        asyncio.run(drive())
    finally:
        hub.stop()


async def _fill(url: str) -> None:
    async def one(n: int) -> None:
        peer = await join(url, Hello(name=f"f{n}"))
        for slot in range(3):
            await peer.request(lambda s, slot=slot: Answer(s, WHAT, slot, _stuffed(3 * n + slot)))
        await peer.socket.close()

    for start in range(0, FILLERS, 50):
        await asyncio.gather(*(one(n) for n in range(start, min(FILLERS, start + 50))))


def _rewriter(url: str, until: float) -> None:
    """One participant rewriting their answer 9.4 times a second (within the rate limit), word-stuffed."""

    async def run() -> None:
        peer = await join(url, Hello(name="rewriter"), ATTACKER)
        n = 0
        while time.monotonic() < until:
            n += 1
            await peer.send(Answer(n, WHAT, 0, _stuffed(10**6 + n)))
            await asyncio.sleep(1 / 9.4)

    asyncio.run(run())


async def _answer_probe(url: str, seconds: float) -> list[float]:
    """The honest participant on a text question: an edit of their own answer 4 times a second, each ack timed."""
    peer = await join(url, Hello(name="probe"), PROBE)
    times = []
    end = time.monotonic() + seconds
    seq = 0
    while time.monotonic() < end:
        seq += 1
        started = time.perf_counter()
        await peer.send(Answer(seq, WHAT, 0, f"honest answer {seq}"))
        while not isinstance(await peer.reply(timeout=30), Ack):
            pass
        times.append((time.perf_counter() - started) * 1000)
        await asyncio.sleep(max(0, 0.25 - (time.perf_counter() - started)))
    await peer.socket.close()
    return times


def measure_dashboard(seconds: float = 5.0, dashboard: bool = True) -> tuple[str, float, float, float, int, int]:
    """The honest participant's acks while the dashboard of `host` shows the words of 4,992 stuffed answers and
    one participant rewrites theirs 9.4 times a second."""
    context = multiprocessing.get_context("spawn")
    ready, done = context.Queue(), context.Event()
    host = context.Process(target=_dashboard_host, args=(ready, done, dashboard))
    host.start()
    try:
        url, pid = ready.get(timeout=60)
        asyncio.run(_fill(url))
        time.sleep(5)  # the dashboard has caught up with the wall

        def rss() -> int:
            from pathlib import Path

            status = Path(f"/proc/{pid}/status").read_text().splitlines()
            return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))

        before = rss()
        attacker = context.Process(target=_rewriter, args=(url, time.monotonic() + seconds + 1))
        attacker.start()
        time.sleep(0.5)
        times = sorted(asyncio.run(_answer_probe(url, seconds)))
        attacker.join(30)
        after = rss()
    finally:
        done.set()
        host.join(60)
    p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
    name = "host: word view of 4,992 stuffed answers, one rewriting 9.4/s"
    if not dashboard:
        name = "the same hub and traffic with no dashboard (yardstick)"
    print(f"  {len(times)} acks; the slowest: {', '.join(f'{t:.0f}' for t in times[-5:])} ms")
    print(
        f"{name:58} p50 {statistics.median(times):6.1f} ms  p99 {p99:6.1f} ms  hub {before // 1024} -> {after // 1024} MB"
    )
    return (name, statistics.median(times), p99, times[-1], before, after)


# -- the participants' wall with many distinct words, and the log under rewriting ------------------------


def wall_figures() -> None:
    """What rebuilding the participants' revealed wall costs after one change, with 200,000 distinct words."""
    from coproterm.core.answers import AnswerBook
    from coproterm.core.events import Answered

    book = AnswerBook()
    for n in range(5000):
        book.apply(Answered(n // 3, WHAT, n % 3, n + 1, " ".join(f"d{n}w{k}" for k in range(40))))
    costs = []
    for n in range(200):
        book.apply(Answered(0, WHAT, 0, 1, f"change {n} " + " ".join(f"c{n}w{k}" for k in range(30))))
        started = time.perf_counter()
        book.wall()
        costs.append((time.perf_counter() - started) * 1000)
    costs.sort()
    print(
        f"participants' wall rebuilt after a change, {len(book.words):,} distinct words:"
        f" median {statistics.median(costs):.2f} ms, slowest {costs[-1]:.2f} ms"
    )


def log_figures(participants: int = 20, rewrites: int = 10_000) -> None:
    """The session log under answer rewriting: rows and size, resume and export times."""
    import os
    import sqlite3
    import tempfile
    from pathlib import Path

    from coproterm.commands.sessions import render
    from coproterm.core.deck import deck_to_data, default_deck
    from coproterm.core.session import Session
    from coproterm.server.hub_runner import HubRunner, prepare
    from coproterm.server.store import SessionStore

    data = Path(tempfile.mkdtemp())
    deck = default_deck()

    async def run() -> Path:
        store = SessionStore.create(data, deck_to_data(deck), deck.title, "tok")
        runner = HubRunner(Session(deck, "tok", lambda: os.urandom(16)), "tok", "127.0.0.1", 0, store)
        runner.hub.rate = 0  # what 200 people at the allowed rate write in a while, written at once
        async with runner as hosted:
            peers = [await join(hosted.local_url, Hello(name=f"p{i}")) for i in range(participants)]

            async def rewrite(peer, count: int) -> None:  # type: ignore[no-untyped-def]
                for n in range(count):
                    await peer.request(lambda s, n=n: Answer(s, WHAT, n % 3, _stuffed(n)[: 60 + n % 100]))

            await asyncio.gather(*(rewrite(p, rewrites // participants) for p in peers))
        return store.path

    started = time.perf_counter()
    path = asyncio.run(run())
    took = time.perf_counter() - started
    with sqlite3.connect(path) as db:
        rows = db.execute("SELECT COUNT(*) FROM events WHERE answer IS NOT NULL").fetchone()[0]
    size = path.stat().st_size + sum(p.stat().st_size for p in path.parent.glob(path.name + "-*"))
    hours = rewrites / 36_000  # participant-hours: at the allowed rate (10 a second) one writes 36,000 an hour
    started = time.perf_counter()
    prepared = prepare(None, data=data, resume=path.stem)
    resume = time.perf_counter() - started
    assert prepared.store is not None
    prepared.store.release()
    started = time.perf_counter()
    render(path, "csv", quiet=True)
    export = time.perf_counter() - started
    print(
        f"log after {rewrites:,} rewrites ({hours:.2f} participant-hours at the allowed rate) by {participants}"
        f" participants ({took:.1f} s): {rows} answer rows, {size / 1e6:.2f} MB in all;"
        f" resume {resume * 1000:.0f} ms, CSV export {export * 1000:.0f} ms"
    )
