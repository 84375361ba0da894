"""A plain-mode SSH participant's workshop-hour, played: `python -m bench.plain_hour`.

As bench/ssh_hour.py does for the full app: a hub with its SSH gateway in a process of
its own on the built-in workshop deck; here the participants are SSH sessions with
TERM=dumb (plain mode: lines only), each from an asyncssh client with an 80 x 24 pty.
A host moves through every question at a workshop's pace (played ``--scale`` times
faster), locking and revealing each; each participant answers as ssh_hour's people do
(reads, thinks 5 to 60 s, types a number or an answer and Enter, sometimes changes it),
and, being unable to glance at a chart, types ``results`` once each question's results
are shown. Bytes are the kernel's (TCP_INFO: SSH and TCP/IP included), with the TCP keepalives
the hour's idle spells would cost added (ssh_hour adds them at their most). Target: under 30 KB.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import random
import statistics
import time

import asyncssh

from bench.loadgen import HEADER, HubProcess
from bench.ssh_hour import HOUR, KEEPALIVE, tcp_bytes
from bench.ssh_sessions import Viewer, _Client, _Session, source_address
from coproterm.core.boards import Deck
from coproterm.core.client_messages import Command, Hello
from coproterm.core.deck import deck_from_data
from coproterm.core.wire_terms import Action
from coproterm.server.ssh.gateway import KEEPALIVE_IDLE
from coproterm.server.ssh.packets import without_ignored_packets
from tests.hubkit import join

PEOPLE = 10
TARGET_KB = 30.0


OPENSSH_KEX = ("curve25519-sha256",)
"""The key exchange OpenSSH's client settles on with the gateway (``ssh -v``: "kex: algorithm:
curve25519-sha256"); asyncssh's client picks a larger one by default (about 2.9 KB more per join).
With it, the clients also send no ``SSH_MSG_IGNORE`` before each packet, as OpenSSH's client sends none
(asyncssh's does: 32 bytes and a TCP segment of their own each)."""


def keepalives(arrivals: list[float], start: float, end: float, scale: float) -> int:
    """Bytes of TCP keepalives in the played hour: Linux probes a connection idle for KEEPALIVE_IDLE
    seconds, and again after each further KEEPALIVE_IDLE of silence (each probe answered: 2 segments).
    Every key typed is echoed, so the output's arrivals mark every moment the connection was busy."""
    times = [start, *(t for t in arrivals if start <= t <= end), end]
    probes = sum(int((b - a) * scale // KEEPALIVE_IDLE) for a, b in itertools.pairwise(times))
    return probes * 2 * HEADER


async def open_plain(
    port: int, index: int, *, openssh_kex: bool = False
) -> tuple[asyncssh.SSHClientConnection, Viewer, asyncssh.SSHClientChannel]:  # type: ignore[type-arg]
    options = {"kex_algs": list(OPENSSH_KEX)} if openssh_kex else {}
    if openssh_kex:
        without_ignored_packets(asyncssh.SSHClientConnection)
    connection, _ = await asyncssh.create_connection(
        _Client, "127.0.0.1", port, username=f"p{index}", known_hosts=None, client_keys=None, agent_path=None,
        local_addr=(source_address(index), 0), **options,
    )  # fmt: skip
    viewer = Viewer()
    channel, _ = await connection.create_session(
        lambda: _Session(viewer), term_type="dumb", term_size=(80, 24), encoding=None
    )
    return connection, viewer, channel


async def _participant(
    channel, deck: Deck, state: dict, rng: random.Random, scale: float, end: float, looks: bool
) -> None:  # type: ignore[no-untyped-def]
    done: set[int] = set()
    looked: set[int] = set()
    while time.monotonic() < end:
        await asyncio.sleep(0.05)
        current = state["current"]
        if looks and state["revealed"] and current not in looked:
            looked.add(current)
            await asyncio.sleep(rng.uniform(1, 5) / scale)
            channel.write(b"results\r")
        if current in done or not state["open"]:
            continue
        done.add(current)
        question = deck.questions[current]
        await asyncio.sleep(rng.uniform(5, 60) / scale)
        if state["current"] != current:
            continue
        if question.answers is not None:
            channel.write(f"Rhannu grym {rng.randrange(100)}\r".encode())
        elif question.cells:
            channel.write(f"{rng.randrange(question.width) + 1}\r".encode())
            if rng.random() < 0.3:
                await asyncio.sleep(rng.uniform(5, 30) / scale)
                if state["current"] == current:
                    channel.write(f"{rng.randrange(question.width) + 1}\r".encode())


async def play(scale: float, people: int, looks: bool = True, openssh_kex: bool = False) -> dict[str, object]:
    with HubProcess("hub", ssh=True, workshop=True, scale=scale) as hub:
        host = await join(hub.url, Hello(host_token=hub.token))
        deck = deck_from_data(host.welcome.deck)
        sessions = [await open_plain(hub.ssh_port, i, openssh_kex=openssh_kex) for i in range(people)]
        state = {"current": 0, "open": True, "revealed": False}
        end = time.monotonic() + HOUR / scale + 5
        rng = random.Random(1)
        tasks = [
            asyncio.create_task(_participant(channel, deck, state, random.Random(rng.random()), scale, end, looks))
            for _, _, channel in sessions
        ]
        await asyncio.sleep(3)
        joining = statistics.median(tcp_bytes(connection) for connection, _, _ in sessions)
        began = time.perf_counter()
        per_question = HOUR / len(deck.questions) / scale
        for index in range(len(deck.questions)):
            if index:
                await host.request(lambda s, i=index: Command(s, Action.GOTO, i))
            state.update(current=index, open=True, revealed=False)
            await asyncio.sleep(per_question * 0.7)
            await host.request(lambda s, i=index: Command(s, Action.LOCK, i))
            state["open"] = False
            await host.request(lambda s, i=index: Command(s, Action.REVEAL, i))
            state["revealed"] = True
            await asyncio.sleep(per_question * 0.3)
        await asyncio.sleep(2)
        ended = began + HOUR / scale
        idle = [keepalives([t for t, _ in viewer.arrivals], began, ended, scale) for _, viewer, _ in sessions]
        totals = [tcp_bytes(connection) + kept for (connection, _, _), kept in zip(sessions, idle, strict=True)]
        lines = [len(viewer.received) for _, viewer, _ in sessions]
        escapes = sum(viewer.received.count(b"\x1b") for _, viewer, _ in sessions)
        for task in tasks:
            task.cancel()
        for connection, _, _ in sessions:
            connection.close()
        await host.socket.close()
    return {
        "questions": len(deck.questions),
        "kb_median": statistics.median(totals) / 1024,
        "kb_max": max(totals) / 1024,
        "text_kb_median": statistics.median(lines) / 1024,
        "escapes": escapes,
        "joining_kb": joining / 1024,
        "keepalive_kb": statistics.median(idle) / 1024,
        "keepalive_most_kb": KEEPALIVE / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=60.0, help="how much faster than real time")
    parser.add_argument("--people", type=int, default=PEOPLE, help=f"plain SSH participants (default {PEOPLE})")
    parser.add_argument("--no-results", action="store_true", help="participants never type results")
    parser.add_argument("--openssh-kex", action="store_true", help="the key exchange OpenSSH's client settles on")
    args = parser.parse_args()
    figures = asyncio.run(play(args.scale, args.people, looks=not args.no_results, openssh_kex=args.openssh_kex))
    print(
        f"{args.people} plain-mode SSH participants (TERM=dumb), {figures['questions']} questions in an hour"
        f" (played {args.scale:g}x faster):"
    )
    print(
        f"  per participant, both ways, TCP/IP incl.:  median {figures['kb_median']:.1f} KB,"
        f" most {figures['kb_max']:.1f} KB (target under {TARGET_KB:g} KB)"
    )
    print(f"  of which text received (the app's lines and echo, before SSH): median {figures['text_kb_median']:.1f} KB")
    print(
        f"  of which joining (SSH handshake, the first question): {figures['joining_kb']:.1f} KB;"
        f" TCP keepalives in the hour's idle spells: {figures['keepalive_kb']:.1f} KB"
        f" (idle all hour: {figures['keepalive_most_kb']:.1f} KB)"
    )
    print(f"  results typed after each reveal: {'no' if args.no_results else 'yes'}")
    kex = "OpenSSH's client's (curve25519-sha256)" if args.openssh_kex else "asyncssh's client's default"
    print(f"  key exchange: {kex}")
    print(f"  escape bytes received: {figures['escapes']}")


if __name__ == "__main__":
    main()
