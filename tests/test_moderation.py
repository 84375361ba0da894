"""Moderation before the wall: answers to a moderated question wait for the facilitator, then reach the room.

The core (a session, by its messages), the wire as an independent client speaks it (bytes in, bytes out, and
no byte of a waiting answer in any other participant's frames), the log (kill -9 and --resume of a real
`coproterm serve`, a log from before moderation widened), and the exports that mark what was never approved.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import signal
import sqlite3
from pathlib import Path

import msgpack
import pytest
from websockets.asyncio.client import connect

from coproterm.commands.sessions import render, render_tables
from coproterm.core import read_models
from coproterm.core.client_messages import Answer, Command, Hello, Moderate
from coproterm.core.deck import DeckError, deck_to_data, default_deck, load_deck, parse_deck
from coproterm.core.events import Answered, Approved, Commanded, Moderated
from coproterm.core.hub_messages import Ack, Moderation, YourAnswers
from coproterm.core.i18n import WELSH, language
from coproterm.core.outcomes import Record, Refused, Tell
from coproterm.core.refusals import Refusal, words
from coproterm.core.session import Session
from coproterm.core.wire_terms import APPROVE_ALL, PROTOCOL_VERSION, Action, ErrorCode
from coproterm.server.store import SessionStore, find_session
from tests.conftest import HOST_TOKEN, counting_tokens
from tests.hubkit import running_hub, start_serve
from tests.storekit import release_before_session

DECK = Path(__file__).parent / "decks" / "moderated.toml"
WHAT, WORD = 0, 1
"""The moderated deck's two text questions: the first moderated (the deck says so), the second not."""
HOST, ANN, BOB = 100, 1, 2


def session(deck=None) -> Session:
    s = Session(deck or load_deck(DECK), HOST_TOKEN, counting_tokens())
    s.handle(HOST, Hello(host_token=HOST_TOKEN))
    s.handle(ANN, Hello(name="Ann"))
    s.handle(BOB, Hello(name="Bob"))
    return s


def told(outputs, conn, kind):
    return [o.message for o in outputs if isinstance(o, Tell) and o.to == conn and isinstance(o.message, kind)]


def recorded(outputs):
    return [o.event for o in outputs if isinstance(o, Record)]


async def heard(peer, wanted, timeout: float = 5.0):
    """The first message ``peer`` receives for which ``wanted(message)`` holds."""
    async with asyncio.timeout(timeout):
        while not wanted(message := await peer.recv(timeout)):
            pass
    return message


def wall_texts(s: Session, question: int = WHAT) -> list[str]:
    return [text for _, _, text in s.answers[question].wall().answers]


# -- the deck ------------------------------------------------------------------------------


def test_the_deck_says_which_question_is_moderated_and_nothing_else_takes_it():
    deck = load_deck(DECK)
    assert [q.answers.moderated for q in deck.questions] == [True, False]
    assert deck_to_data(deck)["questions"][0]["moderated"] is True
    assert "moderated" not in deck_to_data(deck)["questions"][1]
    with pytest.raises(DeckError, match=r"questions\[0\]\.moderated: only a text question"):
        parse_deck('title = "x"\n[[questions]]\nprompt = "a"\nmoderated = true\n')
    with pytest.raises(DeckError, match=r"questions\[0\]\.moderated: expected true or false"):
        parse_deck('title = "x"\n[[questions]]\nprompt = "a"\nanswers = "text"\nmoderated = "yes"\n')


# -- the core ------------------------------------------------------------------------------


def test_a_waiting_answer_reaches_nobody_but_its_writer_and_the_host_until_approved():
    s = session()
    out = s.handle(ANN, Answer(1, WHAT, 0, "sharing power"))
    assert recorded(out) == [Answered(1, WHAT, 0, 1, "sharing power", waiting=True)]
    assert told(out, ANN, YourAnswers) == [YourAnswers(WHAT, ((0, "sharing power"),), (), (0,))], (
        "the writer is told it waits"
    )
    assert wall_texts(s) == [] and s.answers[WHAT].wall().total == 0 and not s.answers[WHAT].words.top(5)
    assert read_models.moderation(s) == Moderation(WHAT, True, 1)

    out = s.handle(HOST, Moderate(2, WHAT, 1, False, approve=True))
    assert recorded(out) == [Approved(WHAT, 1)]
    assert told(out, ANN, YourAnswers) == [YourAnswers(WHAT, ((0, "sharing power"),), (), ())], (
        "and told it no longer waits"
    )
    assert wall_texts(s) == ["sharing power"] and read_models.moderation(s) == Moderation(WHAT, True, 0)

    # An approved answer edited on a moderated question waits again: its new words are not approved.
    s.handle(ANN, Answer(3, WHAT, 0, "sharing power, and something rude"))
    assert wall_texts(s) == [] and read_models.moderation(s) == Moderation(WHAT, True, 1)


