"""What moderation before the wall costs: approving a long queue at once, and the bytes it adds.

`python -m bench.moderation` fills a moderated question's queue with N waiting answers (N = 100,
1,000, 5,000: the most a question holds), then approves them all with one ``Moderate``: it prints
the core's time for the approval (``Session.handle``; wall clock, and the process's CPU time, which
the other programs on a busy machine disturb less), how long the hub is held (the same ``Moderate``
as bytes through ``HubProtocol.receive``, every frame it answers encoded, then the fan-out to hosts and
to participants that follows, each participant connected), the time the real SQLite log (a file in a
temporary folder, WAL, synchronous=FULL) takes to write its N rows, the size of the host's first
``Answers`` page (each item carries one more byte, ``waiting``), and of the ``Wall`` frame that
brings the approved answers to participants. Prints figures; asserts nothing.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path

from coproterm.core.answers import wall_delta
from coproterm.core.client_messages import Hello, Moderate
from coproterm.core.deck import deck_to_data, load_deck
from coproterm.core.hub_messages import AnswerItem, Answers, Moderation, Wall
from coproterm.core.limits import AddressLimit, NewcomerLimit
from coproterm.core.outcomes import Record
from coproterm.core.protocol import HubProtocol
from coproterm.core.session import Session
from coproterm.core.wire import encode
from coproterm.core.wire_terms import APPROVE_ALL
from coproterm.server.store import SessionStore
from tests.conftest import HOST_TOKEN, counting_tokens

DECK = Path(__file__).parent.parent / "tests" / "decks" / "moderated.toml"
HOST = 0


def filled(count: int) -> Session:
    """A session whose moderated question holds ``count`` waiting answers, one per participant."""
    session = Session(load_deck(DECK), HOST_TOKEN, counting_tokens(), max_participants=count + 1)
    session.handle(HOST, Hello(host_token=HOST_TOKEN))
    from coproterm.core.client_messages import Answer

    for n in range(1, count + 1):
        session.handle(n, Hello(name=f"p{n}"))
        session.handle(n, Answer(1, 0, 0, f"answer number {n} about sharing power"))
    return session


def hub_held(count: int) -> tuple[float, float, int]:
    """The hub's time for approving ``count`` at once, every participant connected: (wall, CPU) seconds, frames."""
    from coproterm.core.client_messages import Answer

    session = Session(load_deck(DECK), HOST_TOKEN, counting_tokens(), max_participants=count + 1)
    protocol = HubProtocol(session, rate=0, addresses=AddressLimit(count + 1), newcomers=NewcomerLimit(count + 1))
    for conn in range(count + 1):
        protocol.opened(conn, "10.0.0.1")
    protocol.receive(HOST, encode(Hello(host_token=HOST_TOKEN)), 0.0)
    for n in range(1, count + 1):
        protocol.receive(n, encode(Hello(name=f"p{n}")), 0.0)
        protocol.receive(n, encode(Answer(1, 0, 0, f"answer number {n} about sharing power")), 0.0)
    protocol.fan_out(participants=True)
    frame = encode(Moderate(1, 0, APPROVE_ALL, False, approve=True))
    started, cpu = time.perf_counter(), time.process_time()
    outputs = protocol.receive(HOST, frame, 1.0)
    broadcasts = protocol.fan_out(participants=False)[0] + protocol.fan_out(participants=True)[0]
    return time.perf_counter() - started, time.process_time() - cpu, len(outputs) + len(broadcasts)


async def measure(count: int) -> None:
    session = filled(count)
    book = session.answers[0]
    page = encode(
        Answers(
            0,
            True,
            book.live,
            tuple(AnswerItem(a.id, a.participant, a.text, a.hidden, a.waiting) for a in book.current()[:200]),
        )
    )
    before = book.wall()
    started, cpu = time.perf_counter(), time.process_time()
    outputs = session.handle(HOST, Moderate(1, 0, APPROVE_ALL, False, approve=True))
    approving, approving_cpu = time.perf_counter() - started, time.process_time() - cpu
    events = [o.event for o in outputs if isinstance(o, Record)]
    fresh, added, dropped, words = wall_delta(before, book.wall())
    wall = encode(Wall(0, fresh, book.wall().total, added, dropped, words))
    with tempfile.TemporaryDirectory() as folder:
        store = SessionStore.create(Path(folder), deck_to_data(session.deck), "bench", HOST_TOKEN)
        store.start()
        started = time.perf_counter()
        await store.append(events)
        writing = time.perf_counter() - started
        await store.close()
    held, held_cpu, frames = hub_held(count)
    print(
        f"{count:>5} waiting: approve all {approving * 1000:7.1f} ms in the core ({approving_cpu * 1000:.1f} ms CPU);"
        f" the hub held {held * 1000:.1f} ms ({held_cpu * 1000:.1f} ms CPU, {frames} frames out);"
        f" {len(events)} rows logged in"
        f" {writing * 1000:6.1f} ms; host's first Answers page {len(page):,} B (200 items);"
        f" the Wall that follows {len(wall):,} B; Moderation {len(encode(Moderation(0, True, count)))} B"
    )


def main() -> None:
    for count in (100, 1000, 5000):
        asyncio.run(measure(count))


if __name__ == "__main__":
    main()
