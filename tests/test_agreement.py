"""Agreeing with each other: the core's rules, the order, the bytes, kill -9 and --resume, the exports."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import signal

import msgpack
import pytest

from coproterm.commands.sessions import render, render_tables
from coproterm.core.agreement import Marks, most_agreed, most_split, order_key
from coproterm.core.client_messages import Answer, Command, Hello, Mark, Moderate
from coproterm.core.deck import deck_to_data, default_deck
from coproterm.core.events import Agreeing, Marked
from coproterm.core.hub_messages import Ack, Agreement, State, ToMark, Welcome
from coproterm.core.i18n import WELSH, language
from coproterm.core.outcomes import Record, Refused, Tell
from coproterm.core.protocol import HubProtocol, Save, Send
from coproterm.core.refusals import Refusal, words
from coproterm.core.session import Session
from coproterm.core.view import Offer, SessionView
from coproterm.core.wire import decode, encode
from coproterm.core.wire_checks import ProtocolError
from coproterm.core.wire_terms import MAX_MARKS, Action, Role, Stance
from coproterm.server.store import find_session
from tests.conftest import HOST_TOKEN, counting_tokens
from tests.hubkit import join, running_hub, start_serve
from tests.sessionkit import command, host, only
from tests.sessionkit import join as join_session

HOST = 100
TEXT = 0
"""The built-in deck's first question takes written answers."""


def room(people=4):
    """A session on the built-in deck, a host, and ``people`` participants who each wrote one answer."""
    session = Session(default_deck(), HOST_TOKEN, counting_tokens())
    host(session, HOST)
    for number in range(1, people + 1):
        join_session(session, number, f"p{number}")
        assert only(session.handle(number, Answer(1, TEXT, 0, f"answer of {number}"))) == Ack(1)
    return session


def mark(session, conn, answer, stance, seq=5, question=TEXT):
    return session.handle(conn, Mark(seq, question, ((answer, stance),)))


def refusal(outputs):
    (refused,) = [o for o in outputs if isinstance(o, Refused)]
    return refused.refusal


def test_opening_logs_a_seed_drawn_by_the_shell_and_reopening_keeps_it():
    session = room()
    outputs = session.handle(HOST, Command(1, Action.AGREE, TEXT))
    (record,) = [o for o in outputs if isinstance(o, Record)]
    assert isinstance(record.event, Agreeing) and record.event.open and len(record.event.seed) == 16
    seed = record.event.seed
    closed = session.handle(HOST, Command(2, Action.END_AGREE, TEXT))
    assert [o.event for o in closed if isinstance(o, Record)] == [Agreeing(TEXT, False, seed)]
    again = session.handle(HOST, Command(3, Action.AGREE, TEXT))
    assert [o.event for o in again if isinstance(o, Record)] == [Agreeing(TEXT, True, seed)]
    assert only(session.handle(HOST, Command(4, Action.AGREE, TEXT))) == Ack(4)  # open already: nothing logged


def test_only_a_question_with_written_answers_opens_for_agreement():
    session = room()
    assert command(session, Action.AGREE, 1).refusal is Refusal.NOT_FOR_AGREEMENT


@pytest.mark.parametrize(
    ("setup", "who", "answer", "expected"),
    [
        ("closed", 2, 1, Refusal.NOT_AGREEING),
        ("open", 1, 1, Refusal.OWN_ANSWER),
        ("open", 2, 99, Refusal.NO_ANSWER_TO_MARK),
        ("hidden", 2, 1, Refusal.NO_ANSWER_TO_MARK),
        ("open", HOST, 1, Refusal.HOSTS_DO_NOT_MARK),
    ],
)
def test_what_cannot_be_marked_is_refused_with_words_in_both_languages(setup, who, answer, expected):
    session = room()
    if setup != "closed":
        command(session, Action.AGREE, TEXT)
    if setup == "hidden":
        hidden = session.handle(HOST, Moderate(9, TEXT, 1, True))
        assert any(getattr(o, "message", None) == Ack(9) for o in hidden)
    assert refusal(mark(session, who, answer, Stance.AGREE)) is expected
    english, welsh = words(language("en"), expected), words(language(WELSH), expected)
    assert english != welsh and "{" not in welsh and "refusal" not in english


def test_a_mark_on_another_question_is_not_current():
    session = room()
    command(session, Action.AGREE, TEXT)
    command(session, Action.GOTO, 5, seq=2)
    assert refusal(mark(session, 2, 1, Stance.AGREE)) is Refusal.NOT_CURRENT


