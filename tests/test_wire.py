"""The wire codec: golden bytes, byte budgets, and hostile input."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, fields
from typing import Annotated, ClassVar, get_args

import msgpack
import pytest
from hypothesis import given
from hypothesis import strategies as st

from coproterm.core.alerts import Alert
from coproterm.core.client_messages import AddQuestion, Choose, ChooseLanguage, Command, Hello, Mark, Vote
from coproterm.core.deck import deck_to_data, default_deck, in_one_language
from coproterm.core.hub_messages import (
    Ack,
    Added,
    Agreement,
    AnswerItem,
    Attendance,
    Ballot,
    ChosenLanguage,
    Error,
    Moves,
    State,
    Tally,
    ToMark,
    Translated,
    Turnout,
    VoterCount,
    Welcome,
)
from coproterm.core.i18n import language
from coproterm.core.refusals import Refusal
from coproterm.core.wire import Message, decode, encode
from coproterm.core.wire_checks import ProtocolError, VersionMismatch, field_checks
from coproterm.core.wire_terms import PROTOCOL_VERSION, Action, AskKind, ErrorCode, Role, Stance

GOLDEN = [
    (Hello(5, "Ann", None, None), "97 01 05 a3 41 6e 6e c0 c0 c0 c0"),
    (
        Hello(5, None, bytes(range(16)), None),
        "97 01 05 c0 c4 10 000102030405060708090a0b0c0d0e0f c0 c0 c0",
    ),
    (Hello(5, None, None, "tok"), "97 01 05 c0 c0 a3 74 6f 6b c0 c0"),
    (Hello(5, None, None, None, "KXPT"), "97 01 05 c0 c0 c0 a4 4b 58 50 54 c0"),
    (Vote(7, 1, 3), "94 02 07 01 03"),
    (Vote(7, 1, None), "94 02 07 01 c0"),
    (Command(1, Action.REVEAL, 2), "94 03 01 03 02"),
    (State(1, True, False), "96 11 01 c3 c2 c0 90"),
    (State(1, False, False, Alert.DISK_FULL), "96 11 01 c2 c2 02 90"),
    (Turnout(30, 12, 9), "94 16 1e 0c 09"),
    (Tally(1, (3, 0, 5, 10, 2, 1)), "93 12 01 96 03 00 05 0a 02 01"),
    (Ack(7), "92 13 07"),
    (Error(7, ErrorCode.LOCKED, Refusal.LOCKED), "95 14 07 0a 1d 90"),
    (Error(None, ErrorCode.BAD_CHOICE, Refusal.TOO_MANY_PICKS, (2,)), "95 14 c0 09 1c 91 02"),
    (Error(3, ErrorCode.WALL_FULL, Refusal.WALL_FULL, (5000,)), "95 14 03 18 27 91 cd 13 88"),
    (Ballot(1, None), "93 15 01 c0"),
    (Attendance(20, 3), "94 1a 14 03 00"),
    (Attendance(20, 3, 2), "94 1a 14 03 02"),
    (ChooseLanguage("cy"), "92 07 a2 63 79"),
    (ChosenLanguage("cy"), "92 1d a2 63 79"),
    (Hello(5, None, None, None, None, "cy"), "97 01 05 c0 c0 c0 c0 a2 63 79"),
    (AddQuestion(9, AskKind.YES_NO, "Egwyl?"), "99 08 09 01 a6 45 67 77 79 6c 3f c0 90 90 90 c2"),
    (AddQuestion(9, AskKind.YES_NO, "Egwyl?", at_end=True), "99 08 09 01 a6 45 67 77 79 6c 3f c0 90 90 90 c3"),
    (
        AddQuestion(9, AskKind.ONE, "Te?", None, ("Te", "Coffi")),
        "99 08 09 02 a3 54 65 3f c0 92 a2 54 65 a5 43 6f 66 66 69 90 90 c2",
    ),
    (
        Added(2, {"prompt": "Why?", "added": True, "answers": "text"}, None, 7),
        "95 1f 02 83 a6 70 72 6f 6d 70 74 a4 57 68 79 3f a5 61 64 64 65 64 c3 a7 61 6e 73 77 65 72 73 a4 74 65 78 74 c0 07",
    ),
    (Command(2, Action.AGREE, 0), "94 03 02 0b 00"),
    (Command(3, Action.END_AGREE, 0), "94 03 03 0c 00"),
    (Mark(3, 0, ((1, Stance.AGREE),)), "94 09 03 00 91 92 01 01"),
    (Mark(3, 0, ((1, Stance.AGREE), (7, Stance.PASS))), "94 09 03 00 92 92 01 01 92 07 00"),
    (ToMark(0, True, ((1, "Tea first"),), 1), "95 22 00 c3 91 92 01 a9 54 65 61 20 66 69 72 73 74 01"),
    (ToMark(0, True, ((1, "Tea"), (2, "Walk")), 5), "95 22 00 c3 92 92 01 a3 54 65 61 92 02 a4 57 61 6c 6b 05"),
    (ToMark(0, True, (), 0), "95 22 00 c3 90 00"),
    (ToMark(0, False, (), 0), "95 22 00 c2 90 00"),
    (ToMark(0, True, None, 9), "95 22 00 c3 c0 09"),
    (Agreement(0, True, 1, 1, ((1, 1, 0, 0),), ()), "97 23 00 c3 01 01 91 94 01 01 00 00 90"),
    (Error(2, ErrorCode.BAD_MARK, Refusal.OWN_ANSWER), "95 14 02 26 43 90"),
]


@pytest.mark.parametrize(("message", "golden"), GOLDEN, ids=lambda v: type(v).__name__)
def test_golden_bytes(message, golden):
    frame = bytes.fromhex(golden.replace(" ", ""))
    assert encode(message) == frame
    assert decode(frame) == message


def test_welcome_round_trips_with_the_deck():
    deck = deck_to_data(default_deck())
    welcome = Welcome(PROTOCOL_VERSION, Role.PARTICIPANT, b"r" * 16, deck, (None, 3, None, 1, 23, None))
    decoded = decode(encode(welcome))
    assert decoded.role is Role.PARTICIPANT
    assert decoded.votes == (None, 3, None, 1, 23, None)
    assert (decoded.code, decoded.code_required) == (None, False)
    host = decode(encode(Welcome(PROTOCOL_VERSION, Role.HOST, None, deck, (None,) * 6, "KXPT", True)))
    assert (host.code, host.code_required) == ("KXPT", True)
    assert msgpack.packb(decoded.deck) == msgpack.packb(deck)


def test_translated_round_trips_with_the_deck_in_one_language():
    deck = deck_to_data(in_one_language(default_deck(), language("cy")))
    frame = encode(Translated("cy", deck))
    assert frame[:2] == bytes([0x93, 0x20])
    decoded = decode(frame)
    assert decoded.language == "cy" and msgpack.packb(decoded.deck) == msgpack.packb(deck)
    with pytest.raises(ProtocolError):
        decode(encode(Translated("fr", deck)))  # only the languages a participant may choose


def test_each_message_is_defined_once_by_its_dataclass():
    """Every field names its check beside its type; the codec reads the checks from there."""
    kinds = get_args(Message)
    assert len({kind.TYPE for kind in kinds}) == len(kinds)
    for kind in (*kinds, AnswerItem):
        checks = field_checks(kind)
        assert len(checks) == len(fields(kind)) and all(callable(check) for check in checks), kind.__name__


def test_a_field_without_its_check_is_named():
    @dataclass(frozen=True)
    class Unchecked:
        TYPE: ClassVar[int] = 99
        seq: Annotated[int, "not a check"]
        count: int

    with pytest.raises(TypeError, match=r"Unchecked\.seq is not Annotated\[type, check\]"):
        field_checks(Unchecked)


def test_byte_budgets():
    """DESIGN.md section 4: vote <= 16 bytes, spectrum tally <= 40, grid tally <= 80."""
    largest_vote = Vote(0xFFFF_FFFF, 200, 0xFFFF)
    assert len(encode(largest_vote)) <= 16
    assert len(encode(Vote(12, 1, 5))) == 5
    # Counts of any session up to 65,535 participants, the largest the hub allows.
    assert len(encode(Tally(200, (0xFFFF_FFFF,) * 6))) <= 40
    assert len(encode(Tally(200, (0xFFFF,) * 24))) <= 80
    assert len(encode(Tally(1, (5, 9, 3, 0, 7, 6)))) == 10
    assert len(encode(Tally(4, (1,) * 24))) == 30
    # The whole workshop: a pick-several vote of up to 16 positions, its people, the values' tally, the move.
    assert len(encode(Choose(0xFFFF_FFFF, 200, 0xFFFF))) <= 16
    assert len(encode(Choose(12, 1, 0b101))) == 5
    assert len(encode(VoterCount(200, 0xFFFF))) <= 8
    assert len(encode(Tally(200, (0xFFFF_FFFF,) * 5))) <= 40
    assert len(encode(Moves(2, 1, (1,) * 36))) == 43, "a 6 x 6 move of a room of 30"
    assert len(encode(Moves(200, 199, (0xFFFF,) * 36))) <= 120
    assert len(encode(Attendance(65535, 65535, 65535))) <= 11


def test_an_attendance_from_a_hub_before_plain_mode_counts_none_in_plain_mode():
    assert decode(bytes.fromhex("93 1a 14 03")) == Attendance(20, 3, 0)


@pytest.mark.parametrize(
    ("frame", "problem"),
    [
        (b"", "not a msgpack frame"),
        (b"\xc1", "not a msgpack frame"),
        (b"\x94\x02\x07\x01", "not a msgpack frame"),
        (msgpack.packb([2, 7, 1, 3]) + b"\x00", "not a msgpack frame"),
        (msgpack.packb({"type": 2}), "starts with a message type"),
        (msgpack.packb([]), "starts with a message type"),
        (msgpack.packb(["vote", 1]), "starts with a message type"),
        (msgpack.packb([99, 1]), "unknown message type 99"),
        (msgpack.packb([2, 7, 1]), "Vote has 3 fields, not 2"),
        (msgpack.packb([2, 7, 1, 3, 4]), "Vote has 3 fields, not 4"),
        (msgpack.packb([2, -1, 1, 3]), "Vote: expected a whole number"),
        (msgpack.packb([2, 7, "1", 3]), "Vote: expected a whole number"),
        (msgpack.packb([2, 7, 1, 3.0]), "Vote: expected a whole number"),
        (msgpack.packb([2, 7, 1, True]), "Vote: expected a whole number"),
        (msgpack.packb([2, 7, 1, 70000]), "Vote: expected a whole number from 0 to 65535"),
        (msgpack.packb([3, 1, 13, 0]), "unknown Action 13"),
        (msgpack.packb([1, PROTOCOL_VERSION, 5, None, None, None]), "Hello: expected text"),
        (msgpack.packb([1, PROTOCOL_VERSION, None, b"short", None, None]), "Hello: expected 16 bytes"),
        (msgpack.packb([1, PROTOCOL_VERSION, "x" * 500, None, None, None]), "Hello: expected text of at most"),
        (msgpack.packb([2, msgpack.ExtType(5, b"x"), 1, 3]), "extension type 5"),
        (msgpack.packb([2, msgpack.Timestamp(1), 1, 3]), "Vote: expected a whole number"),
        (msgpack.packb([17, 0, 1, 0, None, []]), "State: expected true or false"),
        (msgpack.packb([17, 0, True, False, "the disk is full", []]), "State: expected a whole number"),
        (msgpack.packb([17, 0, True, False, None]), "State has 6 fields, not 4"),
        (msgpack.packb([18, 0, [1] * 145]), "Tally: expected an array of at most 144"),
        (msgpack.packb([16, 1, 0, None, [1], [], None, False]), "Welcome: expected a map"),
    ],
)
def test_hostile_frames_raise_one_error_type(frame, problem):
    with pytest.raises(ProtocolError) as caught:
        decode(frame)
    assert problem in str(caught.value)


def test_text_is_not_a_frame():
    with pytest.raises(ProtocolError, match="binary frame"):
        decode("[2, 7, 1, 3]")  # type: ignore[arg-type]


def test_another_version_is_named():
    with pytest.raises(VersionMismatch) as caught:
        decode(msgpack.packb([1, 6, None, None, None, "future field"]))
    assert caught.value.version == 6
    assert "speaks protocol version 5, not 6" in str(caught.value)


def test_a_client_of_version_2_is_refused_by_number_not_mid_session():
    """Version 2 sent the alert as English text: its clients are refused at the hello, in words they know."""
    with pytest.raises(VersionMismatch) as caught:
        decode(msgpack.packb([1, 2, "Ann", None, None, None]))
    assert caught.value.version == 2


@given(st.binary(max_size=64))
def test_any_bytes_decode_or_raise_protocol_error(data):
    with contextlib.suppress(ProtocolError):
        decode(data)


plain = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**64 - 1)
    | st.floats()
    | st.text(max_size=8)
    | st.binary(max_size=20),
    lambda inner: st.lists(inner, max_size=6) | st.dictionaries(st.text(max_size=4), inner, max_size=4),
    max_leaves=12,
)


@given(st.integers(0, 30), st.lists(plain, max_size=6))
def test_any_msgpack_array_decodes_or_raises_protocol_error(kind, items):
    try:
        message = decode(msgpack.packb([kind, *items]))
    except ProtocolError:
        return
    assert decode(encode(message)) == message


def test_a_turnout_from_an_older_hub_is_read():
    """A hub from before ``voted_here``: two fields; read as at most everyone here having voted."""
    assert decode(bytes.fromhex("93 16 1e 0c".replace(" ", ""))) == Turnout(30, 12, 12)
