"""A long fuzzing run of the decoder and the state machine: `python -m bench.fuzz --inputs 1000000`.

Feeds hostile, damaged and valid frames (coproterm/core/fuzzing.py) from many
connections into decode() and a Session, as the hub does, and checks after
every batch that the tallies equal a recount of the votes and the word counts a
recount of the visible answers. Prints what it saw;
any exception other than the one ProtocolError type is a crash, and is printed
with the input that caused it.
"""

from __future__ import annotations

import argparse
import random
import time
import traceback

from coproterm.core.client_messages import Command, Hello
from coproterm.core.deck import default_deck
from coproterm.core.events import Answered, Moderated, Voted
from coproterm.core.fuzzing import answers_consistent, frame, tallies_match_votes
from coproterm.core.outcomes import Close, Record
from coproterm.core.session import Session
from coproterm.core.wire import decode
from coproterm.core.wire_checks import ProtocolError
from coproterm.core.wire_terms import Action


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--inputs", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--connections", type=int, default=50)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    counter = iter(range(1, 10**12))
    session = Session(default_deck(), "host-token", lambda: next(counter).to_bytes(16, "big"))
    decoded = refused = crashes = checks = counted = written = 0
    host = args.connections  # a connection of its own, past the fuzzed ones
    session.handle(host, Hello(host_token="host-token"))
    boards = [i for i, q in enumerate(session.deck.questions) if q.cells or q.answers is not None]
    started = time.perf_counter()
    for n in range(1, args.inputs + 1):
        if n % 10_000 == 0:
            checks += 1
            if not tallies_match_votes(session) or not answers_consistent(session):
                crashes += 1
                print(f"TALLY MISMATCH after {n} inputs")
        if n % 500 == 0:  # the facilitator moves the room on, so votes land and stand
            question = rng.choice(boards)
            session.handle(host, Command(n, Action.GOTO, question))
            session.handle(host, Command(n, Action.OPEN, question))
        data = frame(rng, current=session.current, cells=max(1, session.deck.questions[session.current].cells))
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
                elif isinstance(output, Record) and isinstance(output.event, Voted):
                    counted += 1
                elif isinstance(output, Record) and isinstance(output.event, Answered | Moderated):
                    written += 1
            if rng.random() < 0.01:
                session.disconnect(conn)
        except Exception:
            crashes += 1
            print(f"CRASH in the session on {message!r}:\n{traceback.format_exc()}")
    elapsed = time.perf_counter() - started
    print(
        f"{args.inputs:,} inputs in {elapsed:.0f} s ({args.inputs / elapsed:,.0f}/s): {decoded:,} decoded and applied, "
        f"{refused:,} refused as ProtocolError, {crashes} crashes; {counted:,} votes counted (cast, changed or "
        f"cleared), {written:,} written answers (written, edited, taken back or moderated); tallies and word "
        f"counts equal a recount at all {checks} checks; {len(session.participants):,} participants"
    )


if __name__ == "__main__":
    main()
