"""The faces, driven with Pilot against a real hub in the same event loop."""

from __future__ import annotations

import asyncio

import pytest

from coproterm.client.link import Phase
from coproterm.core.wire import Action, Command, Role
from coproterm.tui.host.app import HostApp
from coproterm.tui.participant.app import ParticipantApp
from coproterm.tui.widgets.board import BoardPicker
from coproterm.tui.widgets.tally import TallyChart
from tests.conftest import HOST_TOKEN
from tests.hubkit import join_host, running_hub

SPECTRUM, COMPLEXITY, GRID = 1, 3, 4


async def until(pilot, predicate, timeout=5.0):
    """Let the app run until ``predicate()`` holds."""
    async with asyncio.timeout(timeout):
        while not predicate():
            await pilot.pause(0.02)


def connected(app):
    """Participants connected, as the host's dashboard knows it."""
    return app.view.turnout.connected if app.view.turnout is not None else None


def text_of(app, selector):
    return str(app.screen.query_one(selector).render())


def chart_counts(app):
    (chart,) = app.screen.query(TallyChart)
    return chart.counts


@pytest.fixture
async def hub():
    async with running_hub() as running:
        yield running


async def test_a_vote_cast_and_changed_shows_on_the_host(hub):
    host, ann = HostApp(hub.url, HOST_TOKEN, ["10.0.0.5:8765"]), ParticipantApp(hub.url, "Ann")
    async with host.run_test(size=(80, 24)) as hp, ann.run_test(size=(80, 24)) as ap:
        await until(hp, lambda: connected(host) == 1)
        assert "coproterm join 10.0.0.5:8765" in text_of(host, "#join-how")
        assert "1 connected" in text_of(host, "#people")
        await hp.press("n")
        await until(ap, lambda: ann.screen.query(BoardPicker))
        await ap.press("4", "enter")
        await until(hp, lambda: chart_counts(host) == (0, 0, 0, 1, 0, 0))
        await until(ap, lambda: "Your vote is counted: consultation" in text_of(ann, "#feedback"))
        await ap.press("right", "enter")
        await until(hp, lambda: chart_counts(host) == (0, 0, 0, 0, 1, 0))
        assert "voted: 1 of 1" in text_of(host, "#state")
        await ap.press("backspace")
        await until(hp, lambda: chart_counts(host) == (0,) * 6)


async def test_lock_stops_votes_and_says_so(hub):
    host, ann = HostApp(hub.url, HOST_TOKEN), ParticipantApp(hub.url)
    async with host.run_test() as hp, ann.run_test() as ap:
        await until(hp, lambda: connected(host) == 1)
        await hp.press("n", "l")
        await until(ap, lambda: ann.view.state.current == SPECTRUM and not ann.view.state.open)
        assert "LOCKED" in text_of(host, "#state")
        assert "locked" in text_of(ann, "#status")
        assert "Voting is locked" in text_of(ann, "#feedback")
        await ap.press("2", "enter")

        await until(ap, lambda: ann.view.last_error is not None)
        assert "locked" in text_of(ann, "#feedback")
        assert hub.session.tally(SPECTRUM).counts == (0,) * 6
        await hp.press("l")
        await until(ap, lambda: ann.view.state.open)
        await ap.press("enter")
        await until(hp, lambda: chart_counts(host) == (0, 1, 0, 0, 0, 0))


async def test_results_reach_participants_only_when_revealed(hub):
    host, ann = HostApp(hub.url, HOST_TOKEN), ParticipantApp(hub.url)
    async with host.run_test() as hp, ann.run_test(size=(100, 40)) as ap:
        await until(hp, lambda: connected(host) == 1)
        await hp.press("n", "n", "n")
        await until(
            ap, lambda: ann.view.state.current == COMPLEXITY and ann.screen.query(BoardPicker)
        )
        await ap.press("3", "enter")
        await until(hp, lambda: chart_counts(host) == (0, 0, 1, 0))
        assert not ann.screen.query(TallyChart), "hidden until the host reveals"
        await hp.press("r")
        await until(ap, lambda: ann.screen.query(TallyChart))
        assert chart_counts(ann) == (0, 0, 1, 0)
        assert "REVEALED" in text_of(host, "#state")
        await hp.press("r")
        await until(ap, lambda: not ann.screen.query(TallyChart))


async def test_grid_is_navigated_in_two_dimensions(hub):
    host, ann = HostApp(hub.url, HOST_TOKEN), ParticipantApp(hub.url)
    async with host.run_test() as hp, ann.run_test(size=(80, 24)) as ap:
        await until(hp, lambda: connected(host) == 1)
        await hp.press("n", "n", "n", "n")
        await until(ap, lambda: ann.view.state.current == GRID and ann.screen.query(BoardPicker))
        await ap.press("right", "right", "down", "down", "down", "left", "enter")
        # column 2 (education / persuasion), row 4 (chaotic): cell 3 * 6 + 1
        await until(ap, lambda: ann.view.my_vote() == 19)
        assert "education / persuasion · chaotic" in text_of(ann, "#feedback")
        await until(hp, lambda: chart_counts(host)[19] == 1)
        await ap.press("6", "up", "enter")
        await until(hp, lambda: chart_counts(host)[17] == 1 and chart_counts(host)[19] == 0)


