"""The timer on the Textual faces (Pilot, a real hub in the same loop): the dashboard starts, shows and stops it;
a participant's header shows the time left, in English and in Welsh, and voting locks at the end."""

from __future__ import annotations

import pytest

from coproterm.core.client_messages import Command
from coproterm.core.wire_terms import Action
from coproterm.tui.host.app import HostApp
from coproterm.tui.host.timer_screen import TimerScreen
from coproterm.tui.participant.app import ParticipantApp
from tests.conftest import HOST_TOKEN
from tests.facekit import text_of, until
from tests.hubkit import join_host, running_hub

SPECTRUM = 1


@pytest.fixture
async def hub():
    async with running_hub() as running:
        yield running


def connected(app):
    return app.view.turnout.connected if app.view.turnout is not None else None


async def test_the_dashboard_starts_and_stops_a_timer_that_every_header_shows(hub):
    host, ann, bryn = HostApp(hub.url, HOST_TOKEN), ParticipantApp(hub.url, "Ann"), ParticipantApp(hub.url, lang="cy")
    async with (
        host.run_test(size=(100, 30)) as hp,
        ann.run_test(size=(80, 24)) as ap,
        bryn.run_test(size=(40, 12)) as bp,
    ):
        await until(hp, lambda: connected(host) == 2)
        await hp.press("n")
        await until(ap, lambda: ann.view.state.current == SPECTRUM)
        await hp.press("t")
        await until(hp, lambda: isinstance(host.screen, TimerScreen))
        assert "0:30" in text_of(host, "#timer-choices") and "voting locks" in text_of(host, "#timer-choices")
        await hp.press("3")  # the third length offered: 2:00
        await until(hp, lambda: not isinstance(host.screen, TimerScreen))
        await until(hp, lambda: "Voting locks when the time is up." in text_of(host, "#timer"))
        assert "█" in text_of(host, "#timer"), "large digits for the projector"
        await until(ap, lambda: "⏱ 2:00 left" in text_of(ann, "#status") or "⏱ 1:59 left" in text_of(ann, "#status"))
        await until(bp, lambda: "⏱" in text_of(bryn, "#status") and "ar ôl" in text_of(bryn, "#status"))
        assert hub.session.timer_running() and hub.session.timer.seconds == 120

        await hp.press("t")
        await until(hp, lambda: isinstance(host.screen, TimerScreen))
        assert "0  stop" in text_of(host, "#timer-choices")
        await hp.press("0")
        await until(ap, lambda: "⏱" not in text_of(ann, "#status"))
        await until(hp, lambda: not host.screen.query_one("#timer").display)
        assert not hub.session.timer_running() and ann.view.state.open


async def test_when_the_hubs_clock_ends_it_voting_locks_on_every_face(hub):
    host, ann = HostApp(hub.url, HOST_TOKEN), ParticipantApp(hub.url, "Ann")
    async with host.run_test(size=(100, 30)) as hp, ann.run_test(size=(80, 24)) as ap:
        await until(hp, lambda: connected(host) == 1)
        raw = await join_host(hub.url)
        await raw.request(lambda s: Command(s, Action.GOTO, SPECTRUM))
        await raw.request(lambda s: Command(s, Action.TIMER, SPECTRUM, 2))
        await until(ap, lambda: "⏱" in text_of(ann, "#status"))
        await until(ap, lambda: "⏱ time is up" in text_of(ann, "#status") and "locked" in text_of(ann, "#status"))
        await until(hp, lambda: "Time is up: voting is locked." in text_of(host, "#timer"))
        await until(hp, lambda: "LOCKED" in text_of(host, "#state"))
        await raw.socket.close()


async def test_the_palette_starts_a_timer_of_a_preset_length_that_only_stops_where_the_deck_says(hub):
    host = HostApp(hub.url, HOST_TOKEN)
    async with host.run_test(size=(100, 30)) as hp:
        await until(hp, lambda: host.view.state is not None)
        await hp.press("ctrl+p")
        await hp.press(*"Timer: 1 minute")
        await hp.press("enter")
        await until(hp, lambda: hub.session.timer_running())
        assert hub.session.timer.seconds == 60 and hub.session.timer.locks
        await hp.press("ctrl+p")
        await hp.press(*"Stop the timer")
        await hp.press("enter")
        await until(hp, lambda: not hub.session.timer_running())
