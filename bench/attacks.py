"""A normal participant's ack times while one participant attacks the hub: `python -m bench.attacks`.

The hub runs in a process of its own with its real limits. An honest probe on
127.0.0.3 votes 4 times a second and times each ack; each attack runs from
127.0.0.2 in another process (so it does not share the probe's event loop) for
a few seconds. The yardstick (issue 13): probe p99 under 100 ms, the hub's
memory bounded, nothing lost. Prints a markdown table for docs/security.md.

Also (issue 27): `coproterm host` as it runs (its hub in a process of its own, a
headless dashboard on the word view of 4,992 stuffed answers) while one
participant rewrites an answer 9.4 times a second; what rebuilding the
participants' wall costs with 200,000 distinct words; and the session log under
answer rewriting (rows, size, resume and export). ``--only`` runs one part.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import statistics
import time
from collections.abc import Callable
from typing import Any

from bench.loadgen import HubProcess
from coproterm.core.wire import Ack, Action, Answer, Command, Hello, Message, Vote, encode
from tests.hubkit import dial, join

ATTACKER, PROBE = "127.0.0.2", "127.0.0.3"
SPECTRUM = 1
PING = bytes([0x89, 0x80 | 125]) + bytes(4) + b"p" * 125


async def _flood(url: str, until: float, name: str, make: Callable[[int], Message]) -> None:
    """One participant sending ``make(seq)`` as fast as the socket takes them (reconnecting when closed)."""
    while time.monotonic() < until:
        try:
            peer = await join(url, Hello(name=name), ATTACKER)
            seq = 0
            while time.monotonic() < until:
                seq += 1
                await peer.send(make(seq))
                if seq % 50 == 0:
                    await asyncio.sleep(0)
        except Exception:
            await asyncio.sleep(0.05)


async def _frame_flood(url: str, until: float) -> None:
    """Votes as fast as the socket takes them."""
    await _flood(url, until, "flood", lambda seq: Vote(seq, SPECTRUM, seq % 6))


async def _answer_flood(url: str, until: float) -> None:
    """Written answers as fast as the socket takes them: long, hostile text (escapes, bidi, Welsh)."""
    texts = ["\x1b]52;c;aGk=\x07=HYPERLINK(x)", "\u202eŵŷâ" * 40, "a" * 200, "\x00\x1b[2J" * 20]
    await _flood(url, until, "writer", lambda seq: Answer(seq, seq % 3, seq % 3, texts[seq % len(texts)]))


async def _hub_only(url: str, until: float) -> None:
    """Frames only a hub sends, and second hellos, on connection after connection."""
    frames = [encode(Ack(1)), encode(Hello(name="again"))]
    while time.monotonic() < until:
        try:
            peer = await join(url, Hello(name="odd"), ATTACKER)
            for frame in frames * 50:
                await peer.socket.send(frame)
        except Exception:
            await asyncio.sleep(0.01)


async def _ping_flood(url: str, until: float) -> None:
    """WebSocket pings, never reading the pongs."""
    while time.monotonic() < until:
        try:
            async with dial(url, ATTACKER) as socket:
                socket.transport.pause_reading()
                while time.monotonic() < until and not socket.transport.is_closing():
                    socket.transport.write(PING * 4000)
                    await asyncio.sleep(0.01)
        except Exception:
            await asyncio.sleep(0.05)


async def _reconnect_reset(url: str, until: float) -> None:
    """Twenty participants coming back again and again with their resume tokens, voting each time."""
    tokens = [(await join(url, Hello(name=f"r{i}"), ATTACKER)).welcome.resume for i in range(20)]
    while time.monotonic() < until:
        for token in tokens:
            try:
                peer = await join(url, Hello(resume=token), ATTACKER)
                for seq in range(40):
                    await peer.send(Vote(seq, SPECTRUM, seq % 6))
                await peer.socket.close()
            except Exception:
                await asyncio.sleep(0.01)


async def _half_open(url: str, until: float) -> None:
    """Hundreds of TCP connections that never finish the websocket handshake."""
    host, port = url.removeprefix("ws://").rsplit(":", 1)
    writers = []
    while time.monotonic() < until:
        try:
            _, writer = await asyncio.open_connection(host, int(port), local_addr=(ATTACKER, 0))
            writers.append(writer)
        except OSError:
            await asyncio.sleep(0.05)
        if len(writers) >= 300:
            await asyncio.sleep(0.1)
    for writer in writers:
        writer.close()


async def _newcomers(url: str, until: float) -> None:
    """New participants as fast as the hub answers."""
    while time.monotonic() < until:
        try:
            async with dial(url, ATTACKER) as socket:
                await socket.send(encode(Hello(name="new")))
                await socket.recv()
        except Exception:
            pass


async def _http_worker(url: str, until: float, lines: list[str], workers: int = 16) -> None:
    """Plain HTTP requests of ``lines`` from the attacker's address, ``workers`` at once, as fast as answered."""
    host, port = url.removeprefix("ws://").rsplit(":", 1)
    request = ("\r\n".join([*lines, "", ""])).replace("{port}", port).encode()

    async def one() -> None:
        while time.monotonic() < until:
            try:
                reader, writer = await asyncio.open_connection(host, int(port), local_addr=(ATTACKER, 0))
                writer.write(request)
                await writer.drain()
                await asyncio.wait_for(reader.read(), 5)
                writer.close()
            except (OSError, TimeoutError):
                await asyncio.sleep(0.01)

    await asyncio.gather(*(one() for _ in range(workers)))


_KEY = "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ=="
_UPGRADE = ["Upgrade: websocket", "Connection: Upgrade", _KEY, "Sec-WebSocket-Version: 13"]


