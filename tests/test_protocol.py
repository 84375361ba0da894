"""The connection protocol as properties of the core: bytes and a clock in, outputs out, no sockets."""

from __future__ import annotations

import re
from pathlib import Path

import msgpack
from hypothesis import given, settings
from hypothesis import strategies as st

from coproterm.core import read_models
from coproterm.core.alerts import Alert
from coproterm.core.client_messages import Command, Hello, Vote
from coproterm.core.deck import default_deck
from coproterm.core.events import Voted
from coproterm.core.hub_messages import Ack, Answers, Attendance, Error, Moderation, State, Tally, Turnout, Welcome
from coproterm.core.limits import BURST, FLOOD, AddressLimit, NewcomerLimit
from coproterm.core.outcomes import Close
from coproterm.core.protocol import HubProtocol, Save, Send
from coproterm.core.refusals import TABLE, Refusal
from coproterm.core.session import Session
from coproterm.core.view import SessionView
from coproterm.core.wire import decode, encode
from coproterm.core.wire_terms import Action, CloseCode, ErrorCode
from tests.conftest import HOST_TOKEN, counting_tokens

SPECTRUM = 1
HOST, ANN, BOB = 100, 1, 2
PROTOCOL_DOC = Path(__file__).parent.parent / "docs" / "protocol.md"


def protocol(**options) -> HubProtocol:
    return HubProtocol(Session(default_deck(), HOST_TOKEN, counting_tokens()), **options)


def sent(outputs, to=None):
    return [decode(o.frame) for o in outputs if isinstance(o, Send) and (to is None or o.to == to)]


def closes(outputs):
    return [(o.conn, o.code) for o in outputs if isinstance(o, Close)]


def welcome(p: HubProtocol, conn: int, hello: Hello, address: str = "10.0.0.1", now: float = 0.0):
    assert p.opened(conn, address) == []
    return p.receive(conn, encode(hello), now)


def room() -> HubProtocol:
    p = protocol()
    welcome(p, HOST, Hello(host_token=HOST_TOKEN), "127.0.0.1")
    p.receive(HOST, encode(Command(1, Action.GOTO, SPECTRUM)), 0.0)
    welcome(p, ANN, Hello(name="Ann"))
    return p


def test_a_welcome_is_followed_at_once_by_what_the_role_may_see():
    p = protocol()
    host = sent(welcome(p, HOST, Hello(host_token=HOST_TOKEN), "127.0.0.1"))
    # The first question takes written answers: a host hears them (none yet) at once too.
    assert [type(m) for m in host] == [Welcome, State, Turnout, Attendance, Tally, Moderation, Answers]
    ann = sent(welcome(p, ANN, Hello(name="Ann")))
    assert [type(m) for m in ann] == [Welcome, State], "no tally for participants until revealed"


def test_the_refusal_table_is_the_one_in_the_doc():
    """docs/protocol.md lists every error code with what follows; the core's table must say the same."""
    doc = PROTOCOL_DOC.read_text()
    rows = dict(re.findall(r"^\| (\d+) \| `[A-Z_]+` \|.*\| (kept|close \d+|kept, or close \d+) \|$", doc, re.M))
    for refusal, (error, close) in TABLE.items():
        if error is None:
            continue
        promised = rows[str(int(error))]
        said = "kept" if close is None else f"close {int(close)}"
        assert said in promised, f"{refusal.name}: the core says {said}, the doc {promised}"
    assert set(TABLE) == set(Refusal), "every refusal is in the table"


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=64))
def test_any_bytes_either_count_or_are_refused_by_the_table(data):
    p = room()
    outputs = p.receive(ANN, data, 1.0)
    codes = {error for error, _ in TABLE.values()}
    for message in sent(outputs, ANN):
        assert not isinstance(message, Error) or message.code in codes, "every error comes from the table"
    for conn, code in closes(outputs):
        assert conn == ANN and code in {c for _, c in TABLE.values() if c is not None}


def test_hub_only_messages_and_a_second_hello_close_the_connection():
    for frame, code in [
        (encode(Ack(1)), CloseCode.INVALID),
        (encode(State(0, True, False)), CloseCode.INVALID),
        (encode(Hello(name="again")), CloseCode.POLICY),
    ]:
        p = room()
        outputs = p.receive(ANN, frame, 1.0)
        assert closes(outputs) == [(ANN, code)], frame


