"""A question asked on the spot renumbers every client's ballots exactly once, whatever comes with it.

The hub's protocol as the core runs it (bytes in, frames out, the views of real clients fed those frames in
their order): a language switch in the same tick as the question, an insertion the log could not take.
"""

from __future__ import annotations

from coproterm.core.alerts import Alert
from coproterm.core.deck import default_deck
from coproterm.core.protocol import Broadcast, HubProtocol, Save, Send
from coproterm.core.session import Session
from coproterm.core.view import SessionView
from coproterm.core.wire import (
    Action,
    Added,
    AddQuestion,
    AskKind,
    Command,
    Hello,
    Speak,
    Translated,
    Vote,
    decode,
    encode,
)
from tests.conftest import HOST_TOKEN, counting_tokens

HOST, ANN = 100, 1
SPECTRUM, COMPLEXITY = 1, 3


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
    told = [decode(frame) for frame in frames_to(p.receive(ANN, encode(Speak("cy")), 0.0), ANN)]
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
