"""A log written by the release before the single ``events`` table (schema version 0, the committed fixture in
tests/fixtures/log_v0, made by its make.py) opens, resumes in a real `coproterm serve --resume` and exports the
same, byte for byte; a migration that fails leaves the file as it was and says so, in English and in Welsh."""

from __future__ import annotations

import asyncio
import filecmp
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from coproterm.core.client_messages import Hello
from coproterm.core.events import Answered, Joined, Voted
from coproterm.core.hub_messages import YourAnswers
from coproterm.core.i18n import language
from coproterm.server.store import VERSION, SessionStore, StoreError, read_log
from tests.hubkit import join, start_serve
from tests.storekit import logged_session, tmpfs

FIXTURE = Path(__file__).parent / "fixtures" / "log_v0"
EXPORTS = FIXTURE / "exports"
OLD_TABLES = {"log", "answer_log", "timer_log", "added_log", "agreement_log", "language_log"}
BOB = (2).to_bytes(16, "big")
"""Bob's resume token in the fixture (its tokens are counted, not drawn)."""
TEXT, REASON = 0, 6
"""The first question, and the last (sixth in the deck, seventh once a question went in before it)."""


def copied(tmp_path: Path) -> Path:
    shutil.copytree(FIXTURE / "sessions", tmp_path / "sessions")
    (log,) = (tmp_path / "sessions").glob("*.sqlite3")
    return log


def tables(path: Path) -> tuple[int, set[str]]:
    with sqlite3.connect(path) as db:
        names = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        return db.execute("PRAGMA user_version").fetchone()[0], names


def export_all(data: Path, into: Path) -> None:
    for lang in ("en", "cy"):
        for form, name in (("csv", f"csv-{lang}"), ("json", f"results-{lang}.json"), ("html", f"report-{lang}.html")):
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "coproterm",
                    "export",
                    "--data-dir",
                    str(data),
                    "--format",
                    form,
                    "--lang",
                    lang,
                    "-o",
                    str(into / name),
                    "--with-names",
                    "--with-hidden",
                ],
                check=True,
                capture_output=True,
            )


def assert_same_exports(made: Path) -> None:
    for name in sorted(p.name for p in EXPORTS.iterdir()):
        if (EXPORTS / name).is_dir():
            compared = filecmp.dircmp(EXPORTS / name, made / name)
            assert sorted(compared.left_list) == sorted(compared.right_list), name
            _, mismatch, errors = filecmp.cmpfiles(EXPORTS / name, made / name, compared.left_list, shallow=False)
            assert not mismatch and not errors, (name, mismatch, errors)
        else:
            assert (made / name).read_bytes() == (EXPORTS / name).read_bytes(), name


def test_the_fixture_is_a_log_of_the_layout_before(tmp_path):
    assert tables(copied(tmp_path)) == (0, OLD_TABLES | {"meta", "ssh_identities"})


async def test_a_log_of_the_release_before_resumes_and_exports_the_same(tmp_path):
    log = copied(tmp_path)
    before = log.read_bytes()
    read_only = tmp_path / "read-only"
    read_only.mkdir()
    await asyncio.to_thread(export_all, tmp_path, read_only)
    assert_same_exports(read_only)
    assert log.read_bytes() == before, "exporting an older log does not rewrite it"

    served = await start_serve("--resume", log.stem, "--ssh-port", "0", "--no-mdns", data=tmp_path)
    try:
        bob = await join(served.url, Hello(resume=BOB))
        assert bob.welcome is not None and bob.welcome.resume == BOB
        questions = bob.welcome.deck["questions"]
        assert len(questions) == 7 and questions[5]["prompt"] == "Which comes first?", "the question asked on the spot"
        mine: dict[int, YourAnswers] = {}
        while TEXT not in mine or REASON not in mine:
            message = await bob.recv()
            if isinstance(message, YourAnswers):
                mine[message.question] = message
        assert mine[TEXT] == YourAnswers(TEXT, ((0, "being listened to"), (1, "something rude")), (1,), ())
        assert mine[REASON] == YourAnswers(REASON, ((0, "it is fairer"),), (), ()), "logged before the question went in"
        await bob.socket.close()
    finally:
        code = await served.stop()
    assert code == 0, served.stderr
    assert "Traceback" not in served.stderr

    assert tables(log) == (VERSION, {"meta", "ssh_identities", "events"}), "resuming migrated it"
    with sqlite3.connect(log) as db:
        assert db.execute("SELECT COUNT(*) FROM ssh_identities").fetchone() == (1,)
        kinds = [kind for (kind,) in db.execute("SELECT kind FROM events ORDER BY seq")]
    assert kinds.index("added") > kinds.index("voted"), "in log order: the question went in after the first votes"
    after = tmp_path / "after"
    after.mkdir()
    await asyncio.to_thread(export_all, tmp_path, after)
    assert_same_exports(after)