async def _duplicated_headers(url: str, until: float) -> None:
    """GET / with a duplicated Accept-Encoding (once a 500 and a traceback in the log each)."""
    await _http_worker(url, until, ["GET / HTTP/1.1", "Host: 127.0.0.1:{port}", *["Accept-Encoding: gzip"] * 2])


async def _rebound_name(url: str, until: float) -> None:
    """A page whose name was rebound to the hub (DNS rebinding): browser handshakes for evil.example."""
    await _http_worker(
        url, until, ["GET / HTTP/1.1", "Host: evil.example:{port}", "Origin: http://evil.example:{port}", *_UPGRADE]
    )


async def _other_paths(url: str, until: float) -> None:
    """Websocket handshakes on paths other than /."""
    await _http_worker(url, until, ["GET /admin/socket HTTP/1.1", "Host: 127.0.0.1:{port}", *_UPGRADE])


ATTACKS = {
    "none (baseline)": None,
    "vote flood, one participant": _frame_flood,
    "written answers flood, hostile text": _answer_flood,
    "hub-only types and second hellos": _hub_only,
    "ping flood, pongs never read": _ping_flood,
    "reconnecting to reset the rate limit (20 participants)": _reconnect_reset,
    "half-open connections (300)": _half_open,
    "newcomer flood": _newcomers,
    "duplicated headers, 16 connections at once": _duplicated_headers,
    "handshakes for a rebound name (evil.example)": _rebound_name,
    "handshakes on other paths than /": _other_paths,
}


def _attack(name: str, url: str, seconds: float) -> None:
    attack = ATTACKS[name]
    if attack is not None:
        asyncio.run(attack(url, time.monotonic() + seconds))


async def _probe(url: str, seconds: float) -> list[float]:
    peer = await join(url, Hello(name="probe"), PROBE)
    times = []
    end = time.monotonic() + seconds
    seq = 0
    while time.monotonic() < end:
        seq += 1
        started = time.perf_counter()
        await peer.send(Vote(seq, SPECTRUM, seq % 6))
        while not isinstance(await peer.reply(timeout=30), Ack):
            pass
        times.append((time.perf_counter() - started) * 1000)
        await asyncio.sleep(max(0, 0.25 - (time.perf_counter() - started)))
    await peer.socket.close()
    return times


async def _host(url: str, token: str) -> None:
    host = await join(url, Hello(host_token=token))
    await host.request(lambda s: Command(s, Action.GOTO, SPECTRUM))
    await host.socket.close()


def measure(seconds: float = 5.0) -> list[tuple[str, float, float, float, int, int]]:
    """(attack, probe p50 ms, p99 ms, max ms, hub RSS before KiB, after KiB) for each attack."""
    rows = []
    context = multiprocessing.get_context("spawn")
    for name in ATTACKS:
        with HubProcess("hub", limited=True) as hub:
            asyncio.run(_host(hub.url, hub.token))
            before = hub.rss_kib()
            attacker = context.Process(target=_attack, args=(name, hub.url, seconds + 1))
            attacker.start()
            time.sleep(0.5)  # the attack is under way
            times = asyncio.run(_probe(hub.url, seconds))
            attacker.join(30)
            if attacker.is_alive():
                attacker.kill()
            after = hub.rss_kib()
        times.sort()
        p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
        rows.append((name, statistics.median(times), p99, times[-1], before, after))
        print(f"{name:58} p50 {rows[-1][1]:6.1f} ms  p99 {p99:6.1f} ms  hub {before // 1024} -> {after // 1024} MB")
    return rows


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


def _dashboard_host(ready: multiprocessing.Queue, done: Any) -> None:  # type: ignore[type-arg]
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


def measure_dashboard(seconds: float = 5.0) -> tuple[str, float, float, float, int, int]:
    """The honest participant's acks while the dashboard of `host` shows the words of 4,992 stuffed answers and
    one participant rewrites theirs 9.4 times a second."""
    context = multiprocessing.get_context("spawn")
    ready, done = context.Queue(), context.Event()
    host = context.Process(target=_dashboard_host, args=(ready, done))
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
    print(f"  {len(times)} acks; the slowest: {', '.join(f'{t:.0f}' for t in times[-5:])} ms")
    print(f"{name:58} p50 {statistics.median(times):6.1f} ms  p99 {p99:6.1f} ms  hub {before // 1024} -> {after // 1024} MB")
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
    from server.hosting import HubRunner, prepare
    from server.store import SessionStore

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
        rows = db.execute("SELECT COUNT(*) FROM answer_log").fetchone()[0]
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=5.0, help="how long each attack runs")
    parser.add_argument("--only", choices=("attacks", "dashboard", "wall", "log"), help="one part only")
    args = parser.parse_args()
    if args.only in (None, "wall"):
        wall_figures()
    if args.only in (None, "log"):
        for rewrites in (2_000, 20_000):  # ten times the rewriting, the same rows: the log does not grow with it
            log_figures(rewrites=rewrites)
    if args.only == "wall" or args.only == "log":
        return
    rows = [] if args.only == "dashboard" else measure(args.seconds)
    if args.only in (None, "dashboard"):
        rows.append(measure_dashboard(args.seconds))
    print()
    print("| attack (from 127.0.0.2) | honest probe's ack p50 | p99 | max | hub memory before → after |")
    print("|---|---|---|---|---|")
    for name, p50, p99, most, before, after in rows:
        print(f"| {name} | {p50:.1f} ms | {p99:.1f} ms | {most:.1f} ms | {before // 1024} → {after // 1024} MB |")


if __name__ == "__main__":
    main()
