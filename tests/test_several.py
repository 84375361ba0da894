"""Choose several: the wire, the session's tallies and people, the log's check, and the fan-out."""

from __future__ import annotations

import pytest

from coproterm.core import read_models
from coproterm.core.client_messages import Choose, Command, Hello, Vote
from coproterm.core.deck import builtin_deck
from coproterm.core.events import Joined, Voted
from coproterm.core.hub_messages import Tally, VoterCount
from coproterm.core.log_check import LogCheck
from coproterm.core.outcomes import Refused
from coproterm.core.protocol import HubProtocol
from coproterm.core.refusals import Refusal, english
from coproterm.core.report import build_report
from coproterm.core.session import Session
from coproterm.core.wire import decode, encode
from coproterm.core.wire_terms import Action, ErrorCode
from tests.conftest import HOST_TOKEN, counting_tokens
from tests.sessionkit import command, host, join, only

WORKSHOP = builtin_deck("workshop")
STRONGEST = next(
    i for i, q in enumerate(WORKSHOP.questions) if q.prompt == "Which value is strongest in your work today?"
)


def test_golden_bytes_and_the_budget():
    assert encode(Choose(7, 1, 0b101)) == bytes.fromhex("94 06 07 01 05".replace(" ", ""))
    assert decode(encode(Choose(7, 1, 0b101))) == Choose(7, 1, 5)
    assert encode(VoterCount(1, 12)) == bytes.fromhex("93 1b 01 0c".replace(" ", ""))
    assert len(encode(Choose(0xFFFF_FFFF, 200, 0xFFFF))) <= 16, "a pick-several vote of up to 16 positions"
    assert len(encode(Choose(12, 1, 0b11))) == 5


def room():
    session = Session(WORKSHOP, HOST_TOKEN, counting_tokens())
    host(session)
    command(session, Action.GOTO, STRONGEST)
    return session


def choose(session, conn, picks, seq=1, question=STRONGEST):
    return only(session.handle(conn, Choose(seq, question, picks)))


def test_each_position_chosen_counts_and_each_person_counts_once():
    session = room()
    for conn, picks in ((1, 0b00011), (2, 0b00110), (3, 0b00010)):
        join(session, conn, f"p{conn}")
        assert choose(session, conn, picks).seq == 1
    assert read_models.tally(session).counts == (1, 3, 1, 0, 0)
    assert read_models.people(session) == VoterCount(STRONGEST, 3)
    assert read_models.turnout(session).voted == 3, "people, not positions"
    choose(session, 2, 0b10000, seq=2)  # changed
    assert read_models.tally(session).counts == (1, 2, 0, 0, 1) and read_models.people(session).people == 3
    choose(session, 3, 0, seq=2)  # taken back
    assert read_models.tally(session).counts == (1, 1, 0, 0, 1) and read_models.people(session).people == 2
    session.handle(100, Command(9, Action.RESET, STRONGEST))
    assert read_models.tally(session).counts == (0,) * 5 and read_models.people(session).people == 0


@pytest.mark.parametrize(
    ("message", "code", "words"),
    [
        (Choose(1, STRONGEST, 0b111), ErrorCode.BAD_CHOICE, "the most is 2"),
        (Choose(1, STRONGEST, 0b100000), ErrorCode.BAD_CHOICE, "positions 1 to 5"),
        (Vote(1, STRONGEST, 2), ErrorCode.BAD_CHOICE, "(at most 2): send them together"),
        (Choose(1, STRONGEST + 1, 0b1), ErrorCode.NOT_CURRENT, "not the current one"),
        (Choose(1, 0, 0b1), ErrorCode.NOT_CURRENT, "not the current one"),
    ],
)
def test_a_bad_choice_is_refused_clearly_and_changes_nothing(message, code, words):
    session = room()
    join(session, 1)
    refused = only(session.handle(1, message))
    assert isinstance(refused, Refused) and refused.refusal.error is code
    assert words in english(refused.refusal, refused.values)
    assert read_models.tally(session).counts == (0,) * 5


def test_choose_on_a_one_choice_question_and_on_a_locked_one():
    session = room()
    join(session, 1)
    command(session, Action.GOTO, STRONGEST - 1, seq=2)  # the discussion before it
    assert only(session.handle(1, Choose(1, STRONGEST - 1, 1))).refusal.error is ErrorCode.NO_BOARD
    work = next(i for i, q in enumerate(WORKSHOP.questions) if q.id == "work")
    command(session, Action.GOTO, work, seq=3)
    refused = only(session.handle(1, Choose(2, work, 1)))
    assert refused.refusal.error is ErrorCode.BAD_CHOICE and refused.refusal is Refusal.ONE_POSITION
    command(session, Action.GOTO, STRONGEST, seq=4)
    command(session, Action.LOCK, STRONGEST, seq=5)
    assert only(session.handle(1, Choose(3, STRONGEST, 1))).refusal.error is ErrorCode.LOCKED


def test_hosts_hear_people_beside_the_tally_and_participants_once_revealed():
    p = HubProtocol(Session(WORKSHOP, HOST_TOKEN, counting_tokens()))
    p.opened(1, "127.0.0.1")
    p.receive(1, encode(Hello(host_token=HOST_TOKEN)), 0.0)
    p.receive(1, encode(Command(1, Action.GOTO, STRONGEST)), 0.0)
    p.opened(2, "10.0.0.2")
    p.receive(2, encode(Hello(name="Ann")), 0.0)
    p.receive(2, encode(Choose(1, STRONGEST, 0b11)), 0.0)

    def sent(participants=True):
        broadcasts, _ = p.fan_out(participants=participants)
        return {type(decode(b.frame)): (decode(b.frame), set(b.to)) for b in broadcasts}

    first = sent()
    assert first[VoterCount] == (VoterCount(STRONGEST, 1), {1}) and first[Tally][1] == {1}
    p.receive(1, encode(Command(2, Action.REVEAL, STRONGEST)), 0.0)
    revealed = sent()
    assert revealed[VoterCount][1] == {2} and revealed[Tally][1] == {2}


def test_a_log_s_choice_is_checked_against_the_positions_and_the_pick():
    check = LogCheck(WORKSHOP)
    assert check.problem(Joined(1, b"t" * 16, "Ann")) is None
    assert check.problem(Voted(1, STRONGEST, 0b11)) is None
    assert "positions" in str(check.problem(Voted(1, STRONGEST, 0b111)))
    assert "positions" in str(check.problem(Voted(1, STRONGEST, 0b1000000)))
    report = build_report(WORKSHOP, [(1, 0.0, Joined(1, b"t" * 16, "Ann")), (2, 1.0, Voted(1, STRONGEST, 0b11000))])
    assert report.questions[STRONGEST].counts == (0, 0, 0, 1, 1) and not report.flaws
