"""The report's files as a facilitator makes them with `coproterm export`: a PDF, and CSV tables for a spreadsheet.

The real CLI in a real process on a session the real store wrote; the PDF
printed by the system's Chromium, its pages read back with poppler (pdftotext,
pdftoppm); the tables read back with the csv module, as a spreadsheet would.
"""

from __future__ import annotations

import asyncio
import csv
import io
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from coproterm.export.spreadsheet import local_time
from tests.reportkit import HIDDEN_ANSWER, START, logged_workshop
from tests.webkit import chromium

SHOTS = Path(os.environ.get("COPROTERM_SHOTS", "/tmp/coproterm-shots"))
WALES = {**os.environ, "TZ": "Europe/London"}
"""The hub's clock in Wales: in June an hour ahead of UTC."""
FIRST_PAGE = {
    "en": ("took part", "9 moved towards doing with, 2 stayed, 1 moved away", "complicated", "The words used most"),
    "cy": ("wedi cymryd rhan", "symudodd 9 tuag at", "cymhleth", "Y geiriau a ddefnyddiwyd fwyaf"),
}
DETAILS = {"en": "Question by question", "cy": "Cwestiwn wrth gwestiwn"}


def export(cwd: Path, data: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "coproterm", "export", *args, "--data-dir", str(data)]
    return subprocess.run(command, capture_output=True, text=True, timeout=180, cwd=cwd, env=env or WALES)


