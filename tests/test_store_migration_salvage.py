"""The migration of a log written by the release before the single ``events`` table (schema version 0, the
committed fixture) keeps what that release kept: each old table's own row order when the wall clock stepped
back mid-session, and the rows before a damaged page, the damage named in English and in Welsh. Read in memory
(export, sessions) and migrated on the file (``serve --resume``), on real SQLite files damaged with plain bytes.
Also: a damaged page of this release's layout loses no readable row, damage to an old table's index alone loses
none, and a file cut short is refused in words, untouched."""

from __future__ import annotations

import asyncio
import contextlib
import re
import sqlite3
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from coproterm.core.client_messages import Hello
from coproterm.core.deck import deck_from_data
from coproterm.core.events import Commanded, Joined, Voted
from coproterm.core.hub_messages import Tally
from coproterm.core.i18n import language
from coproterm.core.log_check import LogCheck
from coproterm.core.wire_terms import Action
from coproterm.server.hub_runner import new_session
from coproterm.server.store import VERSION, SessionLog, SessionStore, StoreError, read_log
from tests.hubkit import join, start_serve
from tests.storekit import logged_session, release_before_session

OLD_TABLES = ("log", "answer_log", "timer_log", "agreement_log", "language_log", "added_log")
STEP_ROW = 11
"""The row of ``log`` from which on the clock reads one second earlier: participant 1's second vote on question 1."""
VOTES = 3000
DAMAGED_EN = r"the file is damaged after log row (\d+) \(the file is not a session log, or it is damaged\): rows after it are lost"
DAMAGED_CY = (
    r"mae'r ffeil wedi'i difrodi ar ôl rhes (\d+) y log \(nid log sesiwn yw'r ffeil, neu mae wedi'i difrodi\):"
    r" collwyd y rhesi ar ei hôl"
)


def final_votes(log: SessionLog) -> dict[int, dict[int, int]]:
    """Each participant's standing votes once the log is replayed as ``serve --resume`` replays it."""
    deck = deck_from_data(log.info.deck, "the log's deck")
    session = new_session(deck, log.info.host_token)
    flaws = list(log.flaws)
    session.replay(event for _, _, event in LogCheck(deck).sound(log.logged(), flaws))
    return {member.number: dict(member.votes) for member in session.roster.participants.values()}


def votes_of(log: SessionLog, participant: int, question: int) -> list[int | None]:
    return [
        e.choice for e in (entry.event for entry in log.entries)
        if isinstance(e, Voted) and e.participant == participant and e.question == question
    ]  # fmt: skip


def step_the_clock_back(path: Path) -> None:
    """Every row written from ``log`` row :data:`STEP_ROW` on, in every table, one second earlier (as time.time()
    reads after the clock is stepped back), as the release before wrote them."""
    with contextlib.closing(sqlite3.connect(path)) as db, db:
        (step_at,) = db.execute("SELECT at FROM log WHERE seq = ?", (STEP_ROW,)).fetchone()
        for table in OLD_TABLES:
            db.execute(f"UPDATE {table} SET at = at - 1.0 WHERE at >= ?", (step_at,))


def test_a_clock_stepped_back_keeps_each_tables_order_and_the_final_votes(tmp_path):
    expected = final_votes(read_log(release_before_session(tmp_path / "as-written")))
    assert expected[1][1] == 5, "participant 1's last vote on question 1 is log row 11's"

    path = release_before_session(tmp_path / "stepped")
    step_the_clock_back(path)
    in_memory = read_log(path)
    assert votes_of(in_memory, 1, 1) == [3, 5], "in the order they were cast, though the second reads as earlier"
    assert votes_of(in_memory, 2, 1) == [1, None, 2]
    assert final_votes(in_memory) == expected
    assert not in_memory.flaws, "no vote lands before its participant joined"

    SessionStore.resume(path).release()  # migrated on the file, as `serve --resume` does
    migrated = read_log(path)
    assert [entry.event for entry in migrated.entries] == [entry.event for entry in in_memory.entries]
    assert final_votes(migrated) == expected and not migrated.flaws