def test_marks_count_change_and_rank_most_agreed_and_most_split():
    session = room(6)
    command(session, Action.AGREE, TEXT)
    # Answer 1: four agree, one disagrees. Answer 2: two and two. Answer 3: passes only.
    for who in (2, 3, 4, 5):
        assert only(mark(session, who, 1, Stance.AGREE)) == Ack(5)
    mark(session, 6, 1, Stance.DISAGREE)
    for who, stance in ((1, Stance.AGREE), (3, Stance.AGREE), (4, Stance.DISAGREE), (5, Stance.DISAGREE)):
        mark(session, who, 2, stance)
    mark(session, 1, 3, Stance.PASS)
    mark(session, 6, 1, Stance.AGREE)  # a changed mark moves one count
    mark(session, 6, 1, Stance.DISAGREE)
    round_ = session.rounds[TEXT]
    assert round_.total == 10 and round_.people() == 6
    marks = {m.answer: m for m in round_.marks(session.answers[TEXT])}
    assert marks[1] == Marks(1, 4, 1, 0) and marks[2] == Marks(2, 2, 2, 0) and marks[3] == Marks(3, 0, 0, 1)
    assert [m.answer for m in most_agreed(marks.values())] == [1]
    assert [m.answer for m in most_split(marks.values())] == [2, 1]


def test_the_same_mark_again_is_acked_and_not_logged():
    session = room()
    command(session, Action.AGREE, TEXT)
    first = mark(session, 2, 1, Stance.AGREE)
    assert [o.event for o in first if isinstance(o, Record)] == [Marked(2, TEXT, 1, Stance.AGREE)]
    assert mark(session, 2, 1, Stance.AGREE) == [o for o in first if not isinstance(o, Record)]


def test_each_participant_sees_the_others_answers_only_in_an_order_of_their_own():
    session = room(12)
    command(session, Action.AGREE, TEXT)
    book, round_ = session.answers[TEXT], session.rounds[TEXT]
    orders = {}
    for number in range(1, 13):
        seen = []
        offers = []
        while True:
            answers, left = round_.next_for(number, book, count=3)
            if not answers:
                break
            offers.append([a.id for a in answers])
            assert all(a.participant != number for a in answers) and left == 11 - len(seen)
            seen.append(answers[0].id)
            mark(session, number, answers[0].id, Stance.PASS)
        assert sorted(seen) == [a for a in range(1, 13) if a != number]
        assert [offer[0] for offer in offers] == seen and offers[0] == seen[:3]  # an offer is the order's next few
        orders[number] = seen
    firsts = {order[0] for order in orders.values()}
    assert len(firsts) > 3, "the first answer shown is not the same one (the earliest) for everyone"


def test_the_order_follows_the_seed_alone():
    assert order_key(b"s" * 16, 3, 7) == order_key(b"s" * 16, 3, 7)
    assert order_key(b"s" * 16, 3, 7) != order_key(b"t" * 16, 3, 7)
    early = [sorted(range(1, 21), key=lambda a, p=p: order_key(bytes([p]) * 16, p, a))[0] for p in range(1, 41)]
    assert early.count(1) < 10, "answer 1 (the earliest) is not shown first to most people"


def logged(session, outputs):
    return [o.event for o in outputs if isinstance(o, Record)]


def test_a_replay_rebuilds_the_round_and_each_order():
    session = Session(default_deck(), HOST_TOKEN, counting_tokens())
    log = logged(session, session.handle(HOST, Hello(host_token=HOST_TOKEN)))
    for number in range(1, 5):
        log += logged(session, session.handle(number, Hello(name=f"p{number}")))
        log += logged(session, session.handle(number, Answer(1, TEXT, 0, f"answer of {number}")))
    log += logged(session, session.handle(HOST, Command(1, Action.AGREE, TEXT)))
    for who, answer in ((2, 1), (3, 1), (1, 2)):
        log += logged(session, mark(session, who, answer, Stance.AGREE))
    again = Session(default_deck(), HOST_TOKEN, lambda: b"another seed is never drawn")
    again.replay(log)
    assert again.rounds[TEXT].counts == session.rounds[TEXT].counts
    for number in range(1, 5):
        mine = session.rounds[TEXT].next_for(number, session.answers[TEXT])
        theirs = again.rounds[TEXT].next_for(number, again.answers[TEXT])
        assert ([a.id for a in mine[0]], mine[1]) == ([a.id for a in theirs[0]], theirs[1])


