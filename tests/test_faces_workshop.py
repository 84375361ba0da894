"""The whole workshop on the faces: presenter mode, sections, choose several, before and after.

Driven with Pilot against a real hub in the same event loop.
"""

from __future__ import annotations

import pytest

from coproterm.core.wire import Action, Command, Hello, Vote
from coproterm.tui.host.app import HostApp
from coproterm.tui.widgets.tally import TallyChart
from tests.conftest import HOST_TOKEN
from tests.hubkit import join, join_host, running_hub
from tests.test_faces import shown, text_of, until

SPECTRUM = 1


@pytest.fixture
async def hub():
    async with running_hub() as running:
        yield running


async def crowd(url: str, question: int, votes: list[int], *, leave: int = 0, idle: int = 0) -> list:
    """People who join and vote on ``question`` (the first ``leave`` of them go away again), and ``idle`` who do not vote."""
    host = await join_host(url)
    await host.request(lambda seq: Command(seq, Action.GOTO, question))
    peers = []
    for i, cell in enumerate(votes):
        peer = await join(url, Hello(name=f"p{i}"))
        await peer.request(lambda seq, cell=cell: Vote(seq, question, cell))
        peers.append(peer)
    for peer in peers[:leave]:
        await peer.socket.close()
    peers += [await join(url, Hello(name=f"idle{i}")) for i in range(idle)]
    await host.socket.close()
    return peers


async def test_presenter_mode_keeps_the_bars_off_until_reveal(hub):
    await crowd(hub.url, SPECTRUM, [3, 4, 4, 2, 5], leave=2, idle=1)
    host = HostApp(hub.url, HOST_TOKEN, ["10.0.0.5:8765"], presenter=True)
    async with host.run_test(size=(100, 30)) as hp:
        await until(hp, lambda: host.view.joined == 6 and host.view.turnout.connected == 4)
        await until(hp, lambda: "5 of 6 have voted" in text_of(host, "#progress"))
        assert not shown(host, TallyChart), "no bars on the big screen before reveal"
        assert "Co-production and citizen involvement" in text_of(host, "#title")
        assert "4 connected now" in text_of(host, "#people")
        # the join panel folds to one line once people have joined
        assert "\n" not in text_of(host, "#join-how").strip()
        await hp.press("r")
        await until(hp, lambda: shown(host, TallyChart))
        assert not host.screen.query_one("#progress").display
        (chart,) = shown(host, TallyChart)
        assert chart.counts == (0, 0, 1, 1, 2, 1)
        await hp.press("r")
        await until(hp, lambda: not shown(host, TallyChart))
        await hp.press("v")  # presenter mode off: live bars again, hidden from participants or not
        await until(hp, lambda: shown(host, TallyChart))
        assert "5 of 6 have voted" in text_of(host, "#state")
