"""A soak with faults: people vote, drop and come back, and the hub is killed and resumed.

    python -m bench.soak --participants 1000 --seconds 600

A real `coproterm serve` (with its log) runs in its own process. Simulated
participants in worker processes vote, change and clear their votes, drop
their connections and come back with their resume tokens, at random; halfway
through, the hub gets kill -9 and is started again with --resume on the same
port, and everyone reconnects by themselves. Each participant keeps the ground
truth: the last vote the hub acknowledged, and the one in flight when the
connection died. At the end every participant's vote at the hub must be one of
those two, and the tallies must equal a recount: no acknowledged vote lost.

Beside the honest crowd, an attacker on an address of its own (127.0.0.2) runs
every attack of bench/attacks.py in turn, and an honest probe on 127.0.0.3 votes
4 times a second timing its acks; the hub's memory is sampled throughout.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import random
import signal
import socket
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake

from coproterm.core.client_messages import Command, Hello, Vote
from coproterm.core.hub_messages import Ack, Error, Welcome
from coproterm.core.wire import decode, encode
from coproterm.core.wire_terms import Action
from tests.hubkit import ServedHub, start_serve

QUESTION = 4  # the 6 x 4 grid
CELLS = 24


@dataclass
class Truth:
    """What one participant knows: its token, the last vote acknowledged, a vote in flight."""

    token: bytes | None = None
    acked: int | None = None
    in_flight: tuple[int | None] | None = None  # (choice,) while unanswered
    votes: int = 0
    reconnects: int = 0


async def participant(url: str, deadline: float, rng: random.Random) -> Truth:
    truth = Truth()
    seq = 0
    while time.time() < deadline:
        try:
            async with connect(url, compression=None, open_timeout=5, ping_interval=None) as socket_:
                await socket_.send(encode(Hello(resume=truth.token)))
                welcome = decode(await asyncio.wait_for(socket_.recv(), 10))  # type: ignore[arg-type]
                if not isinstance(welcome, Welcome):
                    raise ConnectionError(f"refused: {welcome}")
                if truth.token is not None and welcome.resume != truth.token:
                    raise AssertionError("the hub forgot this participant")
                truth.token = welcome.resume
                if truth.in_flight is not None:  # the vote whose ack the drop swallowed
                    (choice,) = truth.in_flight
                    if welcome.votes[QUESTION] == choice:
                        truth.acked = choice
                    truth.in_flight = None
                if welcome.votes[QUESTION] != truth.acked:
                    raise AssertionError(f"acknowledged {truth.acked}, the hub has {welcome.votes[QUESTION]}")
                while time.time() < deadline:
                    if rng.random() < 0.04:
                        break  # drop the connection, come back later
                    choice = None if rng.random() < 0.1 else rng.randrange(CELLS)
                    seq += 1
                    truth.in_flight = (choice,)
                    await socket_.send(encode(Vote(seq, QUESTION, choice)))
                    while True:
                        reply = decode(await asyncio.wait_for(socket_.recv(), 15))  # type: ignore[arg-type]
                        if isinstance(reply, (Ack, Error)) and reply.seq == seq:
                            break
                    if isinstance(reply, Ack):
                        truth.acked = choice
                        truth.votes += 1
                    truth.in_flight = None
                    await asyncio.sleep(rng.uniform(0.2, 2.0))
        except (OSError, ConnectionClosed, InvalidHandshake, TimeoutError, ConnectionError):
            pass
        truth.reconnects += 1
        await asyncio.sleep(rng.uniform(0.2, 1.5))
    return truth


def _worker(url: str, count: int, deadline: float, seed: int, results: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    async def everyone() -> list[Truth]:
        rng = random.Random(seed)
        tasks = [asyncio.create_task(participant(url, deadline, random.Random(rng.random()))) for _ in range(count)]
        return await asyncio.gather(*tasks)

    truths = asyncio.run(everyone())
    results.put([(t.token.hex() if t.token else None, t.acked, t.in_flight, t.votes, t.reconnects) for t in truths])


def _attacker(url: str, deadline: float) -> None:
    from bench.attacks import ATTACKS

    attacks = [attack for attack in ATTACKS.values() if attack is not None]
    share = max(1.0, (deadline - time.time()) / len(attacks))

    async def all_of_them() -> None:
        for attack in attacks * 100:
            if time.time() >= deadline:
                return
            try:
                await asyncio.wait_for(attack(url, time.monotonic() + share), share + 10)
            except Exception:  # the hub was killed under it: on to the next
                await asyncio.sleep(0.5)

    asyncio.run(all_of_them())


def _prober(url: str, deadline: float, results: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    async def probe() -> tuple[list[float], bytes | None]:
        times: list[float] = []
        token = None
        seq = 0
        while time.time() < deadline:
            try:
                async with connect(url, compression=None, open_timeout=5, local_addr=("127.0.0.3", 0)) as socket_:
                    await socket_.send(encode(Hello(name="probe", resume=token)))
                    welcome = decode(await asyncio.wait_for(socket_.recv(), 10))  # type: ignore[arg-type]
                    assert isinstance(welcome, Welcome)
                    token = welcome.resume
                    while time.time() < deadline:
                        seq += 1
                        started = time.perf_counter()
                        await socket_.send(encode(Vote(seq, QUESTION, seq % CELLS)))
                        while not isinstance(reply := decode(await socket_.recv()), (Ack, Error)):  # type: ignore[arg-type]
                            pass
                        if isinstance(reply, Ack):
                            times.append((time.perf_counter() - started) * 1000)
                        await asyncio.sleep(max(0.0, 0.25 - (time.perf_counter() - started)))
            except (OSError, ConnectionClosed, InvalidHandshake, TimeoutError, AssertionError):
                await asyncio.sleep(0.5)  # the hub is being killed and resumed
        return times, token

    results.put(asyncio.run(probe()))


def _rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def start_hub(data: Path, port: int, *extra: str) -> ServedHub:
    # QUESTION is the short deck's grid
    return await start_serve(
        "--ssh-port", "0", "--no-mdns", "--max-participants", "65535", *extra, data=data, port=port
    )


async def host_command(url: str, token: str, *commands: tuple[Action, int]) -> None:
    async with connect(url) as socket_:
        await socket_.send(encode(Hello(host_token=token)))
        decode(await socket_.recv())  # type: ignore[arg-type]
        for i, (action, question) in enumerate(commands, start=1):
            await socket_.send(encode(Command(i, action, question)))
            while not isinstance(reply := decode(await socket_.recv()), (Ack, Error)):  # type: ignore[arg-type]
                pass
            assert isinstance(reply, Ack), reply


async def final_votes(url: str, tokens: list[bytes]) -> dict[bytes, int | None]:
    """Every participant's vote at the hub, asked by coming back with its token."""
    found: dict[bytes, int | None] = {}

    async def ask(token: bytes) -> None:
        async with connect(url, compression=None) as socket_:
            await socket_.send(encode(Hello(resume=token)))
            welcome = decode(await socket_.recv())  # type: ignore[arg-type]
            assert isinstance(welcome, Welcome) and welcome.resume == token, "an acknowledged participant was lost"
            found[token] = welcome.votes[QUESTION]

    for first in range(0, len(tokens), 50):
        await asyncio.gather(*(ask(t) for t in tokens[first : first + 50]))
    return found