def test_approve_all_lets_every_waiting_answer_through_and_hiding_one_takes_it_off_the_queue():
    s = session()
    s.handle(ANN, Answer(1, WHAT, 0, "equal power"))
    s.handle(ANN, Answer(2, WHAT, 1, "something rude"))
    s.handle(BOB, Answer(1, WHAT, 0, "trust"))
    out = s.handle(HOST, Moderate(3, WHAT, 2, True))  # hide one: turned down, out of the queue
    assert told(out, ANN, YourAnswers) == [YourAnswers(WHAT, ((0, "equal power"), (1, "something rude")), (1,), (0, 1))]
    assert read_models.moderation(s) == Moderation(WHAT, True, 2)
    out = s.handle(HOST, Moderate(4, WHAT, APPROVE_ALL, False, approve=True))
    assert recorded(out) == [Approved(WHAT, 1), Approved(WHAT, 3)], "the hidden one is not approved"
    assert told(out, HOST, Ack) == [Ack(4)] and told(out, BOB, YourAnswers) == [
        YourAnswers(WHAT, ((0, "trust"),), (), ())
    ]
    assert sorted(wall_texts(s)) == ["equal power", "trust"]
    assert read_models.moderation(s) == Moderation(WHAT, True, 0)
    # Approving again, or all with nothing waiting, changes nothing and is not an error.
    assert recorded(s.handle(HOST, Moderate(5, WHAT, APPROVE_ALL, False, approve=True))) == []
    assert recorded(s.handle(HOST, Moderate(6, WHAT, 1, False, approve=True))) == []


def book_state(s: Session, question: int = WHAT):
    book = s.answers[question]
    answers = sorted((a.id, a.text, a.hidden, a.waiting, a.removed) for a in book.answers.values())
    wall = book.wall()
    return answers, book.words.top(30), [text for _, _, text in wall.answers], wall.total, book.visible, book.queued


def test_approving_all_in_one_pass_ends_as_approving_each_in_turn_and_a_failed_write_undoes_it_exactly():
    many, one_by_one = session(), session()
    many.journal(True)
    for s in (many, one_by_one):
        s.handle(ANN, Answer(1, WHAT, 0, "equal power and trust"))
        s.handle(ANN, Answer(2, WHAT, 1, "something rude"))
        s.handle(BOB, Answer(1, WHAT, 0, "trust, and gymuned"))
        s.handle(BOB, Answer(2, WHAT, 1, "cymuned"))
        s.handle(HOST, Moderate(3, WHAT, 2, True))  # hidden: not approved by either
    before = book_state(many)
    out = many.handle(HOST, Moderate(4, WHAT, APPROVE_ALL, False, approve=True))
    for answer in (1, 3, 4):
        one_by_one.handle(HOST, Moderate(4, WHAT, answer, False, approve=True))
    assert recorded(out) == [Approved(WHAT, 1), Approved(WHAT, 3), Approved(WHAT, 4)]
    assert book_state(many) == book_state(one_by_one), "the same answers, words, wall and counts"
    assert dict(many.answers[WHAT].words.top(30))["cymuned"] == 2
    many.unsaved(recorded(out))
    assert book_state(many) == before, "every approval undone: the queue, the words and the wall as they were"
    assert read_models.moderation(many) == Moderation(WHAT, True, 3)


