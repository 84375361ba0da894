"""Structured fuzzing of the decoder and the state machine together (bench/fuzz.py runs it for millions)."""

from __future__ import annotations

import contextlib
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from coproterm.core.client_messages import AddQuestion, Command, Hello
from coproterm.core.deck import default_deck
from coproterm.core.fuzzing import (
    agreement_consistent,
    answers_consistent,
    frame,
    mutate,
    tallies_match_votes,
    timer_consistent,
    valid_frame,
)
from coproterm.core.outcomes import Close
from coproterm.core.session import Session
from coproterm.core.wire import decode, encode
from coproterm.core.wire_checks import ProtocolError
from coproterm.core.wire_terms import MAX_QUESTIONS, Action
from tests.conftest import counting_tokens


@settings(max_examples=150, deadline=None)
@given(st.integers(0, 2**32), st.integers(50, 400))
def test_hostile_frames_from_many_connections_never_break_the_session(seed, count):
    rng = random.Random(seed)
    session = Session(default_deck(), "host-token", counting_tokens())
    session.handle(99, Hello(host_token="host-token"))
    decoded = 0
    for step in range(count):
        if step % 50 == 0:  # the room moves on to an open board, so votes land
            question = rng.choice([1, 2, 3, 4])
            session.handle(99, Command(step, Action.GOTO, question))
            session.handle(99, Command(step, Action.OPEN, question))
        conn = rng.randrange(8)
        try:
            message = decode(
                frame(rng, current=session.current, cells=max(1, session.deck.questions[session.current].cells))
            )
        except ProtocolError:
            continue
        decoded += 1
        for output in session.handle(conn, message, at=float(step)):
            if isinstance(output, Close):
                session.disconnect(output.conn)
        if rng.random() < 0.05:
            session.disconnect(conn)
        if rng.random() < 0.2:  # the hub's clock moves on: a countdown that ran out ends
            session.clock(float(step))
            assert timer_consistent(session, float(step))
    assert tallies_match_votes(session)
    assert answers_consistent(session)
    assert agreement_consistent(session)
    assert session.connected == len({m.conn for m in session.participants.values() if m.conn is not None})


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 2**32), st.integers(20, 120))
def test_hostile_questions_asked_on_the_spot_keep_the_deck_whole(seed, count):
    """The host's own frames, fuzzed: every question asked leaves a deck a client can read, and votes on it count."""
    rng = random.Random(seed)
    session = Session(default_deck(), "host-token", counting_tokens())
    session.handle(99, Hello(host_token="host-token"))
    session.handle(1, Hello(name="Ann"))
    for step in range(count):
        try:
            message = decode(mutate(rng, ask_frame(rng)) if rng.random() < 0.4 else ask_frame(rng))
        except ProtocolError:
            continue
        session.handle(99 if rng.random() < 0.9 else 1, message)
        last = len(session.deck.questions) - 1
        session.handle(99, Command(step, Action.GOTO, last))
        cells = session.deck.questions[last].cells
        if cells:
            with contextlib.suppress(ProtocolError):
                session.handle(1, decode(frame(rng, current=last, cells=cells)))
    assert len(session.questions) == len(session.answers) == len(session.deck.questions) <= MAX_QUESTIONS
    welcome = decode(encode(session.handle(2, Hello(name="Late"))[-1].message))  # the grown deck, checked as sent
    assert len(welcome.deck["questions"]) == len(session.deck.questions)
    assert tallies_match_votes(session)
    assert answers_consistent(session)


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 2**32), st.integers(50, 300))
def test_hostile_marks_in_an_agreement_round_keep_its_counts_whole(seed, count):
    """Many people write, mark, hide and take back answers while the round opens and closes: the counts hold."""
    rng = random.Random(seed)
    session = Session(default_deck(), "host-token", counting_tokens())
    session.handle(99, Hello(host_token="host-token"))
    session.handle(99, Command(0, Action.AGREE, 0))
    for step in range(count):
        conn = rng.randrange(8)
        try:
            message = decode(frame(rng, current=0))
        except ProtocolError:
            continue
        for output in session.handle(conn, message, at=float(step)):
            if isinstance(output, Close):
                session.disconnect(output.conn)
        if session.current != 0 and rng.random() < 0.3:
            session.handle(99, Command(step, Action.GOTO, 0))
        if rng.random() < 0.05:
            session.handle(99, Command(step, Action.AGREE, 0))
    assert agreement_consistent(session)
    assert answers_consistent(session)


def ask_frame(rng: random.Random) -> bytes:
    while True:
        data = valid_frame(rng)
        if data[1] == AddQuestion.TYPE:
            return data


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 2**32), st.integers(50, 300))
def test_hostile_moderation_never_lets_a_waiting_answer_through_and_the_log_replays_it(seed, count):
    """On the written question: moderation turned on and off, answers approved (one, all, none), hidden and
    written again, fuzzed; no answer waiting is ever on the wall, and the session rebuilt from what was
    recorded is the live one (what waits and what was approved)."""
    from coproterm.core.outcomes import Record

    rng = random.Random(seed)
    session = Session(default_deck(), "host-token", counting_tokens())
    session.handle(99, Hello(host_token="host-token"))
    recorded = [output.event for output in session.handle(1, Hello(name="Ann")) if isinstance(output, Record)]
    recorded += [output.event for output in session.handle(2, Hello(name="Bob")) if isinstance(output, Record)]
    for step in range(count):
        if step % 40 == 0:
            recorded += [
                o.event
                for o in session.handle(99, Command(step, rng.choice([Action.MODERATE, Action.UNMODERATE]), 0))
                if isinstance(o, Record)
            ]
        try:
            message = decode(frame(rng, current=0, cells=1))
        except ProtocolError:
            continue
        conn = 99 if rng.random() < 0.4 else rng.choice([1, 2])
        if isinstance(message, Hello):
            continue  # the two writers and the host stay who they are
        recorded += [output.event for output in session.handle(conn, message) if isinstance(output, Record)]
        assert answers_consistent(session)
    again = Session(default_deck(), "host-token", counting_tokens())
    again.replay(recorded)
    live = [(a.id, a.text, a.hidden, a.removed, a.waiting) for a in session.answers[0].answers.values()]
    assert [(a.id, a.text, a.hidden, a.removed, a.waiting) for a in again.answers[0].answers.values()] == live
    assert again.questions[0].moderated == session.questions[0].moderated
