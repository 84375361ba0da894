"""The session log's file: its tables, its schema version, opening it for writing, and its lock.

Version 1 (``PRAGMA user_version``): ``meta`` (what the session is), ``ssh_identities`` (who came in
over SSH as whom) and ``events``, one row per accepted change in the order the session accepted it
(:mod:`.rows`). A file of version 0, the layout with a table for each kind of event, is rewritten to
version 1 when it is opened for writing (:mod:`.opening`, through :mod:`.migration`).
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from coproterm.core.i18n import N_
from coproterm.core.problems import os_reason
from coproterm.portable import lock_exclusively
from coproterm.server.store.errors import StoreError

VERSION = 1
"""The layout this release writes; a file of an older one is migrated when opened (:func:`.opening.connect`)."""
SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS ssh_identities (
    user TEXT NOT NULL,
    seen_as TEXT NOT NULL,
    token BLOB NOT NULL,
    PRIMARY KEY (user, seen_as)
);
CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY,
    at REAL NOT NULL,
    kind TEXT NOT NULL,
    answer INTEGER,
    fields TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_by_answer ON events (answer) WHERE answer IS NOT NULL;
"""
"""``answer``: the written answer a row is a version of, or moderates (the log keeps an answer's first
version and its latest :data:`~coproterm.server.store.writing.ANSWER_HISTORY`, found by it)."""


NEWER = N_(
    "the session log {path} was written by a newer coproterm (its layout {found}, this one reads up to {known}): open it with that release"
)


def version(db: sqlite3.Connection, path: Path | str = "") -> int:
    """The layout of an open log: :data:`VERSION`, or 0 for a log with a table for each kind of event; a log
    of a newer layout is refused (:class:`StoreError`), untouched."""
    found = db.execute("PRAGMA user_version").fetchone()[0]
    if found > VERSION:
        raise StoreError(NEWER, path=str(path), found=found, known=VERSION)
    if found:
        return int(found)
    has_events = db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'events'").fetchone()
    return VERSION if has_events else 0


BATCH = 4096
"""Rows of a table read at a time."""


def in_order(db: sqlite3.Connection, table: str, columns: str) -> Iterator[tuple[Any, ...]]:
    """A table's rows (``columns``, ``seq`` first) in ``seq`` order, read in batches of :data:`BATCH`. A batch
    that meets damage is read again row by row up to it (a cursor reads one row ahead, so reading on through
    the damage would lose the last good row with it), and the damage raised; rows after it are not read."""
    query = f"SELECT {columns} FROM {table} WHERE seq > ? ORDER BY seq LIMIT ?"
    last: Any = -(2**63)
    limit = BATCH
    while True:
        try:
            batch = db.execute(query, (last, limit)).fetchall()
        except sqlite3.OperationalError:
            raise
        except sqlite3.DatabaseError:
            if limit == 1:
                raise
            limit = 1
            continue
        if not batch:
            return
        yield from batch
        last = batch[-1][0]


def sessions_dir(directory: Path) -> Path:
    """``<data dir>/sessions``, made if need be (raises :class:`StoreError` if it cannot be written)."""
    sessions = directory / "sessions"
    try:
        sessions.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as error:
        raise StoreError(
            N_("cannot create the data directory {folder}: {reason} (choose another with --data-dir)"),
            folder=str(sessions),
            reason=os_reason(error),
        ) from None
    if not os.access(sessions, os.W_OK):
        raise StoreError(
            N_("the data directory {folder} is read-only: choose another with --data-dir"), folder=str(sessions)
        )
    return sessions


def lock(path: Path) -> int:
    """Hold the session for this process (released by the system even on kill -9); refuse a second host."""
    lock_path = path.with_suffix(".lock")
    try:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as error:
        raise StoreError(
            N_("cannot lock the session {path}: {reason}"), path=str(lock_path), reason=os_reason(error)
        ) from None
    if not lock_exclusively(fd):
        os.close(fd)
        raise StoreError(
            N_("session {id} is already being hosted by another coproterm on this machine"), id=path.stem
        ) from None
    return fd
