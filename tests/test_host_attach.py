"""The dashboard tells the room the right things: the session it resumed, and (attached) how to join.

A real hub: in this process for the resumed session, `coproterm serve` as a real process for --attach.
"""

from __future__ import annotations

import asyncio
import socket

import pytest

from coproterm.core.events import Commanded, Joined, Voted
from coproterm.core.wire_terms import Action
from coproterm.server.addresses import lan_ipv4_addresses
from coproterm.server.store import NEWEST
from coproterm.tui.host.app import HostApp
from tests.facekit import read_qr, text_of, until
from tests.hubkit import join as join_hub
from tests.hubkit import start_serve
from tests.storekit import logged_session
from tests.textualkit import notifications_of


async def test_a_resumed_session_says_on_the_dashboard_which_one_it_picked(tmp_path, monkeypatch):
    from coproterm.commands.hub_commands import _dashboard
    from coproterm.server.hub_runner import HubRunner, prepare

    monkeypatch.chdir(tmp_path)
    events = [Joined(1, b"a" * 16, "Ann"), Commanded(Action.GOTO, 1), Voted(1, 1, 3)]
    workshop = await asyncio.to_thread(logged_session, tmp_path, events)
    prepared = prepare(None, data=tmp_path, resume=NEWEST)
    async with HubRunner(prepared.session, prepared.host_token, "127.0.0.1", 0, prepared.store) as hosted:
        host = _dashboard(hosted, said=prepared.warnings())
        async with host.run_test(size=(100, 30)) as hp:
            said = f"picked {workshop.stem}, the newest session anyone joined or voted in (1 participant, 1 vote"
            await until(hp, lambda: any(said in str(n.message) for n in notifications_of(host)))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("0.0.0.0", 0))
        return probe.getsockname()[1]


@pytest.mark.skipif(not lan_ipv4_addresses(), reason="this machine has no LAN address")
async def test_a_dashboard_attached_at_loopback_points_the_room_to_this_machines_lan_address(tmp_path):
    from coproterm.commands.hub_commands import _attached_joining
    from coproterm.tui.widgets.qr import QRCode

    ssh_port = free_port()
    served = await start_serve("--host", "0.0.0.0", "--ssh-port", str(ssh_port), "--no-mdns", data=tmp_path)
    token = served.token
    try:
        port = served.port
        url = f"ws://127.0.0.1:{port}"
        lan = lan_ipv4_addresses()[0]
        targets, ssh, web = await asyncio.to_thread(_attached_joining, url, ssh_port)
        host = HostApp(url, token, targets, ssh=ssh, web=web)
        async with host.run_test(size=(100, 30)) as hp:
            await until(hp, lambda: bool(host.view.join_code), timeout=10)
            code = host.view.join_code
            join = text_of(host, "#join-how")
            assert f"coproterm join {lan}:{port}" in join and f"ssh -p {ssh_port} YOURNAME@{lan}" in join, join
            assert f"http://{lan}:{port}/" in join, join
            await hp.press("c")
            await until(hp, lambda: host.screen.query(QRCode))
            assert read_qr(host.screen.query_one(QRCode)) == [f"http://{lan}:{port}/?code={code}&lang=en"]
            assert not host.screen.query("#warning"), "the hub listens on every address: no warning"
            await hp.press("escape")
            # someone is in: the join instructions fold to a line, and keep the phone's and ssh's
            ann = await join_hub(url)
            await until(hp, lambda: host.view.joined == 1, timeout=10)
            await until(hp, lambda: f"http://{lan}:{port}/" in text_of(host, "#join-how"))
            assert f"ssh -p {ssh_port} YOURNAME@{lan}" in text_of(host, "#join-how")
            await ann.socket.close()
    finally:
        await served.stop()


async def test_a_hub_only_this_machine_can_reach_says_so_in_full_beside_its_qr_code():
    from coproterm.core.deck import default_deck
    from coproterm.core.session import Session
    from coproterm.tui.widgets.qr import QRCode
    from tests.conftest import HOST_TOKEN, counting_tokens
    from tests.hubkit import running_hub

    session = Session(default_deck(), HOST_TOKEN, counting_tokens(), join_code="KXPT")
    async with running_hub(session) as hub:
        host = HostApp(hub.url, HOST_TOKEN, ["127.0.0.1:8765"], web=True)
        async with host.run_test(size=(80, 24)) as hp:
            await until(hp, lambda: host.view.join_code == "KXPT")
            await hp.press("c")
            await until(hp, lambda: host.screen.query("#warning"))
            warning = host.screen.query_one("#warning")
            assert warning.region.right <= 80, "the warning runs off the screen"
            said = " ".join(line.text.strip() for line in warning.render_lines(warning.region.reset_offset))
            assert "start the hub with --host 0.0.0.0 for the room." in said, said
            qr = host.screen.query_one(QRCode)
            assert qr.region.bottom <= warning.region.y and warning.region.bottom <= 24
