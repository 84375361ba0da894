"""A question asked on the spot renumbers every client's ballots exactly once, whatever comes with it.

The hub's protocol as the core runs it (bytes in, frames out, the views of real clients fed those frames in
their order): a language switch in the same tick as the question, an insertion the log could not take.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import threading
from dataclasses import replace

import pytest
from websockets.exceptions import ConnectionClosed

from coproterm.core.alerts import Alert
from coproterm.core.client_messages import AddQuestion, ChooseLanguage, Command, Hello, Moderate, Vote
from coproterm.core.deck import deck_to_data, default_deck
from coproterm.core.events import Added as AddedEvent
from coproterm.core.events import Answered, Joined, Voted
from coproterm.core.hub_messages import Ack, Added, Translated
from coproterm.core.i18n import WELSH, language
from coproterm.core.outcomes import Close, Tell
from coproterm.core.protocol import Broadcast, HubProtocol, Save, Send
from coproterm.core.refusals import Refusal
from coproterm.core.session import Session
from coproterm.core.view import SessionView
from coproterm.core.wire import decode, encode
from coproterm.core.wire_terms import Action, AskKind, CloseCode
from coproterm.plain.app import PlainApp
from coproterm.server.hub_runner import HubRunner, prepare
from coproterm.server.store import ANSWER_HISTORY, SessionStore, StoreError, read_log
from coproterm.tui.host.app import HostApp
from tests.conftest import HOST_TOKEN, counting_tokens
from tests.facekit import until
from tests.hubkit import join, running_hub
from tests.sessionkit import host

HOST, ANN = 100, 1
SPECTRUM, COMPLEXITY, REASON = 1, 3, 5


def frames_to(outputs, conn):
    return [o.frame for o in outputs if isinstance(o, Send) and o.to == conn]


def broadcast_to(broadcasts: list[Broadcast], conn):
    return [b.frame for b in broadcasts if conn in b.to]


def room(language: str | None = "en"):
    """A host on SPECTRUM, Ann (her deck in one language) who voted on COMPLEXITY; her view of it all."""
    p = HubProtocol(Session(default_deck(), HOST_TOKEN, counting_tokens()), durable=True)
    view = SessionView()
    p.opened(HOST, "127.0.0.1")
    p.receive(HOST, encode(Hello(host_token=HOST_TOKEN)), 0.0)
    p.opened(ANN, "10.0.0.1")
    for frame in frames_to(p.receive(ANN, encode(Hello(name="Ann", language=language)), 0.0), ANN):
        view.apply(decode(frame))
    p.receive(HOST, encode(Command(1, Action.GOTO, COMPLEXITY)), 0.0)
    view.sent(1, COMPLEXITY, 2)
    for frame in frames_to(p.receive(ANN, encode(Vote(1, COMPLEXITY, 2)), 0.0), ANN):
        view.apply(decode(frame))
    p.receive(HOST, encode(Command(2, Action.GOTO, SPECTRUM)), 0.0)
    for frame in broadcast_to(p.fan_out(participants=True)[0], ANN):
        view.apply(decode(frame))
    assert view.votes == {COMPLEXITY: 2}
    return p, view


def test_a_language_switch_in_the_same_tick_as_a_question_asked_keeps_the_ballots_on_their_questions():
    p, view = room()
    p.receive(HOST, encode(AddQuestion(3, AskKind.YES_NO, "Break now?")), 0.0)
    # Ann switches to Welsh before the fan-out has sent her the grown deck: her Translated holds it already.
    told = [decode(frame) for frame in frames_to(p.receive(ANN, encode(ChooseLanguage("cy")), 0.0), ANN)]
    assert [type(m) for m in told] == [Added, Translated], "the grown deck goes first"
    for message in told:
        view.apply(message)
    for frame in broadcast_to(p.fan_out(participants=True)[0], ANN):
        view.apply(decode(frame))
    assert view.votes == {COMPLEXITY + 1: 2} == p.session.member(ANN).votes
    assert view.deck is not None and len(view.deck.questions) == len(p.session.deck.questions)
    assert view.added_at == SPECTRUM + 1


def test_a_failed_insertion_then_a_saved_one_sends_the_saved_one():
    p, _ = room()
    (save, *_) = p.receive(HOST, encode(AddQuestion(3, AskKind.YES_NO, "Break now?")), 0.0)
    assert isinstance(save, Save)
    failed = [decode(f) for f in broadcast_to(p.fan_out(participants=True)[0], ANN)]
    assert [m.entry["prompt"] for m in failed if isinstance(m, Added)] == ["Break now?"]
    p.unsaved(save, Alert.DISK_FULL)
    (save, *_) = p.receive(HOST, encode(AddQuestion(4, AskKind.YES_NO, "Tea now?")), 0.0)
    p.saved(save)
    frames = [decode(f) for f in broadcast_to(p.fan_out(participants=True)[0], ANN)]
    assert [m.entry["prompt"] for m in frames if isinstance(m, Added)] == ["Tea now?"]


# -- the log: an answer's old versions are forgotten whatever number its question had ----------------------


async def test_an_answers_versions_from_before_an_insertion_are_forgotten_too(tmp_path):
    store = SessionStore.create(tmp_path, deck_to_data(default_deck()), "Deck", "tok")
    store.start()
    await store.append([Joined(1, b"a" * 16, "Ann")])
    for version in range(5):
        await store.append([Answered(1, REASON, 0, 1, f"before {version}")])
    session = Session(default_deck(), HOST_TOKEN, counting_tokens())
    host(session, HOST)
    session.handle(HOST, Command(1, Action.GOTO, SPECTRUM))
    (record, *_) = session.handle(HOST, AddQuestion(2, AskKind.YES_NO, "Break?"))  # as the hub logs it
    assert isinstance(record.event, AddedEvent) and record.event.position == SPECTRUM + 1
    await store.append([record.event])
    for version in range(5):
        await store.append([Answered(1, REASON + 1, 0, 1, f"after {version}")])
    await store.close()
    with contextlib.closing(sqlite3.connect(store.path)) as db:
        kept = db.execute("SELECT COUNT(*) FROM events WHERE answer = 1").fetchone()[0]
    assert kept == 1 + ANSWER_HISTORY, "its first version and its latest, nothing between"
    log = read_log(store.path)
    texts = [(e.event.question, e.event.text) for e in log.entries if isinstance(e.event, Answered)]
    assert texts == [(REASON + 1, "before 0"), *((REASON + 1, f"after {v}") for v in range(2, 5))]
    assert not log.flaws


# -- an insertion the log could not take: nothing numbered with it stands ------------------------------------


def test_an_unsaved_insertion_undoes_every_change_after_it_and_resyncs_those_who_heard_of_it():
    p, view = room()
    before = dict(p.session.member(ANN).votes)
    (save, *_) = p.receive(HOST, encode(AddQuestion(3, AskKind.YES_NO, "Break now?")), 0.0)
    for frame in broadcast_to(p.fan_out(participants=True)[0], ANN):
        view.apply(decode(frame))
    assert view.votes == {COMPLEXITY + 1: 2}
    # Ann votes on the question after the one asked, by its new number; then the log refuses the question.
    p.receive(HOST, encode(Command(4, Action.GOTO, COMPLEXITY + 1)), 0.0)
    (vote_save, *_) = p.receive(ANN, encode(Vote(2, COMPLEXITY + 1, 0)), 0.0)
    assert isinstance(vote_save, Save)
    instead = p.unsaved(save, Alert.DISK_FULL)
    assert p.session.member(ANN).votes == before, "her later vote is not moved onto another question"
    assert len(p.session.deck.questions) == len(default_deck().questions) and p.session.current == SPECTRUM
    closed = {o.conn: o.code for o in instead if isinstance(o, Close)}
    assert closed == {HOST: CloseCode.INTERNAL, ANN: CloseCode.INTERNAL}, "both renumbered: a welcome resyncs them"
    errors = [decode(f) for f in frames_to(instead, HOST)]
    assert [e.refusal for e in errors] == [Refusal.NOT_SAVED], "the host is told the question was not saved"
    # Her vote's own save fails too (the log refuses what was queued behind the question): she is told.
    told = [decode(f) for f in frames_to(p.unsaved(vote_save, Alert.DISK_FULL), ANN)]
    assert [(e.seq, e.refusal) for e in told] == [(2, Refusal.NOT_SAVED)]


async def test_the_log_writes_nothing_queued_behind_a_question_it_could_not_take(tmp_path):
    store = SessionStore.create(tmp_path, deck_to_data(default_deck()), "Deck", "tok")
    store.start()
    await store.append([Joined(1, b"a" * 16, "Ann")])
    session = Session(default_deck(), HOST_TOKEN, counting_tokens())
    host(session, HOST)
    (record, *_) = session.handle(HOST, AddQuestion(1, AskKind.YES_NO, "Break?"))
    entered, release = threading.Event(), threading.Event()
    write = store._write

    def failing(entries):
        if any(isinstance(e.event, AddedEvent) for e in entries):
            entered.set()
            release.wait()
            raise sqlite3.OperationalError("database or disk is full")
        write(entries)

    store._write = failing
    asked = asyncio.create_task(store.append([record.event]))
    await asyncio.get_running_loop().run_in_executor(None, entered.wait)
    behind = asyncio.create_task(store.append([Voted(1, SPECTRUM + 1, 1)]))  # numbered with the question
    await asyncio.sleep(0)
    release.set()
    for task in (asked, behind):
        with pytest.raises(StoreError):
            await task
    store.insertion_undone()
    await store.append([Voted(1, SPECTRUM, 1)])
    await store.close()
    log = read_log(store.path)
    assert [e.event for e in log.entries][1:] == [Voted(1, SPECTRUM, 1)] and not log.flaws


async def test_a_live_hub_whose_log_refuses_a_question_resyncs_the_room_and_logs_nothing_numbered_with_it(tmp_path):
    prepared = prepare(default_deck(), data=tmp_path)
    store = prepared.store
    entered, release = threading.Event(), threading.Event()
    write = store._write

    def failing(entries):
        if any(isinstance(e.event, AddedEvent) for e in entries):
            entered.set()
            release.wait()
            raise sqlite3.OperationalError("database or disk is full")
        write(entries)

    async with HubRunner(prepared.session, prepared.host_token, "127.0.0.1", 0, store) as hosted:
        store._write = failing
        boss = await join(hosted.local_url, Hello(host_token=prepared.host_token))
        await boss.request(lambda s: Command(s, Action.GOTO, COMPLEXITY))
        ann = await join(hosted.local_url)
        assert await ann.request(lambda s: Vote(s, COMPLEXITY, 2)) == Ack(ann.seq)
        await boss.request(lambda s: Command(s, Action.GOTO, SPECTRUM))
        await boss.send(AddQuestion(99, AskKind.YES_NO, "Break now?"))
        await asyncio.get_running_loop().run_in_executor(None, entered.wait)
        while not isinstance(await ann.recv(), Added):  # she renumbered her ballots on it
            pass
        await ann.send(Vote(50, SPECTRUM, 1))  # logged behind the question
        release.set()
        for peer in (boss, ann):
            with pytest.raises(ConnectionClosed):
                while True:
                    await peer.recv()
            assert peer.socket.close_code == CloseCode.INTERNAL, "closed to be welcomed again"
        again = await join(hosted.local_url, Hello(resume=ann.welcome.resume))
        assert len(again.welcome.deck["questions"]) == len(default_deck().questions)
        assert again.welcome.votes[COMPLEXITY] == 2 and again.welcome.votes[SPECTRUM] is None
        await again.socket.close()
    log = read_log(store.path)
    assert not any(isinstance(e.event, AddedEvent) for e in log.entries)
    assert [e.event for e in log.entries if isinstance(e.event, Voted)] == [Voted(1, COMPLEXITY, 2)]


# -- a damaged row of a question asked on the spot: the numbers after it hold ---------------------------------


async def test_a_damaged_question_row_keeps_its_place_and_is_named(tmp_path):
    store = SessionStore.create(tmp_path, deck_to_data(default_deck()), "Deck", "tok")
    store.start()
    session = Session(default_deck(), HOST_TOKEN, counting_tokens())
    host(session, HOST)
    session.handle(HOST, Command(1, Action.GOTO, SPECTRUM))
    (record, *_) = session.handle(HOST, AddQuestion(2, AskKind.YES_NO, "Break?"))
    await store.append([Joined(1, b"a" * 16, "Ann"), Voted(1, COMPLEXITY, 2), record.event])
    await store.append([Voted(1, COMPLEXITY + 2, 1)])  # cast on the question after COMPLEXITY, by its new number
    await store.close()
    with contextlib.closing(sqlite3.connect(store.path)) as db, db:
        db.execute("UPDATE events SET fields = json_set(fields, '$[0]', '{not json') WHERE kind = 'added'")
    log = read_log(store.path)
    questions = log.info.deck["questions"]
    assert len(questions) == len(default_deck().questions) + 1 and questions[SPECTRUM + 1]["prompt_cy"]
    votes = [e.event for e in log.entries if isinstance(e.event, Voted)]
    assert votes == [Voted(1, COMPLEXITY + 1, 2), Voted(1, COMPLEXITY + 2, 1)], "each on the question it was cast on"
    (flaw,) = log.flaws
    assert flaw.row == 3
    assert flaw.problem == "the question asked on the spot cannot be read; a placeholder keeps its place"
    assert flaw.said.words(language(WELSH)) == (
        "ni ellir darllen y cwestiwn a ofynnwyd yn y fan a'r lle; mae deiliad lle yn cadw ei le"
    )


# -- the dashboard: "go to it" only on the Added of the question it asked -----------------------------------


async def test_a_dashboard_welcomed_again_forgets_the_question_it_awaited_and_moves_nobody():
    async with running_hub() as hub:
        dashboard = HostApp(hub.url, HOST_TOKEN)
        async with dashboard.run_test(size=(100, 40)) as pilot:
            await until(pilot, lambda: dashboard.view.hub_deck is not None and dashboard.view.state is not None)
            other = await join(hub.url, Hello(host_token=HOST_TOKEN))
            await other.request(lambda s: Command(s, Action.GOTO, SPECTRUM))
            assert await other.request(lambda s: AddQuestion(s, AskKind.YES_NO, "Break?")) == Ack(other.seq)
            await until(pilot, lambda: dashboard.view.added_at == SPECTRUM + 1)
            # The dashboard asked one more and its connection dropped before the hub said where it went:
            # the welcome that follows carries a deck longer than the one it asked on.
            size = len(dashboard.view.hub_deck.questions)
            dashboard._asking = (size - 1, True)
            welcome = (await join(hub.url, Hello(host_token=HOST_TOKEN))).welcome
            dashboard._take_message(welcome)
            assert dashboard.view.added_at is None
            await pilot.pause()
            await pilot.pause()
            seq = dashboard.next_seq()
            assert await dashboard.send(Command(seq, Action.GOTO, COMPLEXITY), seq)
            currents = []
            await other.until(lambda p: currents.append(p.state.current) or p.state.current == COMPLEXITY)
            assert SPECTRUM + 1 not in currents and size - 1 not in currents, currents


# -- plain mode: what awaits its Ack is renumbered with the view -------------------------------------------


def test_plain_mode_names_an_answer_acked_after_an_insertion_by_its_new_number():
    session = Session(default_deck(), HOST_TOKEN, counting_tokens())
    host(session, HOST)
    lines: list[str] = []
    app = PlainApp("ws://127.0.0.1:9/", lines.append, lambda: 80)
    for told in session.handle(ANN, Hello(name="Ann")):
        if isinstance(told, Tell):
            app._take_message(decode(encode(told.message)))
    session.handle(HOST, Command(1, Action.GOTO, SPECTRUM))
    app.view.written.sent(7, REASON, 0, "the tea")  # as _send_answer does, the frame on its way
    app._sent[7] = ("answer", REASON, 0)
    app.watch.held = {REASON: frozenset({1})}  # said to wait for the facilitator
    session.handle(HOST, AddQuestion(2, AskKind.YES_NO, "Break?"))
    total = len(session.deck.questions)
    app._take_message(
        decode(
            encode(Added(SPECTRUM + 1, session.deck_data["questions"][SPECTRUM + 1], session.last_added.scale, total))
        )
    )
    assert app.watch.held == {REASON + 1: frozenset({1})}, "what was said moves with its question"
    app._take_message(Ack(7))
    assert app.view.written.mine == {REASON + 1: {0: "the tea"}}
    assert any("Your answer is in: the tea" in line for line in lines), lines


# -- the phone page: an answer waiting for the facilitator moves with its question --------------------------


async def test_the_phone_page_hears_the_approval_of_an_answer_whose_question_moved():
    from playwright.async_api import expect

    from tests.sessionkit import moderated_session
    from tests.webkit import chromium, phone

    async with running_hub(moderated_session()) as hub, chromium() as browser:
        boss = await join(hub.url, Hello(host_token=HOST_TOKEN))
        assert await boss.request(lambda s: Command(s, Action.GOTO, 1)) == Ack(boss.seq)
        assert await boss.request(lambda s: Command(s, Action.MODERATE, 1)) == Ack(boss.seq)
        async with phone(browser, bypass_csp=True) as page:
            await page.goto(hub.url.replace("ws://", "http://", 1) + "/")
            await page.get_by_role("button", name="Join").click()
            await page.get_by_label("Your answer 1").fill("sharing power")
            await page.get_by_role("button", name="Send").tap()
            await expect(page.locator("#live")).to_have_text("your answer 1 is waiting for the facilitator")
            assert await boss.request(lambda s: Command(s, Action.GOTO, 0)) == Ack(boss.seq)
            # Asked after the first question: the moderated one is the third now.
            assert await boss.request(lambda s: AddQuestion(s, AskKind.OPEN, "Anything?")) == Ack(boss.seq)
            await expect(page.locator("#step")).to_have_text("Question 1 of 3")  # the page has the grown deck
            (answer,) = hub.session.answers[2].current()
            approve = Moderate(0, 2, answer.id, False, approve=True)
            assert await boss.request(lambda s: replace(approve, seq=s)) == Ack(boss.seq)
            await expect(page.locator("#live")).to_have_text("the facilitator approved your answer 1")
