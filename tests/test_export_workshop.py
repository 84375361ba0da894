"""Exports of the whole workshop: sections, pick several, and before and after (in CSV, JSON and Chromium)."""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

import pytest

from coproterm.commands.sessions import render, render_tables
from coproterm.core.deck import default_deck
from coproterm.core.events import Commanded, Joined, Voted
from coproterm.core.report import build_report
from coproterm.core.wire_terms import Action
from coproterm.export.html import to_html
from tests.storekit import logged_session
from tests.webkit import PHONE, axe_violations, chromium

WORK, OPPORTUNITY = 1, 2
PAIRS = {1: (3, 5), 2: (3, 3), 3: (4, 2), 4: (1, 5), 5: (2, None), 6: (None, 5), 7: (0, 3), 8: (3, 5)}
"""Participant: (where their work lives, where they have a new opportunity); None where they did not answer."""
EVENTS = [
    *(Joined(n, bytes([n]) * 16, f"P{n}") for n in PAIRS),
    Commanded(Action.GOTO, WORK),
    *(Voted(n, WORK, pair[0]) for n, pair in PAIRS.items() if pair[0] is not None),
    Commanded(Action.GOTO, OPPORTUNITY),
    *(Voted(n, OPPORTUNITY, pair[1]) for n, pair in PAIRS.items() if pair[1] is not None),
]
SHOTS = Path(os.environ.get("COPROTERM_SHOTS", "/tmp/coproterm-shots"))
"""Where the report's screenshots go (at a laptop's and a phone's width), to be looked at."""


def logged_report():
    return build_report(default_deck(), [(i, 1_795_000_000 + 20 * i, e) for i, e in enumerate(EVENTS, 1)])


def test_each_persons_pair_and_the_rooms_move_are_in_the_report():
    report = logged_report()
    opportunity = report.questions[OPPORTUNITY]
    assert [(p.participant, p.before, p.after, p.steps) for p in opportunity.pairs] == [
        (1, 3, 5, 2),
        (2, 3, 3, 0),
        (3, 4, 2, -2),
        (4, 1, 5, 4),
        (7, 0, 3, 3),
        (8, 3, 5, 2),
    ]
    movement = opportunity.movement
    assert (movement.people, movement.towards, movement.stayed, movement.away) == (6, 4, 1, 1)


def test_csv_has_a_movement_row_per_person_who_answered_both(tmp_path):
    tables = render_tables(logged_session(tmp_path, EVENTS))
    pairs = list(csv.DictReader(io.StringIO(tables["movement.csv"])))
    assert len(pairs) == 6
    first = pairs[0]
    assert (first["question"], first["compared with question"], first["participant"]) == ("3", "2", "1")
    assert (first["before"], first["before label"]) == ("4", "consultation"), "positions count from 1"
    assert (first["after"], first["after label"]) == ("6", "co-production / involvement")
    assert [row["steps"] for row in pairs] == ["2", "0", "-2", "4", "3", "2"]


def test_json_has_each_persons_pair_the_move_and_the_sections(tmp_path):
    document = json.loads(render(logged_session(tmp_path, EVENTS), "json"))
    opportunity = document["questions"][OPPORTUNITY]
    assert opportunity["section"] == "WHEN?" and document["questions"][WORK]["section"] == "WHAT?"
    assert opportunity["compared_with"] == WORK + 1
    assert opportunity["movement"]["towards"] == 4 and opportunity["movement"]["by_steps"] == {
        "-2": 1,
        "0": 1,
        "2": 2,
        "3": 1,
        "4": 1,
    }
    assert opportunity["movement"]["from_to"][3] == [0, 0, 0, 1, 0, 2]
    assert {"participant": 3, "before": 4, "after": 2, "steps": -2} in opportunity["pairs"]


def test_the_html_report_is_organised_by_section_with_the_move():
    html = to_html(logged_report(), "s1")
    assert [part in html for part in ('<h2 class="part"', ">WHAT?</h2>", ">WHEN?</h2>", ">WHY?</h2>")] == [True] * 4
    assert html.index(">WHEN?</h2>") < html.index("Where do you have a new opportunity") < html.index(">WHY?</h2>")
    assert "Of 6 who answered both: 4 moved towards doing with, 1 stayed, 1 moved away." in html
    assert "The organisation and the people make decisions together" in html, "the group statements"


@pytest.mark.parametrize("width", [1200, PHONE["width"]])
async def test_the_move_reads_in_chromium_at_a_laptops_and_a_phones_width(tmp_path, width):
    page_file = tmp_path / "report.html"
    page_file.write_text(to_html(logged_report(), "s1"))
    SHOTS.mkdir(parents=True, exist_ok=True)
    async with chromium() as browser:
        context = await browser.new_context(viewport={"width": width, "height": 900}, bypass_csp=True)
        page = await context.new_page()
        await page.goto(page_file.as_uri())
        figure = page.locator("figure.movement")
        await figure.scroll_into_view_if_needed()
        await figure.screenshot(path=str(SHOTS / f"report-movement-{width}.png"))
        fits = await page.evaluate(
            """() => {
              const fig = document.querySelector('figure.movement');
              const table = fig.querySelector('table.moves');
              const page = document.documentElement.clientWidth;
              const cut = [...table.querySelectorAll('thead th')].filter(c => c.scrollWidth > c.clientWidth + 1)
                .map(c => c.textContent);
              return {tableRight: table.getBoundingClientRect().right, page, cut,
                      svgWidth: fig.querySelector('svg').getBoundingClientRect().width,
                      key: getComputedStyle(fig.querySelector('ol.key')).display};
            }"""
        )
        assert fits["tableRight"] <= fits["page"], fits
        assert not fits["cut"], fits
        assert fits["svgWidth"] > 0.7 * min(width, 600) - 40
        assert fits["key"] == ("block" if width < 560 else "none")
        violations = await axe_violations(page)
        assert not [v for v in violations if "movement" in " ".join(v["nodes"]) or "moves" in " ".join(v["nodes"])], (
            violations
        )
        await context.close()
