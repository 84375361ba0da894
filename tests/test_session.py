"""The session state machine, message by message, and a property over any sequence."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from coproterm.core import read_models
from coproterm.core.client_messages import Command, Hello, Vote
from coproterm.core.deck import default_deck
from coproterm.core.events import Commanded, Joined, Voted
from coproterm.core.hub_messages import Ack, Ballot, Welcome
from coproterm.core.outcomes import Close, Record, Refused, Tell
from coproterm.core.refusals import Refusal
from coproterm.core.roster import clean_name
from coproterm.core.session import Session
from coproterm.core.wire_terms import Action, CloseCode, ErrorCode, Role
from tests.conftest import HOST_TOKEN, counting_tokens
from tests.sessionkit import command, host, join, only

SPECTRUM, OPPORTUNITY, COMPLEXITY, GRID = 1, 2, 3, 4


def error_code(refused):
    assert isinstance(refused, Refused), refused
    return refused.refusal.error


def test_join_vote_change_clear(session):
    welcome = join(session, 1)
    assert welcome.role is Role.PARTICIPANT and len(welcome.resume) == 16
    host(session)
    command(session, Action.GOTO, SPECTRUM)
    assert only(session.handle(1, Vote(1, SPECTRUM, 5))) == Ack(1)
    assert read_models.tally(session).counts == (0, 0, 0, 0, 0, 1)
    assert only(session.handle(1, Vote(2, SPECTRUM, 2))) == Ack(2)
    assert read_models.tally(session).counts == (0, 0, 1, 0, 0, 0)
    assert read_models.turnout(session).voted == 1
    assert only(session.handle(1, Vote(3, SPECTRUM, None))) == Ack(3)
    assert read_models.tally(session).counts == (0,) * 6
    assert read_models.turnout(session).voted == 0


def test_votes_are_checked(session):
    join(session, 1)
    host(session)
    assert error_code(only(session.handle(1, Vote(1, 0, 0)))) is ErrorCode.NO_BOARD
    assert error_code(only(session.handle(1, Vote(1, 99, 0)))) is ErrorCode.UNKNOWN_QUESTION
    assert error_code(only(session.handle(1, Vote(1, SPECTRUM, 0)))) is ErrorCode.NOT_CURRENT
    command(session, Action.GOTO, SPECTRUM)
    refusal = only(session.handle(1, Vote(9, SPECTRUM, 6)))
    assert refusal.seq == 9 and error_code(refusal) is ErrorCode.BAD_CHOICE
    assert error_code(only(session.handle(100, Vote(1, SPECTRUM, 0)))) is ErrorCode.NOT_HOST
    assert read_models.tally(session).counts == (0,) * 6


def test_lock_refuses_votes_and_keeps_the_ones_cast(session):
    join(session, 1)
    join(session, 2)
    host(session)
    command(session, Action.GOTO, SPECTRUM)
    session.handle(1, Vote(1, SPECTRUM, 0))
    command(session, Action.LOCK, SPECTRUM)
    assert read_models.state(session).open is False
    assert error_code(only(session.handle(2, Vote(1, SPECTRUM, 1)))) is ErrorCode.LOCKED
    assert error_code(only(session.handle(1, Vote(2, SPECTRUM, None)))) is ErrorCode.LOCKED
    assert read_models.tally(session).counts == (1, 0, 0, 0, 0, 0)
    command(session, Action.OPEN, SPECTRUM)
    assert only(session.handle(2, Vote(3, SPECTRUM, 1))) == Ack(3)


def test_revealing_is_per_question(session):
    join(session, 1)
    host(session)
    assert not session.revealed
    command(session, Action.REVEAL, 0)
    assert session.revealed
    command(session, Action.GOTO, SPECTRUM)
    assert not session.revealed, "revealing is per question"
    command(session, Action.GOTO, 0)
    command(session, Action.HIDE, 0)
    assert not session.revealed


def test_host_commands_need_the_host(session):
    join(session, 1)
    for action in Action:
        assert error_code(only(session.handle(1, Command(1, action, 1)))) is ErrorCode.NOT_HOST
    assert session.current == 0
    refusal = only(session.handle(7, Hello(host_token="guess")))
    assert error_code(refusal) is ErrorCode.BAD_TOKEN
    assert session.role(7) is None
    host(session)
    assert error_code(command(session, Action.GOTO, 6)) is ErrorCode.UNKNOWN_QUESTION


def test_messages_before_hello_and_hello_twice(session):
    assert error_code(only(session.handle(1, Vote(1, 1, 1)))) is ErrorCode.NOT_JOINED
    join(session, 1)
    assert error_code(only(session.handle(1, Hello()))) is ErrorCode.ALREADY_JOINED
    assert error_code(only(session.handle(1, Ack(1)))) is ErrorCode.BAD_MESSAGE
    assert error_code(only(session.handle(2, Hello(version=9)))) is ErrorCode.VERSION


def test_reset_clears_votes_and_tells_each_voter(session):
    join(session, 1)
    join(session, 2)
    host(session)
    command(session, Action.GOTO, SPECTRUM)
    session.handle(1, Vote(1, SPECTRUM, 4))
    outputs = session.handle(100, Command(5, Action.RESET, SPECTRUM))
    assert Tell(1, Ballot(SPECTRUM, None)) in outputs
    assert Tell(100, Ack(5)) in outputs
    assert Record(Commanded(Action.RESET, SPECTRUM)) in outputs
    assert len(outputs) == 3, "participant 2 had no vote to clear"
    assert read_models.tally(session).counts == (0,) * 6


def test_resume_keeps_identity_and_votes(session):
    first = join(session, 1, name="Ann")
    host(session)
    command(session, Action.GOTO, GRID)
    session.handle(1, Vote(1, GRID, 23))
    session.disconnect(1)
    assert read_models.turnout(session).connected == 0
    assert read_models.tally(session).counts[23] == 1, "an away participant's vote still counts"
    again = join(session, 2, name="", resume=first.resume)
    assert again.resume == first.resume
    assert again.votes[GRID] == 23
    assert session.participants[first.resume].name == "Ann"
    assert len(session.participants) == 1
    assert only(session.handle(2, Vote(2, GRID, 0))) == Ack(2)
    assert read_models.tally(session).counts[0] == 1 and read_models.tally(session).counts[23] == 0


def test_resume_from_a_second_connection_closes_the_first(session):
    first = join(session, 1)
    outputs = session.handle(2, Hello(resume=first.resume))
    assert outputs[0] == Close(1, CloseCode.REPLACED, "joined again from another connection")
    assert not any(isinstance(o, Record) for o in outputs), "coming back changes nothing to log"
    assert session.role(1) is None and session.role(2) is Role.PARTICIPANT
    session.disconnect(1)
    assert read_models.turnout(session).connected == 1, "closing the replaced connection changes nothing"


def test_unknown_resume_token_joins_afresh(session):
    welcome = join(session, 1, resume=b"x" * 16)
    assert welcome.resume != b"x" * 16


def test_full_session_refuses_newcomers_but_not_returners():
    session = Session(default_deck(), HOST_TOKEN, counting_tokens(), max_participants=1)
    first = join(session, 1)
    assert error_code(only(session.handle(2, Hello()))) is ErrorCode.FULL
    session.disconnect(1)
    join(session, 3, resume=first.resume)


def test_a_session_keeps_at_most_its_records_and_still_takes_back_everyone_in_them():
    session = Session(default_deck(), HOST_TOKEN, counting_tokens(), max_records=2)
    first = join(session, 1)
    join(session, 2)
    session.disconnect(1)
    session.disconnect(2)
    refusal = only(session.handle(3, Hello(name="Cy")))
    assert error_code(refusal) is ErrorCode.FULL and refusal.refusal is Refusal.KEPT_ALL and refusal.values == (2,)
    assert session.knows(first.resume) and not session.knows(b"x" * 16) and not session.knows(None)
    assert join(session, 4, resume=first.resume).resume == first.resume, "those it keeps come back"
    assert len(session.participants) == 2 and session.connected == 1


def test_names_are_cleaned():
    assert clean_name("  Ann \t Lee \n") == "Ann Lee"
    assert clean_name("\x1b[2Jx\x07") == "[2Jx"
    assert clean_name("a\u200bb\u202ec") == "abc"
    assert len(clean_name("n" * 500)) == 40


def test_version_moves_on_every_visible_change(session):
    seen = [session.version]
    join(session, 1)
    host(session)
    command(session, Action.GOTO, SPECTRUM)
    seen.append(session.version)
    session.handle(1, Vote(1, SPECTRUM, 2))
    seen.append(session.version)
    session.handle(1, Vote(2, SPECTRUM, 2))
    assert session.version == seen[-1], "the same vote again changes nothing"
    session.disconnect(1)
    assert session.version > seen[-1]
    assert seen == sorted(set(seen))


# -- property: for any sequence of commands, tallies equal a recount ---------------

conns = st.integers(1, 6)
step = st.one_of(
    st.tuples(st.just("join"), conns, st.booleans()),
    st.tuples(st.just("vote"), conns, st.integers(0, 5), st.one_of(st.none(), st.integers(0, 25))),
    st.tuples(st.just("command"), st.sampled_from(list(Action)), st.integers(0, 6)),
    st.tuples(st.just("drop"), conns),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(step, max_size=60))
def test_tallies_always_equal_a_recount(steps):
    session = Session(default_deck(), HOST_TOKEN, counting_tokens())
    host(session, conn=100)
    tokens: dict[int, bytes] = {}
    log = []

    def handle(conn, message):
        outputs = session.handle(conn, message)
        log.extend(o.event for o in outputs if isinstance(o, Record))
        return outputs

    for op, *args in steps:
        if op == "join":
            conn, resume = args
            if session.role(conn) is None:
                previous = tokens.get(conn) if resume else None
                outputs = handle(conn, Hello(resume=previous))
                for output in outputs:
                    if isinstance(output, Close):
                        session.disconnect(output.conn)
                tokens[conn] = outputs[-1].message.resume
        elif op == "vote":
            conn, question, choice = args
            before = read_models.tally(session, question).counts if question < 6 else None
            reply = only(handle(conn, Vote(1, question, choice)))
            if isinstance(reply, Refused) and before is not None:
                assert read_models.tally(session, question).counts == before, "a refused vote changes nothing"
        elif op == "command":
            action, question = args
            only(handle(100, Command(1, action, question)))
        else:
            session.disconnect(args[0])
        for index, status in enumerate(session.questions):
            recount = [0] * len(status.counts)
            for member in session.participants.values():
                if index in member.votes:
                    recount[member.votes[index]] += 1
            assert status.counts == recount
        assert read_models.turnout(session).connected == sum(m.conn is not None for m in session.participants.values())
    replayed = Session(default_deck(), HOST_TOKEN, counting_tokens())
    replayed.replay(log)
    assert_same_record(replayed, session)


def assert_same_record(a: Session, b: Session) -> None:
    """Everything a log keeps: the question, its flags and tallies, who voted what."""
    assert a.current == b.current
    assert [(q.counts, q.open, q.revealed) for q in a.questions] == [
        (q.counts, q.open, q.revealed) for q in b.questions
    ]
    assert {t: (m.number, m.name, m.votes) for t, m in a.participants.items()} == {
        t: (m.number, m.name, m.votes) for t, m in b.participants.items()
    }


def test_accepted_changes_are_recorded_as_events(session):
    outputs = session.handle(1, Hello(name="Ann"))
    (joined,) = [o.event for o in outputs if isinstance(o, Record)]
    assert joined == Joined(1, (1).to_bytes(16, "big"), "Ann")
    host(session)
    assert Record(Commanded(Action.GOTO, SPECTRUM)) in session.handle(100, Command(1, Action.GOTO, SPECTRUM))
    assert session.handle(1, Vote(1, SPECTRUM, 2))[0] == Record(Voted(1, SPECTRUM, 2))
    assert not [o for o in session.handle(1, Vote(2, SPECTRUM, 2)) if isinstance(o, Record)], "no change, no record"
    assert [o for o in session.handle(1, Vote(3, SPECTRUM, 9)) if isinstance(o, Record)] == [], "refused, no record"
    renamed = session.handle(2, Hello(name="Ann Lee", resume=joined.token))
    assert Record(Joined(1, joined.token, "Ann Lee")) in renamed


def test_an_unsaved_batch_is_undone_and_later_changes_kept(session):
    session.journal()
    batches = []

    def handle(conn, message):
        outputs = session.handle(conn, message)
        batches.append([o.event for o in outputs if isinstance(o, Record)])
        return outputs

    handle(1, Hello(name="Ann"))
    handle(100, Hello(host_token=HOST_TOKEN))
    handle(100, Command(1, Action.GOTO, SPECTRUM))
    handle(1, Vote(1, SPECTRUM, 2))
    for batch in batches:
        session.saved(batch)
    handle(1, Vote(2, SPECTRUM, 5))  # never reached the disk
    handle(2, Hello(name="Bob"))  # nor did Bob's joining
    handle(100, Command(2, Action.LOCK, SPECTRUM))  # this did
    session.saved(batches[-1])
    assert session.unsaved(batches[-3]) == []
    orphans = session.unsaved(batches[-2])
    assert orphans == [2], "Bob's join was lost: his connection must start again"
    assert read_models.tally(session).counts == (0, 0, 1, 0, 0, 0)
    assert not session.questions[SPECTRUM].open, "the lock, saved after the failures, stays"
    assert session.role(1) is Role.PARTICIPANT and session.role(2) is None
    assert read_models.turnout(session).connected == 1
    command(session, Action.OPEN, SPECTRUM, seq=3)
    assert only(session.handle(1, Vote(3, SPECTRUM, 4))) == Ack(3), "Ann votes on as before"
    assert read_models.tally(session).counts == (0, 0, 0, 0, 1, 0)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["join", "vote", "reset", "lock", "open", "goto"]),
            st.integers(1, 4),
            st.integers(0, 5),
            st.booleans(),
        ),
        max_size=30,
    )
)
def test_undoing_any_failed_batches_leaves_exactly_what_was_saved(steps):
    session = Session(default_deck(), HOST_TOKEN, counting_tokens())
    session.journal()
    host(session)
    saved = []
    pending = []  # (batch, fails, conn): a connection waits for its own batch, as the hub does
    for op, conn, value, fails in steps:
        if any(waiting == conn for _, _, waiting in pending):
            continue
        if op == "join":
            if session.role(conn) is not None:
                continue
            outputs = session.handle(conn, Hello(name=f"p{conn}"))
        elif op == "vote":
            outputs = session.handle(conn, Vote(1, session.current, value % 6 if value < 5 else None))
        elif op == "goto":
            conn = 100
            outputs = session.handle(100, Command(1, Action.GOTO, value))
        else:
            conn = 100
            action = {"reset": Action.RESET, "lock": Action.LOCK, "open": Action.OPEN}[op]
            outputs = session.handle(100, Command(1, action, session.current))
        batch = [o.event for o in outputs if isinstance(o, Record)]
        if batch:
            pending.append((batch, fails, conn))
        while len(pending) > 2:  # the log answers a little behind
            done, failed, _ = pending.pop(0)
            if failed:
                session.unsaved(done)
            else:
                session.saved(done)
                saved.extend(done)
    for done, failed, _ in pending:
        if failed:
            session.unsaved(done)
        else:
            session.saved(done)
            saved.extend(done)
    replayed = Session(default_deck(), HOST_TOKEN, counting_tokens())
    replayed.replay(saved)
    assert_same_record(replayed, session)


def test_a_required_join_code_is_asked_of_newcomers_only():
    session = Session(default_deck(), HOST_TOKEN, counting_tokens(), join_code="KXPT", require_code=True)
    assert error_code(only(session.handle(1, Hello()))) is ErrorCode.CODE_REQUIRED
    assert error_code(only(session.handle(1, Hello(code="KXPA")))) is ErrorCode.BAD_CODE
    first = only(session.handle(2, Hello(code=" kx-pt ")))
    assert isinstance(first, Welcome), "case, spaces and dashes do not matter"
    session.disconnect(2)
    assert isinstance(only(session.handle(3, Hello(resume=first.resume))), Welcome), "coming back needs no code"
    assert only(session.handle(4, Hello(host_token=HOST_TOKEN))).role is Role.HOST


def test_join_codes_have_no_look_alikes():
    from coproterm.core.access import ALPHABET, new_join_code, normal_code

    assert not set(ALPHABET) & set("O0I1LS5Z2B8G6Q")
    codes = {new_join_code(__import__("random").Random(i).randrange) for i in range(200)}
    assert all(len(c) == 4 and set(c) <= set(ALPHABET) for c in codes) and len(codes) > 150
    assert normal_code("kx pt") == "KXPT"
