"""Ending the session for everyone, apart from closing the dashboard; the palette offers the facilitator's commands."""

from __future__ import annotations

import asyncio

import pytest
from websockets.exceptions import ConnectionClosed

from coproterm.core.client_messages import Hello
from coproterm.core.wire_terms import CloseCode
from coproterm.tui.host.app import HostApp
from coproterm.tui.widgets.confirm import ConfirmScreen
from tests.conftest import HOST_TOKEN
from tests.facekit import until
from tests.hubkit import join, running_hub
from tests.ptykit import COPROTERM, InPty, free_port
from tests.textualkit import notifications_of


async def ended(peer) -> int | None:
    """Read until the hub closes this participant's connection; its close code."""
    try:
        while True:
            await peer.recv(timeout=30)
    except ConnectionClosed as closed:
        return closed.rcvd.code if closed.rcvd is not None else None


@pytest.mark.parametrize(
    ("lang", "asked", "yes"),
    [
        ("en", r"End the session for everyone\?", "y"),  # (a pattern: the question wraps in its box)
        ("cy", r"Dod â'r sesiwn i ben i bawb\?", "y"),
    ],
)
async def test_the_end_key_ends_the_session_for_everyone_once_confirmed(tmp_path, lang, asked, yes):
    port = free_port()
    host = await InPty(
        [*COPROTERM, "host", "--host", "127.0.0.1", "--port", str(port), "--ssh-port", "0", "--no-mdns",
         "--lang", lang, "--data-dir", str(tmp_path)],
    ).start()  # fmt: skip
    try:
        await host.expect("coproterm join", timeout=60)
        ann = await join(f"ws://127.0.0.1:{port}", Hello(name="Ann"))
        await host.expect("1 connected|wedi cysylltu nawr: 1", timeout=20)
        host.type("s")
        await host.expect(asked, timeout=10)
        host.type("n")  # not yet: nothing happens
        await asyncio.sleep(1)
        assert not host.closed
        host.mark()
        host.type("s")
        await host.expect(asked, timeout=10)
        host.type(yes)
        assert await ended(ann) == CloseCode.ENDED
        assert await host.wait(timeout=30) == 0
    finally:
        if not host.closed:
            host.kill()


async def test_closing_a_dashboard_that_runs_the_hub_says_the_session_ends():
    async with running_hub() as hub:
        app = HostApp(hub.url, HOST_TOKEN, runs_hub=True)
        ann = await join(hub.url, Hello(name="Ann"))
        async with app.run_test(size=(120, 40)) as pilot:
            await until(pilot, lambda: app.view.turnout is not None and app.view.turnout.connected == 1)
            await pilot.press("q")
            await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
            asked = app.screen.question
            assert "The hub runs in it: the session ends for everyone, 1 participant connected too" in asked, asked
            await pilot.press("n")
            await until(pilot, lambda: not isinstance(app.screen, ConfirmScreen))
        await ann.socket.close()


async def test_closing_an_attached_dashboard_says_the_session_goes_on_and_end_says_where_to_end_it():
    async with running_hub() as hub:
        app = HostApp(hub.url, HOST_TOKEN)  # --attach: the hub runs elsewhere
        ann = await join(hub.url, Hello(name="Ann"))
        async with app.run_test(size=(120, 40)) as pilot:
            await until(pilot, lambda: app.view.turnout is not None and app.view.turnout.connected == 1)
            await pilot.press("q")
            await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
            assert "The session goes on for the 1 participant connected" in app.screen.question
            await pilot.press("n")
            await until(pilot, lambda: not isinstance(app.screen, ConfirmScreen))
            await pilot.press("s")
            await until(pilot, lambda: any("end the session there" in str(n.message) for n in notifications_of(app)))
        assert hub.session.connected == 1, "nothing was ended from an attached dashboard"
        await ann.socket.close()


TEXTUAL_OWN = ("Quit the application", "Keys", "Screenshot", "Maximize", "Theme", "Change theme")


@pytest.mark.parametrize(
    ("lang", "ours", "placeholder"),
    [
        ("en", ["End the session for everyone", "Close the dashboard", "Show another address", "Next question"],
         "Search for commands…"),
        ("cy", ["Dod â'r sesiwn i ben i bawb", "Cau'r dangosfwrdd", "Dangos cyfeiriad arall", "Y cwestiwn nesaf"],
         "Chwilio am orchmynion…"),
    ],
)  # fmt: skip
async def test_the_palette_offers_only_the_facilitators_commands_in_the_dashboards_language(lang, ours, placeholder):
    async with running_hub() as hub:
        app = HostApp(hub.url, HOST_TOKEN, lang=lang)
        async with app.run_test(size=(120, 40)) as pilot:
            await until(pilot, lambda: app.view.state is not None)
            titles = [command.title for command in app.get_system_commands(app.screen)]
            for title in ours:
                assert title in titles, titles
            for theirs in TEXTUAL_OWN:
                assert not any(title.startswith(theirs) for title in titles), titles
            await pilot.press("ctrl+p")
            await until(pilot, lambda: type(app.screen).__name__ == "CommandPalette")
            from textual.command import CommandInput

            assert app.screen.query_one(CommandInput).placeholder == placeholder