def test_text_frames_and_garbage_close_with_their_codes():
    p = room()
    assert closes(p.receive(ANN, "[1, 1]", 1.0)) == [(ANN, CloseCode.UNSUPPORTED)]
    p = room()
    outputs = p.receive(ANN, b"\xc1\xff", 1.0)
    assert closes(outputs) == [(ANN, CloseCode.INVALID)]
    assert sent(outputs)[0].code is ErrorCode.BAD_MESSAGE
    p = room()
    outputs = p.receive(ANN, msgpack.packb([1, 9, None, None, None, None]), 1.0)
    assert closes(outputs) == [(ANN, CloseCode.POLICY)] and sent(outputs)[0].code is ErrorCode.VERSION


def test_every_frame_counts_against_the_participant_across_connections():
    p = room()
    accepted = 0
    for i in range(BURST):
        accepted += Ack(i) in sent(p.receive(ANN, encode(Vote(i, SPECTRUM, i % 6)), 1.0))
    assert accepted == BURST
    p.closed(ANN)
    welcome(p, 3, Hello(resume=(1).to_bytes(16, "big")), now=1.0)
    refused = sent(p.receive(3, encode(Vote(99, SPECTRUM, 1)), 1.0))
    assert refused == [Error(99, ErrorCode.RATE_LIMITED, Refusal.TOO_FAST)]
    assert Ack(100) in sent(p.receive(3, encode(Vote(100, SPECTRUM, 2)), 1.2)), "the allowance grows back"


def test_a_flood_past_the_limit_is_closed():
    p = room()
    outputs = []
    for i in range(BURST + FLOOD):
        outputs = p.receive(ANN, encode(Vote(i, SPECTRUM, 1)), 1.0)
    assert closes(outputs) == [(ANN, CloseCode.POLICY)]


def test_connections_and_newcomers_per_address():
    p = protocol(addresses=AddressLimit(limit=2), newcomers=NewcomerLimit(burst=1, every=30))
    assert p.opened(1, "10.0.0.9") == [] and p.opened(2, "10.0.0.9") == []
    assert closes(p.opened(3, "10.0.0.9")) == [(3, CloseCode.POLICY)]
    p.closed(3)
    assert Welcome in map(type, sent(p.receive(1, encode(Hello()), 0.0)))
    outputs = p.receive(2, encode(Hello()), 0.0)
    assert closes(outputs) == [(2, CloseCode.POLICY)] and sent(outputs)[0].code is ErrorCode.RATE_LIMITED
    p.closed(2)
    assert p.opened(4, "10.0.0.9") == [], "a place freed"
    assert p.opened(5, "127.0.0.1") == [] and p.opened(6, "127.0.0.1") == [], "the hub's own address is exempt"


def test_a_gateway_vouches_for_the_real_address():
    p = protocol(addresses=AddressLimit(limit=1))
    assert p.opened(1, "127.0.0.1") == [] and p.vouched(1, "10.0.0.7") == []
    assert p.addresses.counts == {"10.0.0.7": 1}, "counted at the participant's address, not the gateway's"
    assert p.opened(2, "127.0.0.1") == []
    assert closes(p.vouched(2, "10.0.0.7")) == [(2, CloseCode.POLICY)], "per-address limits apply to SSH people"
    p.closed(1)
    assert "10.0.0.7" not in p.addresses.counts, "a place freed at that address"


def test_no_hello_in_time_closes_and_a_welcomed_connection_is_left_alone():
    p = protocol()
    p.opened(1, "10.0.0.1")
    assert closes(p.hello_overdue(1)) == [(1, CloseCode.POLICY)]
    p = room()
    assert p.hello_overdue(ANN) == []


def test_who_is_sent_what_by_the_fan_out():
    p = room()
    welcome(p, BOB, Hello(name="Bob"))
    p.receive(ANN, encode(Vote(1, SPECTRUM, 3)), 1.0)

    def kinds(participants):
        broadcasts, owed = p.fan_out(participants=participants, draining={HOST, ANN})
        return {type(decode(b.frame)): set(b.to) for b in broadcasts}, owed

    hosts_only, owed = kinds(False)
    assert hosts_only == {State: {HOST}, Turnout: {HOST}, Attendance: {HOST}, Tally: {HOST}} and not owed
    everyone, owed = kinds(True)
    assert everyone == {}, "a vote on a hidden question changes nothing participants see"
    assert owed, "Bob is still owed"
    p.receive(HOST, encode(Command(2, Action.REVEAL, SPECTRUM)), 1.0)
    revealed, _ = p.fan_out(participants=True)
    assert {type(decode(b.frame)): set(b.to) for b in revealed}[Tally] == {ANN, BOB}
    again, _ = p.fan_out(participants=True)
    assert again == [], "the same bytes are never sent twice"


