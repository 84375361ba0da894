"""The timer: a countdown the hub's clock ends, in the core (bytes and a clock in), on a real hub, and after kill -9."""

from __future__ import annotations

import asyncio

import pytest

from coproterm.core import read_models
from coproterm.core.client_messages import Command, Hello, Vote
from coproterm.core.countdown import Countdown, Cue, clock_text, cues_between
from coproterm.core.deck import DeckError, deck_from_data, deck_to_data, default_deck
from coproterm.core.events import Commanded, Timed
from coproterm.core.hub_messages import Ack, Error, State, Timer
from coproterm.core.protocol import HubProtocol, Save, Send
from coproterm.core.refusals import Refusal
from coproterm.core.session import Session
from coproterm.core.view import SessionView
from coproterm.core.wire import decode, encode
from coproterm.core.wire_checks import ProtocolError
from coproterm.core.wire_terms import MAX_TIMER, Action, ErrorCode
from tests.conftest import HOST_TOKEN, counting_tokens
from tests.hubkit import join, join_host, running_hub

SPECTRUM = 1
HOST, ANN = 100, 1
T0 = 1_800_000_000.0
"""The hub's clock (Unix time) as these tests start."""


def room() -> HubProtocol:
    p = HubProtocol(Session(default_deck(), HOST_TOKEN, counting_tokens()))
    p.opened(HOST, "127.0.0.1")
    p.receive(HOST, encode(Hello(host_token=HOST_TOKEN)), 0.0, T0)
    p.receive(HOST, encode(Command(1, Action.GOTO, SPECTRUM)), 0.0, T0)
    p.opened(ANN, "10.0.0.1")
    p.receive(ANN, encode(Hello(name="Ann")), 0.0, T0)
    return p


def frames(outputs, to):
    return [o.frame for o in outputs if isinstance(o, Send) and o.to == to]


def fanned(p: HubProtocol, at: float) -> dict[int, list[bytes]]:
    got: dict[int, list[bytes]] = {}
    for participants in (False, True):
        broadcasts, _ = p.fan_out(participants=participants, at=at)
        for b in broadcasts:
            for conn in b.to:
                got.setdefault(conn, []).append(b.frame)
    return got


# -- the wire ----------------------------------------------------------------------


def test_golden_bytes():
    assert encode(Command(1, Action.TIMER, 1, 60)).hex(" ") == "95 03 01 06 01 3c"
    assert encode(Command(1, Action.STOP_TIMER, 1)).hex(" ") == "94 03 01 08 01", "no seconds: three fields"
    assert encode(Command(1, Action.REVEAL, 2)).hex(" ") == "94 03 01 03 02", "older commands keep their bytes"
    assert encode(Timer(1, 60, 59_500, True)).hex(" ") == "95 1e 01 3c cd e8 6c c3"
    assert decode(bytes.fromhex("95 1e 01 3c cd e8 6c c3")) == Timer(1, 60, 59_500, True)
    assert decode(bytes.fromhex("94 03 01 08 01")) == Command(1, Action.STOP_TIMER, 1, 0)


@pytest.mark.parametrize(
    "hexed",
    [
        "95 1e 01 3c cd e8 6c",  # a field short
        "95 1e 01 cd 0e 11 00 c3",  # 3601 seconds
        "95 1e 01 3c ce 00 36 ee 81 c3",  # more than an hour left
        "95 1e 01 3c 00 01",  # locks not a bool
        "96 03 01 06 01 3c 00",  # a command with a field too many
        "95 03 01 0d 01 3c",  # an action nobody knows (13: 9 and 10 are moderation's, 11 and 12 agreement's)
    ],
)
def test_malformed_timer_frames_are_refused(hexed):
    with pytest.raises(ProtocolError):
        decode(bytes.fromhex(hexed))


# -- the deck ---------------------------------------------------------------------------


def test_a_deck_question_carries_its_timer_and_whether_it_locks():
    data = deck_to_data(default_deck())
    data["questions"][1]["timer"] = 90
    data["questions"][1]["timer_locks"] = False
    deck = deck_from_data(data, "deck")
    assert (deck.questions[1].timer, deck.questions[1].timer_locks) == (90, False)
    assert (deck.questions[0].timer, deck.questions[0].timer_locks) == (0, True)
    assert deck_to_data(deck)["questions"][1]["timer"] == 90
    for bad in (MAX_TIMER + 1, -1, "60", 1.5):
        data["questions"][1]["timer"] = bad
        with pytest.raises(DeckError, match="timer"):
            deck_from_data(data, "deck")


