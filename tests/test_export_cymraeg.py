"""The HTML report in Cymraeg, checked in the system's Chromium: lang="cy", the deck's Welsh, nothing cut."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from coproterm.commands.sessions import render
from coproterm.core.events import Commanded, Joined, Voted
from coproterm.core.wire_terms import Action
from tests.cymraegkit import BILINGUAL_DECK
from tests.storekit import logged_session
from tests.webkit import measure

EVENTS = [
    *(Joined(i, bytes([i]) * 16, f"P{i}") for i in range(1, 6)),
    Commanded(Action.GOTO, 0),
    *(Voted(i, 0, c) for i, c in zip(range(1, 5), (0, 1, 1, 0), strict=True)),
    Commanded(Action.RESET, 0),
    *(Voted(i, 0, c) for i, c in zip(range(1, 5), (1, 1, 1, 0), strict=True)),
]

MEASURE = """
<script>
addEventListener("load", () => {
  const found = {lang: document.documentElement.lang};
  const cells = [...document.querySelectorAll("th, td, h1, h2, p, figcaption, li")];
  found.cut = cells.filter(el => el.scrollWidth > el.clientWidth + 1).map(el => el.textContent.slice(0, 60));
  found.fits = document.documentElement.scrollWidth <= document.documentElement.clientWidth;
  found.heads = [...document.querySelectorAll("table.tally thead th")].map(th => th.textContent);
  found.svgLabels = [...document.querySelectorAll("svg, ul.bars")].map(svg => svg.getAttribute("aria-label"));
  const out = document.createElement("pre");
  out.id = "measured";
  out.textContent = JSON.stringify(found);
  document.body.append(out);
});
</script>
"""


@pytest.fixture
def session_path(tmp_path) -> Path:
    path = logged_session(tmp_path, EVENTS, BILINGUAL_DECK)
    with sqlite3.connect(path) as db:  # a workshop's pace: a change every 20 seconds
        db.execute("UPDATE events SET at = 1795000000 + seq * 20")
    return path


def in_chromium(tmp_path: Path, html: str, width: int) -> dict[str, object]:
    return measure(tmp_path, html, width, MEASURE)


def test_the_welsh_report_is_welsh_throughout_and_reads_at_a_phones_width(tmp_path, session_path):
    html = render(session_path, "html", lang="cy")
    assert '<html lang="cy">' in html
    for welsh in (
        "Cydgynhyrchu a chynnwys dinasyddion",  # the deck's title
        "Ble mae eich gwaith chi ar y sbectrwm rhyngweithio?",  # its prompt
        "ymgynghori",  # a label
        "gwneud ar gyfer",  # a group
        "pleidleisiau: 4",  # the chrome
        "ailosodwyd y pleidleisiau 1 waith",
        "wedi cymryd rhan: <strong>5</strong>",
    ):
        assert welsh in html, welsh
    assert "consultation" not in html and "votes" not in html.split("<body>")[1].split("</main>")[0].lower()
    for width in (390, 1200):
        found = in_chromium(tmp_path, html, width)
        assert found["lang"] == "cy"
        assert found["fits"] and not found["cut"], found
        assert found["heads"] == ["safle", "pleidleisiau", "cyfran"]
        assert any("Siart bar (Sbectrwm ymgysylltu)" in label for label in found["svgLabels"])


def test_the_report_in_both_languages_puts_welsh_first(tmp_path, session_path):
    html = render(session_path, "html", lang="cy+en")
    assert '<html lang="cy">' in html
    assert "ymgynghori | consultation" in html
    assert html.index("Cydgynhyrchu a chynnwys dinasyddion") < html.index("Co-production and citizen involvement")


def test_the_english_report_is_unchanged_by_the_welsh_it_carries(tmp_path, session_path):
    html = render(session_path, "html")
    assert '<html lang="en">' in html and "consultation" in html and "ymgynghori" not in html


def test_the_json_export_carries_both_languages(session_path):
    document = json.loads(render(session_path, "json"))
    assert document["title"] == "Co-production and citizen involvement"
    assert document["title_cy"] == "Cydgynhyrchu a chynnwys dinasyddion"
    (question,) = document["questions"]
    assert question["prompt_cy"] == "Ble mae eich gwaith chi ar y sbectrwm rhyngweithio?"
    assert [(row["x"], row["x_cy"]) for row in question["tally"]] == [
        ("consultation", "ymgynghori"),
        ("co-production / involvement", "cydgynhyrchu / cynnwys"),
    ]


def test_the_csv_tables_are_in_the_reports_language(session_path):
    import csv
    import io

    from coproterm.commands.sessions import render_tables

    welsh = render_tables(session_path, quiet=True, lang="cy")
    rows = list(csv.DictReader(io.StringIO(welsh["cyfrifon.csv"])))
    assert rows and rows[0]["testun y cwestiwn"] == "Ble mae eich gwaith chi ar y sbectrwm rhyngweithio?"
    assert [(row["safle"], row["label"]) for row in rows] == [("1", "ymgynghori"), ("2", "cydgynhyrchu / cynnwys")]
    english = render_tables(session_path, quiet=True, lang="en")
    assert [row["label"] for row in csv.DictReader(io.StringIO(english["tallies.csv"]))] == [
        "consultation",
        "co-production / involvement",
    ]