def test_an_unsaved_vote_is_undone_and_refused_and_everyone_is_told():
    p = protocol(durable=True)
    welcome(p, HOST, Hello(host_token=HOST_TOKEN), "127.0.0.1")
    outputs = p.receive(HOST, encode(Command(1, Action.GOTO, SPECTRUM)), 0.0)
    p.saved(outputs[0])
    joined = welcome(p, ANN, Hello(name="Ann"))
    p.saved(joined[0])
    outputs = p.receive(ANN, encode(Vote(7, SPECTRUM, 4)), 1.0)
    save = outputs[0]
    assert isinstance(save, Save) and save.events == (Voted(1, SPECTRUM, 4),) and Ack(7) in sent(outputs[1:])
    instead = p.unsaved(save, Alert.DISK_FULL)
    assert sent(instead) == [Error(7, ErrorCode.UNAVAILABLE, Refusal.NOT_SAVED)] and not closes(instead)
    assert read_models.tally(p.session).counts == (0,) * 6
    assert read_models.state(p.session).alert == Alert.DISK_FULL
    assert encode(read_models.state(p.session))[-2:] == b"\x02\x90", "the alert travels as its number, with no words"
    p.saved(p.receive(ANN, encode(Vote(8, SPECTRUM, 2)), 2.0)[0])
    assert read_models.state(p.session).alert is None, "the log works again: the alert goes"


def test_an_unsaved_joining_closes_the_newcomer():
    p = protocol(durable=True)
    outputs = welcome(p, ANN, Hello(name="Ann"))
    instead = p.unsaved(outputs[0], Alert.DISK_FULL)
    assert closes(instead) == [(ANN, CloseCode.INTERNAL)]
    assert not p.session.participants


def test_ending_the_session_closes_everyone_for_good():
    p = room()
    assert sorted(closes(p.end())) == [(ANN, CloseCode.ENDED), (HOST, CloseCode.ENDED)]


def test_a_deck_cannot_carry_terminal_escapes():
    import pytest

    from coproterm.core.deck import DeckError, deck_to_data
    from coproterm.core.wire_terms import PROTOCOL_VERSION, Role

    data = deck_to_data(default_deck())
    for bad in ("\x1b]52;c;aGk=\x07", "\x1b[2J", "\x1b[6n", "right\u202eleft", "\x9b31m"):
        data["title"] = f"Workshop {bad}"
        with pytest.raises(DeckError, match="not allowed"):
            from coproterm.core.deck import deck_from_data

            deck_from_data(data)
        # A hub's deck reaches a client's terminal cleaned: the escape is gone before the deck is checked.
        view = SessionView()
        view.apply(decode(encode(Welcome(PROTOCOL_VERSION, Role.PARTICIPANT, None, data, ()))))
        assert view.deck is not None and view.deck.title == "Workshop " + "".join(filter(str.isprintable, bad))


def test_a_welcome_whose_deck_does_not_check_out_is_malformed():
    import pytest

    from coproterm.core.wire_checks import ProtocolError

    with pytest.raises(ProtocolError, match="deck is not valid"):
        SessionView().apply(decode(msgpack.packb([16, 1, 0, None, {"title": 5}, [], None, False])))
    with pytest.raises(ProtocolError, match="map"):  # not even a map: the codec refuses it
        decode(msgpack.packb([16, 1, 0, None, [5], [], None, False]))


def test_hosts_are_told_how_many_are_on_ssh():
    from coproterm.core.hub_messages import Attendance

    p = protocol()
    welcome(p, HOST, Hello(host_token=HOST_TOKEN), "127.0.0.1")
    for conn in (1, 2):
        assert p.opened(conn, "127.0.0.1") == [] and p.vouched(conn, f"10.0.0.{conn}") == []
        p.receive(conn, encode(Hello(name=f"ssh{conn}")), 0.0)
    welcome(p, 3, Hello(name="Ann"))
    broadcasts, _ = p.fan_out(participants=False)
    (attendance,) = [decode(b.frame) for b in broadcasts if isinstance(decode(b.frame), Attendance)]
    assert attendance == Attendance(joined=3, over_ssh=2)
    p.closed(1)
    broadcasts, _ = p.fan_out(participants=False)
    (attendance,) = [decode(b.frame) for b in broadcasts if isinstance(decode(b.frame), Attendance)]
    assert attendance.over_ssh == 1