def test_a_row_whose_time_is_not_a_number_keeps_its_place_in_its_table(tmp_path):
    expected = final_votes(read_log(release_before_session(tmp_path / "as-written")))
    path = release_before_session(tmp_path / "untimed")
    with contextlib.closing(sqlite3.connect(path)) as db, db:
        db.execute("UPDATE log SET at = 'soon' WHERE seq = 12")  # participant 2 taking back their vote on question 1
    log = read_log(path)
    (flaw,) = log.flaws
    assert flaw.problem == "its time is 'soon', not a number", "named, and left out"
    first, second = [
        e.row for e in log.entries if isinstance(e.event, Voted) and (e.event.participant, e.event.question) == (2, 1)
    ]
    assert first < flaw.row < second, "between the votes it was cast between, not first in the log"
    assert final_votes(log) == expected


def damaged(tmp_path: Path) -> tuple[Path, int]:
    """The fixture with :data:`VOTES` more of participant 1's votes on question 1 (rows as the release before wrote
    them, once question 1 is on screen and open), then zeros over the leaf page of ``log`` 60% of the way through
    it (a bad sector, a torn write); how many rows of ``log`` lie before that page."""
    path = release_before_session(tmp_path)
    with contextlib.closing(sqlite3.connect(path)) as db:
        (at,) = db.execute("SELECT MAX(at) FROM log").fetchone()
        rows = [(at + 1, "commanded", None, 1, None, Action.GOTO.value)]
        rows += [(at + 2, "commanded", None, 1, None, Action.OPEN.value)]
        rows += [(at + 3 + n / 1000, "voted", 1, 1, n % 6, None) for n in range(VOTES)]
        db.executemany(
            "INSERT INTO log (at, kind, participant, question, choice, action) VALUES (?, ?, ?, ?, ?, ?)", rows
        )
        db.commit()
    return path, zero_a_leaf(path, "log", 0.6)


def zero_a_leaf(path: Path, table: str, fraction: float) -> int:
    """Zeros over the leaf page of ``table`` ``fraction`` of the way through it (a bad sector, a torn write); how
    many of its rows lie on the leaves before that page."""
    with contextlib.closing(sqlite3.connect(path)) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # every page in the file itself, to be damaged there
        leaves = db.execute(
            "SELECT pageno, ncell FROM dbstat WHERE name = ? AND pagetype = 'leaf' ORDER BY path", (table,)
        ).fetchall()
        (size,) = db.execute("PRAGMA page_size").fetchone()
    at = int(len(leaves) * fraction)
    page = leaves[at][0]
    data = bytearray(path.read_bytes())
    data[(page - 1) * size : page * size] = bytes(size)
    path.write_bytes(bytes(data))
    return sum(ncell for _, ncell in leaves[:at])


def other_rows(path: Path) -> int:
    """The rows of the old tables other than ``log`` (all written before the votes :func:`damaged` adds)."""
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
        return sum(db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] for table in OLD_TABLES[1:])


def damage_named(log: SessionLog) -> tuple[int, str, str]:
    """The damage named among a log's flaws: after which row, in English and in Welsh."""
    (flaw,) = [flaw for flaw in log.flaws if "damaged after" in flaw.problem]
    english, welsh = flaw.said.words(language("en")), flaw.said.words(language("cy"))
    found = re.fullmatch(DAMAGED_EN, english)
    assert found and re.fullmatch(DAMAGED_CY, welsh), (english, welsh)
    assert flaw.row == int(found[1]) + 1
    return int(found[1]), english, welsh


