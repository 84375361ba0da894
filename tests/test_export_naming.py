"""After a workshop: report files named one way everywhere, shares of people, one count of votes.

Sessions are written by the real store into real SQLite files; the CLI runs as a real process.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from coproterm.core.deck import builtin_deck
from coproterm.core.events import Commanded, Event, Joined, Voted
from coproterm.core.wire_terms import Action
from tests.storekit import logged_session

COPROTERM = [sys.executable, "-m", "coproterm"]
WORKSHOP = builtin_deck("workshop")
STRONGEST = next(i for i, q in enumerate(WORKSHOP.questions) if q.pick == 2)


def run(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*COPROTERM, *args], capture_output=True, text=True, timeout=60, cwd=cwd)


def workshop_session(data: Path, events: list[Event]) -> Path:
    """A session of the whole workshop deck written by the real store, holding ``events``."""
    return logged_session(data, events, WORKSHOP)


CHOSE_SEVERAL = [
    Joined(1, b"a" * 16, "Ann"),
    Joined(2, b"b" * 16, "Bob"),
    Joined(3, b"c" * 16, "Cat"),
    Commanded(Action.GOTO, STRONGEST),
    Voted(1, STRONGEST, 0b00011),
    Voted(2, STRONGEST, 0b00110),
    Voted(3, STRONGEST, 0b00010),
]


def test_the_welsh_report_is_named_apart_and_never_overwrites_the_english(tmp_path):
    data = tmp_path / "data"
    session = workshop_session(data, CHOSE_SEVERAL).stem
    english = run(tmp_path, "export", "--format", "html", "--lang", "en", "--data-dir", str(data))
    welsh = run(tmp_path, "export", "--format", "html", "--lang", "cy", "--data-dir", str(data))
    assert english.returncode == 0 and welsh.returncode == 0, english.stderr + welsh.stderr
    assert f"{session}.html" in english.stdout and f"{session}.cy.html" in welsh.stdout
    assert '<html lang="en">' in (tmp_path / f"{session}.html").read_text()
    assert '<html lang="cy">' in (tmp_path / f"{session}.cy.html").read_text()

    told = run(tmp_path, "export", "--lang", "cy", "-o", f"{session}.html", "--data-dir", str(data))
    assert told.returncode == 2 and f"{session}.html" in told.stderr and "(en)" in told.stderr, told.stderr
    assert '<html lang="en">' in (tmp_path / f"{session}.html").read_text(), "the English report was overwritten"


def test_shares_on_a_choose_several_question_are_of_the_people_who_chose(tmp_path):
    data = tmp_path / "data"
    workshop_session(data, CHOSE_SEVERAL)
    out = tmp_path / "report.html"
    result = run(tmp_path, "export", "--format", "html", "--lang", "en", "-o", str(out), "--data-dir", str(data))
    assert result.returncode == 0, result.stderr
    section = out.read_text().split(f'<section id="q{STRONGEST + 1}">')[1].split("</section>")[0]
    assert "3 people chose: 5 votes, up to 2 each" in section
    # 1, 3 and 1 of the 3 people, as the live screens show them (not of the 5 positions chosen)
    assert "3 · 100%" in section and "1 · 33%" in section and "60%" not in section
    assert '<td class="n">3</td><td class="n">100%</td>' in section


def test_every_command_counts_votes_and_changes_the_same_way(tmp_path):
    data = tmp_path / "data"
    session = workshop_session(
        data,
        [
            *CHOSE_SEVERAL[:4],
            Voted(1, STRONGEST, 0b00011),
            Voted(1, STRONGEST, 0b00110),  # changed: still one vote standing
            Voted(2, STRONGEST, 0b00001),
            Voted(2, STRONGEST, None),  # taken back
        ],
    ).stem
    listing = run(tmp_path, "sessions", "--data-dir", str(data))
    assert listing.returncode == 0, listing.stderr
    row = next(line for line in listing.stdout.splitlines() if line.startswith(session)).split()
    assert row[5:8] == ["3", "1", "4"], listing.stdout  # participants, votes standing, changes logged
    export = run(tmp_path, "export", "--format", "json", "--data-dir", str(data))
    assert f"picked {session}, the newest session anyone joined or voted in (3 participants, 1 vote, 4 changes)" in (
        export.stderr
    )
