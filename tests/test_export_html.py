"""The HTML report as a browser lays it out: real Chromium, at a laptop's width and a phone's.

A copy of the report gets a small script that measures the laid-out page and
writes what it found into the DOM, which Chromium dumps (the report itself has
no script).
"""

from __future__ import annotations

import re
import sqlite3

import pytest

from coproterm.commands.sessions import render
from coproterm.core.events import Commanded, Joined, Voted
from coproterm.core.wire_terms import Action
from coproterm.export.charts import GRID_PALETTE, PALETTE
from tests.storekit import logged_session
from tests.webkit import measure

SPECTRUM, GRID = 1, 4

EVENTS = [
    *(Joined(i, bytes([i]) * 16, f"P{i}") for i in range(1, 8)),  # 7 join; 5 of them vote
    Commanded(Action.GOTO, SPECTRUM),
    *(Voted(i, SPECTRUM, c) for i, c in zip(range(1, 6), (0, 2, 3, 3, 5), strict=True)),
    Commanded(Action.RESET, SPECTRUM),
    *(Voted(i, SPECTRUM, c) for i, c in zip(range(1, 6), (1, 3, 3, 4, 5), strict=True)),
    Commanded(Action.GOTO, GRID),
    *(Voted(i, GRID, c) for i, c in zip(range(1, 6), (0, 8, 9, 17, 23), strict=True)),
]


@pytest.fixture
def report(tmp_path) -> str:
    path = logged_session(tmp_path, EVENTS)
    with sqlite3.connect(path) as db:  # a workshop's pace: a change every 20 seconds
        db.execute("UPDATE events SET at = 1795000000 + seq * 20")
    return render(path, "html")


def section(html: str, number: int) -> str:
    return re.search(rf'<section id="q{number}">.*?</section>', html, re.S).group(0)


def test_the_tally_chart_has_a_time_axis_and_marks_the_reset(report):
    spectrum = section(report, SPECTRUM + 1)
    timeline = re.search(r'<figure class="timeline">.*?</figure>', spectrum, re.S).group(0)
    ticks = re.findall(r'class="axis"[^>]*text-anchor="middle">(\d\d:\d\d(?::\d\d)?)</text>', timeline)
    assert len(ticks) >= 2 and ticks == sorted(ticks), "clock times along the bottom"
    assert re.search(r"reset \d\d:\d\d:\d\d</text>", timeline), "the reset is a marked event"
    assert "stroke-dasharray" in timeline and "reset: votes cleared" in timeline
    assert "the votes were reset 1 time" in timeline


def test_the_grid_chart_has_colours_of_its_own(report):
    grid = re.search(r'<figure class="timeline">.*?</figure>', section(report, GRID + 1), re.S).group(0)
    used = set(re.findall(r'fill="(#[0-9A-F]{6})"', grid))
    assert used and used <= set(GRID_PALETTE) and not used & set(PALETTE)
    assert "1. simple" in grid, "stacked by the grid's rows, with their legend"


def test_subtotals_by_group_and_who_voted_versus_who_joined(report):
    spectrum = section(report, SPECTRUM + 1)
    assert '<tr class="group"><th scope="rowgroup">doing to</th><td class="n">1</td><td class="n">20%</td>' in spectrum
    assert '<th scope="rowgroup">doing for</th><td class="n">3</td><td class="n">60%</td>' in spectrum
    assert '<th scope="rowgroup">doing with</th><td class="n">1</td><td class="n">20%</td>' in spectrum
    assert "<strong>doing for</strong> · 3 votes · 60%" in spectrum
    grid = section(report, GRID + 1)
    assert (
        '<th scope="row">by group</th><td colspan="2">1 · 20%</td><td colspan="3">2 · 40%</td><td colspan="1">2 · 40%</td>'
        in grid
    )
    assert "<strong>7</strong> took part" in report and "<strong>5</strong> people voted" in report
    assert "7 participants" not in report


def test_at_a_laptops_width_nothing_is_cut_and_numbers_line_up(tmp_path, report):
    found = measure(tmp_path, report, 1200)
    assert found["headsCut"] == []
    assert (
        found["headTexts"][0] == "1 coercion / protection" and found["headTexts"][5] == "6 co-production / involvement"
    )
    assert found["misaligned"] == [], "the votes and share headers sit over their numbers"
    assert found["gridFits"]


def test_at_a_phones_width_the_grid_fits_and_stays_readable(tmp_path, report):
    found = measure(tmp_path, report, 390)
    assert found["gridFits"], "no sideways scrolling for the grid"
    assert found["headsCut"] == []
    assert found["headFontPx"] >= 12
    assert found["headTexts"] == ["1", "2", "3", "4", "5", "6"], "numbers, with the key under the table"
    assert found["axisTextPx"] >= 9, "the chart's labels are not specks"
    assert found["misaligned"] == []
