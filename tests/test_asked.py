"""A question asked on the spot: the core's checks, the bytes, an older client, kill -9 and --resume."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import re
import signal

import msgpack
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from coproterm.commands.sessions import render, render_tables
from coproterm.core import read_models
from coproterm.core.asked import MAX_OPTION, MAX_PROMPT
from coproterm.core.boards import Kind
from coproterm.core.client_messages import AddQuestion, Choose, Command, Hello, Vote
from coproterm.core.deck import default_deck
from coproterm.core.events import Added as AddedEvent
from coproterm.core.hub_messages import Ack, Added
from coproterm.core.i18n import WELSH, language
from coproterm.core.outcomes import Record, Refused, Tell
from coproterm.core.refusals import Refusal, words
from coproterm.core.session import Session
from coproterm.core.view import SessionView
from coproterm.core.wire import decode, encode
from coproterm.core.wire_checks import ProtocolError
from coproterm.core.wire_terms import MAX_QUESTIONS, PROTOCOL_VERSION, Action, AskKind, ErrorCode
from coproterm.server.store import find_session
from tests.conftest import HOST_TOKEN, counting_tokens
from tests.hubkit import join, running_hub, start_serve
from tests.sessionkit import host

HOST = 100


def ask(session, kind, prompt="Shall we take a break?", *, seq=1, conn=HOST, at_end=True, **fields):
    """The host asks (at the end of the deck unless told otherwise: the tests of what a question becomes)."""
    return session.handle(conn, AddQuestion(seq, kind, prompt, **fields, at_end=at_end))


def refusal_of(outputs):
    (refused,) = [o for o in outputs if isinstance(o, Refused)]
    return refused.refusal, refused.values


def fresh():
    session = Session(default_deck(), HOST_TOKEN, counting_tokens())
    host(session, HOST)
    return session


def test_each_kind_becomes_a_question_at_the_end_marked_added():
    session = fresh()
    six = len(session.deck.questions)
    ask(session, AskKind.OPEN, "What surprised you?", seq=1)
    ask(session, AskKind.YES_NO, "Shall we break?", prompt_cy="Gawn ni egwyl?", seq=2)
    ask(session, AskKind.ONE, "Tea or coffee?", options=("Tea", "Coffee"), options_cy=("Te", "Coffi"), seq=3)
    ask(session, AskKind.SEVERAL, "Which days?", options=("Mon", "Tue", "Wed"), seq=4)
    ask(session, AskKind.SCALE, "Where now?", board=("spectrum",), seq=5)
    ask(session, AskKind.SCALE, "And the grid?", board=("spectrum", "complexity"), seq=6)
    added = session.deck.questions[six:]
    assert [q.kind for q in added] == [Kind.TEXT, Kind.SCALE, Kind.SCALE, Kind.SCALE, Kind.SCALE, Kind.GRID]
    assert all(q.added for q in added) and not any(q.added for q in session.deck.questions[:six])
    yes_no, tea, days = added[1], added[2], added[3]
    assert [p.label for p in yes_no.x.positions] == ["Yes", "No", "Not sure"]
    assert [p.label_cy for p in yes_no.x.positions] == ["Ie", "Na", "Ddim yn siŵr"]
    assert yes_no.prompt_cy == "Gawn ni egwyl?"
    assert [(p.label, p.label_cy) for p in tea.x.positions] == [("Tea", "Te"), ("Coffee", "Coffi")]
    assert days.pick == 3 and days.several
    assert added[4].x.key == "spectrum"
    assert len(session.questions) == len(session.answers) == six + 6


def test_the_added_question_is_logged_acked_and_voted_on():
    session = fresh()
    outputs = ask(session, AskKind.SEVERAL, "Which days?", options=("Mon", "Tue", "Wed"), seq=7)
    assert [type(o) for o in outputs] == [Record, Tell]
    assert isinstance(outputs[0].event, AddedEvent) and outputs[1].message == Ack(7)
    index = len(session.deck.questions) - 1
    session.handle(HOST, Command(8, Action.GOTO, index))
    session.handle(1, Hello(name="Ann"))
    assert session.handle(1, Choose(1, index, 0b101))[-1].message == Ack(1)
    assert read_models.tally(session).counts == (1, 0, 1)


@pytest.mark.parametrize(
    ("fields", "refusal", "values"),
    [
        ({"kind": AskKind.OPEN, "prompt": " \x1b "}, Refusal.NO_PROMPT, ()),
        ({"kind": AskKind.OPEN, "prompt": "x" * (MAX_PROMPT + 1)}, Refusal.PROMPT_TOO_LONG, (MAX_PROMPT, 301)),
        ({"kind": AskKind.OPEN, "prompt": "Why?", "prompt_cy": "p" * 400}, Refusal.PROMPT_TOO_LONG, (MAX_PROMPT, 400)),
        ({"kind": AskKind.YES_NO, "prompt": "Why?", "options": ("a", "b")}, Refusal.NO_OPTIONS_HERE, ()),
        ({"kind": AskKind.OPEN, "prompt": "Why?", "board": ("spectrum",)}, Refusal.NO_SCALE_HERE, ()),
        ({"kind": AskKind.SCALE, "prompt": "Why?"}, Refusal.NO_SUCH_SCALE, ()),
        ({"kind": AskKind.SCALE, "prompt": "Why?", "board": ("nowhere",)}, Refusal.NO_SUCH_SCALE, ()),
        ({"kind": AskKind.ONE, "prompt": "Why?", "options": ("only",)}, Refusal.OPTIONS_COUNT, (2, 8)),
        ({"kind": AskKind.ONE, "prompt": "Why?", "options": tuple("abcdefghi")}, Refusal.OPTIONS_COUNT, (2, 8)),
        (
            {"kind": AskKind.ONE, "prompt": "Why?", "options": ("a", "b"), "options_cy": ("a",)},
            Refusal.WELSH_OPTIONS,
            (),
        ),
        ({"kind": AskKind.ONE, "prompt": "Why?", "options": ("a", "\u200b")}, Refusal.OPTION_WORDS, (MAX_OPTION,)),
        ({"kind": AskKind.SEVERAL, "prompt": "Why?", "options": ("a", "b" * 61)}, Refusal.OPTION_WORDS, (60,)),
        ({"kind": AskKind.ONE, "prompt": "Why?", "options": ("Tea", "tea")}, Refusal.SAME_OPTIONS, ()),
    ],
)
def test_what_cannot_be_asked_is_refused_with_words_in_both_languages(fields, refusal, values):
    session = fresh()
    before = len(session.deck.questions)
    outputs = session.handle(HOST, AddQuestion(3, **fields))
    assert refusal_of(outputs) == (refusal, values)
    assert refusal.error is ErrorCode.BAD_QUESTION and refusal.close is None
    assert len(session.deck.questions) == before and session.version >= 0
    assert words(language(WELSH), refusal, values) != words(language("en"), refusal, values)


def test_only_the_host_asks():
    session = fresh()
    session.handle(1, Hello(name="Ann"))
    assert refusal_of(ask(session, AskKind.OPEN, conn=1)) == (Refusal.HOST_ONLY, ())


def test_the_deck_size_limit_counts_questions_asked_on_the_spot():
    session = fresh()
    for seq in range(MAX_QUESTIONS - len(session.deck.questions)):
        assert ask(session, AskKind.YES_NO, f"Question {seq}", seq=seq)[-1].message == Ack(seq)
    assert len(session.deck.questions) == MAX_QUESTIONS
    assert refusal_of(ask(session, AskKind.OPEN, seq=999)) == (Refusal.DECK_FULL, (MAX_QUESTIONS,))
    assert Refusal.DECK_FULL.error is ErrorCode.DECK_FULL


def test_an_unsaved_question_is_undone_exactly():
    session = fresh()
    session.journal()
    deck, data = session.deck, session.deck_data
    (record, _) = ask(session, AskKind.ONE, options=("a", "b"))
    session.unsaved([record.event])
    assert session.deck is deck and session.deck_data is data and not session.asked_on_the_spot
    assert len(session.questions) == len(session.answers) == len(deck.questions)


def test_a_view_grows_its_deck_from_added_and_refuses_one_out_of_step():
    session = fresh()
    session.handle(1, Hello(name="Ann"))
    view = SessionView()
    welcome = next(o.message for o in session.handle(2, Hello(name="Bob")) if isinstance(o, Tell))
    view.apply(welcome)
    ask(session, AskKind.ONE, "Tea or coffee?", options=("Tea", "Coffee"), options_cy=("Te", "Coffi"))
    entry = session.deck_data["questions"][-1]
    added = decode(encode(Added(6, entry, ("asked-7", session.deck_data["scales"]["asked-7"]), 7)))
    view.apply(added)
    assert view.hub_deck == session.deck
    view.speak(language(WELSH))
    assert [p.label for p in view.deck.questions[6].x.positions] == ["Te", "Coffi"]
    view.apply(added)  # a second time (a translation of the deck brought it first): had already
    assert len(view.hub_deck.questions) == 7
    with pytest.raises(ProtocolError):
        view.apply(Added(9, entry, None, 10))  # past the deck's end: this deck is not the hub's
    with pytest.raises(ProtocolError):
        view.apply(Added(3, entry, None, 9))  # two questions on from this deck: one was missed


# -- bytes in, bytes out: an independent client, and one of protocol version 2 ---------------------


async def raw(url):
    return await connect(url, compression=None, max_size=2**20)


async def frames_until(socket, kind):
    async with asyncio.timeout(5):
        while True:
            items = msgpack.unpackb(await socket.recv())
            if items[0] == kind:
                return items


async def test_an_independent_client_adds_a_question_and_another_answers_it_and_version_2_is_refused():
    async with running_hub() as hub:
        facilitator, person, old = await raw(hub.url), await raw(hub.url), await raw(hub.url)
        await facilitator.send(msgpack.packb([1, 5, None, None, HOST_TOKEN, None]))
        await person.send(msgpack.packb([1, 5, "Ann", None, None, None]))
        # Version 2 read the alert as text and knew no timer: refused at its hello, in words it knows, and closed.
        await old.send(msgpack.packb([1, 2, "Old", None, None, None]))
        assert await frames_until(old, 20) == [20, None, 2, 4, [PROTOCOL_VERSION, 2]]
        with pytest.raises(ConnectionClosed) as closed:
            await frames_until(old, 16)
        assert closed.value.rcvd.code == 1008
        for socket in (facilitator, person):
            assert (await frames_until(socket, 16))[0] == 16
        # yes / no: "Egwyl?", at the end of the deck
        await facilitator.send(bytes.fromhex("99 08 09 01 a6 45 67 77 79 6c 3f c0 90 90 90 c3"))
        assert await frames_until(facilitator, 19) == [19, 9]
        added = await frames_until(person, 31)
        assert added[:2] == [31, 6] and added[4] == 7  # question 7 of 7
        assert added[2] == {"prompt": "Egwyl?", "added": True, "board": "asked-7"}
        name, scale = added[3]
        assert name == "asked-7" and [p["label"] for p in scale["positions"]] == ["Yes", "No", "Not sure"]
        await facilitator.send(msgpack.packb([3, 10, 0, 6]))  # GOTO the new question
        state = await frames_until(person, 17)
        assert state[1] == 6
        await person.send(msgpack.packb([2, 1, 6, 0]))  # "Yes"
        assert await frames_until(person, 19) == [19, 1]
        assert read_models.tally(hub.session, 6).counts == (1, 0, 0)
        for socket in (facilitator, person):
            await socket.close()


async def test_a_participant_welcomed_after_the_question_gets_it_in_the_deck():
    async with running_hub() as hub:
        facilitator = await join(hub.url, Hello(host_token=HOST_TOKEN))
        reply = await facilitator.request(lambda s: AddQuestion(s, AskKind.OPEN, "What surprised you?"))
        assert reply == Ack(facilitator.seq)
        late = await join(hub.url, Hello(name="Late"))
        questions = late.welcome.deck["questions"]
        assert len(questions) == 7 and questions[1]["added"] is True, "after the current question, the first"
        assert len(late.welcome.votes) == 7
        await facilitator.request(lambda s: Command(s, Action.GOTO, 1))
        await late.until(lambda p: p.state is not None and p.state.current == 1)


async def test_kill_9_then_resume_keeps_the_question_asked_and_its_votes(tmp_path):
    served = await start_serve(data=tmp_path)
    url, token = served.url, served.token
    facilitator = await join(url, Hello(host_token=token))
    reply = await facilitator.request(
        lambda s: AddQuestion(
            s, AskKind.ONE, "Tea or coffee?", "Te neu goffi?", ("Tea", "Coffee"), ("Te", "Coffi"), at_end=True
        )
    )
    assert reply == Ack(1)
    await facilitator.request(lambda s: Command(s, Action.GOTO, 6))
    people = [await join(url, Hello(name=f"p{i}")) for i in range(3)]
    for peer, choice in zip(people, (0, 1, 1), strict=True):
        assert await peer.request(lambda s, c=choice: Vote(s, 6, c)) == Ack(peer.seq)
    await served.stop(signal.SIGKILL)
    port = served.port
    served = await start_serve("--resume", data=tmp_path, port=port)
    again = served.token
    try:
        back = await join(url, Hello(host_token=again))
        asked = back.welcome.deck["questions"][6]
        assert (asked["prompt"], asked["prompt_cy"], asked["added"]) == ("Tea or coffee?", "Te neu goffi?", True)
        await back.until(lambda p: p.tally is not None and p.tally.question == 6)
        assert back.tally.counts == (1, 2)
        ann = await join(url, Hello(resume=people[0].welcome.resume))
        assert ann.welcome.votes[6] == 0
    finally:
        await served.stop()
    # The report and the CSV tables, in both languages, mark it as added during the session.
    path = find_session(tmp_path, None)
    english, welsh = render(path, "html"), render(path, "html", lang="cy")
    assert re.search(r"7\. Tea or coffee\?</h[23]><p class=\"meta added\">Added during the session</p>", english)
    assert re.search(
        r"7\. Te neu goffi\?</h[23]><p class=\"meta added\">Wedi&#x27;i ychwanegu yn ystod y sesiwn</p>", welsh
    )
    assert english.count("Added during the session") == 1
    tallies = list(csv.DictReader(io.StringIO(render_tables(path)["tallies.csv"])))
    asked = [r for r in tallies if r["question"] == "7"]
    assert [(r["label"], r["votes"], r["added during the session"]) for r in asked] == [
        ("Tea", "1", "yes"),
        ("Coffee", "2", "yes"),
    ]
    assert {r["added during the session"] for r in tallies if r["question"] != "7"} == {""}
    cymraeg = render_tables(path, lang="cy")
    welsh_rows = list(csv.DictReader(io.StringIO(cymraeg["cyfrifon.csv"])))
    assert any(row.get("wedi'i ychwanegu yn ystod y sesiwn") == "ie" for row in welsh_rows)
    assert json.loads(render(path, "json"))["questions"][6]["added"] is True


def test_a_deck_sent_in_one_language_is_made_again_with_the_question_asked():
    from coproterm.core.client_messages import ChooseLanguage
    from coproterm.core.hub_messages import Translated

    session = fresh()
    welcome = next(o.message for o in session.handle(1, Hello(name="Ann", language="en")) if isinstance(o, Tell))
    assert "prompt_cy" not in welcome.deck["questions"][1]
    ask(session, AskKind.YES_NO, "Shall we break?", prompt_cy="Gawn ni egwyl?")
    (translated,) = [o.message for o in session.handle(1, ChooseLanguage("cy")) if isinstance(o, Tell)]
    assert isinstance(translated, Translated) and translated.language == "cy"
    asked = translated.deck["questions"][ADDED_INDEX]
    assert asked["prompt"] == "Gawn ni egwyl?" and asked["added"] is True
    labels = [p["label"] for p in translated.deck["scales"][asked["board"]]["positions"]]
    assert labels == ["Ie", "Na", "Ddim yn siŵr"]
    late = next(o.message for o in session.handle(2, Hello(name="Bryn", language="cy")) if isinstance(o, Tell))
    assert late.deck["questions"][ADDED_INDEX]["prompt"] == "Gawn ni egwyl?"


ADDED_INDEX = 6
