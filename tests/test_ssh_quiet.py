"""Over SSH, a screen nobody touches sends nothing: no blinking cursor, no animation."""

from __future__ import annotations

import asyncio

from coproterm.core.deck import default_deck
from coproterm.core.session import Session
from tests.conftest import HOST_TOKEN, counting_tokens
from tests.sshkit import asyncssh_client
from tests.test_ssh_hardening import gateway

FIRST = "co-production mean to you"


async def test_an_answer_box_left_alone_costs_no_bytes(tmp_path):
    """The first question takes written answers: its text box has the focus and a cursor."""
    session = Session(default_deck(), HOST_TOKEN, counting_tokens())
    assert session.deck.questions[0].answers is not None, "the first question is a text question"
    async with gateway(tmp_path, session) as (hosted, _host, _gw):
        conn, _channel, screen = await asyncssh_client(hosted.ssh_port, "ann")
        await screen.expect(FIRST)
        await asyncio.sleep(1.0)  # the first paint settles
        drawn = len(screen.received)
        await asyncio.sleep(3.0)  # six blinks of a blinking cursor, were there one
        assert len(screen.received) == drawn, f"{len(screen.received) - drawn} bytes sent to an idle screen"
        conn.close()
