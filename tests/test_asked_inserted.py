"""A question asked on the spot goes in after the current question: every later number moves with its question.

The session (votes, tallies, answers, the countdown, an undo), a client's view, and the log: rows written before
an insertion are renumbered on reading, so a hub killed with -9 and resumed, the report and the exports all read
the same numbers as the room did.
"""

from __future__ import annotations

import json
import signal

from coproterm.commands.sessions import render, render_tables
from coproterm.core import read_models
from coproterm.core.client_messages import AddQuestion, Answer, Command, Hello, Mark, Vote
from coproterm.core.deck import deck_from_data, deck_to_data, default_deck
from coproterm.core.fuzzing import answers_consistent, tallies_match_votes
from coproterm.core.hub_messages import Ack, Added, Agreement, Timer, ToMark, Welcome
from coproterm.core.log_check import LogCheck
from coproterm.core.outcomes import Record, Tell
from coproterm.core.session import Session
from coproterm.core.view import SessionView
from coproterm.core.wire import decode, encode
from coproterm.core.wire_terms import Action, AskKind, Stance
from coproterm.server.store import SessionStore, find_session, read_log
from tests.conftest import HOST_TOKEN, counting_tokens
from tests.hubkit import join, start_serve
from tests.sessionkit import host

HOST = 100
SPECTRUM, OPPORTUNITY, COMPLEXITY, GRID, REASON = 1, 2, 3, 4, 5
"""The built-in deck's questions (OPPORTUNITY is compared with SPECTRUM, by its id)."""


def goto(session, question, seq=1):
    assert session.handle(HOST, Command(seq, Action.GOTO, question))[-1].message == Ack(seq)


def voted(session, conn, question, cell, seq=1):
    assert session.handle(conn, Vote(seq, question, cell))[-1].message == Ack(seq)


def room():
    session = Session(default_deck(), HOST_TOKEN, counting_tokens())
    host(session, HOST)
    session.handle(1, Hello(name="Ann"))
    session.handle(2, Hello(name="Bob"))
    for question, cells in {SPECTRUM: (2, 5), COMPLEXITY: (1, 3)}.items():
        goto(session, question)
        for conn, cell in zip((1, 2), cells, strict=True):
            voted(session, conn, question, cell)
    goto(session, REASON)
    assert session.handle(1, Answer(1, REASON, 0, "tea"))[-1].message == Ack(1)
    session.handle(HOST, Command(2, Action.TIMER_ONLY, GRID, 600), at=1000.0)
    goto(session, SPECTRUM)
    return session


def test_a_question_goes_in_after_the_current_one_and_each_later_number_moves_with_its_question():
    session = room()
    prompts = [q.prompt for q in session.deck.questions]
    outputs = session.handle(HOST, AddQuestion(3, AskKind.ONE, "Tea or coffee?", options=("Tea", "Coffee")))
    assert outputs[-1].message == Ack(3)
    assert outputs[0].event.position == SPECTRUM + 1
    deck = session.deck
    assert [q.prompt for q in deck.questions] == [*prompts[:2], "Tea or coffee?", *prompts[2:]]
    assert deck.questions[OPPORTUNITY + 1].compare == SPECTRUM, "the comparison follows its question"
    assert session.current == SPECTRUM
    ann = session.member(1)
    assert ann.votes == {SPECTRUM: 2, COMPLEXITY + 1: 1}
    assert read_models.tally(session, COMPLEXITY + 1).counts == (0, 1, 0, 1) and read_models.tally(
        session, OPPORTUNITY
    ).counts == (0, 0)
    assert [a.text for a in session.answers[REASON + 1].current()] == ["tea"]
    assert session.timer.question == GRID + 1
    assert tallies_match_votes(session) and answers_consistent(session)
    # At the end, the host's other choice: nothing before it moves.
    session.handle(HOST, AddQuestion(4, AskKind.OPEN, "Anything else?", at_end=True))
    assert session.deck.questions[-1].prompt == "Anything else?" and ann.votes == {SPECTRUM: 2, COMPLEXITY + 1: 1}


