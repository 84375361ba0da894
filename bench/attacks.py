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
answer rewriting (rows, size, resume and export): bench/answer_attacks.py.
``--only`` runs one part.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import statistics
import time
from collections.abc import Callable

from bench.loadgen import HubProcess
from bench.ssh_attacks import SSH_ATTACKS, worker_rss_kib
from coproterm.core.client_messages import Answer, Command, Hello, Vote
from coproterm.core.hub_messages import Ack
from coproterm.core.wire import Message, encode
from coproterm.core.wire_terms import Action
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
    **{name: None for name in SSH_ATTACKS},
}


def _attack(name: str, url: str, seconds: float, ssh_port: int | None = None) -> None:
    if name in SSH_ATTACKS:
        assert ssh_port is not None
        asyncio.run(SSH_ATTACKS[name](url, time.monotonic() + seconds, ssh_port))
        return
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


def measure(seconds: float = 5.0, only: str | None = None) -> list[tuple[str, float, float, float, int, int, str]]:
    """(attack, probe p50 ms, p99 ms, max ms, hub RSS before KiB, after KiB, SSH workers' memory) for each
    attack (``only``: those whose name holds it). SSH attacks run against a hub with its SSH workers, and
    the workers' memory is read before, at the attack's end, and after a further collection window."""
    rows = []
    context = multiprocessing.get_context("spawn")
    for name in ATTACKS:
        if only is not None and only.lower() not in name.lower():
            continue
        ssh = name in SSH_ATTACKS
        with HubProcess("hub", limited=True, ssh=ssh) as hub:
            asyncio.run(_host(hub.url, hub.token))
            if ssh:
                time.sleep(2)  # the workers settle
            before, workers_before = hub.rss_kib(), worker_rss_kib(hub.pid)
            attacker = context.Process(target=_attack, args=(name, hub.url, seconds + 1, hub.ssh_port))
            attacker.start()
            time.sleep(0.5)  # the attack is under way
            times = asyncio.run(_probe(hub.url, seconds))
            attacker.join(30)
            if attacker.is_alive():
                attacker.kill()
            after, workers = hub.rss_kib(), ""
            if ssh:
                at_end = worker_rss_kib(hub.pid)
                time.sleep(8)  # sessions end, finished apps are collected (server/ssh/guards.py)
                workers = f"{workers_before // 1024} → {at_end // 1024} → {worker_rss_kib(hub.pid) // 1024} MB"
        times.sort()
        p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
        rows.append((name, statistics.median(times), p99, times[-1], before, after, workers))
        print(
            f"{name:58} p50 {rows[-1][1]:6.1f} ms  p99 {p99:6.1f} ms  hub {before // 1024} -> {after // 1024} MB"
            + (f"  workers {workers}" if workers else ""),
            flush=True,
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=5.0, help="how long each attack runs")
    parser.add_argument(
        "--only",
        help="one part only: attacks, dashboard, wall, log, or the attacks whose name holds this (e.g. SSH)",
    )
    args = parser.parse_args()
    from bench.answer_attacks import log_figures, measure_dashboard, wall_figures

    parts = ("attacks", "dashboard", "wall", "log")
    part = args.only if args.only in parts else None
    if args.only is None or part == "wall":
        wall_figures()
    if args.only is None or part == "log":
        for rewrites in (2_000, 20_000):  # ten times the rewriting, the same rows: the log does not grow with it
            log_figures(rewrites=rewrites)
    if part in ("wall", "log"):
        return
    rows = [] if part == "dashboard" else measure(args.seconds, None if part == "attacks" else args.only)
    if args.only is None or part == "dashboard":
        rows.append((*measure_dashboard(args.seconds, dashboard=False), ""))
        rows.append((*measure_dashboard(args.seconds), ""))
    print()
    print(
        "| attack (from 127.0.0.2) | honest probe's ack p50 | p99 | max | hub memory before → after"
        " | SSH workers before → at the end → 8 s later |"
    )
    print("|---|---|---|---|---|---|")
    for name, p50, p99, most, before, after, workers in rows:
        print(
            f"| {name} | {p50:.1f} ms | {p99:.1f} ms | {most:.1f} ms | {before // 1024} → {after // 1024} MB"
            f" | {workers or '–'} |"
        )


if __name__ == "__main__":
    main()