async def test_a_dropped_connection_comes_back_with_its_vote(hub):
    ann = ParticipantApp(hub.url, "Ann")
    async with ann.run_test() as ap:
        await until(ap, lambda: ann.view.state is not None)
        host = await join_host(hub.url)
        await host.request(lambda seq: Command(seq, Action.GOTO, SPECTRUM))
        await until(ap, lambda: ann.screen.query(BoardPicker))
        await ap.press("6", "enter")
        await until(ap, lambda: ann.view.my_vote() == 5)
        for conn, peer in list(hub.hub._peers.items()):
            if hub.session.role(conn) is Role.PARTICIPANT:
                await peer.socket.close(1011, "pulled the cable")
        await until(ap, lambda: ann.link_status.phase is not Phase.OPEN)
        await until(
            ap,
            lambda: ann.link_status.phase is Phase.OPEN and ann.view.state is not None,
            timeout=8,
        )
        assert len(hub.session.participants) == 1, "the same participant, not a new one"
        assert ann.view.my_vote() == 5
        assert hub.session.tally(SPECTRUM).counts[5] == 1
        await until(ap, lambda: "Your vote is counted" in text_of(ann, "#feedback"))


async def test_unreachable_hub_says_so_and_keeps_trying():
    ann = ParticipantApp("ws://127.0.0.1:9", "Ann")
    async with ann.run_test() as ap:
        await until(ap, lambda: ann.link_status.phase is Phase.WAITING)
        assert "nothing is listening" in text_of(ann, "#status")
        assert "trying again" in text_of(ann, "#status")


async def test_a_hub_of_another_version_is_a_clear_final_message(hub, monkeypatch):
    import coproterm.core.session as session_module

    monkeypatch.setattr(session_module, "PROTOCOL_VERSION", 99)
    ann = ParticipantApp(hub.url)
    async with ann.run_test() as ap:
        await until(ap, lambda: ann.link_status.phase is Phase.STOPPED)
        assert "protocol version 99" in text_of(ann, "#status")
        assert "Press r to try again" in text_of(ann, "#feedback")


async def test_quitting_with_participants_asks_first(hub):
    host, ann = HostApp(hub.url, HOST_TOKEN), ParticipantApp(hub.url)
    async with host.run_test() as hp, ann.run_test():
        await until(hp, lambda: connected(host) == 1)
        await hp.press("q")
        await until(hp, lambda: type(host.screen).__name__ == "ConfirmScreen")
        await hp.press("n")
        await until(hp, lambda: type(host.screen).__name__ == "Dashboard")
        assert host.is_running


async def test_reset_asks_then_clears(hub):
    host, ann = HostApp(hub.url, HOST_TOKEN), ParticipantApp(hub.url)
    async with host.run_test() as hp, ann.run_test() as ap:
        await until(hp, lambda: connected(host) == 1)
        await hp.press("n")
        await until(ap, lambda: ann.screen.query(BoardPicker))
        await ap.press("enter")
        await until(hp, lambda: chart_counts(host) == (1, 0, 0, 0, 0, 0))
        await hp.press("x")
        await until(hp, lambda: type(host.screen).__name__ == "ConfirmScreen")
        await hp.press("y")
        await until(hp, lambda: chart_counts(host) == (0,) * 6)
        await until(ap, lambda: ann.view.my_vote() is None)


async def test_the_export_key_writes_the_report_files(tmp_path, monkeypatch):
    from coproterm.commands.hosting import _dashboard
    from coproterm.core.deck import default_deck
    from server.hosting import HubRunner, prepare

    monkeypatch.chdir(tmp_path)
    prepared = prepare(default_deck(), data=tmp_path / "data", resume=None, resuming=False)
    async with HubRunner(
        prepared.session, prepared.host_token, "127.0.0.1", 0, prepared.store
    ) as hosted:
        host, ann = _dashboard(hosted), ParticipantApp(hosted.local_url)
        async with host.run_test() as hp, ann.run_test() as ap:
            await until(hp, lambda: connected(host) == 1)
            await hp.press("n")
            await until(ap, lambda: ann.screen.query(BoardPicker))
            await ap.press("5", "enter")
            await until(hp, lambda: chart_counts(host) == (0, 0, 0, 0, 1, 0))
            await hp.press("e")
            report = tmp_path / f"coproterm-{hosted.store.info.id}.html"
            await until(
                hp,
                lambda: (
                    report.exists()
                    and (tmp_path / f"coproterm-{hosted.store.info.id}.json").exists()
                ),
            )
            assert "5. participation" in report.read_text()