def test_moderation_turned_on_and_off_during_the_session_applies_to_answers_written_from_then_on():
    s = session()
    s.handle(HOST, Command(1, Action.GOTO, WORD))
    s.handle(ANN, Answer(1, WORD, 0, "hope"))
    assert wall_texts(s, WORD) == ["hope"], "not moderated: straight to the wall"
    out = s.handle(HOST, Command(2, Action.MODERATE, WORD))
    assert recorded(out) == [Commanded(Action.MODERATE, WORD)]
    assert read_models.moderation(s) == Moderation(WORD, True, 0)
    s.handle(BOB, Answer(1, WORD, 0, "doubt"))
    assert wall_texts(s, WORD) == ["hope"], "what was on the wall stays; the new one waits"
    s.handle(HOST, Command(3, Action.UNMODERATE, WORD))
    s.handle(ANN, Answer(2, WORD, 1, "tea"))
    assert sorted(wall_texts(s, WORD)) == ["hope", "tea"], "off again: nothing waiting is let through by itself"
    assert read_models.moderation(s) == Moderation(WORD, False, 1)


def test_moderation_is_refused_where_there_are_no_written_answers_and_to_participants():
    s = session(default_deck())
    spectrum = 1
    out = s.handle(HOST, Command(1, Action.MODERATE, spectrum))
    (refusal,) = [o for o in out if isinstance(o, Refused)]
    assert (refusal.refusal, refusal.refusal.error, refusal.values) == (
        Refusal.NOT_MODERATED_HERE,
        ErrorCode.NOT_MODERATED,
        (2,),
    )
    out = s.handle(HOST, Moderate(2, spectrum, APPROVE_ALL, False, approve=True))
    assert [o.refusal for o in out if isinstance(o, Refused)] == [Refusal.NOT_MODERATED_HERE]
    out = s.handle(ANN, Command(3, Action.MODERATE, 0))
    assert [o.refusal for o in out if isinstance(o, Refused)] == [Refusal.HOST_ONLY]
    out = s.handle(ANN, Moderate(4, 0, APPROVE_ALL, False, approve=True))
    assert [o.refusal for o in out if isinstance(o, Refused)] == [Refusal.HOST_ONLY]
    assert words(language(WELSH), Refusal.NOT_MODERATED_HERE, (2,)) == (
        "dim ond cwestiwn ag atebion ysgrifenedig sy'n cael ei gymedroli (cwestiwn 2)"
    )


# -- bytes in, bytes out: an independent client -------------------------------------------------------


async def raw(url):
    return await connect(url, compression=None, max_size=2**20)


async def test_an_independent_client_moderates_and_a_waiting_answer_is_in_no_other_participants_bytes():
    secret = "sharing power, secretly"
    async with running_hub(session=Session(load_deck(DECK), HOST_TOKEN, counting_tokens())) as hub:
        facilitator, writer, reader = await raw(hub.url), await raw(hub.url), await raw(hub.url)
        heard: dict[object, list[bytes]] = {facilitator: [], writer: [], reader: []}

        async def frame_of(socket, kind):
            async with asyncio.timeout(5):
                while True:
                    data = await socket.recv()
                    heard[socket].append(data)
                    items = msgpack.unpackb(data)
                    if items[0] == kind:
                        return items

        async def had_or_hears(socket, items):
            """Whether ``socket`` was sent the frame ``items`` (in any order with the others), waiting for it."""
            async with asyncio.timeout(5):
                while items not in [msgpack.unpackb(data) for data in heard[socket]]:
                    heard[socket].append(await socket.recv())

        await facilitator.send(msgpack.packb([1, 5, None, None, HOST_TOKEN, None]))
        await writer.send(msgpack.packb([1, 5, "Ann", None, None, None]))
        await reader.send(msgpack.packb([1, 5, "Bob", None, None, None]))
        assert await frame_of(facilitator, 33) == [33, 0, True, 0], "the host hears the question is moderated"
        await frame_of(writer, 17)
        await frame_of(reader, 17)
        await facilitator.send(bytes.fromhex("94 03 01 03 00"))  # REVEAL: the reader's wall is live
        assert await frame_of(facilitator, 19) == [19, 1]
        assert (await frame_of(reader, 24))[3:] == [0, [], [], []], "an empty wall"

        await writer.send(msgpack.packb([4, 7, 0, 0, secret]))
        assert await frame_of(writer, 19) == [19, 7]
        assert await frame_of(writer, 25) == [25, 0, [[0, secret]], [], [0]], "YourAnswers names the waiting slot"
        answers = await frame_of(facilitator, 23)
        assert answers[4] == [[1, 1, secret, False, True]], "the host sees it, waiting"
        await had_or_hears(facilitator, [33, 0, True, 1])
        await writer.send(msgpack.packb([4, 8, 0, 1, "trust"]))  # a second, approved below by "all"
        assert await frame_of(writer, 19) == [19, 8]
        await asyncio.sleep(0.5)  # the reader's fan-out rounds pass: a waiting answer is no change to its wall

        await facilitator.send(bytes.fromhex("96 05 02 00 00 c2 c3"))  # Moderate: approve every waiting answer
        assert await frame_of(facilitator, 19) == [19, 2]
        wall = await frame_of(reader, 24)
        assert sorted(text for _, text in wall[4]) == sorted([secret, "trust"]) and wall[3] == 2
        await had_or_hears(writer, [25, 0, [[0, secret], [1, "trust"]], [], []])

        # Before the approval no frame to the reader carried a byte of the answer; after it, the wall does.
        before = b"".join(heard[reader][:-1])
        assert secret.encode() not in before and b"trust" not in before
        assert secret.encode() in heard[reader][-1]
        for socket in heard:
            await socket.close()


