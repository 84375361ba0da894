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
from coproterm.core.agreement import Marks, most_agreed, most_split, place
from coproterm.core.client_messages import Answer, Command, Hello, Mark, Moderate
from coproterm.core.deck import default_deck
from coproterm.core.events import Agreeing, Marked
from coproterm.core.hub_messages import Ack, Agreement, ToMark
from coproterm.core.i18n import WELSH, language
from coproterm.core.outcomes import Record, Refused
from coproterm.core.protocol import HubProtocol, Send
from coproterm.core.refusals import Refusal, words
from coproterm.core.session import Session
from coproterm.core.view import SessionView
from coproterm.core.wire import decode, encode
from coproterm.core.wire_terms import Action, Stance
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
    return session.handle(conn, Mark(seq, question, answer, stance))


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
        while True:
            answer, left = round_.next_for(number, book)
            if answer is None:
                break
            assert answer.participant != number and left == 11 - len(seen)
            seen.append(answer.id)
            mark(session, number, answer.id, Stance.PASS)
        assert sorted(seen) == [a for a in range(1, 13) if a != number]
        orders[number] = seen
    firsts = {order[0] for order in orders.values()}
    assert len(firsts) > 3, "the first answer shown is not the same one (the earliest) for everyone"


def test_the_order_follows_the_seed_alone():
    assert place(b"s" * 16, 3, 7) == place(b"s" * 16, 3, 7)
    assert place(b"s" * 16, 3, 7) != place(b"t" * 16, 3, 7)
    early = [sorted(range(1, 21), key=lambda a, p=p: place(bytes([p]) * 16, p, a))[0] for p in range(1, 41)]
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
        assert (mine[0].id, mine[1]) == (theirs[0].id, theirs[1])


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


def test_a_participant_is_sent_the_next_answer_with_the_ack_and_hosts_the_counts():
    protocol = protocol_room()
    protocol.receive(HOST, encode(Command(1, Action.AGREE, TEXT)), 0.0)
    broadcasts, _ = protocol.fan_out(participants=True)
    to_two = [decode(b.frame) for b in broadcasts if 2 in b.to and isinstance(decode(b.frame), ToMark)]
    (first,) = to_two
    assert first.open and first.left == 2 and first.answer in (1, 3) and first.text == f"answer of {first.answer}"
    outputs = protocol.receive(2, encode(Mark(7, TEXT, first.answer, Stance.AGREE)), 0.1)
    ack, following = sent(outputs, 2)
    assert ack == Ack(7) and isinstance(following, ToMark) and following.left == 1
    assert following.answer == ({1, 3} - {first.answer}).pop()
    hosts, _ = protocol.fan_out(participants=False)
    (agreement,) = [decode(b.frame) for b in hosts if isinstance(decode(b.frame), Agreement)]
    assert agreement == Agreement(TEXT, True, 1, 1, ((first.answer, 1, 0, 0),), ())
    protocol.receive(HOST, encode(Command(2, Action.END_AGREE, TEXT)), 0.2)
    broadcasts, _ = protocol.fan_out(participants=True)
    closed = [decode(b.frame) for b in broadcasts if 3 in b.to and isinstance(decode(b.frame), ToMark)]
    assert closed == [ToMark(TEXT, False, 0, "", 0)]


def test_a_frame_to_mark_is_small():
    frame = encode(ToMark(0, True, 123, "x" * 40, 17))
    assert len(frame) < 60
    assert len(encode(Mark(9, 0, 123, Stance.AGREE))) < 12


def test_the_view_keeps_the_answer_to_mark_on_its_question_only():
    view = SessionView()
    view.apply(ToMark(0, True, 4, "hello\x1b[2J", 3))
    assert view.to_mark.text == "hello[2J"


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
        await facilitator.send(msgpack.packb([1, 4, None, None, HOST_TOKEN, None]))
        await ann.send(msgpack.packb([1, 4, "Ann", None, None, None]))
        await ben.send(msgpack.packb([1, 4, "Ben", None, None, None]))
        for socket in sockets:
            assert (await frames_until(socket, 16))[0] == 16
        await ann.send(msgpack.packb([4, 1, 0, 0, "Tea first"]))
        assert await frames_until(ann, 19) == [19, 1]
        await facilitator.send(bytes([0x94, 0x03, 0x02, 0x0B, 0x00]))  # Command: seq 2, AGREE (11), question 0
        assert await frames_until(facilitator, 19) == [19, 2]
        assert await frames_until(ben, 34) == [34, 0, True, 1, "Tea first", 1]
        assert await frames_until(ann, 34) == [34, 0, True, 0, "", 0]  # nobody else has written
        await ann.send(bytes([0x95, 0x09, 0x02, 0x00, 0x01, 0x01]))  # Mark: her own answer
        assert await frames_until(ann, 20) == [20, 2, 38, 67, []]
        await ben.send(bytes([0x95, 0x09, 0x03, 0x00, 0x01, 0x01]))  # Mark: seq 3, question 0, answer 1, agree
        assert await frames_until(ben, 19) == [19, 3]
        assert await frames_until(ben, 34) == [34, 0, True, 0, "", 0]
        agreement = await frames_until(facilitator, 35)
        while agreement[3] != 1:
            agreement = await frames_until(facilitator, 35)
        assert agreement == [35, 0, True, 1, 1, [[1, 1, 0, 0]], []]
        await ben.send(bytes([0x95, 0x09, 0x04, 0x00, 0x01, 0x03]))  # a stance of 3: no such stance
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
        assert await peer.request(lambda s, a=first.answer: Mark(s, TEXT, a, Stance.AGREE)) == Ack(peer.seq)
    await served.stop(signal.SIGKILL)
    served = await start_serve("--resume", data=tmp_path, port=served.port)
    again = served.token
    try:
        back = [await join(url, Hello(resume=peer.welcome.resume)) for peer in people]
        assert await next_of(back[3]) == firsts[3]  # has marked nothing: the same answer after --resume
        after = await next_of(back[0])
        assert after.answer != firsts[0].answer and after.left == 2
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
    from coproterm.core.report import LogCheck

    check = LogCheck(default_deck())
    assert check.problem(Marked(1, TEXT, 1, Stance.AGREE)) is not None  # nobody joined
