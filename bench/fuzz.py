"""A long fuzzing run of the decoder and the state machine: `python -m bench.fuzz --inputs 1000000`.

Feeds hostile, damaged and valid frames (coproterm/core/fuzzing.py) from many
connections into decode() and a Session, as the hub does, and checks after
every batch that the tallies equal a recount of the votes. Prints what it saw;
any exception other than the one ProtocolError type is a crash, and is printed
with the input that caused it.
"""

from __future__ import annotations

import argparse
import random
import time
import traceback

from coproterm.core.deck import default_deck
from coproterm.core.fuzzing import frame
from coproterm.core.session import Close, Session
from coproterm.core.wire import ProtocolError, decode


def recount_matches(session: Session) -> bool:
    for index, status in enumerate(session.questions):
        recount = [0] * len(status.counts)
        for member in session.participants.values():
            if index in member.votes:
                recount[member.votes[index]] += 1
        if status.counts != recount:
            return False
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--inputs", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--connections", type=int, default=50)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    counter = iter(range(1, 10**12))
    session = Session(default_deck(), "host-token", lambda: next(counter).to_bytes(16, "big"))
    decoded = refused = crashes = checks = 0
    started = time.perf_counter()
    for n in range(1, args.inputs + 1):
        data = frame(rng)
        try:
            message = decode(data)
        except ProtocolError:
            refused += 1
            continue
        except Exception:
            crashes += 1
            print(f"CRASH in decode on {data!r}:\n{traceback.format_exc()}")
            continue
        decoded += 1
        conn = rng.randrange(args.connections)
        try:
            for output in session.handle(conn, message):
                if isinstance(output, Close):
                    session.disconnect(output.conn)
            if rng.random() < 0.01:
                session.disconnect(conn)
        except Exception:
            crashes += 1
            print(f"CRASH in the session on {message!r}:\n{traceback.format_exc()}")
        if n % 10_000 == 0:
            checks += 1
            if not recount_matches(session):
                crashes += 1
                print(f"TALLY MISMATCH after {n} inputs")
    elapsed = time.perf_counter() - started
    print(
        f"{args.inputs:,} inputs in {elapsed:.0f} s ({args.inputs / elapsed:,.0f}/s): {decoded:,} decoded and applied, "
        f"{refused:,} refused as ProtocolError, {crashes} crashes; tallies equal a recount at all {checks} checks; "
        f"{len(session.participants)} participants, {sum(sum(q.counts) for q in session.questions)} votes standing"
    )


if __name__ == "__main__":
    main()
