"""The measurements behind `bench/run_all`, one function a figure; bench/suite.py reports them.

Every function starts its hubs in processes of their own (bench.loadgen.HubProcess),
puts load on them from worker processes, and returns medians over ``runs``.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import threading
import time
from collections.abc import Callable
from typing import Any

from bench.first_paint import JOIN_SEEN, join_command, time_to
from bench.hubproc import workshop_deck
from bench.loadgen import HEADER, HubProcess, Stats, run
from coproterm.core.client_messages import Command, Hello, Vote
from coproterm.core.wire_terms import Action
from tests.hubkit import Peer, join

SPECTRUM, GRID = 1, 4
INGEST_SECONDS = 2.0


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


async def _host(url: str, token: str, *commands: tuple[Action, int]) -> Peer:
    host = await join(url, Hello(host_token=token))
    for action, question in commands:
        await host.request(lambda s, a=action, q=question: Command(s, a, q))
    return host


def _prepare(hub: HubProcess, *commands: tuple[Action, int]) -> None:
    async def go() -> None:
        host = await _host(hub.url, hub.token, *commands)
        await host.socket.close()

    asyncio.run(go())


# -- 1. ingest ---------------------------------------------------------------------


def ingest(runs: int) -> dict[str, float]:
    """500 participants voting as fast as acks come back: hub, hub with its log, and a bare server."""
    rates: dict[str, list[float]] = {"bare": [], "hub": [], "log": []}
    ratios, log_ratios = [], []
    with (
        HubProcess("bare") as bare,
        HubProcess("hub") as plain,
        HubProcess("log") as logged,
    ):  # all three up, rounds taken in turn
        hubs = {"bare": bare, "hub": plain, "log": logged}
        _prepare(plain, (Action.GOTO, SPECTRUM))
        _prepare(logged, (Action.GOTO, SPECTRUM))
        for seed in range(runs):
            this_run = {}
            for mode, hub in hubs.items():
                stats = run(hub.url, 500, "flood", duration=INGEST_SECONDS, warmup=0.5, seed=seed)
                this_run[mode] = stats.acks / INGEST_SECONDS
                rates[mode].append(this_run[mode])
            ratios.append(this_run["hub"] / this_run["bare"])
            log_ratios.append(this_run["log"] / this_run["hub"])
    return {
        "bare": median(rates["bare"]),
        "hub": median(rates["hub"]),
        "log": median(rates["log"]),
        "ratio": median(ratios),
        "log_ratio": median(log_ratios),
    }


# -- 2. latency --------------------------------------------------------------------


def with_load(
    load: Callable[[Callable[[float, float], None]], Stats], probe: Callable[[float, float], object]
) -> tuple[Stats, object]:
    """Run a load in a thread and, once it is under way, a probe in this one."""
    window: dict[str, float] = {}
    started = threading.Event()

    def on_start(start: float, end: float) -> None:
        window.update(start=start, end=end)
        started.set()

    result: dict[str, Stats] = {}

    def loaded() -> None:
        try:
            result["stats"] = load(on_start)
        finally:
            started.set()  # a load that failed must not leave the probe waiting

    thread = threading.Thread(target=loaded)
    thread.start()
    started.wait(300)
    if "start" not in window:
        thread.join()
        raise RuntimeError("the load never started")
    outcome = probe(window["start"], window["end"])
    thread.join()
    return result["stats"], outcome


def latency(runs: int) -> dict[str, float]:
    """1,000 connected, 200 votes/s in all: time from a probe's vote to the host's tally showing it."""
    samples: list[float] = []
    with HubProcess("hub") as hub:  # one hub, several runs: each run connects its own 1,000
        _prepare(hub, (Action.GOTO, GRID))

        def probe(start: float, end: float) -> list[float]:
            return asyncio.run(_probe(hub, start, end))

        for seed in range(runs):

            def load(on_start: Callable[[float, float], None], seed: int = seed) -> Stats:
                return run(
                    hub.url,
                    1000,
                    "steady",
                    rate=0.2,
                    cells=23,
                    question=GRID,
                    duration=8,
                    warmup=1,
                    on_start=on_start,
                    seed=seed,
                )

            _, measured = with_load(load, probe)
            samples += measured  # type: ignore[arg-type]
    samples.sort()
    return {
        "p50": 1000 * median(samples),
        "p99": 1000 * samples[min(len(samples) - 1, int(0.99 * len(samples)))],
        "n": len(samples),
    }


async def _probe(hub: HubProcess, start: float, end: float) -> list[float]:
    """Toggle a vote on the one cell nobody else uses; time until the host's tally shows it.

    Probes are spaced 50 to 150 ms apart at random, so they fall anywhere in the host's
    50 ms fan-out cycle: a fixed spacing could lock onto its phase and flatter the figure.
    """
    spacing = random.Random(7)
    host = await _host(hub.url, hub.token)
    probe = await join(hub.url, Hello(name="probe"))
    await host.until(lambda p: p.tally is not None and p.tally.question == GRID)
    base = host.tally.counts[23]  # only probes use cell 23: whatever an earlier run left there
    await asyncio.sleep(max(0.0, start - time.time()))
    times = []
    voted = False
    while time.time() < end - 0.5:
        voted = not voted
        sent = time.perf_counter()
        await probe.send(Vote(len(times) + 1, GRID, 23 if voted else None))
        await host.until(lambda p, v=voted: p.tally.counts[23] == base + v, timeout=5)
        times.append(time.perf_counter() - sent)
        await asyncio.sleep(spacing.uniform(0.05, 0.15))
    await host.socket.close()
    await probe.socket.close()
    return times


# -- 3. fan-out under a storm -------------------------------------------------------


def storm(runs: int) -> dict[str, float]:
    """1,000 participants, results revealed, each changing their vote about once a second."""
    frames, data, acks = [], [], []
    duration = 3.0
    fan_out = ("State", "Tally", "Turnout")
    with HubProcess("hub") as hub:
        _prepare(hub, (Action.GOTO, SPECTRUM), (Action.REVEAL, SPECTRUM))
        for seed in range(runs):
            stats = run(hub.url, 1000, "steady", rate=1.0, duration=duration, warmup=0.5, seed=seed)
            per = stats.connected * duration
            frames.append(sum(stats.frames[k] for k in fan_out) / per)
            data.append(sum(stats.frame_bytes[k] for k in fan_out) / per)
            acks.append(stats.frames["Ack"] / per)
    return {"frames": median(frames), "bytes": median(data), "acks": median(acks)}


# -- 4. a workshop's worth of bandwidth ------------------------------------------------


def workshop(scale: float, runs: int) -> dict[str, float]:
    """A one-hour workshop, played ``scale`` times faster: the built-in workshop's questions, 30 participants; a fresh hub each run."""
    figures: dict[str, list[float]] = {
        "received": [],
        "sent": [],
        "payload_in": [],
        "segments": [],
        "votes": [],
        "to_mark": [],
        "to_mark_bytes": [],
    }
    for seed in range(runs):
        for name, value in _one_workshop(scale, seed).items():
            figures[name].append(value)
    return {name: median(values) for name, values in figures.items()}


