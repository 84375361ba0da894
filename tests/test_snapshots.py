"""SVG snapshots of the faces at 80 x 24 (and a phone's 40 x 12).

Textual is pinned to a minor version in pyproject.toml because these change
with Textual and Rich. After a deliberate change to a screen, regenerate with
``COPROTERM_UPDATE_SNAPSHOTS=1 python -m pytest tests/test_snapshots.py`` and look
at the new files (any browser shows them) before committing.
"""

from __future__ import annotations

import pytest

from coproterm.core.deck import default_deck
from coproterm.core.hub_messages import Turnout
from coproterm.core.session import Session
from coproterm.tui.host.app import HostApp
from coproterm.tui.participant.app import ParticipantApp
from coproterm.tui.widgets.board import BoardPicker
from coproterm.tui.widgets.tally import TallyChart
from tests.conftest import HOST_TOKEN, counting_tokens
from tests.facekit import until
from tests.hubkit import running_hub
from tests.screenkit import check, crowd, settled

SPECTRUM, GRID = 1, 4
SPECTRUM_VOTES = [3, 4, 4, 2, 3, 5, 1, 3, 4, 3, 0, 4]
GRID_VOTES = [8, 9, 15, 16, 16, 14, 21, 10, 3, 16, 11, 22]


@pytest.mark.parametrize(
    ("question", "votes"),
    [(SPECTRUM, SPECTRUM_VOTES), (GRID, GRID_VOTES)],
    ids=["spectrum", "grid"],
)
async def test_dashboard(question, votes):
    session = Session(default_deck(), HOST_TOKEN, counting_tokens(), join_code="KXPT")
    async with running_hub(session) as hub:
        await crowd(hub.url, question, votes)
        app = HostApp(hub.url, HOST_TOKEN, ["192.168.1.20:8765"])
        async with app.run_test(size=(80, 24)) as pilot:
            await until(
                pilot,
                lambda: (
                    app.screen.query(TallyChart)
                    and sum(app.screen.query_one(TallyChart).counts) == 12
                    and app.view.turnout == Turnout(12, 12, 12)
                ),
            )
            await settled(pilot, app)
            check(
                f"dashboard_{'spectrum' if question == SPECTRUM else 'grid'}_80x24",
                app.export_screenshot(),
            )


@pytest.mark.parametrize(
    ("size", "question", "keys"),
    [((80, 24), SPECTRUM, ("4", "enter")), ((40, 12), GRID, ("down", "3", "enter"))],
)
async def test_participant(size, question, keys):
    async with running_hub() as hub:
        await crowd(hub.url, question, [])
        app = ParticipantApp(hub.url, "Ann")
        async with app.run_test(size=size) as pilot:
            await until(pilot, lambda: app.screen.query(BoardPicker))
            await pilot.press(*keys)
            await until(pilot, lambda: app.view.my_vote() is not None)
            await settled(pilot, app)
            check(
                f"participant_{'spectrum' if question == SPECTRUM else 'grid'}_{size[0]}x{size[1]}",
                app.export_screenshot(),
            )