def test_an_unsaved_mark_is_undone_exactly():
    session = room()
    command(session, Action.AGREE, TEXT)
    session.journal()
    mark(session, 3, 1, Stance.DISAGREE, seq=1)
    events = logged(session, mark(session, 2, 1, Stance.AGREE))
    assert session.rounds[TEXT].total == 2
    session.unsaved(events)
    assert session.rounds[TEXT].total == 1 and session.rounds[TEXT].counts[1] == [0, 0, 1]
    assert 2 not in session.rounds[TEXT].stances


# -- the hub's protocol: who is sent what ----------------------------------------------------------


def protocol_room(people=3):
    session = room(people)
    protocol = HubProtocol(session)
    for conn in (HOST, *range(1, people + 1)):
        protocol.opened(conn, "127.0.0.1")
        protocol._connections[conn].welcomed = True
    return protocol


def sent(outputs, conn):
    return [decode(o.frame) for o in outputs if isinstance(o, Send) and o.to == conn]


def test_a_participant_is_offered_the_next_answers_with_the_ack_and_hosts_the_counts():
    protocol = protocol_room()
    protocol.receive(HOST, encode(Command(1, Action.AGREE, TEXT)), 0.0)
    broadcasts, _ = protocol.fan_out(participants=True)
    to_two = [decode(b.frame) for b in broadcasts if 2 in b.to and isinstance(decode(b.frame), ToMark)]
    (first,) = to_two
    assert first.open and first.left == 2 and {a for a, _ in first.items} == {1, 3}
    assert all(text == f"answer of {a}" for a, text in first.items)
    (one, _), (other, _) = first.items
    outputs = protocol.receive(2, encode(Mark(7, TEXT, ((one, Stance.AGREE),))), 0.1)
    ack, following = sent(outputs, 2)
    assert ack == Ack(7) and following == ToMark(TEXT, True, ((other, f"answer of {other}"),), 1)
    hosts, _ = protocol.fan_out(participants=False)
    (agreement,) = [decode(b.frame) for b in hosts if isinstance(decode(b.frame), Agreement)]
    assert agreement == Agreement(TEXT, True, 1, 1, ((one, 1, 0, 0),), ())
    protocol.receive(HOST, encode(Command(2, Action.END_AGREE, TEXT)), 0.2)
    broadcasts, _ = protocol.fan_out(participants=True)
    closed = [decode(b.frame) for b in broadcasts if 3 in b.to and isinstance(decode(b.frame), ToMark)]
    assert closed == [ToMark(TEXT, False, (), 0)]


def test_an_answer_written_further_down_the_order_changes_only_the_count_not_the_offer():
    protocol = protocol_room(people=11)
    protocol.receive(HOST, encode(Command(1, Action.AGREE, TEXT)), 0.0)
    broadcasts, _ = protocol.fan_out(participants=True)
    (first,) = [decode(b.frame) for b in broadcasts if 1 in b.to and isinstance(decode(b.frame), ToMark)]
    assert len(first.items) == MAX_MARKS and first.left == 10
    held, left, counts_only = first.items, first.left, 0
    for number in range(12, 20):  # newcomers write, one at a time
        protocol.opened(number, "127.0.0.1")
        protocol.receive(number, encode(Hello(name=f"p{number}")), 0.1)
        protocol.receive(number, encode(Answer(1, TEXT, 0, f"answer of {number}")), 0.1)
        broadcasts, _ = protocol.fan_out(participants=True)
        (sent_,) = [decode(b.frame) for b in broadcasts if 1 in b.to and isinstance(decode(b.frame), ToMark)]
        left += 1
        offer, _ = protocol.session.rounds[TEXT].next_for(1, protocol.session.answers[TEXT])
        now = tuple((a.id, a.text) for a in offer)
        if now == held:
            assert sent_ == ToMark(TEXT, True, None, left)  # 6 bytes, not the eight answers again
            counts_only += 1
        else:
            assert sent_ == ToMark(TEXT, True, now, left)
            held = now
    assert counts_only, "an answer placed after the offer sends the count alone"
    assert len(encode(ToMark(TEXT, True, None, 300))) <= 8