async def test_an_app_of_protocol_version_3_is_refused_at_its_hello():
    async with running_hub() as hub:
        old = await raw(hub.url)
        await old.send(msgpack.packb([1, 3, "Old", None, None, None]))
        async with asyncio.timeout(5):
            while (items := msgpack.unpackb(await old.recv()))[0] != 20:
                pass
        assert items == [20, None, 2, 4, [PROTOCOL_VERSION, 3]], "this hub speaks its own version, not 3"


# -- the log: kill -9, --resume, and the exports -----------------------------------------------------


async def test_kill_9_then_resume_keeps_what_waits_and_what_was_approved_and_exports_mark_the_rest(tmp_path):
    from tests.hubkit import join

    served = await start_serve("--deck", str(DECK), data=tmp_path)
    url = served.url
    try:
        host = await join(url, Hello(host_token=served.token))
        ann = await join(url, Hello(name="Ann"))
        bob = await join(url, Hello(name="Bob"))
        assert await ann.request(lambda s: Answer(s, WHAT, 0, "equal power")) == Ack(ann.seq)
        assert await ann.request(lambda s: Answer(s, WHAT, 1, "never let through")) == Ack(ann.seq)
        assert await bob.request(lambda s: Answer(s, WHAT, 0, "trust")) == Ack(bob.seq)
        assert await host.request(lambda s: Moderate(s, WHAT, 1, False, approve=True)) == Ack(host.seq)
        assert await host.request(lambda s: Moderate(s, WHAT, 3, False, approve=True)) == Ack(host.seq)
        assert await host.request(lambda s: Command(s, Action.MODERATE, WORD)) == Ack(host.seq)
    finally:
        await served.stop(signal.SIGKILL)
    served = await start_serve("--resume", data=tmp_path, port=served.port)
    try:
        back = await join(url, Hello(host_token=served.token))
        assert await heard(back, lambda m: isinstance(m, Moderation)) == Moderation(WHAT, True, 1)
        ann = await join(url, Hello(resume=ann.welcome.resume))
        mine = await heard(ann, lambda m: isinstance(m, YourAnswers))
        assert mine == YourAnswers(WHAT, ((0, "equal power"), (1, "never let through")), (), (1,))
        await back.send(Command(99, Action.GOTO, WORD))
        await heard(back, lambda m: m == Moderation(WORD, True, 0))  # the toggle came back too
    finally:
        await served.stop()

    path = find_session(tmp_path, None)
    html, cymraeg = render(path, "html"), render(path, "html", lang="cy")
    assert 'never let through <em class="meta">(never approved)</em>' in html
    assert 'never let through <em class="meta">(heb ei gymeradwyo)</em>' in cymraeg
    assert html.count("(never approved)") == 1
    rows = list(csv.DictReader(io.StringIO(render_tables(path)["answers.csv"])))
    assert {r["answer"]: r["never approved"] for r in rows} == {
        "equal power": "no",
        "never let through": "yes",
        "trust": "no",
    }
    entries = json.loads(render(path, "json"))["questions"][WHAT]["answers"]
    assert {a["text"]: a["never_approved"] for a in entries} == {
        "equal power": False,
        "never let through": True,
        "trust": False,
    }
    words = [w["word"] for w in json.loads(render(path, "json"))["questions"][WHAT]["words"]]
    assert "never" not in words and "trust" in words, "only the words the room saw are counted"