@pytest.mark.parametrize(
    ("lang", "said"),
    [
        ("en", "cannot bring the session log {path} up to date: the disk is full; the file is left as it was"),
        ("cy", "methu diweddaru log y sesiwn {path}: mae'r ddisg yn llawn; mae'r ffeil wedi'i gadael fel yr oedd"),
    ],
)
def test_a_migration_that_fails_leaves_the_file_as_it_was_and_says_so(tmp_path, lang, said):
    with tmpfs(tmp_path / "small", "size=256k") as data:
        log = copied(data)
        before = log.read_bytes()
        filler = data / "filler"
        with open(filler, "wb", buffering=0) as out:
            try:
                while True:
                    out.write(b"\0" * 4096)
            except OSError:
                pass
        # Room for the log's shared memory and a little more, not for the whole migrated log.
        os.truncate(filler, filler.stat().st_size - 40 * 1024)
        with pytest.raises(StoreError) as raised:
            SessionStore.resume(log)
        assert raised.value.words(language(lang)) == said.format(path=log)
        filler.unlink()
        assert log.read_bytes() == before and tables(log) == (0, OLD_TABLES | {"meta", "ssh_identities"})
        again = SessionStore.resume(log)  # with room, it goes through
        again.release()
        assert tables(log) == (VERSION, {"meta", "ssh_identities", "events"})


def test_a_new_log_has_one_events_table_in_log_order_readable_row_by_row(tmp_path):
    events = [Joined(1, b"\x01" * 16, "Ann"), Voted(1, 1, 3), Answered(1, 0, 0, 1, "gyda'n gilydd"), Voted(1, 1, None)]
    path = logged_session(tmp_path, events)
    assert tables(path) == (VERSION, {"meta", "ssh_identities", "events"})
    with sqlite3.connect(path) as db:
        rows = db.execute("SELECT kind, answer, fields FROM events ORDER BY seq").fetchall()
    assert rows == [  # each event's fields in its own order (core/events.py)
        ("joined", None, f'[1,"{"01" * 16}","Ann"]'),
        ("voted", None, "[1,1,3]"),
        ("answered", 1, """[1,0,0,1,"gyda'n gilydd",false]"""),
        ("voted", None, "[1,1,null]"),
    ]
    assert [entry.event for entry in read_log(path).entries] == events


def test_a_damaged_row_of_the_older_layout_comes_through_the_migration_and_is_named_in_both_languages(tmp_path):
    log = copied(tmp_path)
    with sqlite3.connect(log) as db:
        db.execute("INSERT INTO language_log (at, participant, language) VALUES (1e9, 1, 'xx')")
    flaws = [flaw.said for flaw in read_log(log).flaws]  # migrated in memory: the file is not touched
    assert tables(log)[0] == 0
    SessionStore.resume(log).release()
    assert tables(log)[0] == VERSION
    again = [flaw.said for flaw in read_log(log).flaws]
    assert [(w.words(language("en")), w.words(language("cy"))) for w in again] == [
        (w.words(language("en")), w.words(language("cy"))) for w in flaws
    ]
    (words,) = again
    row = read_log(log).flaws[0].row
    assert words.words(language("en")) == "a choice of language: participant 1 chose 'xx' at 1000000000.0"
    assert words.words(language("cy")) == "dewis iaith: dewisodd cyfranogwr 1 'xx' am 1000000000.0"
    with sqlite3.connect(log) as db:
        assert db.execute("SELECT kind, fields FROM events WHERE seq = ?", (row,)).fetchone() == ("spoke", '[1,"xx"]')


@pytest.mark.parametrize(
    ("lang", "said"),
    [
        ("en", "the session log {path} was written by a newer coproterm (its layout 7, this one reads up to 1):"
               " open it with that release"),
        ("cy", "ysgrifennwyd log y sesiwn {path} gan coproterm mwy newydd (ei gynllun 7, mae hwn yn darllen hyd at 1):"
               " agorwch ef gyda'r fersiwn honno"),
    ],
)  # fmt: skip
def test_a_log_of_a_newer_layout_is_refused_untouched_in_the_readers_language(tmp_path, lang, said):
    path = logged_session(tmp_path, [Joined(1, b"\x01" * 16, "Ann")])
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA user_version = 7")
    before = path.read_bytes()
    for opening in (SessionStore.resume, read_log):
        with pytest.raises(StoreError) as raised:
            opening(path)
        assert raised.value.words(language(lang)) == said.format(path=path)
    assert path.read_bytes() == before
