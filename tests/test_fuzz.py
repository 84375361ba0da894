"""Structured fuzzing of the decoder and the state machine together (bench/fuzz.py runs it for millions)."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from coproterm.core.deck import default_deck
from coproterm.core.fuzzing import frame
from coproterm.core.session import Close, Session
from coproterm.core.wire import ProtocolError, decode
from tests.conftest import counting_tokens


def recount_matches(session: Session) -> bool:
    for index, status in enumerate(session.questions):
        recount = [0] * len(status.counts)
        for member in session.participants.values():
            if index in member.votes:
                recount[member.votes[index]] += 1
        if status.counts != recount:
            return False
    return True


@settings(max_examples=150, deadline=None)
@given(st.integers(0, 2**32), st.integers(50, 400))
def test_hostile_frames_from_many_connections_never_break_the_session(seed, count):
    rng = random.Random(seed)
    session = Session(default_deck(), "host-token", counting_tokens())
    decoded = 0
    for _ in range(count):
        conn = rng.randrange(8)
        try:
            message = decode(frame(rng))
        except ProtocolError:
            continue
        decoded += 1
        for output in session.handle(conn, message):
            if isinstance(output, Close):
                session.disconnect(output.conn)
        if rng.random() < 0.05:
            session.disconnect(conn)
    assert recount_matches(session)
    assert session.connected == len({m.conn for m in session.participants.values() if m.conn is not None})
