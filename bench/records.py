"""What a participant costs the hub after they leave: the record kept so they can come back.

    python -m bench.records [--people 20000] [--questions 5]

A session keeps everyone who ever joined (their resume token, name and votes) for
as long as it runs, so that anyone can come back as themselves. This measures
that record alone, in the core's own session (the hub's sockets and buffers are
gone with the connection and measured by bench.leaks): people join with a name,
vote on some questions, and leave; Python's allocator counts what stays.
"""

from __future__ import annotations

import argparse
import gc
import random
import tracemalloc

from coproterm.core.client_messages import Command, Hello, Vote
from coproterm.core.deck import default_deck
from coproterm.core.wire_terms import Action
from coproterm.server.hub_runner import new_session

HOST = "bench-host-token"


def measure(people: int, questions: int) -> float:
    """Bytes kept per participant who joined, voted on ``questions`` questions and left."""
    deck = default_deck()
    boards = [i for i, question in enumerate(deck.questions) if question.cells]
    session = new_session(deck, HOST)
    session.handle(0, Hello(host_token=HOST))
    rng = random.Random(1)
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    for conn in range(1, people + 1):
        session.handle(conn, Hello(name=f"Participant {conn}"))
        for seq, question in enumerate(boards[:questions], 1):
            session.handle(0, Command(conn * 100 + seq, Action.GOTO, question))
            session.handle(conn, Vote(seq, question, rng.randrange(deck.questions[question].cells)))
        session.disconnect(conn)
    gc.collect()
    kept = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    if len(session.participants) != people:
        raise RuntimeError(f"expected {people} records, found {len(session.participants)}")
    return kept / people


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=20_000)
    parser.add_argument("--questions", type=int, default=4, help="questions each voted on (the deck has 4 boards)")
    args = parser.parse_args()
    for questions in sorted({0, args.questions}):
        each = measure(args.people, questions)
        print(
            f"{args.people:,} people who left, each having voted on {questions} questions: "
            f"{each:,.0f} bytes kept each ({each * args.people / 2**20:.1f} MiB in all)"
        )


if __name__ == "__main__":
    main()