async def soak(participants: int, seconds: float, *, processes: int = 4, attack: bool = True) -> dict[str, object]:
    """Run the soak; return its figures. Raises AssertionError if anything acknowledged was lost."""
    data = Path(tempfile.mkdtemp(prefix="coproterm-soak-"))
    port = free_port()
    url = f"ws://127.0.0.1:{port}"
    hub = await start_hub(data, port, "--deck", "short")
    token = hub.token
    await host_command(url, token, (Action.GOTO, QUESTION))
    deadline = time.time() + seconds
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    shares = [participants // processes + (i < participants % processes) for i in range(processes)]
    workers = [
        context.Process(target=_worker, args=(url, n, deadline, i + 1, results)) for i, n in enumerate(shares) if n
    ]
    probes = context.Queue()
    beside = (
        [
            context.Process(target=_attacker, args=(url, deadline), daemon=True),
            context.Process(target=_prober, args=(url, deadline, probes)),
        ]
        if attack
        else []
    )
    for worker in workers + beside:
        worker.start()
    rss = [0.0]
    while time.time() < deadline - seconds / 2:
        rss.append(_rss_mib(hub.process.pid))
        await asyncio.sleep(0.5)
    await hub.stop(signal.SIGKILL)
    killed_at = time.time()
    await asyncio.sleep(1.0)
    hub = await start_hub(data, port, "--resume")
    assert hub.token == token, "the resumed session keeps its host token"
    while time.time() < deadline:
        rss.append(_rss_mib(hub.process.pid))
        await asyncio.sleep(0.5)
    truths = [entry for _ in workers for entry in await asyncio.to_thread(results.get, timeout=seconds + 300)]
    probe_times, probe_token = await asyncio.to_thread(probes.get, timeout=60) if attack else ([], None)
    probe_times.sort()
    for worker in beside + workers:
        await asyncio.to_thread(worker.join, 30)
    try:
        tokens = [bytes.fromhex(t[0]) for t in truths if t[0]]
        at_hub = await final_votes(url, tokens + ([probe_token] if probe_token else []))
        lost = []
        for hex_token, acked, in_flight, _, _ in truths:
            if hex_token is None:
                continue
            have = at_hub[bytes.fromhex(hex_token)]
            allowed = {acked} | ({in_flight[0]} if in_flight else set())
            if have not in allowed:
                lost.append((hex_token, acked, in_flight, have))
        tally = await _tally(url, token)
        recount = tuple(list(at_hub.values()).count(cell) for cell in range(CELLS))
    finally:
        await hub.stop(timeout=30)
    assert not lost, f"{len(lost)} participants lost an acknowledged vote: {lost[:5]}"
    assert tally == recount, f"the tally {tally} is not a recount {recount}"
    return {
        "participants": len(tokens),
        "acknowledged_votes": sum(t[3] for t in truths),
        "reconnects": sum(t[4] for t in truths),
        "killed_after_s": round(killed_at - (deadline - seconds)),
        "standing_votes": sum(tally),
        "lost": 0,
        "probe_acks": len(probe_times),
        "probe_p50_ms": round(probe_times[len(probe_times) // 2], 1) if probe_times else None,
        "probe_p99_ms": round(probe_times[int(len(probe_times) * 0.99)], 1) if probe_times else None,
        "hub_rss_max_mib": round(max(rss), 1),
    }


async def _tally(url: str, token: str) -> tuple[int, ...]:
    from coproterm.core.hub_messages import Tally

    async with connect(url) as socket_:
        await socket_.send(encode(Hello(host_token=token)))
        while True:
            message = decode(await asyncio.wait_for(socket_.recv(), 10))  # type: ignore[arg-type]
            if isinstance(message, Tally) and message.question == QUESTION:
                return message.counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--participants", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=600)
    args = parser.parse_args()
    started = time.time()
    figures = asyncio.run(soak(args.participants, args.seconds))
    print(json.dumps(figures))
    print(f"soak held: nothing acknowledged was lost ({time.time() - started:.0f} s)")


if __name__ == "__main__":
    main()