def test_an_unsaved_insertion_is_undone_exactly():
    session = room()
    assert session.handle(HOST, Command(9, Action.AGREE, REASON))[-1].message == Ack(9)
    session.journal()

    def held():
        kept = (session.deck, session.current, session.timer, dict(session.member(1).votes), len(session.answers))
        return (*kept, dict(session.rounds))

    before = held()
    (record, _) = session.handle(HOST, AddQuestion(3, AskKind.YES_NO, "Break?"))
    assert set(session.rounds) == {REASON + 1}
    session.unsaved([record.event])
    after = held()
    assert after == before
    assert [a.text for a in session.answers[REASON].current()] == ["tea"]
    assert tallies_match_votes(session)


def test_a_view_renumbers_its_own_ballots_and_what_it_saw_and_shows_the_question_in_its_place():
    session = room()
    view = SessionView()
    told = [o.message for o in session.handle(3, Hello(resume=session.member(1).token)) if isinstance(o, Tell)]
    (welcome,) = [message for message in told if isinstance(message, Welcome)]
    view.apply(welcome)
    assert view.votes == {SPECTRUM: 2, COMPLEXITY: 1}
    view.seen[COMPLEXITY] = (0, 1, 0, 1)
    view.sent(40, COMPLEXITY, 2)
    session.handle(HOST, AddQuestion(3, AskKind.ONE, "Tea or coffee?", options=("Tea", "Coffee")))
    entry = session.deck_data["questions"][2]
    frame = decode(encode(Added(2, entry, session.last_added.scale, 7)))
    view.apply(frame)
    assert view.hub_deck == session.deck
    assert view.deck.questions[2].prompt == "Tea or coffee?" and view.added_at == 2
    assert view.votes == {SPECTRUM: 2, COMPLEXITY + 1: 1} == session.member(3).votes
    assert view.seen == {COMPLEXITY + 1: (0, 1, 0, 1)} and view.pending[40] == (COMPLEXITY + 1, 2)
    view.apply(frame)  # again (a translation brought it first): nothing moves twice
    assert view.votes == {SPECTRUM: 2, COMPLEXITY + 1: 1} and len(view.hub_deck.questions) == 7


# -- kill -9 and --resume: two insertions at different places ----------------------------------------------


async def tallies_read(host, expected):
    """Go to each question and wait for its tally to read as expected.

    Waiting for the counts themselves, not for any tally of that number: frames from before an
    insertion can still be on their way, naming another question by the same number."""
    for question, counts in expected.items():
        await host.request(lambda s, q=question: Command(s, Action.GOTO, q))
        await host.until(
            lambda p, q=question, c=counts: (
                p.tally is not None and p.tally.question == q and p.state.current == q and p.tally.counts == c
            )
        )


async def heard(peer, wanted):
    """The first message ``peer`` hears that is ``wanted`` (past the others)."""
    while not wanted(message := await peer.recv()):
        pass
    return message


async def goto_hearing(host, question, kind):
    """Go to ``question``; the ``kind`` of message about it the host is sent (before or after the Ack: the hub
    may send the room's frames while the log takes the command)."""
    host.seq += 1
    await host.send(Command(host.seq, Action.GOTO, question))
    acked, found = False, None
    while not acked or found is None:
        message = await host.recv()
        acked = acked or message == Ack(host.seq)
        if isinstance(message, kind) and message.question == question:
            found = message
    return found


def exports(path):
    tables = render_tables(path)
    document = json.loads(render(path, "json", quiet=True))
    return tables, document