def test_the_view_keeps_its_offer_when_only_the_count_comes():
    view = offered_view(count=3, left=3)
    view.mark(1, Stance.AGREE)
    view.apply(ToMark(0, True, None, 4))
    assert view.current_to_mark == Offer(0, True, 2, "answer 2", 3)
    other = SessionView()
    other.state = State(0, True, False)
    with pytest.raises(ProtocolError):
        other.apply(ToMark(0, True, None, 4))


def test_several_marks_in_one_frame_count_each_and_are_answered_by_one_ack():
    protocol = protocol_room(people=4)
    protocol.receive(HOST, encode(Command(1, Action.AGREE, TEXT)), 0.0)
    protocol.fan_out(participants=True)
    marks = ((1, Stance.AGREE), (3, Stance.DISAGREE), (4, Stance.PASS))
    outputs = protocol.receive(2, encode(Mark(7, TEXT, marks)), 0.1)
    ack, following = sent(outputs, 2)
    assert ack == Ack(7) and following == ToMark(TEXT, True, (), 0)
    round_ = protocol.session.agreement_round()
    assert round_.stances[2] == {1: Stance.AGREE, 3: Stance.DISAGREE, 4: Stance.PASS} and round_.total == 3
    (save,) = [o for o in outputs if isinstance(o, Save)]
    assert [e.answer for e in save.events] == [1, 3, 4]  # logged together, before the one Ack
    again = protocol.receive(2, encode(Mark(8, TEXT, marks)), 0.2)  # the same marks again (after a reconnection)
    assert not [o for o in again if isinstance(o, Save)] and sent(again, 2) == [Ack(8)]


def test_a_mark_on_an_answer_hidden_since_it_was_offered_is_left_out_and_the_rest_count():
    session = room(people=4)
    command(session, Action.AGREE, TEXT)
    hidden = session.handle(HOST, Moderate(9, TEXT, 3, True))
    assert any(getattr(o, "message", None) == Ack(9) for o in hidden)
    outputs = session.handle(2, Mark(5, TEXT, ((1, Stance.AGREE), (3, Stance.AGREE))))
    assert [o.event.answer for o in outputs if isinstance(o, Record)] == [1]
    assert outputs[-1] == Tell(2, Ack(5))
    assert refusal(session.handle(2, Mark(6, TEXT, ((3, Stance.AGREE),)))) is Refusal.NO_ANSWER_TO_MARK
    assert refusal(session.handle(2, Mark(7, TEXT, ((4, Stance.AGREE), (2, Stance.AGREE))))) is Refusal.OWN_ANSWER
    assert session.agreement_round().stances[2] == {1: Stance.AGREE}  # a refused frame counts none of its marks


@pytest.mark.parametrize(
    "marks",
    [[], [[1, 1], [1, 2]], [[i, 1] for i in range(1, MAX_MARKS + 2)], [[1, 3]], [[1]], [1, 1]],
    ids=["none", "one answer twice", "too many", "no such stance", "no stance", "not pairs"],
)
def test_a_mark_frame_of_the_wrong_shape_is_malformed(marks):
    with pytest.raises(ProtocolError):
        decode(msgpack.packb([9, 5, TEXT, marks]))


def test_the_frames_of_a_round_are_small():
    offered = encode(ToMark(0, True, ((123, "x" * 40),), 17))
    assert len(offered) < 60
    eight = encode(ToMark(0, True, tuple((100 + i, "Tea first") for i in range(MAX_MARKS)), 17))
    assert len(eight) < 8 * (len("Tea first") + 4) + 10  # an answer costs its words and 3 or 4 bytes
    assert len(encode(Mark(9, 0, ((123, Stance.AGREE),)))) < 12
    assert len(encode(Mark(9, 0, tuple((100 + i, Stance.AGREE) for i in range(MAX_MARKS))))) < 8 * 4 + 8


def test_the_view_keeps_the_answer_to_mark_on_its_question_only():
    view = SessionView()
    view.apply(ToMark(0, True, ((4, "hello\x1b[2J"),), 3))
    assert view.to_mark.items == ((4, "hello[2J"),)


def offered_view(count=5, left=None):
    view = SessionView()
    view.state = State(0, True, False)
    view.apply(ToMark(0, True, tuple((i, f"answer {i}") for i in range(1, count + 1)), left or count))
    return view


