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
from coproterm.core.client_messages import AddQuestion, Answer, Command, Hello, Vote
from coproterm.core.deck import default_deck
from coproterm.core.fuzzing import answers_consistent, tallies_match_votes
from coproterm.core.hub_messages import Ack, Added, Timer, Welcome
from coproterm.core.outcomes import Tell
from coproterm.core.session import Session
from coproterm.core.view import SessionView
from coproterm.core.wire import decode, encode
from coproterm.core.wire_terms import Action, AskKind
from coproterm.server.store import find_session
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
    session.journal()
    before = (session.deck, session.current, session.timer, dict(session.member(1).votes), len(session.answers))
    (record, _) = session.handle(HOST, AddQuestion(3, AskKind.YES_NO, "Break?"))
    session.unsaved([record.event])
    after = (session.deck, session.current, session.timer, dict(session.member(1).votes), len(session.answers))
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
        await facilitator.request(lambda s: Command(s, Action.GOTO, REASON + 2))
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
