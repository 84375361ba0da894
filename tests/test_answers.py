"""Open answers in the core: cleaning, word counting, moderation, undo, replay, fan-out and the wire."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from coproterm.core.answers import MAX_WALL, WALL_ANSWERS, WALL_WORDS, AnswerBook, clean_answer
from coproterm.core.client_messages import Answer, Command, Hello, Moderate, Vote
from coproterm.core.deck import DeckError, deck_to_data, default_deck, parse_deck
from coproterm.core.events import Answered, Moderated
from coproterm.core.hub_messages import Ack, AnswerItem, Answers, Error, Moderation, Wall, YourAnswers
from coproterm.core.protocol import ANSWER_TICKS, HubProtocol, Save, Send
from coproterm.core.refusals import Refusal
from coproterm.core.session import Session
from coproterm.core.view import SessionView
from coproterm.core.wire import decode, encode
from coproterm.core.wire_terms import Action, ErrorCode
from coproterm.core.word_counts import ENGLISH, STOP_WORDS, WELSH, WordCounts, count_words, words_of
from tests.conftest import HOST_TOKEN, counting_tokens

WHAT, SPECTRUM, REASON = 0, 1, 5
HOST, ANN, BOB = 100, 1, 2
PROTOCOL_DOC = Path(__file__).parent.parent / "docs" / "protocol.md"

GOLDEN = [
    (Answer(7, 0, 0, "Rhannu grym"), "95 04 07 00 00 ab 52 68 61 6e 6e 75 20 67 72 79 6d"),
    (Answer(8, 0, 1, None), "95 04 08 00 01 c0"),
    (Moderate(3, 0, 12, True), "95 05 03 00 0c c3"),
    (
        Answers(0, True, 2, (AnswerItem(1, 4, "Equal power", False), AnswerItem(2, 5, None, False))),
        "95 17 00 c3 02 92 95 01 04 ab 45 71 75 61 6c 20 70 6f 77 65 72 c2 c2 95 02 05 c0 c2 c2",
    ),
    (
        Wall(5, True, 1, ((1, "Equal power"),), (), (("equal", 1), ("power", 1))),
        "97 18 05 c3 01 91 92 01 ab 45 71 75 61 6c 20 70 6f 77 65 72 90 92 92 a5 65 71 75 61 6c 01 92 a5 70 6f 77 65 72 01",
    ),
    (Wall(5, False, 1, (), (3,), ()), "97 18 05 c2 01 90 91 03 90"),
    (
        Wall(5, False, 2, ((4, "More power"),), (), (("power", 2), ("more", 1), ("equal", 0))),
        "97 18 05 c2 02 91 92 04 aa 4d 6f 72 65 20 70 6f 77 65 72 90 93 92 a5 70 6f 77 65 72 02 92 a4 6d 6f 72 65 01"
        " 92 a5 65 71 75 61 6c 00",
    ),
    (YourAnswers(0, ((0, "ŵyr"),), (0,)), "95 19 00 91 92 00 a4 c5 b5 79 72 91 00 90"),
    (Moderate(3, 0, 12, False, approve=True), "96 05 03 00 0c c2 c3"),
    (Moderate(4, 0, 0, False, approve=True), "96 05 04 00 00 c2 c3"),
    (
        Answers(0, False, 1, (AnswerItem(3, 4, "Trust", False, True),)),
        "95 17 00 c2 01 91 95 03 04 a5 54 72 75 73 74 c2 c3",
    ),
    (YourAnswers(0, ((1, "Trust"),), (), (1,)), "95 19 00 91 92 01 a5 54 72 75 73 74 90 91 01"),
    (Moderation(0, True, 3), "94 21 00 c3 03"),
]


# -- the wire ----------------------------------------------------------------------


def test_golden_bytes_and_the_doc_agree():
    doc = PROTOCOL_DOC.read_text()
    for message, golden in GOLDEN:
        frame = bytes.fromhex(golden.replace(" ", ""))
        assert encode(message) == frame and decode(frame) == message
        assert f"`{golden}` | {len(frame)} |" in doc, f"docs/protocol.md lacks the bytes of {message}"


def test_an_answer_frame_cannot_smuggle_a_long_text_or_a_wrong_slot():
    import pytest

    from coproterm.core.wire_checks import ProtocolError

    with pytest.raises(ProtocolError):
        decode(encode(Answer(1, 0, 0, "x" * 501)))
    with pytest.raises(ProtocolError):
        decode(encode(Answer(1, 0, 10, "x")))


# -- cleaning ------------------------------------------------------------------------


@given(st.text(max_size=300))
def test_cleaned_text_has_nothing_a_terminal_acts_on(text):
    cleaned = clean_answer(text)
    assert all(unicodedata.category(ch)[0] != "C" for ch in cleaned), "no control, format, bidi or escape"
    assert cleaned == cleaned.strip() and "  " not in cleaned
    assert clean_answer(cleaned) == cleaned, "cleaning twice changes nothing"


def test_welsh_letters_are_kept_and_counted_as_one_character_each():
    typed = "ŵ ŷ â ê î ô û"
    assert clean_answer(typed) == typed
    assert clean_answer("w\u0302yr") == "ŵyr" and len(clean_answer("w\u0302yr")) == 3, "combined to one character"
    assert clean_answer("\x1b[31mred\u202e\u200b text\n\tok") == "[31mred text ok"


# -- words ------------------------------------------------------------------------------


def test_stop_words_of_english_and_welsh_are_left_out():
    assert words_of("The power and the people") == {"power", "people"}
    assert words_of("Mae'r gwaith yn bwysig i'r gymuned") == {"gwaith", "bwysig", "gymuned"}
    assert words_of("Gyda'n gilydd, rydyn ni'n rhannu grym") >= {"gilydd", "rhannu", "grym"}
    assert "yn" in WELSH and "the" in ENGLISH


def test_case_punctuation_and_a_missing_circumflex_fold():
    assert words_of("POWER! Power, power.") == {"power"}, "counted once per answer"
    assert words_of("ŵyr wyr") == {"ŵyr"}, "one word, however it is typed: the circumflex shown"
    assert words_of("Co-production: people's voices") == {"co-production", "people", "voices"}


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(alphabet="abc ŵâ'-.,!THEyn", max_size=30), max_size=30), st.data())
def test_incremental_word_counts_equal_a_recount(texts, data):
    counts = WordCounts()
    kept: list[str] = []
    for text in texts:
        counts.add(words_of(text))
        kept.append(text)
        if kept and data.draw(st.booleans()):
            gone = kept.pop(data.draw(st.integers(0, len(kept) - 1)))
            counts.remove(words_of(gone))
    assert counts.top(10_000) == count_words(kept)
    assert all(word not in STOP_WORDS for word, _ in counts.top(10_000))


# -- the deck ---------------------------------------------------------------------------------


def test_the_built_in_decks_two_open_prompts_take_written_answers():
    deck = default_deck()
    what, reason = deck.questions[WHAT], deck.questions[REASON]
    assert what.prompt == "What does co-production mean to you?" and what.answers is not None
    assert what.note.startswith("Co-production (of public services) means that people who provide")
    assert reason.prompt == "Give me one reason why we should co-produce this" and reason.answers is not None
    assert (what.answers.max_answers, what.answers.max_length) == (3, 200)


def test_a_deck_text_question_is_checked():
    import pytest

    base = 'title = "t"\n[[questions]]\nprompt = "Why?"\n'
    assert parse_deck(base + 'answers = "text"\nmax_answers = 1\n').questions[0].answers.max_answers == 1
    for bad, words in [
        ('answers = "words"', "the only kind"),
        ('answers = "text"\nmax_length = 0', "max_length"),
        ('answers = "text"\nmax_answers = 11', "max_answers"),
        ("max_answers = 2", "only a text question"),
    ]:
        with pytest.raises(DeckError, match=words):
            parse_deck(base + bad + "\n")
    data = deck_to_data(default_deck())
    assert data["questions"][WHAT]["answers"] == "text"


# -- the session: rules, moderation, undo, replay ---------------------------------------------------


def session() -> Session:
    s = Session(default_deck(), HOST_TOKEN, counting_tokens())
    s.handle(HOST, Hello(host_token=HOST_TOKEN))
    s.handle(ANN, Hello(name="Ann"))
    s.handle(BOB, Hello(name="Bob"))
    return s


def refused(outputs):
    from coproterm.core.outcomes import Refused

    return [o.refusal.error for o in outputs if isinstance(o, Refused)]


def test_answers_are_checked_in_the_documented_order():
    s = session()
    assert refused(s.handle(ANN, Answer(1, 99, 0, "x"))) == [ErrorCode.UNKNOWN_QUESTION]
    assert refused(s.handle(ANN, Answer(1, REASON, 0, "x"))) == [ErrorCode.NOT_CURRENT]
    s.handle(HOST, Command(1, Action.GOTO, SPECTRUM))
    assert refused(s.handle(ANN, Answer(1, SPECTRUM, 0, "x"))) == [ErrorCode.NO_BOARD]
    s.handle(HOST, Command(2, Action.GOTO, WHAT))
    assert refused(s.handle(ANN, Vote(1, WHAT, 0))) == [ErrorCode.NO_BOARD]
    assert refused(s.handle(ANN, Answer(1, WHAT, 3, "x"))) == [ErrorCode.BAD_CHOICE]
    assert refused(s.handle(ANN, Answer(1, WHAT, 0, " \x1b\u200b "))) == [ErrorCode.BAD_TEXT]
    assert refused(s.handle(ANN, Answer(1, WHAT, 0, "ŵ" * 201))) == [ErrorCode.BAD_TEXT]
    assert not refused(s.handle(ANN, Answer(1, WHAT, 0, "ŵ" * 200))), "200 characters, 400 bytes: fine"
    assert refused(s.handle(HOST, Answer(1, WHAT, 0, "x"))) == [ErrorCode.NOT_HOST]
    assert refused(s.handle(ANN, Moderate(1, WHAT, 1, True))) == [ErrorCode.NOT_HOST]
    assert refused(s.handle(HOST, Moderate(1, WHAT, 99, True))) == [ErrorCode.BAD_CHOICE]
    s.handle(HOST, Command(3, Action.LOCK, WHAT))
    assert refused(s.handle(ANN, Answer(1, WHAT, 1, "x"))) == [ErrorCode.LOCKED]
    assert refused(s.handle(ANN, Answer(1, WHAT, 0, None))) == [ErrorCode.LOCKED], "not removable once locked"


def test_a_full_wall_refuses_new_answers_but_takes_edits():
    s = session()
    book = s.answers[WHAT]
    book.live = MAX_WALL
    assert refused(s.handle(ANN, Answer(1, WHAT, 0, "one more"))) == [ErrorCode.WALL_FULL]
    book.live = MAX_WALL - 1
    assert not refused(s.handle(ANN, Answer(2, WHAT, 0, "the last")))
    assert not refused(s.handle(ANN, Answer(3, WHAT, 0, "edited"))), "an edit takes no more room"


MODERATION = st.lists(
    st.one_of(
        st.tuples(
            st.just("answer"),
            st.sampled_from([ANN, BOB]),
            st.integers(0, 2),
            st.sampled_from(["Grym", "trust", "equal power", None]),
        ),
        st.tuples(st.just("hide"), st.integers(1, 8), st.booleans()),
    ),
    max_size=25,
)


@settings(max_examples=150, deadline=None)
@given(MODERATION)
def test_hidden_answers_never_reach_the_wall_nor_the_words_and_a_replay_rebuilds_all(steps):
    s = session()
    for seq, step in enumerate(steps):
        if step[0] == "answer":
            _, who, slot, text = step
            s.handle(who, Answer(seq, WHAT, slot, text))
        else:
            _, answer, hidden = step
            s.handle(HOST, Moderate(seq, WHAT, answer, hidden))
    book = s.answers[WHAT]
    visible = [a for a in book.answers.values() if a.visible]
    wall = book.wall()
    assert {i for i, _, _ in wall.answers} == {a.id for a in visible}
    assert list(wall.words) == count_words(a.text for a in visible)[:WALL_WORDS]
    assert book.live == sum(not a.removed for a in book.answers.values())


def test_a_replay_of_the_recorded_events_rebuilds_the_answers():
    from coproterm.core.outcomes import Record

    recorded = []

    def run(conn, message):
        recorded.extend(o.event for o in s.handle(conn, message) if isinstance(o, Record))

    s = Session(default_deck(), HOST_TOKEN, counting_tokens())
    run(HOST, Hello(host_token=HOST_TOKEN))
    run(ANN, Hello(name="Ann"))
    run(BOB, Hello(name="Bob"))
    run(ANN, Answer(1, WHAT, 0, "Rhannu grym"))
    run(BOB, Answer(1, WHAT, 0, "Equal power"))
    run(ANN, Answer(2, WHAT, 0, "Rhannu grym yn deg"))
    run(HOST, Moderate(1, WHAT, 2, True))
    run(ANN, Answer(3, WHAT, 1, "Trust"))
    run(ANN, Answer(4, WHAT, 1, None))
    again = Session(default_deck(), HOST_TOKEN, counting_tokens())
    again.replay(recorded)

    def state(x):
        return [(a.id, a.participant, a.slot, a.text, a.hidden, a.removed) for a in x.answers[WHAT].answers.values()]

    assert state(again) == state(s)
    assert again.answers[WHAT].wall().words == s.answers[WHAT].wall().words
    assert any(isinstance(e, Moderated) for e in recorded) and any(isinstance(e, Answered) for e in recorded)


def protocol() -> HubProtocol:
    p = HubProtocol(Session(default_deck(), HOST_TOKEN, counting_tokens()), durable=True)
    for conn, hello, address in [
        (HOST, Hello(host_token=HOST_TOKEN), "127.0.0.1"),
        (ANN, Hello(name="Ann"), "10.0.0.1"),
    ]:
        p.opened(conn, address)
        for output in p.receive(conn, encode(hello), 0.0):
            if isinstance(output, Save):
                p.saved(output)
    return p


def test_an_unsaved_answer_is_undone_exactly_and_later_changes_stay():
    p = protocol()
    first = p.receive(ANN, encode(Answer(1, WHAT, 0, "Rhannu grym")), 1.0)
    p.saved(first[0])
    edit = p.receive(ANN, encode(Answer(2, WHAT, 0, "edited")), 2.0)
    second = p.receive(ANN, encode(Answer(3, WHAT, 1, "trust")), 3.0)
    instead = p.unsaved(edit[0], "the disk is full")
    assert [decode(o.frame) for o in instead if isinstance(o, Send)] == [
        Error(2, ErrorCode.UNAVAILABLE, Refusal.NOT_SAVED)
    ]
    book = p.session.answers[WHAT]
    assert {s: a.text for s, a in book.of(1).items()} == {0: "Rhannu grym", 1: "trust"}
    p.saved(second[0])
    hide = p.receive(HOST, encode(Moderate(4, WHAT, 1, True)), 4.0)
    p.unsaved(hide[0], "the disk is full")
    assert not book.answers[1].hidden and ("grym", 1) in book.wall().words


def frames(p, participants):
    broadcasts, owed = p.fan_out(participants=participants)
    return {
        conn: decode(b.frame) for b in broadcasts for conn in b.to if decode(b.frame).__class__ in (Answers, Wall)
    }, owed


def test_hosts_get_only_what_changed_since_their_last_frame_at_most_every_other_round():
    p = HubProtocol(Session(default_deck(), HOST_TOKEN, counting_tokens()))
    p.opened(HOST, "127.0.0.1")
    welcomed = [decode(o.frame) for o in p.receive(HOST, encode(Hello(host_token=HOST_TOKEN)), 0.0)]
    assert Answers(WHAT, True, 0, ()) in welcomed, "a host hears the current answers at once"
    p.opened(ANN, "10.0.0.1")
    p.receive(ANN, encode(Hello(name="Ann")), 0.0)
    p.receive(ANN, encode(Answer(1, WHAT, 0, "Rhannu grym")), 1.0)
    sent, owed = frames(p, False)
    assert HOST not in sent and owed, "too soon after the last: owed, and the hub comes back"
    sent, _ = frames(p, False)
    assert sent[HOST] == Answers(WHAT, False, 1, (AnswerItem(1, 1, "Rhannu grym", False),))
    p.receive(ANN, encode(Answer(2, WHAT, 1, "trust")), 1.1)
    sent, owed = frames(p, False)
    assert HOST not in sent and owed
    sent, _ = frames(p, False)
    assert sent[HOST] == Answers(WHAT, False, 2, (AnswerItem(2, 1, "trust", False),)), "only the new one"
    p.receive(ANN, encode(Answer(3, WHAT, 1, None)), 1.2)
    for _ in range(ANSWER_TICKS):
        sent, _ = frames(p, False)
    assert sent[HOST] == Answers(WHAT, False, 1, (AnswerItem(2, 1, None, False),)), "a removal names the id"
    p.receive(HOST, encode(Command(5, Action.GOTO, REASON)), 2.0)
    for _ in range(ANSWER_TICKS):
        sent, _ = frames(p, False)
    assert sent[HOST] == Answers(REASON, True, 0, ()), "a new question starts afresh"


def test_participants_get_the_revealed_wall_once_then_changes_capped():
    p = protocol()
    sessions = p.session
    for n in range(WALL_ANSWERS + 20):
        conn = 1000 + n
        p.opened(conn, f"10.0.{n // 200}.{n % 200 + 2}")
        p.receive(conn, encode(Hello(name=f"P{n}")), 0.0)
        p.receive(conn, encode(Answer(1, WHAT, 0, f"word{n % 40} common")), 0.0)
    sent, _ = frames(p, True)
    assert ANN not in sent, "nothing before the reveal"
    p.receive(HOST, encode(Command(9, Action.REVEAL, WHAT)), 1.0)
    sent, _ = frames(p, True)
    wall = sent[ANN]
    assert wall.fresh and len(wall.added) == WALL_ANSWERS and wall.total == WALL_ANSWERS + 20
    assert len(wall.words) <= WALL_WORDS and wall.words[0] == ("common", WALL_ANSWERS + 20)
    assert len(encode(wall)) < 8 * 1024
    sent, _ = frames(p, True)
    assert ANN not in sent, "nothing new: nothing sent"
    newest = max(sessions.answers[WHAT].answers)
    p.receive(HOST, encode(Moderate(10, WHAT, newest, True)), 2.0)
    sent, _ = frames(p, True)
    assert not sent[ANN].fresh and newest in sent[ANN].dropped and len(sent[ANN].added) == 1, "an older one moves in"
    p.receive(HOST, encode(Command(11, Action.HIDE, WHAT)), 3.0)
    frames(p, True)
    p.receive(HOST, encode(Command(12, Action.REVEAL, WHAT)), 4.0)
    sent, _ = frames(p, True)
    assert sent[ANN].fresh, "once per reveal"


def test_a_view_folds_the_wall_and_own_answers():
    view = SessionView()
    view.apply(YourAnswers(WHAT, ((0, "ŵyr\x1b"),)))
    view.apply(Wall(WHAT, True, 2, ((1, "a"), (2, "b")), (), (("a", 1),)))
    view.apply(Wall(WHAT, False, 1, (), (1,), (("b", 1), ("a", 0))))
    assert (
        view.written.mine == {WHAT: {0: "ŵyr"}} and view.written.wall == {2: "b"} and view.written.words == (("b", 1),)
    )
    view.written.sent(5, WHAT, 1, "new")
    view.apply(Ack(5))
    assert view.written.mine[WHAT] == {0: "ŵyr", 1: "new"}


def test_the_refusals_of_answers_are_in_the_docs_table():
    doc = PROTOCOL_DOC.read_text()
    assert re.search(r"^\| 23 \| `BAD_TEXT` \|.*\| kept \|$", doc, re.M)
    assert re.search(r"^\| 24 \| `WALL_FULL` \|.*\| kept \|$", doc, re.M)


def test_word_counting_keeps_up_with_a_full_wall():
    book = AnswerBook()
    for n in range(1, 501):
        book.apply(Answered(n, WHAT, 0, n, f"power sharing word{n % 50} ŵyr"))
    assert book.words["power"] == 500 and book.wall().words[0][1] == 500


@settings(max_examples=60, deadline=None)
@given(MODERATION)
def test_a_participants_wall_folded_from_the_changes_is_the_hubs_wall(steps):
    p = protocol()
    p.opened(BOB, "10.0.0.2")
    p.receive(BOB, encode(Hello(name="Bob")), 0.0)
    p.receive(HOST, encode(Command(1, Action.REVEAL, WHAT)), 0.0)
    view = SessionView()
    for seq, step in enumerate(steps):
        if step[0] == "answer":
            _, who, slot, text = step
            p.receive(who, encode(Answer(seq, WHAT, slot, text)), 1.0 + seq)
        else:
            _, answer, hidden = step
            p.receive(HOST, encode(Moderate(seq, WHAT, answer, hidden)), 1.0 + seq)
        sent, _ = frames(p, True)
        if ANN in sent:
            view.apply(sent[ANN])
    wall = p.session.answers[WHAT].wall()
    assert view.written.wall == {i: text for i, _, text in wall.answers}
    assert view.written.words == wall.words


def test_a_reset_takes_back_every_answer_and_tells_each_writer():
    from coproterm.core.outcomes import Record, Tell

    s = session()
    s.handle(ANN, Answer(1, WHAT, 0, "Rhannu grym"))
    s.handle(BOB, Answer(1, WHAT, 0, "trust"))
    s.handle(HOST, Moderate(2, WHAT, 2, True))
    s.journal()
    outputs = s.handle(HOST, Command(3, Action.RESET, WHAT))
    removed = [o.event for o in outputs if isinstance(o, Record) and isinstance(o.event, Answered)]
    assert {(e.answer, e.text) for e in removed} == {(1, None), (2, None)}
    assert {(o.to, o.message) for o in outputs if isinstance(o, Tell) and isinstance(o.message, YourAnswers)} == {
        (ANN, YourAnswers(WHAT, ())),
        (BOB, YourAnswers(WHAT, ())),
    }
    assert not s.answers[WHAT].current() and s.answers[WHAT].wall().words == ()
    s.unsaved([o.event for o in outputs if isinstance(o, Record)])
    assert [a.text for a in s.answers[WHAT].current()] == ["Rhannu grym", "trust"], "a reset the log lost is undone"
    assert s.answers[WHAT].answers[2].hidden
