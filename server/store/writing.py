"""Writing the session log: every accepted change in SQLite before anyone hears "accepted".

One database file per session, ``<data dir>/sessions/<id>.sqlite3``, in WAL
mode with ``synchronous=FULL`` (a power cut loses nothing acknowledged). Writes
are grouped: every change that arrives while a commit is under way goes into
the next one, so one fsync serves a whole burst of votes. Each change is one
row of the ``events`` table, in the order the session accepted it (:mod:`.rows`).

A session is hosted by one process at a time: a lock file beside the database
(``flock``, or ``msvcrt`` on Windows; released by the system even on kill -9) refuses a second host.

A new session's file is written only when :meth:`SessionStore.start` is called,
once the hub is really serving: a start that fails (the port is in use) leaves
nothing behind for ``sessions`` or ``--resume`` to find. The log is not kept in
memory: resuming and exports read it back from the database.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import sqlite3
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from coproterm.core.alerts import WORDS as ALERT_WORDS
from coproterm.core.alerts import Alert
from coproterm.core.events import Added, Answered, Event
from coproterm.core.i18n import N_
from coproterm.core.problems import Words
from coproterm.server.store.errors import ALERTS, CANNOT_READ, StoreError, reason
from coproterm.server.store.finding import new_session_id
from coproterm.server.store.opening import connect
from coproterm.server.store.reading import SessionInfo, SessionLog, read_log, read_open
from coproterm.server.store.rows import Entry, encoded
from coproterm.server.store.schema import lock, sessions_dir

ANSWER_HISTORY = 3
"""Versions of a written answer the log keeps: its first (where it was written, so moderation that
follows still finds it) and its latest three. Rewriting an answer at the allowed rate grew the log
7.6 MB per participant-hour; every moderation row is kept whatever happens."""


class SessionStore:
    """The log of one session, open for writing by this process alone."""

    def __init__(
        self, path: Path, info: SessionInfo, db: sqlite3.Connection | None = None, lock: int | None = None
    ) -> None:
        self.path = path
        self.info = info
        self.problem: str | None = None
        """Why the last write failed; None once writes succeed again."""
        self._db = db
        self._lock = lock
        self._queue: list[tuple[list[Entry], asyncio.Future[None]]] = []
        self._unnumbered: Words | None = None
        """Why a batch holding a question asked on the spot failed, until :meth:`insertion_undone`: every
        change queued behind it was numbered as if the question were there, so none of them is written."""
        self._wake = asyncio.Event()
        self._writer: asyncio.Task[None] | None = None

    # -- opening ---------------------------------------------------------------

    @classmethod
    def create(
        cls, directory: Path, deck: dict[str, Any], title: str, host_token: str, join_code: str = ""
    ) -> SessionStore:
        """A new session's log; its file is written by :meth:`start` (the data directory is checked now)."""
        now = time.time()
        info = SessionInfo(new_session_id(now), now, title, deck, host_token, join_code)
        return cls(sessions_dir(directory) / f"{info.id}.sqlite3", info)

    @classmethod
    def resume(cls, path: Path) -> SessionStore:
        """Open an earlier session's log (see :func:`choose_session`) to host it again."""
        held = lock(path)
        try:
            db = connect(path)
        except StoreError:
            os.close(held)
            raise
        except (sqlite3.Error, KeyError, ValueError) as error:
            os.close(held)
            raise StoreError(CANNOT_READ, path=str(path), reason=reason(error)) from None
        try:
            info = read_open(db, path).info
        except (sqlite3.Error, KeyError, ValueError) as error:
            db.close()
            os.close(held)
            raise StoreError(CANNOT_READ, path=str(path), reason=reason(error)) from None
        return cls(path, info, db, held)

    # -- writing ---------------------------------------------------------------

    def start(self) -> None:
        """Write a new session's file if need be, then start the group-commit writer (in the running loop).

        Raises StoreError if the file cannot be written.
        """
        if self._db is None:
            self._lock, self._db = self._write_new()
        self._writer = asyncio.create_task(self._write_forever())

    def _write_new(self) -> tuple[int, sqlite3.Connection]:
        info, path = self.info, self.path
        held = lock(path)
        try:
            if path.exists():
                raise StoreError(N_("a session {id} already exists in {folder}"), id=info.id, folder=str(path.parent))
            db = connect(path)
            with db:
                db.executemany(
                    "INSERT INTO meta (key, value) VALUES (?, ?)",
                    [
                        ("id", info.id),
                        ("created", repr(info.created)),
                        ("title", info.title),
                        ("deck", json.dumps(info.deck)),
                        ("host_token", info.host_token),
                        ("join_code", info.join_code),
                    ],
                )
        except sqlite3.Error as error:
            os.close(held)
            with contextlib.suppress(OSError):
                path.unlink()
            raise StoreError(
                N_("cannot create the session log {path}: {reason}"), path=str(path), reason=reason(error)
            ) from None
        except StoreError:
            os.close(held)
            raise
        return held, db

    async def append(self, events: Iterable[Event]) -> None:
        """Log events; returns once they are on disk, raises StoreError if they cannot be."""
        now = time.time()
        entries = [Entry(now, event) for event in events]
        if not entries:
            return
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._queue.append((entries, done))
        self._wake.set()
        await done

    def insertion_undone(self) -> None:
        """The session undid a question asked on the spot that could not be saved, and every change after it:
        what is queued now fails too (it was numbered with the question); what comes next is written."""
        reason, self._unnumbered = self._unnumbered, None
        if reason is not None:
            queued, self._queue = self._queue, []
            self._failed(queued, reason)
            self._unnumbered = None  # (a question queued behind it failed too: nothing is left to wait for)

    async def close(self) -> None:
        """Write what is queued, then close the database and release the session."""
        if self._writer is not None:
            while self._queue:
                await asyncio.sleep(0.01)
            self._writer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._writer
            self._writer = None
        self.release()

    def release(self) -> None:
        """Close the database and release the session (nothing is written: see :meth:`close`)."""
        if self._db is not None:
            self._db.close()
            self._db = None
        if self._lock is not None:
            os.close(self._lock)
            self._lock = None

    async def _write_forever(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            batch, self._queue = self._queue, []
            if not batch:
                continue
            if self._unnumbered is not None:
                self._failed(batch, self._unnumbered)
                continue
            entries = [entry for group, _ in batch for entry in group]
            try:
                await asyncio.to_thread(self._write, entries)
            except Exception as error:  # whatever it was, only this batch fails: the writer goes on
                self._failed(batch, reason(error))
                continue
            self.problem = None
            for _, done in batch:
                if not done.done():
                    done.set_result(None)

    def _failed(self, batch: list[tuple[list[Entry], asyncio.Future[None]]], reason: Words) -> None:
        # Only the changes in the failed commit fail (their writers undo them); those queued
        # behind it are tried on their own next, and the transaction was rolled back for them;
        # unless it held a question asked on the spot: see _unnumbered.
        alert = ALERTS.get(reason.message, Alert.LOG_UNWRITABLE)
        self.problem = str(reason)
        if any(isinstance(entry.event, Added) for group, _ in batch for entry in group):
            self._unnumbered = reason
        for _, done in batch:
            if not done.done():
                failure = StoreError(ALERT_WORDS[alert][0])
                failure.alert = alert
                done.set_exception(failure)

    def _write(self, entries: list[Entry]) -> None:
        db = self._db
        assert db is not None, "start() first"
        try:
            with db:
                db.executemany(
                    "INSERT INTO events (at, kind, answer, fields) VALUES (?, ?, ?, ?)", [encoded(e) for e in entries]
                )
                rewritten = {e.event.answer for e in entries if isinstance(e.event, Answered)}
                if rewritten:
                    _forget_old_versions(db, rewritten)
        except BaseException:
            # Leave no half-open transaction for the next batch.
            with contextlib.suppress(sqlite3.Error):
                db.rollback()
            raise

    def read(self) -> SessionLog:
        """Everything committed so far, read back from the database."""
        return read_log(self.path)

    def events(self) -> list[Event]:
        """Every committed event, in order, read back from the database (for resuming)."""
        return [entry.event for entry in self.read().entries]

    def ssh_identities(self) -> dict[tuple[str, str], bytes]:
        """Who came in over SSH as whom: (user name, key or address) to resume token."""
        try:
            with contextlib.closing(sqlite3.connect(self.path, timeout=2)) as db:
                rows = db.execute("SELECT user, seen_as, token FROM ssh_identities").fetchall()
        except sqlite3.Error:
            return {}
        return {(user, seen_as): bytes(token) for user, seen_as, token in rows}

    def remember_ssh_identity(self, identity: tuple[str, str], token: bytes) -> None:
        """Keep an SSH identity, so the same person comes back as themselves after a --resume."""
        # A connection of its own: the group-commit writer may be using the main one in its thread.
        with contextlib.suppress(sqlite3.Error), contextlib.closing(sqlite3.connect(self.path, timeout=2)) as db, db:
            db.execute(
                "INSERT OR REPLACE INTO ssh_identities (user, seen_as, token) VALUES (?, ?, ?)", (*identity, token)
            )


def _forget_old_versions(db: sqlite3.Connection, answers: set[int]) -> None:
    """Delete the versions of these answers between their first and their latest :data:`ANSWER_HISTORY`.

    Replaying the rest rebuilds the same session: an answer's state is its latest version and the
    moderation rows (kept), and nothing else depends on the text it had on the way.
    """
    for answer in answers:  # by its id alone: a question asked on the spot renumbers its rows, not its id
        db.execute(
            "DELETE FROM events WHERE answer = ?1 AND kind IN ('answered', 'unanswered', 'waiting')"
            " AND seq > (SELECT MIN(seq) FROM events WHERE answer = ?1)"
            " AND seq < (SELECT MIN(seq) FROM (SELECT seq FROM events WHERE answer = ?1"
            " AND kind IN ('answered', 'unanswered', 'waiting') ORDER BY seq DESC LIMIT ?2))",
            (answer, ANSWER_HISTORY),
        )