async def test_kill_9_then_resume_after_two_insertions_reads_every_row_in_its_place(tmp_path):
    served = await start_serve(data=tmp_path)
    url, token = served.url, served.token
    try:
        facilitator = await join(url, Hello(host_token=token))
        ann, bob = await join(url, Hello(name="Ann")), await join(url, Hello(name="Bob"))
        # Before any insertion: votes on the spectrum and the complexity, an answer on the last question, a countdown.
        for question, cells in {SPECTRUM: (2, 5), COMPLEXITY: (1,)}.items():
            await facilitator.request(lambda s, q=question: Command(s, Action.GOTO, q))
            for peer, cell in zip((ann, bob), cells, strict=False):
                assert await peer.request(lambda s, q=question, c=cell: Vote(s, q, c)) == Ack(peer.seq)
        await facilitator.request(lambda s: Command(s, Action.GOTO, REASON))
        assert await ann.request(lambda s: Answer(s, REASON, 0, "tea")) == Ack(ann.seq)
        # An agreement round on it, Bob's mark on Ann's answer: both move with the question, live and resumed.
        assert await facilitator.request(lambda s: Command(s, Action.AGREE, REASON)) == Ack(facilitator.seq)
        offer = await heard(bob, lambda m: isinstance(m, ToMark) and bool(m.items))
        assert await bob.request(lambda s: Mark(s, REASON, ((offer.items[0][0], Stance.AGREE),))) == Ack(bob.seq)
        await facilitator.request(lambda s: Command(s, Action.TIMER_ONLY, GRID, 900))
        # The first goes in after the spectrum (question 3 of 7).
        await facilitator.request(lambda s: Command(s, Action.GOTO, SPECTRUM))
        tea = AddQuestion(0, AskKind.ONE, "Tea or coffee?", "Te neu goffi?", ("Tea", "Coffee"), ("Te", "Coffi"))
        assert await facilitator.request(lambda s: AddQuestion(s, *_fields(tea))) == Ack(facilitator.seq)
        await facilitator.request(lambda s: Command(s, Action.GOTO, COMPLEXITY + 1))
        assert await bob.request(lambda s: Vote(s, COMPLEXITY + 1, 2)) == Ack(bob.seq)
        await facilitator.request(lambda s: Command(s, Action.GOTO, 2))
        for peer, cell in ((ann, 0), (bob, 1)):
            assert await peer.request(lambda s, c=cell: Vote(s, 2, c)) == Ack(peer.seq)
        # The second after the first question (question 2 of 8): everything above moves again.
        await facilitator.request(lambda s: Command(s, Action.GOTO, 0))
        assert await facilitator.request(lambda s: AddQuestion(s, AskKind.OPEN, "What would help?")) == Ack(
            facilitator.seq
        )
        await facilitator.request(lambda s: Command(s, Action.GOTO, 1))
        assert await ann.request(lambda s: Answer(s, 1, 0, "more time")) == Ack(ann.seq)
        round_moved = await goto_hearing(facilitator, REASON + 2, Agreement)
        assert round_moved.marks == 1, "the round is on the question it was opened on"
        assert await bob.request(lambda s: Answer(s, REASON + 2, 0, "coffee")) == Ack(bob.seq)
        live = {2: (0, 0, 1, 0, 0, 1), 3: (1, 1), 5: (0, 1, 1, 0)}
        await tallies_read(facilitator, live)
        path = find_session(tmp_path, None)
        before = exports(path)
    finally:
        await served.stop(signal.SIGKILL)

    served = await start_serve("--resume", data=tmp_path, port=served.port)
    token = served.token
    try:
        after = exports(path)  # read as the resumed hub read it, before anything new is logged
        assert after == before, "the tallies and exports read the same after the kill and the resume"
        back = await join(url, Hello(host_token=token))
        questions = back.welcome.deck["questions"]
        assert [q["prompt"] for q in questions][:4] == [
            default_deck().questions[0].prompt,
            "What would help?",
            default_deck().questions[SPECTRUM].prompt,
            "Tea or coffee?",
        ]
        await tallies_read(back, live)
        ann_again = await join(url, Hello(resume=ann.welcome.resume))
        assert ann_again.welcome.votes[2] == 2 and ann_again.welcome.votes[3] == 0 and ann_again.welcome.votes[5] == 1
        timer = None
        while timer is None:
            message = await ann_again.recv()
            timer = message if isinstance(message, Timer) else None
        assert timer.question == GRID + 2 and timer.seconds == 900, "the countdown's question moved twice"
        round_back = await goto_hearing(back, REASON + 2, Agreement)
        assert round_back.marks == 1, "resumed, the round is where it was live"
    finally:
        await served.stop()

    tables, document = after
    answers = {(row["question"], row["answer"]) for row in _rows(tables["answers.csv"])}
    assert answers == {("2", "more time"), ("8", "tea"), ("8", "coffee")}
    by_number = {q["number"]: q for q in document["questions"]}
    assert [t["count"] for t in by_number[4]["tally"]] == [1, 1] and by_number[4]["added"] is True
    assert by_number[2]["added"] is True and "added" not in by_number[3]
    assert [t["count"] for t in by_number[6]["tally"]] == [0, 1, 1, 0]
    assert by_number[5]["compared_with"] == 3, "the comparison follows the question it names"
    assert by_number[7]["timers"][0]["seconds"] == 900