def test_the_view_walks_through_an_offer_and_holds_the_marks_until_it_runs_low():
    view = offered_view(count=4, left=10)
    assert view.current_to_mark == Offer(0, True, 1, "answer 1", 10)
    view.mark(1, Stance.AGREE)
    assert view.current_to_mark == Offer(0, True, 2, "answer 2", 9) and not view.marks_due
    view.mark(2, Stance.PASS)
    assert not view.marks_due
    view.mark(3, Stance.DISAGREE)
    assert view.marks_due  # one answer of the offer left unmarked: the next offer is owed
    sent_ = view.send_marks(11)
    assert sent_ == Mark(11, 0, ((1, Stance.AGREE), (2, Stance.PASS), (3, Stance.DISAGREE)))
    assert view.current_to_mark == Offer(0, True, 4, "answer 4", 7) and not view.marks_held
    view.apply(ToMark(0, True, ((4, "answer 4"), (5, "answer 5")), 7))  # before the Ack (an edit elsewhere)
    assert view.current_to_mark == Offer(0, True, 4, "answer 4", 7)
    view.mark(4, Stance.AGREE)
    assert view.current_to_mark == Offer(0, True, 5, "answer 5", 6) and view.marks_due
    view.apply(Ack(11))
    view.apply(ToMark(0, True, ((4, "answer 4"), (5, "answer 5")), 4))  # marks 1-3 counted: 4 and 5 lead
    assert view.current_to_mark == Offer(0, True, 5, "answer 5", 3)


def test_marks_sent_and_not_acknowledged_go_again_after_a_new_welcome():
    view = offered_view(count=3)
    view.mark(1, Stance.AGREE)
    view.mark(2, Stance.AGREE)
    assert view.send_marks(4) is not None
    view.mark(3, Stance.PASS)
    view.apply(
        Welcome(5, Role.PARTICIPANT, None, deck_to_data(default_deck()), (None,) * len(default_deck().questions))
    )
    view.state = State(0, True, False)
    assert view.send_marks(9) is None and len(view.marks_held) == 3, "no offer yet since the welcome: they wait"
    assert not view.marks_due
    view.apply(ToMark(0, True, ((1, "answer 1"), (2, "answer 2"), (3, "answer 3")), 3))
    assert view.current_to_mark == Offer(0, True, 0, "", 0)
    assert view.marks_due, "the offer after a welcome takes what went unacknowledged"
    assert view.send_marks(5) == Mark(5, 0, ((1, Stance.AGREE), (2, Stance.AGREE), (3, Stance.PASS)))


def test_marks_that_could_not_go_go_with_the_next_offer():
    view = offered_view(count=5)
    view.mark(1, Stance.AGREE)
    assert not view.marks_due
    view.send_marks(3)
    view.marks_unsent(3)  # no connection
    assert view.marks_held == [(1, Stance.AGREE)] and view.marks_due


def test_held_marks_are_dropped_when_the_round_closes():
    view = offered_view(count=5)
    view.mark(1, Stance.AGREE)
    view.apply(ToMark(0, False, (), 0))
    assert not view.marks_held and view.current_to_mark == Offer(0, False, 0, "", 0)
    assert view.send_marks(4) is None


def test_held_marks_are_dropped_when_the_round_moves_to_another_question():
    view = offered_view(count=5)
    view.mark(1, Stance.AGREE)
    view.state = State(1, True, False)
    assert view.send_marks(3) is None and not view.marks_held


# -- bytes in, bytes out: an independent client ----------------------------------------------------


async def frames_until(socket, kind):
    async with asyncio.timeout(5):
        while True:
            items = msgpack.unpackb(await socket.recv())
            if items[0] == kind:
                return items


