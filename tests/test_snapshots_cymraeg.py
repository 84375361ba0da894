"""Both faces in Cymraeg (and the projector's both-languages view) at 80 x 24 and a phone's 40 x 12.

Welsh is often longer than English: the snapshots show what fits, and the checks
say that nothing that matters is cut (a key bar never cuts a word: a key that does
not fit gives way whole, with an ellipsis; "Cymraeg / English" always shows).
Regenerate as tests/test_snapshots.py says.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from coproterm.core.deck import load_deck
from coproterm.core.hub_messages import Turnout
from coproterm.core.session import Session
from coproterm.tui.host.app import HostApp
from coproterm.tui.hub_app import LANGUAGE_LABEL
from coproterm.tui.participant.app import ParticipantApp
from coproterm.tui.widgets.board import BoardPicker
from coproterm.tui.widgets.keybar import KeyBar
from coproterm.tui.widgets.tally import TallyChart
from tests.conftest import HOST_TOKEN, counting_tokens
from tests.facekit import until
from tests.hubkit import running_hub
from tests.screenkit import check, crowd, settled

DECK = load_deck(Path(__file__).parent / "decks" / "cymraeg.toml")
SPECTRUM, GRID = 0, 1
VOTES = {SPECTRUM: [3, 4, 4, 2, 3, 5, 1, 3, 4, 3, 0, 4], GRID: [8, 9, 15, 16, 16, 14, 21, 10, 3, 16, 11, 22]}


def screen_text(svg: str) -> str:
    """The characters an SVG screenshot shows, row by row."""
    rows: dict[str, list[str]] = {}
    for y, text in re.findall(r'<text[^>]*\by="([\d.]+)"[^>]*>(.*?)</text>', svg, re.S):
        rows.setdefault(y, []).append(html.unescape(re.sub(r"<[^>]+>", "", text)))
    lines = ("".join(parts) for _, parts in sorted(rows.items(), key=lambda item: float(item[0])))
    return "\n".join(lines).replace("\xa0", " ")


def key_bar_whole(app) -> None:
    """Every key shown in the bar shows its words whole; the language key is always there."""
    bar = app.screen.query_one(KeyBar)
    drawn = str(bar.render())
    assert LANGUAGE_LABEL in drawn, drawn
    for description in bar.shown:
        first = description.split()[0]
        if first in drawn.split():
            assert description in drawn, f"{description!r} cut in {drawn!r}"
    if not all(description in drawn for description in bar.shown):
        assert "…" in drawn, f"keys left out without an ellipsis: {drawn!r}"


@pytest.mark.parametrize("size", [(80, 24), (40, 12)], ids=["80x24", "40x12"])
@pytest.mark.parametrize("question", [SPECTRUM, GRID], ids=["spectrum", "grid"])
async def test_participant_in_welsh(size, question):
    async with running_hub(Session(DECK, HOST_TOKEN, counting_tokens())) as hub:
        await crowd(hub.url, question, [])
        app = ParticipantApp(hub.url, "Gwen", lang="cy")
        async with app.run_test(size=size) as pilot:
            await until(pilot, lambda: app.screen.query(BoardPicker))
            await pilot.press("4", "enter")
            await until(pilot, lambda: app.view.my_vote() is not None)
            await settled(pilot, app)
            key_bar_whole(app)
            svg = app.export_screenshot()
            shown = screen_text(svg)
            assert "Ble mae eich gwaith" in shown, shown
            assert ("cwestiwn" if size[0] >= 60 else "C") in shown
            assert "Cyfrifwyd eich pleidlais" in shown, shown  # fits 40 columns too
            check(f"participant_cy_{'spectrum' if question == SPECTRUM else 'grid'}_{size[0]}x{size[1]}", svg)


@pytest.mark.parametrize(
    ("lang", "size"),
    [("cy", (80, 24)), ("cy", (40, 12)), ("cy+en", (80, 24))],
    ids=["cy-80x24", "cy-40x12", "both-80x24"],
)
async def test_dashboard_in_welsh(lang, size):
    session = Session(DECK, HOST_TOKEN, counting_tokens(), join_code="KXPT")
    async with running_hub(session) as hub:
        await crowd(hub.url, SPECTRUM, VOTES[SPECTRUM])
        app = HostApp(hub.url, HOST_TOKEN, ["192.168.1.20:8765"], lang=lang)
        async with app.run_test(size=size) as pilot:
            await until(
                pilot,
                lambda: (
                    app.screen.query(TallyChart)
                    and sum(app.screen.query_one(TallyChart).counts) == 12
                    and app.view.turnout == Turnout(12, 12, 12)
                ),
            )
            await settled(pilot, app)
            key_bar_whole(app)
            svg = app.export_screenshot()
            shown = screen_text(svg)
            assert "Cwestiwn 1 o 2" in shown, shown
            if lang == "cy+en":
                assert "ymgynghori | consultation" in shown or "ymgynghori" in shown, shown
                assert shown.index("Ble mae eich gwaith") < shown.index("Where does your work"), "Welsh first"
            check(f"dashboard_{lang.replace('+', '_')}_spectrum_{size[0]}x{size[1]}", svg)


async def test_the_dashboard_goes_round_english_welsh_and_both():
    async with running_hub(Session(DECK, HOST_TOKEN, counting_tokens())) as hub:
        app = HostApp(hub.url, HOST_TOKEN)
        async with app.run_test(size=(100, 30)) as pilot:
            await until(pilot, lambda: app.view.state is not None)
            question = app.screen.query_one("#question")
            assert "Where does your work" in str(question.render())
            await pilot.press("i")
            await until(pilot, lambda: "Ble mae eich gwaith" in str(question.render()))
            assert "Where does your work" not in str(question.render()), "no mixed screens"
            await pilot.press("i")
            await until(pilot, lambda: "Where does your work" in str(question.render()))
            assert str(question.render()).index("Ble mae") < str(question.render()).index("Where does")
            await pilot.press("i")
            await until(pilot, lambda: "Ble mae" not in str(question.render()))
