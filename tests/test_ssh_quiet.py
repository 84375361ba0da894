"""Over SSH, a screen nobody touches sends nothing (no blinking cursor, no animation), and a new
question sends what changes on the screen, not the whole screen again."""

from __future__ import annotations

import asyncio

from coproterm.core.deck import default_deck
from coproterm.core.session import Session
from coproterm.core.wire import Action, Command
from tests.conftest import HOST_TOKEN, counting_tokens
from tests.sshkit import asyncssh_client, serving_ssh_with_gateway

FIRST = "co-production mean to you"


async def test_an_answer_box_left_alone_costs_no_bytes(tmp_path):
    """The first question takes written answers: its text box has the focus and a cursor."""
    session = Session(default_deck(), HOST_TOKEN, counting_tokens())
    assert session.deck.questions[0].answers is not None, "the first question is a text question"
    async with serving_ssh_with_gateway(tmp_path, session) as (hosted, _host, _gw):
        conn, _channel, screen = await asyncssh_client(hosted.ssh_port, "ann")
        await screen.expect(FIRST)
        await asyncio.sleep(1.0)  # the first paint settles
        drawn = len(screen.received)
        await asyncio.sleep(3.0)  # six blinks of a blinking cursor, were there one
        assert len(screen.received) == drawn, f"{len(screen.received) - drawn} bytes sent to an idle screen"
        conn.close()


async def test_a_question_change_sends_what_changed_not_the_whole_screen(tmp_path):
    """Textual redraws the screen's lines in full (about 8.8 KB here); the person's link carries the change."""
    async with serving_ssh_with_gateway(tmp_path) as (hosted, host, _gw):
        conn, _channel, screen = await asyncssh_client(hosted.ssh_port, "ann")
        await screen.expect(FIRST)
        await asyncio.sleep(1.0)
        before = len(screen.received)
        await host.request(lambda s: Command(s, Action.GOTO, 1))
        await screen.expect("spectrum of interactions")
        await asyncio.sleep(1.0)
        sent = len(screen.received) - before
        assert sent < 4000, f"{sent} bytes for a question change"
        now = screen.shown.screens[-1]
        assert "coercion" in now and "co-production mean to you" not in now, now
        conn.close()
