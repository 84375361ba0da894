"""Print the size of every frame of the protocol, against DESIGN.md's budgets.

    python bench/frame_sizes.py

Sizes are msgpack payloads; a websocket frame adds 2 bytes of header from the
hub, 6 from a client (its mask).
"""

from __future__ import annotations

import random

from coproterm.core.client_messages import Command, Hello, Vote
from coproterm.core.deck import deck_to_data, default_deck
from coproterm.core.hub_messages import Ack, State, Tally, Turnout, Welcome
from coproterm.core.wire import encode
from coproterm.core.wire_terms import Action


def main() -> None:
    rng = random.Random(1)
    deck = deck_to_data(default_deck())

    def room(people: int, cells: int) -> tuple[int, ...]:
        counts = [0] * cells
        for _ in range(people):
            counts[rng.randrange(cells)] += 1
        return tuple(counts)

    rows = [
        ("Vote (typical)", encode(Vote(12, 1, 3)), 16),
        ("Vote (largest seq, question, choice)", encode(Vote(2**32 - 1, 200, 65535)), 16),
        ("Vote clear", encode(Vote(12, 1, None)), 16),
        ("Ack", encode(Ack(12)), None),
        ("Command", encode(Command(3, Action.REVEAL, 1)), None),
        ("State", encode(State(1, True, False)), None),
        ("Turnout (hosts only)", encode(Turnout(30, 24)), None),
        ("Tally, spectrum, 30 people", encode(Tally(1, room(30, 6))), 40),
        ("Tally, spectrum, 1,000 people", encode(Tally(1, room(1000, 6))), 40),
        ("Tally, spectrum, worst case (uint32 counts)", encode(Tally(200, (2**32 - 1,) * 6)), 40),
        ("Tally, 6 x 4 grid, 30 people", encode(Tally(4, room(30, 24))), 80),
        ("Tally, 6 x 4 grid, 1,000 people", encode(Tally(4, room(1000, 24))), 80),
        ("Tally, 6 x 4 grid, worst case (65,535 each)", encode(Tally(200, (65535,) * 24)), 80),
        ("Hello (participant, name)", encode(Hello(name="Bethan")), None),
        ("Hello (resume)", encode(Hello(resume=bytes(16))), None),
        (
            "Welcome (default deck, once per join)",
            encode(Welcome(1, 0, bytes(16), deck, (None,) * 6)),
            None,
        ),
    ]
    print(f"{'frame':48} {'bytes':>6}  budget")
    for name, frame, budget in rows:
        verdict = "" if budget is None else f"<= {budget}  {'ok' if len(frame) <= budget else 'OVER'}"
        print(f"{name:48} {len(frame):>6}  {verdict}")


if __name__ == "__main__":
    main()