def _fields(message: AddQuestion) -> tuple:
    return (message.kind, message.prompt, message.prompt_cy, message.options, message.options_cy)


def _rows(text: str) -> list[dict[str, str]]:
    import csv
    import io

    return list(csv.DictReader(io.StringIO(text)))


# -- live and resumed agree: every per-question table moves with its question ------------------------------


def per_question(session):
    """What the session keeps by question number: each round (open, total, marks), moderation, the countdown."""
    rounds = {question: (r.open, r.total, r.stances) for question, r in session.rounds.items()}
    moderated = [status.moderated for status in session.questions]
    timer = None if session.timer is None else session.timer.question
    return rounds, moderated, timer, session.current


async def test_a_round_opened_before_an_insertion_stays_on_its_question_live_as_when_resumed(tmp_path):
    deck = default_deck()
    live = Session(deck, HOST_TOKEN, counting_tokens())
    events = []

    def handle(conn, message, **at):
        outputs = live.handle(conn, message, **at)
        events.extend(output.event for output in outputs if isinstance(output, Record))
        assert outputs[-1].message == Ack(message.seq), outputs
        return outputs

    events.extend(o.event for o in live.handle(HOST, Hello(host_token=HOST_TOKEN)) if isinstance(o, Record))
    for conn, name in ((1, "Ann"), (2, "Bob")):
        events.extend(o.event for o in live.handle(conn, Hello(name=name)) if isinstance(o, Record))
    handle(HOST, Command(1, Action.GOTO, REASON))
    for conn, text in ((1, "tea"), (2, "coffee")):
        handle(conn, Answer(1, REASON, 0, text))
    handle(HOST, Command(2, Action.AGREE, REASON))
    handle(HOST, Command(3, Action.MODERATE, REASON))
    handle(HOST, Command(4, Action.TIMER_ONLY, REASON, 600), at=1000.0)
    (tea,) = [answer.id for answer in live.answers[REASON].current() if answer.text == "tea"]
    handle(2, Mark(2, REASON, ((tea, Stance.AGREE),)))
    handle(HOST, Command(5, Action.GOTO, 0))
    handle(HOST, AddQuestion(6, AskKind.OPEN, "What would help?"))  # goes in after question 1: REASON moves up one
    handle(HOST, Command(7, Action.GOTO, REASON + 1))

    assert sorted(live.rounds) == [REASON + 1], "the round moved with its question"
    assert live.agreement_round() is not None and live.agreement_round().total == 1
    assert live.questions[REASON + 1].moderated and live.timer.question == REASON + 1

    store = SessionStore.create(tmp_path, deck_to_data(deck), deck.title, HOST_TOKEN)
    store.start()
    await store.append(events)
    await store.close()
    log = read_log(store.path)
    grown = deck_from_data(log.info.deck, "the resumed deck")
    resumed = Session(grown, HOST_TOKEN, counting_tokens())
    flaws = []
    resumed.replay(event for _, _, event in LogCheck(grown).sound(log.logged(), flaws))
    assert flaws == []
    assert per_question(resumed) == per_question(live)
    # And the room goes on alike: Ann marks Bob's answer on the moved question, counted on both.
    (coffee,) = [answer.id for answer in live.answers[REASON + 1].current() if answer.text == "coffee"]
    resumed.handle(1, Hello(resume=live.member(1).token))
    for session in (live, resumed):
        outputs = session.handle(1, Mark(3, REASON + 1, ((coffee, Stance.DISAGREE),)))
        assert outputs[-1].message == Ack(3) and session.agreement_round().total == 2
