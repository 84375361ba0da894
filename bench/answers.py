"""Figures for open answers (issue 16), printed, never asserted:

    .venv/bin/python -m bench.answers           # 1, 2 and 3: two seconds
    .venv/bin/python -m bench.answers --real    # and 2 against a real hub process: about 45 s more

1. Bytes per participant for a workshop-hour of the short built-in deck (its six
   questions, both text questions among them): 30 people, two answers each on
   each text question (and a few edits), everyone voting (and some changing their
   vote) on the four board questions, every question locked and revealed. The
   hub's own connection protocol (coproterm.core.protocol) decides every frame;
   its fan-out is run after *every* message, so nothing is coalesced: the worst
   case. Bytes are counted both ways, with the WebSocket header (2 bytes from
   the hub, 6 from a client), plus a ping a minute.
2. The host's fan-out for a wall of 2,000 answers arriving at 50 a second: the
   hub's loop (a round at most every 0.05 s while changes come) replayed on a
   simulated clock; frames a second to the host, and the CPU time of the
   protocol's work (receive and fan-out), measured.
3. Word counting with 5,000 answers on the wall: the cost of one change
   (incremental), of the wall participants are sent (latest 100 answers, top 30
   words), and of recounting every answer (what a non-incremental count costs).
"""

from __future__ import annotations

import random
import statistics
import sys
import time

from coproterm.core.answers import AnswerBook
from coproterm.core.boards import Kind
from coproterm.core.client_messages import Answer, Command, Hello, Moderate, Vote
from coproterm.core.deck import default_deck
from coproterm.core.events import Answered
from coproterm.core.protocol import Broadcast, HubProtocol, Save, Send
from coproterm.core.session import Session
from coproterm.core.wire import encode
from coproterm.core.wire_terms import Action
from coproterm.core.word_counts import count_words, words_of

HOST = 10_000
PHRASES = [
    "sharing power and responsibility with the people who use services",
    "equal, reciprocal and caring relationships",
    "Rhannu grym a chyfrifoldeb gyda'r gymuned",
    "working with rather than doing to",
    "people's lived experience shapes what we do",
    "gwrando ar brofiad pobl a rhannu ein profiad ni",
    "better services because people helped design them",
    "trust, respect and ŵyr a wyresau yn y sgwrs",
    "mutual benefit for the organisation and citizens",
    "everyone brings knowledge: nobody has all the answers",
]


def _answer_text(rng: random.Random) -> str:
    return rng.choice(PHRASES) + (f" ({rng.randrange(100)})" if rng.random() < 0.5 else "")


def workshop_bytes(people: int = 30, seed: int = 1) -> dict[str, float]:
    """Bytes each participant receives and sends in the hour (see the module's docstring)."""
    rng = random.Random(seed)
    deck = default_deck()
    protocol = HubProtocol(Session(deck, "tok", lambda: rng.randbytes(16)), rate=0)
    down = dict.fromkeys(range(1, people + 1), 0)
    up = dict.fromkeys(range(1, people + 1), 0)
    now = 0.0

    def carry(outputs: list) -> None:
        for output in outputs:
            if isinstance(output, Save):
                protocol.saved(output)
            elif isinstance(output, Send) and output.to in down:
                down[output.to] += len(output.frame) + 2

    def fan_out() -> None:
        for participants in (False, True):
            broadcasts, _ = protocol.fan_out(participants=participants)
            for broadcast in broadcasts:
                assert isinstance(broadcast, Broadcast)
                for conn in broadcast.to:
                    if conn in down:
                        down[conn] += len(broadcast.frame) + 2

    def send(conn: int, message) -> None:
        nonlocal now
        now += 0.5
        frame = encode(message)
        if conn in up:
            up[conn] += len(frame) + 6
        carry(protocol.receive(conn, frame, now))
        fan_out()

    protocol.opened(HOST, "127.0.0.1")
    send(HOST, Hello(host_token="tok"))
    for conn in down:
        protocol.opened(conn, f"10.0.{conn // 250}.{conn % 250 + 1}")
        send(conn, Hello(name=f"Person {conn}"))
    for index, question in enumerate(deck.questions):
        seq = 10 * (index + 1)
        send(HOST, Command(seq, Action.GOTO, index))
        if question.kind is Kind.TEXT:
            for round_ in range(2):
                for conn in down:
                    send(conn, Answer(seq + round_, index, round_, _answer_text(rng)))
                if round_ == 0:
                    send(HOST, Command(seq, Action.REVEAL, index))  # revealed halfway: the rest come as changes
            for conn in rng.sample(sorted(down), 5):
                send(conn, Answer(seq + 5, index, 0, _answer_text(rng)))
            for answer in rng.sample(sorted(protocol.session.answers[index].answers), 2):
                send(HOST, Moderate(seq, index, answer, True))
        elif question.cells:
            for conn in down:
                send(conn, Vote(seq, index, rng.randrange(question.cells)))
            for conn in rng.sample(sorted(down), 10):
                send(conn, Vote(seq + 1, index, rng.randrange(question.cells)))
            send(HOST, Command(seq, Action.REVEAL, index))
        send(HOST, Command(seq, Action.LOCK, index))
    pings = 60 * (6 + 2 + 4)  # a ping a minute (6 bytes with its mask... both ways, with their 4-byte payload)
    totals = [down[c] + up[c] + pings for c in down]
    return {
        "down_median_bytes": statistics.median(down.values()),
        "up_median_bytes": statistics.median(up.values()),
        "total_max_bytes": max(totals),
        "total_median_bytes": statistics.median(totals),
    }


