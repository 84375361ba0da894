"""CSV exports are safe to open in a spreadsheet: no cell runs as a formula."""

from __future__ import annotations

import csv
import io
import subprocess
import sys

import pytest

from coproterm.core.events import Commanded, Joined, Voted
from coproterm.core.wire_terms import Action
from coproterm.export.tables import safe_cell
from tests.storekit import logged_session

ATTACKS = [
    '=HYPERLINK("http://evil.example","click")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A9)",
    "\ufeff=1+1",  # after a byte order mark
    "\u3000=1+1",  # after an ideographic space
    "\u200b\u200d=1+1",  # after zero-width characters
    "  \u00a0=1+1",  # after spaces, one of them non-breaking
    "\t=1+1",
    "\r=1+1",
    "＝1+1",  # full-width equals sign
]


@pytest.mark.parametrize("text", ATTACKS)
def test_formula_prefixes_are_neutralised(text):
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("text", ["Ann", "Dai ap Rhys", "1 + 1 = 2", "co-production", "", "a=b", "e-mail"])
def test_ordinary_text_is_left_alone(text):
    assert safe_cell(text) == text


def test_numbers_stay_numbers():
    assert safe_cell(-3) == -3


def test_names_in_a_real_export_come_out_inert(tmp_path):
    """Names as they are stored (the hub keeps what survives its own cleaning), through the real CLI."""
    names = ['=HYPERLINK("http://x")', "@SUM(A1)", "+cmd|x", "\u3000=1+1", "Ann"]
    events = [Joined(i, bytes([i]) * 16, name) for i, name in enumerate(names, start=1)]
    events += [Commanded(Action.GOTO, 1)] + [Voted(i, 1, 2) for i in range(1, len(names) + 1)]
    path = logged_session(tmp_path, events)
    out = tmp_path / "out-csv"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "coproterm",
            "export",
            path.stem,
            "--format",
            "csv",
            "--with-names",
            "-o",
            str(out),
            "--data-dir",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO((out / "votes.csv").read_text(encoding="utf-8-sig"))))
    exported = [row["name"] for row in rows]
    assert exported == ["'" + name for name in names[:-1]] + ["Ann"]
    for table in out.iterdir():
        for row in csv.reader(io.StringIO(table.read_text(encoding="utf-8-sig"))):
            for value in row:
                assert not value.lstrip(" \u3000").startswith(("=", "+", "@")), (table.name, row)
