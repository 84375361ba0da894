"""The dashboard's QR code opens the phone page, with the join code in the link; the terminal ways stay beside it."""

from __future__ import annotations

from coproterm.core.deck import default_deck
from coproterm.core.session import Session
from coproterm.tui.host.app import HostApp
from coproterm.tui.host.dashboard import Joining
from coproterm.tui.widgets.qr import QRCode
from tests.conftest import HOST_TOKEN, counting_tokens
from tests.facekit import read_qr, text_of, until
from tests.hubkit import running_hub

SSH = ("ssh -p 2222 192.168.1.20", "SHA256:abcdef")


def test_the_web_link_is_the_first_address_with_the_code():
    joining = Joining.of("ws://127.0.0.1:8765", ["127.0.0.1:8765", "192.168.1.20:8765"], None, web=True)
    assert joining.web_link("KXPT") == "http://192.168.1.20:8765/?code=KXPT"
    assert joining.web_link(None) == "http://192.168.1.20:8765/"
    assert Joining.of("ws://127.0.0.1:8765", ["192.168.1.20:8765"], None).web_link("KXPT") is None


async def test_scanning_the_dashboards_qr_code_opens_the_page():
    async with running_hub(Session(default_deck(), HOST_TOKEN, counting_tokens(), join_code="KXPT")) as hub:
        host = HostApp(hub.url, HOST_TOKEN, ["192.168.1.20:8765"], ssh=SSH, web=True)
        async with host.run_test(size=(100, 40)) as pilot:
            await until(pilot, lambda: "http://192.168.1.20:8765/" in text_of(host, "#join-how"))
            assert "ssh -p 2222 YOURNAME@192.168.1.20" in text_of(host, "#join-how")
            await pilot.press("c")
            await until(pilot, lambda: host.screen.query(QRCode))
            assert read_qr(host.screen.query_one(QRCode)) == ["http://192.168.1.20:8765/?code=KXPT&lang=en"]
            words = " ".join(str(s.render()) for s in host.screen.query("Static"))
            assert "ssh -p 2222 YOURNAME@192.168.1.20" in words and "coproterm join 192.168.1.20:8765" in words


async def test_with_no_web_the_qr_code_stays_the_ssh_link():
    async with running_hub(page=None) as hub:
        host = HostApp(hub.url, HOST_TOKEN, ["192.168.1.20:8765"], ssh=SSH)
        async with host.run_test(size=(100, 40)) as pilot:
            await pilot.press("c")
            await until(pilot, lambda: host.screen.query(QRCode))
            assert read_qr(host.screen.query_one(QRCode)) == ["ssh://192.168.1.20:2222"]