def host_fan_out(answers: int = 2000, per_second: float = 50.0, interval: float = 0.05) -> dict[str, float]:
    """Frames a second to a host while answers pour in, and the CPU the protocol spends on them."""
    rng = random.Random(2)
    deck = default_deck()
    protocol = HubProtocol(Session(deck, "tok", lambda: rng.randbytes(16)), rate=0)
    protocol.opened(HOST, "127.0.0.1")
    protocol.receive(HOST, encode(Hello(host_token="tok")), 0.0)
    writers = 700  # three answers each at most
    for conn in range(1, writers + 1):
        protocol.opened(conn, f"10.{conn // 60000}.{conn // 250 % 250}.{conn % 250 + 1}")
        protocol.receive(conn, encode(Hello(name=f"p{conn}")), 0.0)
    protocol.fan_out(participants=False)  # the joinings' frames, before the wall
    arrivals = [(i / per_second, 1 + i % writers, i // writers) for i in range(answers)]
    frames_at: list[float] = []
    answer_frames = 0
    cpu_receive = cpu_fan_out = 0.0
    next_round = 0.0
    owed = False
    i = 0
    now = 0.0
    end = arrivals[-1][0] + 1.0
    while now <= end:
        arrived = False
        while i < len(arrivals) and arrivals[i][0] <= now:
            at, conn, slot = arrivals[i]
            started = time.process_time()
            for output in protocol.receive(conn, encode(Answer(i, 0, slot, _answer_text(rng))), at):
                if isinstance(output, Save):
                    protocol.saved(output)
            cpu_receive += time.process_time() - started
            arrived = True
            i += 1
        if (arrived or owed) and now >= next_round:
            started = time.process_time()
            broadcasts, owed = protocol.fan_out(participants=False)
            cpu_fan_out += time.process_time() - started
            for broadcast in broadcasts:
                if HOST in broadcast.to:
                    frames_at.append(now)
                    answer_frames += broadcast.frame[1] == 23
            next_round = now + interval
        now = round(now + 0.01, 2)
    per_second_counts = [sum(1 for t in frames_at if s <= t < s + 1) for s in range(int(end))]
    sliding = max(sum(1 for u in frames_at if t <= u < t + 0.999) for t in frames_at)  # float-safe
    return {
        "seconds": end,
        "host_frames_max_per_s": max(per_second_counts),
        "host_frames_mean_per_s": statistics.mean(per_second_counts),
        "host_frames_max_any_1s_window": sliding,
        "answers_frames": answer_frames,
        "cpu_receive_ms_total": 1000 * cpu_receive,
        "cpu_fan_out_ms_total": 1000 * cpu_fan_out,
        "cpu_percent_of_one_core": 100 * (cpu_receive + cpu_fan_out) / end,
    }


def host_fan_out_real(answers: int = 2000, per_second: float = 50.0) -> dict[str, float]:
    """The same, against a real hub in a process of its own: frames a second as its host receives them, and its CPU."""
    import asyncio

    from bench.loadgen import HubProcess
    from tests.hubkit import join

    async def go(hub: HubProcess) -> dict[str, float]:
        host = await join(hub.url, Hello(host_token=hub.token))
        writers = -(-answers // 3)
        people = []
        for start in range(0, writers, 100):
            people += await asyncio.gather(
                *(join(hub.url, Hello(name=f"p{n}")) for n in range(start, min(writers, start + 100)))
            )
        arrivals: list[float] = []
        loop = asyncio.get_running_loop()

        async def listen() -> None:
            while True:
                message = await host.recv(timeout=30)
                arrivals.append(loop.time())
                del message

        listener = asyncio.create_task(listen())
        await asyncio.sleep(0.5)
        arrivals.clear()
        cpu = hub.cpu_seconds()
        started = loop.time()
        rng = random.Random(4)
        for i in range(answers):
            await asyncio.sleep(max(0.0, started + i / per_second - loop.time()))
            peer = people[i % writers]
            await peer.send(Answer(i, 0, i // writers, _answer_text(rng)))
        await asyncio.sleep(1.0)
        elapsed = loop.time() - started
        cpu = hub.cpu_seconds() - cpu
        listener.cancel()
        window = max(sum(1 for u in arrivals if t <= u < t + 0.999) for t in arrivals)
        for peer in [host, *people]:
            await peer.socket.close()
        return {
            "seconds": elapsed,
            "host_frames_received": len(arrivals),
            "host_frames_mean_per_s": len(arrivals) / elapsed,
            "host_frames_max_any_1s_window": window,
            "hub_cpu_percent_of_one_core": 100 * cpu / elapsed,
        }

    with HubProcess("hub") as hub:
        return asyncio.run(go(hub))


def word_counting(wall: int = 5000, changes: int = 2000) -> dict[str, float]:
    """The cost of a change to a wall of ``wall`` answers, against recounting them all."""
    rng = random.Random(3)
    book = AnswerBook()
    texts = [_answer_text(rng) for _ in range(wall)]
    for n, text in enumerate(texts, start=1):
        book.apply(Answered(n, 0, 0, n, text))
    book.wall()
    started = time.perf_counter()
    for _ in range(changes):
        answer = rng.randrange(1, wall + 1)
        book.apply(Answered(answer, 0, 0, answer, _answer_text(rng)))
    per_change = (time.perf_counter() - started) / changes
    started = time.perf_counter()
    for _ in range(200):
        answer = rng.randrange(1, wall + 1)
        book.apply(Answered(answer, 0, 0, answer, _answer_text(rng)))
        book.wall()
    with_wall = (time.perf_counter() - started) / 200
    started = time.perf_counter()
    for _ in range(5):
        count_words(texts)
    recount = (time.perf_counter() - started) / 5
    started = time.perf_counter()
    for text in texts:
        words_of(text)
    return {
        "incremental_change_us": 1e6 * per_change,
        "change_plus_wall_ms": 1000 * with_wall,
        "full_recount_ms": 1000 * recount,
        "words_of_one_answer_us": 1e6 * (time.perf_counter() - started) / wall,
    }


def main() -> None:
    figures = {
        "1. a workshop-hour, 30 people, both text questions (budget 50 KB each)": workshop_bytes(),
        "2. host fan-out, 2,000 answers at 50/s (budget 10 frames/s)": host_fan_out(),
        "3. word counting, 5,000 answers": word_counting(),
    }
    if "--real" in sys.argv:  # about 45 s: a real hub, 667 participants, 2,000 answers at 50/s
        figures["2b. the same against a real hub process (ack-free: answers sent, acks not awaited)"] = (
            host_fan_out_real()
        )
    for title, values in figures.items():
        print(title)
        for name, value in values.items():
            print(f"   {name:32} {value:12,.1f}")


if __name__ == "__main__":
    main()
