"""Over SSH, a screen nobody touches sends nothing (no blinking cursor, no animation), and a new
question sends what changes on the screen, not the whole screen again.

Both are asked of the app and the channel, not of the clock: :func:`tests.sshkit.drawn_and_sent` waits until
the app has drawn all it owes and the client holds it, and what would wake an idle app is its running timers."""

from __future__ import annotations

from coproterm.core.client_messages import Command
from coproterm.core.deck import default_deck
from coproterm.core.session import Session
from coproterm.core.wire_terms import Action
from tests.conftest import HOST_TOKEN, counting_tokens
from tests.sshkit import asyncssh_client, drawn_and_sent, sent_since, serving_ssh_with_gateway
from tests.textualkit import waking_timers

FIRST = "co-production mean to you"


async def test_an_answer_box_left_alone_costs_no_bytes(tmp_path):
    """The first question takes written answers: its text box has the focus and a cursor."""
    session = Session(default_deck(), HOST_TOKEN, counting_tokens())
    assert session.deck.questions[0].answers is not None, "the first question is a text question"
    async with serving_ssh_with_gateway(tmp_path, session) as (hosted, _host, gateway):
        conn, _channel, screen = await asyncssh_client(hosted.ssh_port, "ann")
        await screen.expect(FIRST)
        (live,) = gateway._live.values()
        await drawn_and_sent(live, screen)  # the first paint, all of it
        assert live.app.focused is not None and live.app.focused.id == "answer-text", live.app.focused
        # Nothing will draw unless something happens: no timer (a cursor's blink, an animation) is running.
        assert waking_timers(live.app) == []
        drawn = len(screen.received)
        await drawn_and_sent(live, screen)  # and nothing was owed: a round with only its mark
        assert sent_since(screen, drawn) == 0, f"{sent_since(screen, drawn)} bytes sent to an idle screen"
        conn.close()


async def test_a_question_change_sends_what_changed_not_the_whole_screen(tmp_path):
    """Textual redraws the screen's lines in full (about 8.8 KB here); the person's link carries the change."""
    async with serving_ssh_with_gateway(tmp_path) as (hosted, host, gateway):
        conn, _channel, screen = await asyncssh_client(hosted.ssh_port, "ann")
        await screen.expect(FIRST)
        (live,) = gateway._live.values()
        await drawn_and_sent(live, screen)
        before = len(screen.received)
        await host.request(lambda s: Command(s, Action.GOTO, 1))
        await screen.expect("spectrum of interactions")
        await drawn_and_sent(live, screen)  # every byte of the change has arrived
        sent = sent_since(screen, before)
        assert sent < 4000, f"{sent} bytes for a question change"
        now = screen.shown.screens[-1]
        assert "coercion" in now and "co-production mean to you" not in now, now
        conn.close()