async def test_an_independent_client_marks_answers_as_bytes():
    from websockets.asyncio.client import connect

    async with running_hub() as hub:
        sockets = [await connect(hub.url, compression=None) for _ in range(3)]
        facilitator, ann, ben = sockets
        await facilitator.send(msgpack.packb([1, 5, None, None, HOST_TOKEN, None]))
        await ann.send(msgpack.packb([1, 5, "Ann", None, None, None]))
        await ben.send(msgpack.packb([1, 5, "Ben", None, None, None]))
        for socket in sockets:
            assert (await frames_until(socket, 16))[0] == 16
        await ann.send(msgpack.packb([4, 1, 0, 0, "Tea first"]))
        assert await frames_until(ann, 19) == [19, 1]
        await facilitator.send(bytes([0x94, 0x03, 0x02, 0x0B, 0x00]))  # Command: seq 2, AGREE (11), question 0
        assert await frames_until(facilitator, 19) == [19, 2]
        assert await frames_until(ben, 34) == [34, 0, True, [[1, "Tea first"]], 1]
        assert await frames_until(ann, 34) == [34, 0, True, [], 0]  # nobody else has written
        await ann.send(bytes([0x94, 0x09, 0x02, 0x00, 0x91, 0x92, 0x01, 0x01]))  # Mark: her own answer
        assert await frames_until(ann, 20) == [20, 2, 38, 67, []]
        # Mark: seq 3, question 0, marks [[answer 1, agree]]
        await ben.send(bytes([0x94, 0x09, 0x03, 0x00, 0x91, 0x92, 0x01, 0x01]))
        assert await frames_until(ben, 19) == [19, 3]
        assert await frames_until(ben, 34) == [34, 0, True, [], 0]
        agreement = await frames_until(facilitator, 35)
        while agreement[3] != 1:
            agreement = await frames_until(facilitator, 35)
        assert agreement == [35, 0, True, 1, 1, [[1, 1, 0, 0]], []]
        await ben.send(bytes([0x94, 0x09, 0x04, 0x00, 0x91, 0x92, 0x01, 0x03]))  # a stance of 3: no such stance
        assert (await frames_until(ben, 20))[2:4] == [1, 2]
        for socket in (facilitator, ann):
            await socket.close()


# -- kill -9, --resume, and the exports ---------------------------------------------------------------


async def test_kill_9_then_resume_keeps_the_round_its_marks_and_each_order(tmp_path):
    served = await start_serve(data=tmp_path)
    url, token = served.url, served.token
    facilitator = await join(url, Hello(host_token=token))
    people = [await join(url, Hello(name=f"p{i}")) for i in range(4)]
    for i, peer in enumerate(people):
        assert await peer.request(lambda s, i=i: Answer(s, TEXT, 0, f"idea {i}")) == Ack(peer.seq)
    assert await facilitator.request(lambda s: Command(s, Action.AGREE, TEXT)) == Ack(facilitator.seq)

    async def next_of(peer):
        async with asyncio.timeout(5):
            while True:
                message = await peer.recv()
                if isinstance(message, ToMark):
                    return message

    firsts = [await next_of(peer) for peer in people]
    for peer, first in zip(people[:3], firsts, strict=False):
        marks = ((first.items[0][0], Stance.AGREE),)
        assert await peer.request(lambda s, m=marks: Mark(s, TEXT, m)) == Ack(peer.seq)
    await served.stop(signal.SIGKILL)
    served = await start_serve("--resume", data=tmp_path, port=served.port)
    again = served.token
    try:
        back = [await join(url, Hello(resume=peer.welcome.resume)) for peer in people]
        assert await next_of(back[3]) == firsts[3]  # has marked nothing: the same answer after --resume
        after = await next_of(back[0])
        assert firsts[0].items[0] not in after.items and after.items == firsts[0].items[1:] and after.left == 2
        host_back = await join(url, Hello(host_token=again))
        async with asyncio.timeout(5):
            while True:
                message = await host_back.recv()
                if isinstance(message, Agreement):
                    break
        assert message.open and message.marks == 3 and message.people == 3
    finally:
        await served.stop()
    path = find_session(tmp_path, None)
    english, welsh = render(path, "html"), render(path, "html", lang="cy")
    assert "Agreeing with each other" in english and "3 marks by 3 participants" in english
    assert "Cytuno â&#x27;n gilydd" in welsh and "marciau: 3, cyfranogwyr: 3" in welsh
    report = json.loads(render(path, "json"))
    round_ = report["questions"][TEXT]["agreement"]
    assert round_["marks"] == 3 and round_["people"] == 3
    assert sum(a["agree"] for a in round_["answers"]) == 3
    rows = list(csv.DictReader(io.StringIO(render_tables(path)["agreement.csv"])))
    assert sorted(int(r["agree"]) for r in rows) == sorted(m["agree"] for m in round_["answers"])
    assert {r["question"] for r in rows} == {"1"}


def test_marked_events_replay_through_the_log_check():
    from coproterm.core.log_check import LogCheck

    check = LogCheck(default_deck())
    assert check.problem(Marked(1, TEXT, 1, Stance.AGREE)) is not None  # nobody joined