def _one_workshop(scale: float, seed: int) -> dict[str, float]:
    hour = 3600 / scale
    with HubProcess("hub", scale=scale, workshop=True) as hub:

        def load(on_start: Callable[[float, float], None]) -> Stats:
            return run(hub.url, 30, "workshop", rate=scale, duration=hour, warmup=0, on_start=on_start, seed=seed)

        def facilitate(start: float, end: float) -> None:
            asyncio.run(_facilitate(hub, start, end))

        stats, _ = with_load(load, facilitate)
    people = stats.connected
    return {
        "received": (stats.tcp["bytes_in"] + HEADER * stats.tcp["segs_in"]) / people,
        "sent": (stats.tcp["bytes_out"] + HEADER * stats.tcp["segs_out"]) / people,
        "payload_in": stats.tcp["bytes_in"] / people,
        "segments": (stats.tcp["segs_in"] + stats.tcp["segs_out"]) / people,
        "votes": stats.sent / people,
        "to_mark": stats.frames["ToMark"] / people,
        "to_mark_bytes": stats.frame_bytes["ToMark"] / people,
    }


def agreement_question(deck: dict[str, Any]) -> int:
    """The question a workshop-hour holds its one agreement round on: the deck's first open question."""
    return next(i for i, q in enumerate(deck["questions"]) if q.get("answers") == "text")


