"""A pulled cable: the SSH participant's machine goes silent, with no goodbye at all.

The client runs in a network namespace of the test's own, joined to the hub's
side by a virtual cable (veth); pulling it drops every packet either way, as
a laptop whose wifi dies does. The gateway must notice and end that session
(the person's votes stay), both when the screen is idle and when screens are
waiting to be taken. The keepalive times are shortened for the test; the
kernel's TCP does the rest, as it does in a room.
"""

from __future__ import annotations

import asyncio

import pytest

import coproterm.server.ssh.gateway as gateway_module
from coproterm.core import read_models
from coproterm.core.client_messages import Command
from coproterm.core.deck import default_deck
from coproterm.core.session import Session
from coproterm.core.wire_terms import Action
from coproterm.server.hub_runner import HubRunner, SSHOptions
from tests.conftest import HOST_TOKEN, counting_tokens
from tests.hubkit import join_host
from tests.sshkit import SSHClient, ssh_binary

SPECTRUM = 1


@pytest.mark.parametrize("waiting", [False, True], ids=["idle screen", "screens waiting"])
async def test_a_pulled_cable_ends_the_session_and_keeps_the_vote(tmp_path, monkeypatch, cable, waiting):
    ssh_binary()
    address, via, pull = cable
    monkeypatch.setattr(gateway_module, "KEEPALIVE_IDLE", 1)
    monkeypatch.setattr(gateway_module, "KEEPALIVE_EVERY", 1)
    monkeypatch.setattr(gateway_module, "KEEPALIVE_MISSED", 2)
    session = Session(default_deck(), HOST_TOKEN, counting_tokens())
    runner = HubRunner(session, HOST_TOKEN, address, 0, ssh=SSHOptions(port=0, key_dir=tmp_path, workers=0))
    async with runner as hosted:
        host = await join_host(hosted.local_url)
        await host.request(lambda s: Command(s, Action.GOTO, SPECTRUM))
        ann = await SSHClient(hosted.ssh_port, "ann", host=address, via=via).start()
        await ann.expect("spectrum of interactions")
        ann.type("3\r")
        await ann.expect("Your vote is counted")
        gw = runner.gateway
        assert gw is not None and gw.sessions == 1
        pull()
        if waiting:  # the room goes on: screens to send to a client that takes none of them
            for _ in range(3):
                await host.request(lambda s: Command(s, Action.REVEAL, SPECTRUM))
                await host.request(lambda s: Command(s, Action.HIDE, SPECTRUM))
        async with asyncio.timeout(30):  # 3 s of keepalives in this test; 3 minutes in a room
            while gw.sessions:
                await asyncio.sleep(0.2)
        assert read_models.tally(session, SPECTRUM).counts[2] == 1, "the vote stays"
        ann.kill()
        await ann.wait()
