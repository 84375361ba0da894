"""The client's view: the hub's messages folded into what a face shows."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from coproterm.core.deck import deck_to_data, default_deck
from coproterm.core.hub_messages import Ack, Ballot, Error, State, Tally, Turnout, Welcome
from coproterm.core.refusals import Refusal
from coproterm.core.view import SessionView, clean_text
from coproterm.core.wire_terms import ErrorCode, Role

DECK = deck_to_data(default_deck())


def welcomed(role=Role.PARTICIPANT, votes=(None, 2, None, None, None, None)) -> SessionView:
    view = SessionView()
    view.apply(Welcome(1, role, b"t" * 16 if role is Role.PARTICIPANT else None, DECK, votes))
    view.apply(State(1, True, False))
    return view


def test_welcome_brings_the_deck_and_my_votes():
    view = welcomed()
    assert view.deck == default_deck()
    assert view.question.prompt == "Where does your work live on the spectrum of interactions?"
    assert view.my_vote() == 2 and view.my_vote(0) is None
    assert view.resume == b"t" * 16


def test_nothing_to_show_before_the_welcome():
    view = SessionView()
    assert view.question is None and view.current_tally is None
    assert view.my_vote() is None


def test_a_vote_counts_as_mine_only_once_acknowledged():
    view = welcomed()
    view.sent(7, 1, 4)
    assert view.is_pending(1) and view.my_vote() == 2
    view.apply(Ack(7))
    assert not view.is_pending(1) and view.my_vote() == 4
    view.sent(8, 1, None)
    view.apply(Ack(8))
    assert view.my_vote() is None
    view.apply(Ack(99))  # an ack for nothing pending changes nothing
    assert view.my_vote() is None


def test_a_refused_vote_is_not_mine():
    view = welcomed()
    view.sent(3, 1, 5)
    view.apply(Error(3, ErrorCode.LOCKED, Refusal.LOCKED))
    assert view.my_vote() == 2 and not view.is_pending(1)
    assert view.refusal.code is ErrorCode.LOCKED
    view.apply(Error(None, ErrorCode.BAD_MESSAGE, Refusal.MALFORMED))
    assert view.refusal.seq is None


def test_a_participant_sees_the_tally_only_while_revealed():
    view = welcomed()
    view.apply(Tally(1, (0, 1, 2, 0, 0, 0)))
    assert view.current_tally is None
    view.apply(State(1, True, True))
    assert view.current_tally.counts == (0, 1, 2, 0, 0, 0)
    view.apply(State(2, True, True))
    assert view.current_tally is None, "a tally of another question is stale"


def test_a_host_always_sees_the_tally():
    view = welcomed(Role.HOST, (None,) * 6)
    view.apply(Tally(1, (1, 0, 0, 0, 0, 0)))
    assert view.current_tally.counts[0] == 1


def test_a_ballot_from_the_hub_changes_my_vote():
    view = welcomed()
    view.apply(Ballot(1, None))
    assert view.my_vote() is None
    view.apply(Ballot(1, 3))
    assert view.my_vote() == 3


def test_a_host_keeps_the_turnout():
    view = welcomed(Role.HOST, (None,) * 6)
    view.apply(Turnout(12, 9))
    assert (view.turnout.connected, view.turnout.voted) == (12, 9)


def test_a_deck_that_does_not_validate_is_a_protocol_error():
    import pytest

    from coproterm.core.wire_checks import ProtocolError

    view = SessionView()
    with pytest.raises(ProtocolError, match="deck is not valid"):
        view.apply(Welcome(1, Role.PARTICIPANT, None, {"title": 5}, ()))
    assert view.deck is None


def test_text_from_the_hub_carries_no_terminal_escapes():
    sly = deck_to_data(default_deck())
    sly["title"] = "\x1b]52;c;ZXZpbA==\x07Workshop\u202e"
    sly["questions"] = ({"prompt": "Where?\x1b[2J\x1b[6n \x1b]8;;http://x\x1b\\link", "note": "one\ntwo\x9b"},)
    view = SessionView()
    view.apply(Welcome(1, Role.PARTICIPANT, None, sly, (None,)))
    texts = [view.deck.title, view.deck.questions[0].prompt, view.deck.questions[0].note]
    assert not any(ch in text for text in texts for ch in "\x1b\x07\x9b\u202e")
    assert view.deck.questions[0].note == "one\ntwo", "paragraphs survive"


def test_a_refusal_ends_with_the_lock_that_caused_it():
    view = welcomed()
    view.sent(3, 1, 5)
    view.apply(Error(3, ErrorCode.LOCKED, Refusal.LOCKED))
    assert view.refusal is not None and view.refused_question == 1
    view.apply(State(1, False, False))
    assert view.refusal is None, "the question was locked again: the old refusal is stale"


def test_a_reset_by_the_host_is_told_to_the_participant():
    view = welcomed()
    view.apply(Ballot(1, None))
    assert view.current_notice == "the facilitator cleared the votes on this question"
    view.apply(State(2, True, False))
    assert view.current_notice is None, "only on the question it happened to"
    view.apply(Ballot(2, None))
    assert view.notice is None or view.current_notice is None, "no vote there: nothing was cleared"


def _cleaned_character_by_character(text: str, lines: bool) -> str:
    return "".join(
        ch if ch == "\n" and lines else " " if ch.isspace() else ch
        for ch in text
        if (ch == "\n" and lines) or ch.isspace() or unicodedata.category(ch)[0] != "C"
    )


@given(st.text(st.characters(codec=None)) | st.text("ab \n\t\x1b\x9b\u202e\u200b\u2028\xa0é"), st.booleans())
def test_text_from_the_hub_is_cleaned_the_same_with_or_without_the_quick_path(text, lines):
    """Text with nothing to take out is handed back as it is; any other is walked character by character."""
    assert clean_text(text, lines=lines) == _cleaned_character_by_character(text, lines)