async def _facilitate(hub: HubProcess, start: float, end: float) -> None:
    """Every question of the workshop in the hour: two thirds of each step voting, lock, reveal, a third of talk;
    on the first open question, the room's answers open for agreement for the second third."""
    host = await _host(hub.url, hub.token)
    count = len(workshop_deck()["questions"])
    step = (end - start) / count
    await asyncio.sleep(max(0.0, start - time.time()))
    agreeing = agreement_question(workshop_deck())
    for question in range(count):
        await host.request(lambda s, q=question: Command(s, Action.GOTO, q))
        if question == agreeing:  # one agreement round: answers written, then marked, then talked through
            await asyncio.sleep(step * 2 / 6)
            await host.request(lambda s, q=question: Command(s, Action.AGREE, q))
            await asyncio.sleep(step * 2 / 6)
            await host.request(lambda s, q=question: Command(s, Action.END_AGREE, q))
        else:
            await asyncio.sleep(step * 4 / 6)
        await host.request(lambda s, q=question: Command(s, Action.LOCK, q))
        await host.request(lambda s, q=question: Command(s, Action.REVEAL, q))
        await asyncio.sleep(step * 2 / 6)
    await host.socket.close()


# -- 5. memory per participant -----------------------------------------------------------


def memory(runs: int, *counts: int) -> dict[int, float]:
    """KiB of hub memory per connected participant (RSS growth / connections) at each count: medians of runs."""
    readings: dict[int, list[float]] = {count: [] for count in counts}
    for seed in range(runs):
        for count, kib in _memory_once(seed, counts).items():
            readings[count].append(kib)
    return {count: median(values) for count, values in readings.items()}


def _memory_once(seed: int, counts: tuple[int, ...]) -> dict[int, float]:
    """One fresh hub, each count connected in turn."""
    per: dict[int, float] = {}
    with HubProcess("hub") as hub:
        _prepare(hub, (Action.GOTO, SPECTRUM))
        time.sleep(0.5)
        baseline = hub.rss_kib()
        for count in counts:
            reading: dict[str, int] = {}

            def load(on_start: Callable[[float, float], None], count: int = count) -> Stats:
                return run(hub.url, count, "hold", duration=1.5, warmup=0, on_start=on_start, seed=seed)

            def measure(start: float, end: float, reading: dict[str, int] = reading) -> None:
                time.sleep(max(0.0, start - time.time()) + 1.0)  # all connected before the start: a second to settle
                reading["rss"] = hub.rss_kib()

            stats, _ = with_load(load, measure)
            per[count] = (reading["rss"] - baseline) / stats.connected
            time.sleep(1.0)  # the previous crowd has left; the next is measured on its own
    return per


# -- 6. client start -----------------------------------------------------------------


def client_start(runs: int) -> dict[str, float]:
    """`coproterm join` in a real terminal (a pty, 80 x 24): time to first paint, and its RSS then."""
    times, sizes = [], []
    with HubProcess("hub") as hub:
        for _ in range(runs):
            elapsed, rss = _first_paint(hub.port)
            times.append(elapsed)
            sizes.append(rss)
    return {"seconds": median(times), "rss_mib": median(sizes) / 1024}


def _first_paint(port: int) -> tuple[float, int]:
    return time_to(join_command(port), JOIN_SEEN)