def export(data: Path, lang: str, into: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "coproterm", "export", "--data-dir", str(data), "--format", "json", "--lang", lang,
         "-o", str(into)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip


async def test_a_damaged_page_keeps_the_rows_before_it_which_export_and_resume_in_both_languages(tmp_path):
    path, kept = damaged(tmp_path)
    others = other_rows(path)
    before = path.read_bytes()

    log = read_log(path)  # migrated in memory: the file is not touched
    assert path.read_bytes() == before
    assert 100 < kept < VOTES, kept
    row, english, welsh = damage_named(log)
    assert row == kept + others, "named after the last row read from the damaged table"
    assert len(log.entries) == kept + others - 1, "every row before the damage (the added question is in the deck)"
    assert len(log.info.deck["questions"]) == 7, "the question asked on the spot, from a table of its own"
    ann = votes_of(log, 1, 1)
    assert ann[:2] == [3, 5] and len(ann) == 2 + kept - 35, "the fixture's two, then the votes before the damage"
    assert final_votes(log)[1][1] == ann[-1]

    for lang, words in (("en", english), ("cy", welsh)):
        made = export(tmp_path, lang, tmp_path / f"results-{lang}.json")
        assert made.returncode == 0, made.stderr
        assert words in made.stderr and "Traceback" not in made.stderr
        assert (tmp_path / f"results-{lang}.json").stat().st_size > 0
    listed = subprocess.run(
        [sys.executable, "-m", "coproterm", "sessions", "--data-dir", str(tmp_path)], capture_output=True, text=True
    )
    assert listed.returncode == 0 and path.stem in listed.stdout, listed.stderr
    assert path.read_bytes() == before, "exporting and listing an older log does not rewrite it"

    served = await start_serve("--resume", path.stem, "--ssh-port", "0", "--no-mdns", data=tmp_path)
    try:
        host = await join(served.url, Hello(host_token=served.token))
        async with asyncio.timeout(5):
            while not (isinstance(message := await host.recv(), Tally) and message.question == 1):
                pass
        standing = Counter({2: 1, 4: 1}) + Counter({ann[-1]: 1})  # Bob's 2, the third participant's 4, Ann's last
        assert {cell: n for cell, n in enumerate(message.counts) if n} == dict(standing)
    finally:
        code = await served.stop()
    assert code == 0, served.stderr
    assert "Traceback" not in served.stderr
    assert english in served.stderr

    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
        assert db.execute("PRAGMA user_version").fetchone() == (VERSION,), "resuming migrated it"
    again = read_log(path)
    assert damage_named(again) == (row, english, welsh), "the damage is still named once migrated"
    assert [e.event for e in again.entries] == [e.event for e in log.entries]


def test_a_file_cut_short_cannot_be_read_and_says_so_in_both_languages_untouched(tmp_path):
    path, _ = damaged(tmp_path)
    cut = path.read_bytes()[: path.stat().st_size // 2]
    path.write_bytes(cut)
    for attempt in (read_log, SessionStore.resume):
        with pytest.raises(StoreError) as raised:
            attempt(path)
        assert raised.value.words(language("en")) == (
            f"cannot read the session log {path}: the file is not a session log, or it is damaged"
        )
        assert raised.value.words(language("cy")) == (
            f"methu darllen log y sesiwn {path}: nid log sesiwn yw'r ffeil, neu mae wedi'i difrodi"
        )
    assert path.read_bytes() == cut


def test_a_damaged_page_of_this_layout_keeps_every_row_before_it_the_last_one_too(tmp_path):
    path = logged_session(tmp_path, [Joined(1, b"a" * 16, "Ann"), Commanded(Action.GOTO, 1)]
                          + [Voted(1, 1, n % 6) for n in range(VOTES)])  # fmt: skip
    kept = zero_a_leaf(path, "events", 0.6)
    log = read_log(path)
    assert len(log.entries) == kept and 100 < kept < VOTES
    assert log.entries[-1].event == Voted(1, 1, (kept - 3) % 6)
    row, _, _ = damage_named(log)
    assert row == log.entries[-1].row == kept


def test_damage_to_an_old_tables_index_loses_no_row_and_the_log_still_migrates(tmp_path):
    whole = read_log(release_before_session(tmp_path / "whole"))
    path = release_before_session(tmp_path / "damaged")
    zero_a_leaf(path, "answer_log_by_answer", 0.0)  # an index the migration never reads, but must drop
    log = read_log(path)
    assert [e.event for e in log.entries] == [e.event for e in whole.entries] and not log.flaws
    SessionStore.resume(path).release()
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
        assert db.execute("PRAGMA user_version").fetchone() == (VERSION,), "migrated, the damaged table left unread"
    again = read_log(path)
    assert [e.event for e in again.entries] == [e.event for e in whole.entries] and not again.flaws