def page_text(pdf: Path, page: int) -> str:
    done = subprocess.run(
        ["pdftotext", "-f", str(page), "-l", str(page), str(pdf), "-"], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return " ".join(done.stdout.split())


def page_pixels(pdf: Path, page: int, png: Path) -> list[tuple[int, int, int]]:
    """A page as pixels (pdftoppm's PPM), and as a PNG beside the other screenshots to look at."""
    subprocess.run(["pdftoppm", "-f", str(page), "-l", str(page), "-r", "50", "-png", "-singlefile", str(pdf),
                    str(png.with_suffix(""))], check=True)  # fmt: skip
    raw = subprocess.run(
        ["pdftoppm", "-f", str(page), "-l", str(page), "-r", "50", str(pdf)], capture_output=True, check=True
    ).stdout
    width, height = (int(n) for n in raw.split(maxsplit=3)[1:3])
    head = b"P6\n%d %d\n255\n" % (width, height)
    assert raw.startswith(head), raw[:20]
    body = raw[len(head) :]
    assert len(body) == width * height * 3
    return [(body[i], body[i + 1], body[i + 2]) for i in range(0, len(body), 3)]


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_the_pdf_opens_with_the_workshop_at_a_glance(tmp_path, lang):
    data = logged_workshop(tmp_path / "data")
    done = export(tmp_path, tmp_path / "data", data.stem, "--format", "pdf", "--lang", lang, "--venue", "Neuadd y Dref")
    assert done.returncode == 0, done.stderr
    pdf = tmp_path / (f"{data.stem}.pdf" if lang == "en" else f"{data.stem}.cy.pdf")
    assert pdf.read_bytes().startswith(b"%PDF")
    first = page_text(pdf, 1)
    for words in (*FIRST_PAGE[lang], "Neuadd y Dref", "12"):
        assert words in first, (words, first)
    assert DETAILS[lang] not in first, "the details start on a page of their own"
    assert DETAILS[lang] in page_text(pdf, 2)
    SHOTS.mkdir(parents=True, exist_ok=True)
    pixels = page_pixels(pdf, 1, SHOTS / f"report-pdf-{lang}-page1.png")
    towards = sum(1 for r, g, b in pixels if r < 60 and 140 < g < 175 and 100 < b < 135)  # the from → to table's green
    grid = sum(1 for r, g, b in pixels if r < 50 and 105 < g < 140 and 165 < b < 200)  # the grid's darkest blue
    assert towards > 30 and grid > 30, (towards, grid)


async def test_the_printed_page_cuts_nothing(tmp_path):
    """The report as Chromium lays it out for print at A4's width: no cell, label or line overflows."""
    from coproterm.commands.sessions import render

    page_file = tmp_path / "report.html"
    session = await asyncio.to_thread(logged_workshop, tmp_path / "data")
    page_file.write_text(render(session, "html", quiet=True), encoding="utf-8")
    async with chromium() as browser:
        page = await browser.new_page(viewport={"width": 703, "height": 1000})  # A4 less its margins, in CSS px
        await page.emulate_media(media="print")
        await page.goto(page_file.as_uri())
        cut = await page.evaluate(
            """() => [...document.querySelectorAll('th, td, li, p, h1, h2, h3, figcaption, summary, span')]
                 .filter(e => e.getClientRects().length && e.scrollWidth > e.clientWidth + 1
                              && getComputedStyle(e).display !== 'inline')
                 .map(e => e.textContent.slice(0, 40))"""
        )
        hidden = await page.evaluate(
            "() => [...document.querySelectorAll('details figure')].filter(f => !f.getClientRects().length).length"
        )
    assert cut == []
    assert hidden == 0, "folded parts print opened"


def test_a_pdf_without_a_browser_says_what_to_do_instead(tmp_path):
    data = logged_workshop(tmp_path / "data")
    done = export(
        tmp_path, tmp_path / "data", "--format", "pdf", env={**WALES, "COPROTERM_CHROMIUM": str(tmp_path / "none")}
    )
    assert done.returncode != 0 and "Traceback" not in done.stderr
    assert "no Chromium, Chrome or Edge found" in done.stderr and "--format html" in done.stderr, done.stderr
    assert not (tmp_path / f"{data.stem}.pdf").exists()


def read_tables(folder: Path) -> dict[str, list[dict[str, str]]]:
    return {
        table.stem: list(csv.DictReader(io.StringIO(table.read_text(encoding="utf-8-sig"))))
        for table in folder.iterdir()
    }


def test_the_csv_is_a_folder_of_tidy_tables_counted_from_1_in_local_time(tmp_path):
    data = logged_workshop(tmp_path / "data")
    done = export(tmp_path, tmp_path / "data", "--format", "csv", "--lang", "en")
    assert done.returncode == 0, done.stderr
    tables = read_tables(tmp_path / f"{data.stem}-csv")
    assert set(tables) == {"tallies", "votes", "choices", "answers", "movement", "timers", "people"}
    work = [row for row in tables["votes"] if row["question"] == "8"]
    assert {row["position"] for row in work} <= {"1", "2", "3", "4", "5", "6"} and any(
        r["position"] == "1" for r in work
    )
    assert all(row["label"] for row in tables["votes"]), "every position has its label"
    by_position = {(row["position"], row["label"]) for row in work}
    assert ("1", "coercion / protection") in by_position and ("4", "consultation") in by_position
    grid = [row for row in tables["votes"] if row["question"] == "12"]
    assert grid and all(row["row"] and row["row label"] for row in grid)
    assert all(row["last changed"].endswith("+01:00") for row in tables["votes"]), "summer time in Wales"
    assert (
        tables["answers"][0]["written"].startswith("2026-06-09T") and tables["answers"][0]["written"][-6:] == "+01:00"
    )
    assert {row["answer"] for row in tables["answers"]} >= {"'+ more voices at the table"}, "formulas neutralised"
    assert HIDDEN_ANSWER not in {row["answer"] for row in tables["answers"]}
    assert len(tables["people"]) == 12 and tables["people"][0]["participant"] == "1"
    moves = tables["movement"]
    assert len(moves) == 12 and {row["compared with question"] for row in moves} == {"8"}
    assert all(int(row["after"]) - int(row["before"]) == int(row["steps"]) for row in moves)
    assert {row["question"] for row in tables["choices"]} == {"2", "3"}, "pick-several questions"
    assert sum(int(row["votes"]) for row in tables["tallies"] if row["question"] == "8") == len(work)


def test_the_csv_speaks_welsh_and_zips_when_asked(tmp_path):
    data = logged_workshop(tmp_path / "data")
    out = tmp_path / "tablau.zip"
    done = export(tmp_path, tmp_path / "data", data.stem, "--format", "csv", "--lang", "cy", "-o", str(out))
    assert done.returncode == 0, done.stderr
    with zipfile.ZipFile(out) as archive:
        names = sorted(archive.namelist())
        assert names == sorted(
            f"tablau/{n}.csv"
            for n in ("cyfrifon", "pleidleisiau", "dewisiadau", "atebion", "symud", "amseryddion", "pobl")
        )
        votes = list(csv.DictReader(io.StringIO(archive.read("tablau/pleidleisiau.csv").decode("utf-8-sig"))))
    assert {"cwestiwn", "cyfranogwr", "safle", "label"} <= set(votes[0])
    assert "ymgynghori" in {row["label"] for row in votes}


def test_local_time_carries_the_hubs_offset(monkeypatch):
    import time

    monkeypatch.setenv("TZ", "Europe/London")
    time.tzset()
    try:
        assert local_time(START) == "2026-06-09T11:13:20+01:00"
        assert local_time(START + 183 * 86400) == "2026-12-09T10:13:20+00:00"
    finally:
        monkeypatch.undo()
        time.tzset()
