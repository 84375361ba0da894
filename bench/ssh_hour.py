"""An SSH participant's workshop-hour, played, not estimated: `python -m bench.ssh_hour`.

A hub with its SSH gateway runs in a process of its own on the built-in
workshop deck, with one agreement round on its first open question (each participant presses 1, 2 or 3
on the answers shown, a few seconds apart). Thirty real SSH sessions (asyncssh clients with an 80 x 24 pty,
spread over addresses of their own) watch their screens; a host moves through
every question at a workshop's pace (played ``--scale`` times faster than real
time), locking and revealing each, and each participant answers the way the
websocket workshop figure's people do: reads, thinks for 5 to 60 s, picks a
position with a number key and Enter (or writes an answer on a text question),
and sometimes changes it. Bytes are the kernel's (TCP_INFO on each client
socket: SSH's encryption and framing included, with 52 bytes of TCP/IP header
per segment added). The hour's TCP keepalives (which a time-scaled run does not
play) are added at their most: a probe and its answer, two bare TCP segments
(104 bytes, measured), once every KEEPALIVE_IDLE quiet seconds; screens and keys
in between put them off.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import socket
import statistics
import struct
import time

from bench.loadgen import HEADER, HubProcess
from bench.ssh_sessions import open_viewer, until_more, until_shown
from coproterm.core.client_messages import Command, Hello
from coproterm.core.deck import deck_from_data
from coproterm.core.hub_messages import Agreement
from coproterm.core.wire_terms import Action
from coproterm.server.ssh.gateway import KEEPALIVE_IDLE
from tests.hubkit import join

PEOPLE = 30
HOUR = 3600.0
KEEPALIVE = HOUR / KEEPALIVE_IDLE * 2 * HEADER


def tcp_bytes(connection) -> int:  # type: ignore[no-untyped-def]
    raw: socket.socket | None = connection.get_extra_info("socket")
    if raw is None:
        return 0
    info = raw.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 232)
    acked, received = struct.unpack_from("QQ", info, 120)
    segs_out, segs_in = struct.unpack_from("II", info, 136)
    return acked + received + (segs_out + segs_in) * HEADER


async def _participant(channel, deck, state: dict, rng: random.Random, scale: float, end: float) -> None:  # type: ignore[no-untyped-def]
    done: set[int] = set()
    while time.monotonic() < end:
        await asyncio.sleep(0.05)
        current, open_ = state["current"], state["open"]
        if current in done or not open_:
            continue
        done.add(current)
        question = deck.questions[current]
        await asyncio.sleep(rng.uniform(5, 60) / scale)
        if state["current"] != current:
            continue
        if getattr(question, "answers", None):
            channel.write(f"Rhannu grym {rng.randrange(100)}\r".encode())
        elif question.cells:
            channel.write(f"{rng.randrange(question.width) + 1}\r".encode())
            if rng.random() < 0.3:
                await asyncio.sleep(rng.uniform(5, 30) / scale)
                if state["current"] == current:
                    channel.write(f"{rng.randrange(question.width) + 1}\r".encode())


async def _marker(channel, viewer, state: dict, rng: random.Random, scale: float, end: float) -> None:  # type: ignore[no-untyped-def]
    """While the answers are open for agreement: read the one shown, think a few seconds, press 1, 2 or 3; then
    wait for the screen to change (the next answer, or the words that none is left), as a person would."""
    while time.monotonic() < end:
        await asyncio.sleep(0.05)
        if not state["agreeing"]:
            continue
        try:
            await until_shown(viewer, b"1 agree", limit=20, since=state["opened_at"][id(viewer)])
            for _ in range(PEOPLE - 1):
                if not state["agreeing"]:
                    break
                await asyncio.sleep(rng.uniform(2, 8) / scale)
                mark = len(viewer.received)
                channel.write(rng.choice("1123").encode())  # agree twice as often as disagree or pass
                await until_more(viewer, mark, limit=10)
                if viewer.received.find(b"every answer", mark) >= 0:
                    break
        except TimeoutError:
            pass
        state["done"] += 1
        while state["agreeing"]:
            await asyncio.sleep(0.05)


async def _marks(url: str, token: str) -> Agreement | None:
    """The agreement round as a dashboard is told it (a host joining now is sent it with the state)."""
    looker = await join(url, Hello(host_token=token))
    try:
        async with asyncio.timeout(5):
            while not isinstance(message := await looker.recv(), Agreement):
                pass
        return message
    except TimeoutError:
        return None
    finally:
        await looker.socket.close()


async def play(scale: float) -> dict[str, float]:
    with HubProcess("hub", ssh=True, workshop=True, scale=scale) as hub:
        host = await join(hub.url, Hello(host_token=hub.token))
        deck = deck_from_data(host.welcome.deck)
        sessions = [await open_viewer(hub.ssh_port, f"p{i}") for i in range(PEOPLE)]
        state = {"current": 0, "open": True, "agreeing": False, "done": 0, "opened_at": {}}
        marks: Agreement | None = None
        agreeing = next(i for i, q in enumerate(deck.questions) if q.answers is not None)
        end = time.monotonic() + HOUR / scale + 5
        rng = random.Random(1)
        people = [
            asyncio.create_task(_participant(channel, deck, state, random.Random(rng.random()), scale, end))
            for _, _, channel in sessions
        ]
        people += [
            asyncio.create_task(_marker(channel, viewer, state, random.Random(rng.random()), scale, end))
            for _, viewer, channel in sessions
        ]
        await asyncio.sleep(3)  # everyone's first screen
        per_question = HOUR / len(deck.questions) / scale
        steps: list[tuple[str, float]] = []
        mark = statistics.median(len(viewer.received) for _, viewer, _ in sessions)
        steps.append(("first screen", mark))
        for index in range(len(deck.questions)):
            if index:
                await host.request(lambda s, i=index: Command(s, Action.GOTO, i))
            state.update(current=index, open=True)
            if index == agreeing:  # one agreement round: answers written, then marked
                await asyncio.sleep(per_question * 0.35)
                state["opened_at"] = {id(viewer): len(viewer.received) for _, viewer, _ in sessions}
                await host.request(lambda s, i=index: Command(s, Action.AGREE, i))
                state["agreeing"] = True
                # Everyone marks every answer (the most a round can cost): as long as that takes, up to a minute.
                async with asyncio.timeout(60):
                    while state["done"] < PEOPLE:
                        await asyncio.sleep(0.1)
                await asyncio.sleep(1)  # the last keys reach the hub
                state["agreeing"] = False
                await host.request(lambda s, i=index: Command(s, Action.END_AGREE, i))
                marks = await _marks(hub.url, hub.token)
            else:
                await asyncio.sleep(per_question * 0.7)
            await host.request(lambda s, i=index: Command(s, Action.LOCK, i))
            state["open"] = False
            await host.request(lambda s, i=index: Command(s, Action.REVEAL, i))
            await asyncio.sleep(per_question * 0.3)
            now = statistics.median(len(viewer.received) for _, viewer, _ in sessions)
            steps.append((f"question {index + 1}: {deck.questions[index].prompt[:50]}", now - mark))
            mark = now
        await asyncio.sleep(2)
        totals = [tcp_bytes(connection) for connection, _, _ in sessions]
        screens = [len(viewer.received) for _, viewer, _ in sessions]
        for task in people:
            task.cancel()
        for connection, _, _ in sessions:
            connection.close()
        await host.socket.close()
    return {
        "questions": len(deck.questions),
        "kb_median": (statistics.median(totals) + KEEPALIVE) / 1024,
        "kb_max": (max(totals) + KEEPALIVE) / 1024,
        "screen_kb_median": statistics.median(screens) / 1024,
        "steps": steps,  # type: ignore[dict-item]
        "marks": marks.marks if marks is not None else 0,
        "markers": marks.people if marks is not None else 0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=60.0, help="how much faster than real time")
    args = parser.parse_args()
    figures = asyncio.run(play(args.scale))
    print(f"{PEOPLE} SSH participants, {figures['questions']} questions in an hour (played {args.scale:g}x faster):")
    print(
        f"  per participant, both ways, TCP/IP incl.:  median {figures['kb_median']:.1f} KB, most {figures['kb_max']:.1f} KB"
    )
    print(
        f"  of which screen bytes received (the app's output, before SSH): median {figures['screen_kb_median']:.1f} KB"
    )
    print(f"  the agreement round: {figures['marks']:.0f} marks by {figures['markers']:.0f} participants")
    for step, size in figures["steps"]:  # type: ignore[attr-defined]
        print(f"    {step:66} {size / 1024:6.1f} KB")


if __name__ == "__main__":
    main()