async def test_a_log_from_before_moderation_takes_its_rows(tmp_path):
    """A log whose answer table predates 'waiting' and 'approved' (the layout before the events table, as the
    release before moderation made it) is migrated as it opens, its rows kept, and takes moderation's rows."""
    path = release_before_session(tmp_path)
    with sqlite3.connect(path) as db:  # the answer table as version 3 made it, holding its kinds only
        db.execute("DELETE FROM answer_log WHERE kind NOT IN ('answered', 'unanswered', 'hidden', 'shown')")
        db.execute("ALTER TABLE answer_log RENAME TO newer")
        db.execute(
            "CREATE TABLE answer_log (seq INTEGER PRIMARY KEY, at REAL NOT NULL, kind TEXT NOT NULL CHECK (kind IN"
            " ('answered', 'unanswered', 'hidden', 'shown')), participant INTEGER, question INTEGER NOT NULL,"
            " slot INTEGER, answer INTEGER NOT NULL, text TEXT)"
        )
        db.execute("INSERT INTO answer_log SELECT * FROM newer")
        db.execute("DROP TABLE newer")
        kept = db.execute("SELECT COUNT(*) FROM answer_log").fetchone()[0]
    again = SessionStore.resume(path)
    before = [e for e in again.events() if isinstance(e, Answered | Moderated)]
    again.start()
    await again.append([Answered(1, 0, 1, 20, "written later", waiting=True), Approved(0, 20)])
    events = again.events()
    await again.close()
    assert len(before) == kept, "every row of the older table came through"
    assert [e for e in events if isinstance(e, Answered | Moderated | Approved)] == [
        *before,
        Answered(1, 0, 1, 20, "written later", waiting=True),
        Approved(0, 20),
    ]


async def test_a_question_asked_on_the_spot_before_a_moderated_one_moves_its_queue_and_a_resume_agrees(tmp_path):
    """A question inserted before a moderated one: its moderation, what waits and what was approved move with
    it, live and in a session resumed from the log (whose answer rows are renumbered on reading)."""
    from coproterm.core.client_messages import AddQuestion
    from coproterm.core.wire_terms import AskKind
    from coproterm.server.hub_runner import HubRunner, prepare
    from tests.hubkit import join

    deck = load_deck(DECK)
    store = SessionStore.create(tmp_path, deck_to_data(deck), deck.title, HOST_TOKEN)
    runner = HubRunner(Session(deck, HOST_TOKEN, counting_tokens()), HOST_TOKEN, "127.0.0.1", 0, store)
    async with runner as hosted:
        host = await join(hosted.local_url, Hello(host_token=HOST_TOKEN))
        ann = await join(hosted.local_url, Hello(name="Ann"))
        assert await host.request(lambda s: Command(s, Action.MODERATE, WORD)) == Ack(host.seq)
        assert await host.request(lambda s: Command(s, Action.GOTO, WORD)) == Ack(host.seq)
        assert await ann.request(lambda s: Answer(s, WORD, 0, "hope")) == Ack(ann.seq)
        assert await ann.request(lambda s: Answer(s, WORD, 1, "doubt")) == Ack(ann.seq)
        assert await host.request(lambda s: Moderate(s, WORD, 1, False, approve=True)) == Ack(host.seq)
        assert await host.request(lambda s: Command(s, Action.GOTO, WHAT)) == Ack(host.seq)
        assert await host.request(lambda s: AddQuestion(s, AskKind.OPEN, "Why?")) == Ack(host.seq)
        live = hosted.hub.session
        moved = WORD + 1
        assert [q.moderated for q in live.questions] == [True, False, True]
        assert {a.text: a.waiting for a in live.answers[moved].current()} == {"hope": False, "doubt": True}
    resumed = prepare(None, data=tmp_path, resume=store.info.id)
    resumed.store.release()
    again = resumed.session
    assert [q.moderated for q in again.questions] == [True, False, True]
    assert {a.text: a.waiting for a in again.answers[moved].current()} == {"hope": False, "doubt": True}
    assert [t for _, _, t in again.answers[moved].wall().answers] == ["hope"]
