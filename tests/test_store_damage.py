"""Damaged log rows: a session with rows that cannot be replayed still resumes, lists and exports.

The rows are damaged with plain SQL in a real database, as a hand edit, a bug
or a bad disk would leave them; the CLI runs as a real process.
"""

from __future__ import annotations

import csv
import io
import sqlite3
import subprocess
import sys
from pathlib import Path

from coproterm.core.events import Commanded, Joined, Voted
from coproterm.core.wire import Action
from server.store import read_log
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
    with sqlite3.connect(path) as db:
        db.executemany(
            "INSERT INTO log (at, kind, participant, question, choice, action) VALUES (1e9, ?, ?, ?, ?, ?)",
            [
                ("voted", 99, SPECTRUM, 1, None),  # row 6: nobody joined as 99
                ("voted", 1, SPECTRUM, 42, None),  # row 7: the spectrum has 6 cells
                ("voted", 1, 77, 1, None),  # row 8: no question 78
                ("commanded", None, SPECTRUM, None, 99),  # row 9: no action 99
                ("commanded", None, 77, None, int(Action.GOTO)),  # row 10: no question 78
            ],
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


def test_a_damaged_session_resumes_without_its_damaged_rows(tmp_path):
    bad = logged_session(tmp_path, VOTES)
    damage(bad)
    process = subprocess.Popen(
        [
            *COPROTERM,
            "serve",
            "--resume",
            bad.stem,
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--ssh-port",
            "0",
            "--no-mdns",
            "--data-dir",
            str(tmp_path),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        lines = []
        while not lines or "Ctrl-C" not in lines[-1]:
            line = process.stdout.readline()
            assert line, f"serve stopped: {process.stderr.read()}"
            lines.append(line)
    finally:
        process.send_signal(2)
        _, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert "Traceback" not in err
    assert f"session {bad.stem}: log row 6: a vote by participant 99, who never joined (left out)" in err
