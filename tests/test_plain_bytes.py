"""What the gateway's SSH connections cost a person's link besides the app's bytes (server/ssh/packets.py):
the canary of the asyncssh names it patches and reads, with a real asyncssh client counting packets."""

from __future__ import annotations

import asyncio

import asyncssh
from asyncssh.constants import MSG_CHANNEL_DATA, MSG_IGNORE
from asyncssh.packet import SSHPacketHandler

from coproterm.server.hub_runner import HubRunner, SSHOptions
from coproterm.server.ssh import packets
from tests.conftest import HOST_TOKEN
from tests.plainkit import workshop_session
from tests.sshkit import asyncssh_client


async def test_the_gateway_sends_no_ignored_packet_and_a_client_is_probed_alive(tmp_path, monkeypatch):
    received: list[int] = []
    original = SSHPacketHandler.process_packet

    def counting(self, pkttype, pktid, packet):  # type: ignore[no-untyped-def]
        connection = getattr(self, "_conn", self)
        if isinstance(connection, asyncssh.SSHClientConnection):
            received.append(pkttype)
        return original(self, pkttype, pktid, packet)

    monkeypatch.setattr(SSHPacketHandler, "process_packet", counting)
    runner = HubRunner(
        workshop_session(), HOST_TOKEN, "127.0.0.1", 0, ssh=SSHOptions(port=0, key_dir=tmp_path, workers=0)
    )
    async with runner as hosted:
        assert runner.gateway is not None
        connection, channel, screen = await asyncssh_client(hosted.ssh_port, "ann+plain", term="dumb")
        await screen.expect("co-production mean to you")
        channel.write(b"help\r")
        await screen.expect("quit")
        assert received.count(MSG_CHANNEL_DATA) >= 2
        assert MSG_IGNORE not in received, "no empty SSH_MSG_IGNORE before each packet (asyncssh's CBC countermeasure)"
        (live,) = runner.gateway._live.values()
        server_side = live.terminal.channel.channel
        assert await packets.answers(server_side.get_extra_info("connection"), 5.0), "a live client answers"
        connection.close()
        await connection.wait_closed()
        await asyncio.sleep(0)
        assert not await packets.answers(server_side.get_extra_info("connection"), 5.0), "a closed one does not"
