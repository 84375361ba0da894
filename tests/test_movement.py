"""Before and after: the room's move between two questions on the same scale, in the core and on the wire."""

from __future__ import annotations

from coproterm.core import read_models
from coproterm.core.client_messages import Command, Hello, Vote
from coproterm.core.deck import default_deck
from coproterm.core.hub_messages import Moves
from coproterm.core.movement import Movement, own_move, summary
from coproterm.core.protocol import HubProtocol
from coproterm.core.session import Session
from coproterm.core.wire import decode, encode
from coproterm.core.wire_terms import Action
from tests.conftest import HOST_TOKEN, counting_tokens

WORK, OPPORTUNITY = 1, 2
BEFORE_AFTER = {1: (3, 5), 2: (3, 3), 3: (4, 2), 4: (1, 5), 5: (2, None), 6: (None, 5)}
"""Participant: (where their work lives, where they have a new opportunity); None where they did not answer."""
SPECTRUM = default_deck().questions[WORK].x


def test_moves_are_counted_for_those_who_answered_both():
    movement = Movement.of(6, [(b, a) for b, a in BEFORE_AFTER.values() if b is not None and a is not None])
    assert movement.people == 4
    assert (movement.towards, movement.stayed, movement.away) == (2, 1, 1)
    assert movement.by_steps() == {-2: 1, 0: 1, 2: 1, 4: 1}
    assert movement.count(3, 5) == 1 and movement.count(5, 3) == 0
    assert summary(movement, SPECTRUM) == "Of 4 who answered both: 2 moved towards doing with, 1 stayed, 1 moved away"
    assert summary(Movement.of(6, []), SPECTRUM) == "Nobody has answered both questions yet."


def test_a_person_s_own_move_in_words():
    assert own_move(SPECTRUM, 3, 5) == "consultation → co-production / involvement: 2 steps towards doing with"
    assert own_move(SPECTRUM, 4, 3) == "participation → consultation: 1 step away from doing with"
    assert own_move(SPECTRUM, 2, 2) == "information → information: you stayed where you were"


def test_golden_bytes_and_the_budget():
    moves = Moves(2, 1, (0,) * 35 + (3,))
    frame = encode(moves)
    assert frame == bytes.fromhex("94 1c 02 01 dc 00 24".replace(" ", "") + "00" * 35 + "03")
    assert decode(frame) == moves
    assert len(encode(Moves(200, 199, (0xFFFF,) * 36))) <= 120, "a 6 x 6 move of a room of up to 65,535"


def voted_room() -> HubProtocol:
    p = HubProtocol(Session(default_deck(), HOST_TOKEN, counting_tokens()))
    p.opened(100, "127.0.0.1")
    p.receive(100, encode(Hello(host_token=HOST_TOKEN)), 0.0)
    for seq, (question, side) in enumerate(((WORK, 0), (OPPORTUNITY, 1)), 1):
        p.receive(100, encode(Command(seq, Action.GOTO, question)), 0.0)
        for person, pair in BEFORE_AFTER.items():
            if side == 0:
                p.opened(person, "127.0.0.1")
                p.receive(person, encode(Hello(name=f"p{person}")), 0.0)
            if pair[side] is not None:
                p.receive(person, encode(Vote(seq, question, pair[side])), 0.0)
    return p


def test_the_session_counts_the_room_s_move_and_sends_it_to_hosts_only():
    p = voted_room()
    moves = read_models.moves(p.session)
    assert moves is not None and (moves.question, moves.compared) == (OPPORTUNITY, WORK)
    movement = Movement(6, moves.counts)
    assert (movement.people, movement.towards, movement.stayed, movement.away) == (4, 2, 1, 1)
    p.receive(100, encode(Command(9, Action.REVEAL, OPPORTUNITY)), 0.0)
    broadcasts, _ = p.fan_out(participants=True)
    sent = {type(decode(b.frame)): set(b.to) for b in broadcasts}
    assert sent[Moves] == {100}, "hosts only: a participant works out their own move from their own votes"
    assert read_models.moves(p.session, WORK) is None, "the first question compares with nothing"