# -- bytes in, bytes out: the core -----------------------------------------------------


def test_a_countdown_runs_by_the_hubs_clock_and_locks_voting_when_it_ends():
    p = room()
    fanned(p, T0)
    out = p.receive(HOST, encode(Command(2, Action.TIMER, SPECTRUM, 60)), 1.0, T0 + 1)
    assert isinstance(out[0], Save) and out[0].events == (Timed(SPECTRUM, 60, T0 + 61, True),)
    assert decode(frames(out, HOST)[-1]) == Ack(2)
    assert p.timer_due() == T0 + 61
    got = fanned(p, T0 + 1.25)
    assert [decode(f) for f in got[ANN]] == [Timer(SPECTRUM, 60, 59_750, True)], "everyone, time left by the hub"
    assert Timer(SPECTRUM, 60, 59_750, True) in [decode(f) for f in got[HOST]]
    assert p.clock(T0 + 60.9) == [], "not yet"
    vote = p.receive(ANN, encode(Vote(3, SPECTRUM, 2)), 2.0, T0 + 60.9)
    assert decode(frames(vote, ANN)[0]) == Ack(3)
    ended = p.clock(T0 + 61.0)
    assert isinstance(ended[0], Save)
    assert ended[0].events == (Timed(SPECTRUM, 60, T0 + 61, True, ended=True), Commanded(Action.LOCK, SPECTRUM))
    assert p.timer_due() is None
    got = fanned(p, T0 + 61.05)
    assert Timer(SPECTRUM, 60, 0, True) in [decode(f) for f in got[ANN]]
    assert State(SPECTRUM, False, False) in [decode(f) for f in got[ANN]]
    late = p.receive(ANN, encode(Vote(4, SPECTRUM, 3)), 3.0, T0 + 61.1)
    assert decode(frames(late, ANN)[0]) == Error(4, ErrorCode.LOCKED, Refusal.LOCKED, ())


def test_a_timer_only_countdown_ends_without_locking_and_a_stop_tells_everyone():
    p = room()
    fanned(p, T0)
    p.receive(HOST, encode(Command(2, Action.TIMER_ONLY, SPECTRUM, 5)), 1.0, T0)
    ended = p.clock(T0 + 5)
    assert ended[0].events == (Timed(SPECTRUM, 5, T0 + 5, False, ended=True),), "no lock"
    assert p.session.questions[SPECTRUM].open
    p.receive(HOST, encode(Command(3, Action.TIMER, SPECTRUM, 30)), 1.0, T0 + 10)
    fanned(p, T0 + 10)
    stop = p.receive(HOST, encode(Command(4, Action.STOP_TIMER, SPECTRUM)), 1.0, T0 + 12)
    assert stop[0].events == (Timed(SPECTRUM, 0, 0.0, True),)
    assert [decode(f) for f in fanned(p, T0 + 12)[ANN]] == [Timer(SPECTRUM, 0, 0, True)]
    assert p.clock(T0 + 100) == [] and p.session.questions[SPECTRUM].open, "a stopped countdown locks nothing"


def test_a_late_joiner_hears_the_time_left_at_its_welcome_and_bad_timers_are_refused():
    p = room()
    p.receive(HOST, encode(Command(2, Action.TIMER, SPECTRUM, 120)), 1.0, T0)
    p.opened(7, "10.0.0.7")
    out = p.receive(7, encode(Hello(name="Bea")), 2.0, T0 + 30.5)
    assert decode(frames(out, 7)[-1]) == Timer(SPECTRUM, 120, 89_500, True)
    for seconds in (0, MAX_TIMER + 1):
        out = p.receive(HOST, encode(Command(9, Action.TIMER, SPECTRUM, seconds)), 3.0, T0 + 31)
        assert decode(frames(out, HOST)[0]) == Error(9, ErrorCode.BAD_TIMER, Refusal.BAD_TIMER, (MAX_TIMER,))
    out = p.receive(ANN, encode(Command(10, Action.TIMER, SPECTRUM, 10)), 3.0, T0 + 31)
    assert decode(frames(out, ANN)[0]).refusal == Refusal.HOST_ONLY


