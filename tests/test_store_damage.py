"""Damaged log rows: a session with rows that cannot be replayed still resumes, lists and exports.

The rows are damaged with plain SQL in a real database, as a hand edit, a bug
or a bad disk would leave them; the CLI runs as a real process.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from coproterm.core.events import Commanded, Joined, Voted
from coproterm.core.wire_terms import Action
from coproterm.server.store import read_log
from tests.hubkit import start_serve
from tests.storekit import logged_session

SPECTRUM = 1
COPROTERM = [sys.executable, "-m", "coproterm"]


VOTES = [
    Joined(1, b"a" * 16, "Ann"),
    Joined(2, b"b" * 16, "Bob"),
    Commanded(Action.GOTO, SPECTRUM),
    Voted(1, SPECTRUM, 2),
    Voted(2, SPECTRUM, 5),
]


def damage(path: Path) -> None:
    """Append one row of each kind of damage: unknown participant, cell, question and action."""
    rows = [
        ("voted", {"participant": 99, "question": SPECTRUM, "choice": 1}),  # row 6: nobody joined as 99
        ("voted", {"participant": 1, "question": SPECTRUM, "choice": 42}),  # row 7: the spectrum has 6 cells
        ("voted", {"participant": 1, "question": 77, "choice": 1}),  # row 8: no question 78
        ("commanded", {"question": SPECTRUM, "action": 99}),  # row 9: no action 99
        ("commanded", {"question": 77, "action": int(Action.GOTO)}),  # row 10: no question 78
    ]
    with sqlite3.connect(path) as db:
        db.executemany(
            "INSERT INTO events (at, kind, fields) VALUES (1e9, ?, ?)", [(k, json.dumps(f)) for k, f in rows]
        )


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*COPROTERM, *args], capture_output=True, text=True, timeout=60)


def test_damaged_rows_are_named_and_the_rest_still_lists_and_exports(tmp_path):
    good = logged_session(tmp_path, VOTES)
    bad = logged_session(tmp_path, VOTES)
    damage(bad)
    assert len(read_log(bad).flaws) == 1, "the unknown action cannot even be read: a flaw, not a crash"

    listing = run("sessions", "--data-dir", str(tmp_path))
    assert listing.returncode == 0, listing.stderr
    assert "Traceback" not in listing.stderr
    assert good.stem in listing.stdout and bad.stem in listing.stdout
    for row, what in [
        (6, "participant 99, who never joined"),
        (7, "cell 42 of question 2"),
        (8, "question 78"),
        (9, "unknown action 99"),
        (10, "question 78"),
    ]:
        assert f"session {bad.stem}: log row {row}: " in listing.stderr and what in listing.stderr, listing.stderr
    assert good.stem not in listing.stderr

    for session in (good, bad):
        out = tmp_path / f"{session.stem}-csv"
        export = run("export", session.stem, "--format", "csv", "-o", str(out), "--data-dir", str(tmp_path))
        assert export.returncode == 0, export.stderr
        assert "Traceback" not in export.stderr
        rows = csv.DictReader(io.StringIO((out / "tallies.csv").read_text(encoding="utf-8-sig")))
        tally = [row["votes"] for row in rows if row["question"] == "2"]
        assert tally == ["0", "0", "1", "0", "0", "1"]
    html = run("export", bad.stem, "--format", "html", "-o", str(tmp_path / "r.html"), "--data-dir", str(tmp_path))
    assert html.returncode == 0 and "log row 6" in html.stderr


async def test_a_damaged_session_resumes_without_its_damaged_rows(tmp_path):
    bad = await asyncio.to_thread(logged_session, tmp_path, VOTES)  # it runs a loop of its own
    damage(bad)
    served = await start_serve("--resume", bad.stem, "--ssh-port", "0", "--no-mdns", data=tmp_path)
    code = await served.stop()
    err = served.stderr
    assert code == 0, err
    assert "Traceback" not in err
    assert f"session {bad.stem}: log row 6: a vote by participant 99, who never joined (left out)" in err


def damage_everywhere(path: Path) -> None:
    """The votes' and commands' damage, and a damaged answer, language choice and countdown (rows 11 to 13)."""
    damage(path)
    rows = [
        ("lost", {"participant": None, "question": 0, "slot": None, "answer": 1, "text": "x"}),
        ("spoke", {"participant": 1, "language": "xx"}),
        ("timed", {"question": -1, "seconds": 60, "deadline": 1e9, "locks": 1, "ended": 0}),
    ]
    with sqlite3.connect(path) as db:
        db.executemany(
            "INSERT INTO events (at, kind, fields) VALUES (1e9, ?, ?)", [(k, json.dumps(f)) for k, f in rows]
        )


WELSH_FLAWS = [
    "rhes 6: pleidlais gan gyfranogwr 99, nad ymunodd erioed (wedi'i hepgor)",
    "rhes 7: pleidlais dros gell 42 ar gwestiwn 2, sydd â 6 o gelloedd",
    "rhes 8: pleidlais ar gwestiwn 78, nad yw yn y dec",
    "rhes 9: gorchymyn â'r weithred anhysbys 99",
    "rhes 10: gorchymyn ar gwestiwn 78, nad yw yn y dec",
    "rhes 11: ateb o'r math 'lost' â'r testun 'x'",
    "rhes 12: dewis iaith: dewisodd cyfranogwr 1 'xx' am 1000000000.0",
    "rhes 13: amserydd: cwestiwn -1, 60 e, yn gorffen 1000000000.0",
]
ENGLISH_WORDS = ("row", "vote", "never joined", "which", "deck does not", "unknown", "left out", "entry", "chose")


def assert_welsh(told: str) -> None:
    for line in WELSH_FLAWS:
        assert line in told, told
    flaw_lines = [line for line in told.splitlines() if "rhes " in line]
    assert len(flaw_lines) == len(WELSH_FLAWS), told
    for line in flaw_lines:
        assert not [word for word in ENGLISH_WORDS if word in line], line


async def test_damaged_rows_are_named_in_welsh_on_export_listing_and_resume(tmp_path):
    bad = await asyncio.to_thread(logged_session, tmp_path, VOTES)
    damage_everywhere(bad)
    welsh = {**os.environ, "LANG": "cy_GB.UTF-8"}
    exported = run("export", bad.stem, "--format", "json", "--lang", "cy", "-o", str(tmp_path / "r.json"),
                   "--data-dir", str(tmp_path))  # fmt: skip
    assert exported.returncode == 0, exported.stderr
    assert_welsh(exported.stderr)
    listing = subprocess.run([*COPROTERM, "sessions", "--data-dir", str(tmp_path)], capture_output=True, text=True,
                             timeout=60, env=welsh)  # fmt: skip
    assert listing.returncode == 0, listing.stderr
    assert_welsh(listing.stderr)
    english = run("export", bad.stem, "--format", "csv", "--lang", "en", "-o", str(tmp_path / "t"),
                  "--data-dir", str(tmp_path))  # fmt: skip
    assert "log row 6: a vote by participant 99, who never joined (left out)" in english.stderr
    assert "row 12: a choice of language: participant 1 chose 'xx' at 1000000000.0" in english.stderr
    served = await start_serve(
        "--resume", bad.stem, "--lang", "cy", "--ssh-port", "0", "--no-mdns", data=tmp_path, env=welsh
    )
    code = await served.stop()
    err = served.stderr
    assert code == 0, err
    assert_welsh(err)
