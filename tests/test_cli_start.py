"""Starting and resuming from the command line: a failed start leaves nothing, no id picks a session with people in it."""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
import sys

from coproterm.core.events import Commanded, Joined, Voted
from coproterm.core.wire_terms import Action
from coproterm.server.choosing import NEWEST
from coproterm.server.store import choose_session
from tests.hubkit import start_serve
from tests.storekit import logged_session

COPROTERM = [sys.executable, "-m", "coproterm"]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*COPROTERM, *args], capture_output=True, text=True, timeout=60)


async def test_a_start_that_fails_writes_no_session(tmp_path):
    served = await start_serve("--ssh-port", "0", "--no-mdns", data=tmp_path)
    try:
        port = str(served.port)
        before = sorted((tmp_path / "sessions").glob("*.sqlite3"))
        assert len(before) == 1
        result = await asyncio.to_thread(
            run, "serve", "--host", "127.0.0.1", "--port", port, "--ssh-port", "0", "--data-dir", str(tmp_path)
        )
        assert result.returncode == 2 and f"port {port} is already in use" in result.stderr
        assert sorted((tmp_path / "sessions").glob("*.sqlite3")) == before, "the failed start made a session"
        assert sorted(path.name for path in (tmp_path / "sessions").iterdir()) == [
            before[0].with_suffix(".lock").name,
            before[0].name,
            *(
                name
                for name in (before[0].name + "-shm", before[0].name + "-wal")
                if (tmp_path / "sessions" / name).exists()
            ),
        ]
    finally:
        await served.stop()


WORKSHOP = [Joined(1, b"a" * 16, "Ann"), Commanded(Action.GOTO, 1), Voted(1, 1, 3)]


def test_no_id_picks_the_newest_session_anyone_joined_and_says_why(tmp_path):
    workshop = logged_session(tmp_path, WORKSHOP)
    empty = [logged_session(tmp_path, []), logged_session(tmp_path, [Commanded(Action.GOTO, 2)])]
    chosen = choose_session(tmp_path, NEWEST)
    assert chosen.path == workshop
    assert str(chosen.why) == (
        f"picked {workshop.stem}, the newest session anyone joined or voted in (1 participant, 1 vote, 1 change);"
        " 2 newer ones had nobody in them"
    )
    assert all(path.exists() for path in empty)

    export = run("export", "--format", "json", "-o", str(tmp_path / "out.json"), "--data-dir", str(tmp_path))
    assert export.returncode == 0, export.stderr
    assert str(chosen.why) in export.stderr
    assert f'"session": "{workshop.stem}"' in (tmp_path / "out.json").read_text()


async def test_resume_with_no_id_says_which_session_it_picked(tmp_path):
    workshop = await asyncio.to_thread(logged_session, tmp_path, WORKSHOP)
    await asyncio.to_thread(logged_session, tmp_path, [])
    served = await start_serve("--resume", "--ssh-port", "0", "--no-mdns", data=tmp_path)
    await served.stop()
    assert f"picked {workshop.stem}, the newest session anyone joined or voted in" in served.stderr
    with sqlite3.connect(workshop) as db:
        assert db.execute("SELECT COUNT(*) FROM events").fetchone() == (3,)


def test_when_nobody_joined_any_session_the_newest_is_picked_and_that_is_said(tmp_path):
    logged_session(tmp_path, [])
    newest = logged_session(tmp_path, [])
    chosen = choose_session(tmp_path, NEWEST)
    assert chosen.path == newest and "nobody has joined any session yet" in str(chosen.why)