def test_a_countdown_to_a_lock_opens_a_locked_question_and_replays_as_it_ran():
    p = room()
    p.receive(HOST, encode(Command(2, Action.LOCK, SPECTRUM)), 1.0, T0)
    out = p.receive(HOST, encode(Command(3, Action.TIMER, SPECTRUM, 10)), 1.0, T0)
    assert out[0].events == (Timed(SPECTRUM, 10, T0 + 10, True), Commanded(Action.OPEN, SPECTRUM))
    events = [*out[0].events, *p.clock(T0 + 11)[0].events]
    again = Session(default_deck(), HOST_TOKEN, counting_tokens())
    again.replay([Commanded(Action.GOTO, SPECTRUM), Commanded(Action.LOCK, SPECTRUM), *events])
    assert not again.questions[SPECTRUM].open and again.timer_due() is None
    assert read_models.timer_message(again, T0 + 20) == Timer(SPECTRUM, 10, 0, True)


def test_a_face_counts_down_on_its_own_clock_whatever_its_wall_clock_says():
    view = SessionView()
    view.apply(State(SPECTRUM, True, False))
    view.apply(Timer(SPECTRUM, 90, 61_000, True))
    view.arrived(5000.0)  # the face's steady clock, nothing like the hub's
    assert view.time_left(5000.0) == 61 and view.time_left(5001.5) == 60 and view.time_left(5070) == 0
    assert clock_text(61) == "1:01" and clock_text(3600) == "1:00:00"
    view.apply(State(2, True, False))
    assert view.time_left(5001) is None, "only on its own question"
    assert Countdown(Timer(1, 0, 0, True), 0.0).left(1.0) == 0


def test_each_cue_is_said_once():
    assert cues_between(None, 90) == [Cue.STARTED]
    assert cues_between(90, 61) == [] and cues_between(61, 60) == [Cue.MINUTE]
    assert cues_between(60, 59) == [] and cues_between(11, 10) == [Cue.TEN]
    assert cues_between(10, 0) == [Cue.ENDED] and cues_between(0, 0) == []
    assert cues_between(70, 5) == [Cue.MINUTE, Cue.TEN], "a face that slept passes both"
    assert cues_between(30, None) == [Cue.STOPPED] and cues_between(None, 0) == [Cue.ENDED]


# -- a real hub ----------------------------------------------------------------------------


async def test_a_real_hub_ends_the_countdown_and_locks_by_its_clock():
    async with running_hub() as running:
        host = await join_host(running.url)
        ann = await join(running.url)
        await host.request(lambda s: Command(s, Action.GOTO, SPECTRUM))
        assert await host.request(lambda s: Command(s, Action.TIMER, SPECTRUM, 1)) == Ack(host.seq)
        heard: list[Timer] = []

        def ended(peer) -> bool:
            return any(t.left_ms == 0 and t.seconds == 1 for t in heard) and peer.state.open is False

        async def listen():
            while not ended(ann):
                message = await ann.recv()
                if isinstance(message, Timer):
                    heard.append(message)

        await asyncio.wait_for(listen(), 10)
        assert heard[0].seconds == 1 and 0 < heard[0].left_ms <= 1000
        reply = await ann.request(lambda s: Vote(s, SPECTRUM, 1))
        assert isinstance(reply, Error) and reply.refusal == Refusal.LOCKED


def test_the_report_says_a_timer_was_used_on_a_question_in_both_languages():
    from coproterm.core.events import Joined
    from coproterm.core.i18n import language
    from coproterm.core.report import build_report
    from coproterm.export.html import to_html

    deck = default_deck()
    logged = [
        (1, T0, Joined(1, bytes(16), "Ann")),
        (2, T0, Commanded(Action.GOTO, SPECTRUM)),
        (3, T0 + 1, Timed(SPECTRUM, 120, T0 + 121, True)),
        (4, T0 + 121, Timed(SPECTRUM, 120, T0 + 121, True, ended=True)),
        (5, T0 + 121, Commanded(Action.LOCK, SPECTRUM)),
        (6, T0 + 130, Timed(SPECTRUM, 30, T0 + 160, False)),
        (7, T0 + 140, Timed(SPECTRUM, 0, 0.0, False)),
    ]
    report = build_report(deck, logged)
    assert report.questions[SPECTRUM].timers == [(120, True), (30, False)], "started ones; not their end or stop"
    assert report.questions[0].timers == []
    english = to_html(report, "2026-12-07")
    assert "Timers were used: 2:00, voting locked at its end; 0:30, voting stayed open." in english
    welsh = to_html(report, "2026-12-07", lang=language("cy"))
    assert "Defnyddiwyd amseryddion: 2:00; cloiwyd y pleidleisio pan ddaeth i ben;" in welsh
