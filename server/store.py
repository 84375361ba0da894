"""The session log: every accepted change in SQLite before anyone hears "accepted".

One database file per session, ``<data dir>/sessions/<id>.sqlite3``, in WAL
mode with ``synchronous=FULL`` (a power cut loses nothing acknowledged). Writes
are grouped: every change that arrives while a commit is under way goes into
the next one, so one fsync serves a whole burst of votes.

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
import secrets
import sqlite3
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from coproterm.core.alerts import WORDS as ALERT_WORDS
from coproterm.core.alerts import Alert
from coproterm.core.asked import renumbered, with_added
from coproterm.core.deck import deck_from_data
from coproterm.core.events import (
    Added,
    Agreeing,
    Answered,
    Approved,
    Commanded,
    Event,
    Joined,
    Marked,
    Moderated,
    Spoke,
    Timed,
    Voted,
)
from coproterm.core.i18n import N_, Nn_
from coproterm.core.problems import Problem, Words, os_reason, said, said_n
from coproterm.core.report import Flaw
from coproterm.core.wire_terms import LANGUAGE_CODES, Action, Stance
from coproterm.portable import lock_exclusively
from coproterm.server.choosing import NEWEST, Newest, SessionChoice

ANSWER_LOG = """CREATE TABLE IF NOT EXISTS answer_log (
    seq INTEGER PRIMARY KEY,
    at REAL NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('answered', 'unanswered', 'hidden', 'shown', 'waiting', 'approved')),
    participant INTEGER,
    question INTEGER NOT NULL,
    slot INTEGER,
    answer INTEGER NOT NULL,
    text TEXT
);"""
"""Written answers' rows: 'waiting' is an answer written to a moderated question (its text waits for the
facilitator), 'approved' lets one through. A log from before moderation has the table without those two
kinds: :func:`_connect` widens it (the rows are copied as they are)."""
SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS ssh_identities (
    user TEXT NOT NULL,
    seen_as TEXT NOT NULL,
    token BLOB NOT NULL,
    PRIMARY KEY (user, seen_as)
);
CREATE TABLE IF NOT EXISTS log (
    seq INTEGER PRIMARY KEY,
    at REAL NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('joined', 'voted', 'commanded')),
    participant INTEGER,
    question INTEGER,
    choice INTEGER,
    action INTEGER,
    token BLOB,
    name TEXT
);
{answer_log}
CREATE INDEX IF NOT EXISTS answer_log_by_answer ON answer_log (question, answer);
CREATE INDEX IF NOT EXISTS answer_log_by_id ON answer_log (answer);
CREATE TABLE IF NOT EXISTS timer_log (
    seq INTEGER PRIMARY KEY,
    at REAL NOT NULL,
    question INTEGER NOT NULL,
    seconds INTEGER NOT NULL,
    deadline REAL NOT NULL,
    locks INTEGER NOT NULL,
    ended INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS added_log (
    seq INTEGER PRIMARY KEY,
    at REAL NOT NULL,
    question TEXT NOT NULL,
    scale TEXT,
    position INTEGER,
    log_point INTEGER,
    answer_point INTEGER,
    timer_point INTEGER
);
CREATE TABLE IF NOT EXISTS agreement_log (
    seq INTEGER PRIMARY KEY,
    at REAL NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('opened', 'closed', 'marked')),
    participant INTEGER,
    question INTEGER NOT NULL,
    answer INTEGER,
    stance INTEGER,
    seed BLOB
);
CREATE TABLE IF NOT EXISTS language_log (
    seq INTEGER PRIMARY KEY,
    at REAL NOT NULL,
    participant INTEGER NOT NULL,
    language TEXT NOT NULL
);
""".replace("{answer_log}", ANSWER_LOG)
ADDED = """Questions asked on the spot have a table of their own (older logs lack it and read as having none):
each row is a question (and the scale made for its options) in a deck's plain form, as JSON, the place it went
in (``position``; NULL: at the end, as every one went before there was a choice) and the log point: the last row
of the main log, the answers' log and the countdowns' log written before it. A row logged before a question went
in names the questions from its place on by their old numbers: reading a log folds the questions into the
session's deck (``SessionInfo.deck``) and renumbers those rows, one question at a time in the order they were
asked (:func:`_renumbered`), so a resumed session, the report and the exports all read today's numbers."""
ADDED_COLUMNS = ("position", "log_point", "answer_point", "timer_point")
"""The columns a log from before questions went in mid-deck lacks (added on resuming it)."""
ANSWER_KINDS = {"hidden": True, "shown": False}
"""Written answers have a table of their own (older logs lack it and read as having none): an answer's
changes replay after every other event, in their own order, since they depend on nothing but who joined."""
BUSY_TIMEOUT_MS = 2000
ANSWER_HISTORY = 3
"""Versions of a written answer the log keeps: its first (where it was written, so moderation that
follows still finds it) and its latest three. Rewriting an answer at the allowed rate grew the log
7.6 MB per participant-hour; every moderation row is kept whatever happens."""


class StoreError(Problem, RuntimeError):
    """The log cannot be read or written; :meth:`words` says why, for people, in their language."""

    alert: Alert = Alert.LOG_UNWRITABLE
    """What everyone is told (``State.alert``) when this is a write that failed."""


CANNOT_READ = N_("cannot read the session log {path}: {reason}")
DISK_FULL = N_("the disk is full")
READ_ONLY = N_("it is read-only")
LOCKED = N_("another program has locked it")
_ALERTS = {DISK_FULL: Alert.DISK_FULL, READ_ONLY: Alert.LOG_READ_ONLY, LOCKED: Alert.LOG_LOCKED}


@dataclass(frozen=True, slots=True)
class SessionInfo:
    """What identifies a session and lets it be hosted again."""

    id: str
    created: float
    title: str
    deck: dict[str, Any]
    """The deck in its plain form, so a resumed session needs no deck file."""
    host_token: str
    join_code: str = ""


@dataclass(frozen=True, slots=True)
class Entry:
    """One logged event and when it was accepted (Unix time)."""

    at: float
    event: Event
    row: int = 0
    """Its row in the log (to name it if it turns out to be damaged); 0 until written."""


@dataclass(slots=True)
class SessionLog:
    """A session read back from its database: what it is, its rows, and the rows that cannot be read."""

    path: Path
    info: SessionInfo
    entries: list[Entry]
    flaws: list[Flaw] = field(default_factory=list)

    def logged(self) -> Iterator[tuple[int, float, Event]]:
        """The rows as the report and the resume check take them."""
        return ((entry.row, entry.at, entry.event) for entry in self.entries)


@dataclass(frozen=True, slots=True)
class Chosen:
    """The session picked for a choice, and, when it was not named, why this one."""

    path: Path
    why: Words | None = None


def data_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """Where sessions live: ``--data-dir``, ``$COPROTERM_DATA_DIR``, or the user's data dir."""
    if override:
        return Path(override)
    if env := os.environ.get("COPROTERM_DATA_DIR"):
        return Path(env)
    import platformdirs

    return Path(platformdirs.user_data_dir("coproterm"))


def new_session_id(now: float) -> str:
    """``2026-11-27-0930-a1b2``: sortable by time, unique enough for one machine."""
    return f"{datetime.fromtimestamp(now):%Y-%m-%d-%H%M}-{secrets.token_hex(2)}"


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
        return cls(_sessions_dir(directory) / f"{info.id}.sqlite3", info)

    @classmethod
    def resume(cls, path: Path) -> SessionStore:
        """Open an earlier session's log (see :func:`choose_session`) to host it again."""
        lock = _lock(path)
        try:
            db = _connect(path)
            info = _read_info(db)
        except (sqlite3.Error, KeyError, ValueError) as error:
            os.close(lock)
            raise StoreError(CANNOT_READ, path=str(path), reason=_reason(error)) from None
        return cls(path, info, db, lock)

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
        lock = _lock(path)
        try:
            if path.exists():
                raise StoreError(N_("a session {id} already exists in {folder}"), id=info.id, folder=str(path.parent))
            db = _connect(path)
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
            os.close(lock)
            with contextlib.suppress(OSError):
                path.unlink()
            raise StoreError(
                N_("cannot create the session log {path}: {reason}"), path=str(path), reason=_reason(error)
            ) from None
        except StoreError:
            os.close(lock)
            raise
        return lock, db

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
                self._failed(batch, _reason(error))
                continue
            self.problem = None
            for _, done in batch:
                if not done.done():
                    done.set_result(None)

    def _failed(self, batch: list[tuple[list[Entry], asyncio.Future[None]]], reason: Words) -> None:
        # Only the changes in the failed commit fail (their writers undo them); those queued
        # behind it are tried on their own next, and the transaction was rolled back for them;
        # unless it held a question asked on the spot: see _unnumbered.
        alert = _ALERTS.get(reason.message, Alert.LOG_UNWRITABLE)
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
                added = _log_points(db, entries)
                db.executemany(
                    "INSERT INTO log (at, kind, participant, question, choice, action, token, name)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [
                        _row(entry)
                        for entry in entries
                        if not isinstance(
                            entry.event, Answered | Moderated | Approved | Spoke | Timed | Added | Agreeing | Marked
                        )
                    ],
                )
                db.executemany(
                    "INSERT INTO answer_log (at, kind, participant, question, slot, answer, text)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [
                        _answer_row(entry)
                        for entry in entries
                        if isinstance(entry.event, Answered | Moderated | Approved)
                    ],
                )
                rewritten = {e.event.answer for e in entries if isinstance(e.event, Answered)}
                _forget_old_versions(db, rewritten)
                db.executemany(
                    "INSERT INTO added_log (at, question, scale, position, log_point, answer_point, timer_point)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?)",
                    added,
                )
                db.executemany(
                    "INSERT INTO language_log (at, participant, language) VALUES (?, ?, ?)",
                    [
                        (entry.at, entry.event.participant, entry.event.language)
                        for entry in entries
                        if isinstance(entry.event, Spoke)
                    ],
                )
                db.executemany(
                    "INSERT INTO agreement_log (at, kind, participant, question, answer, stance, seed)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [_agreement_row(entry) for entry in entries if isinstance(entry.event, Agreeing | Marked)],
                )
                db.executemany(
                    "INSERT INTO timer_log (at, question, seconds, deadline, locks, ended) VALUES (?, ?, ?, ?, ?, ?)",
                    [
                        (e.at, e.event.question, e.event.seconds, e.event.deadline, e.event.locks, e.event.ended)
                        for e in entries
                        if isinstance(e.event, Timed)
                    ],
                )
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


# -- reading sessions, for resume, listing and export -----------------------------


def find_session(directory: Path, session_id: str | None) -> Path:
    """The database of a session by id (or unique prefix), or the newest one."""
    return choose_session(directory, NEWEST if session_id is None else session_id).path


def choose_session(directory: Path, choice: SessionChoice) -> Chosen:
    """The session a choice names: by id (or a unique start of it), or :data:`NEWEST`.

    With no id, the newest session anyone joined or voted in: an empty session
    (nobody came, or a start that went wrong) is not what anyone means after a
    crash. ``why`` says which was picked and why.
    """
    sessions = directory / "sessions"
    known = sorted(sessions.glob("*.sqlite3")) if sessions.is_dir() else []
    if not known:
        raise StoreError(N_("no sessions in {folder} yet: host one first"), folder=str(sessions))
    if isinstance(choice, Newest):
        return _newest_with_activity(known)
    session_id = choice
    matches = [path for path in known if path.stem.startswith(session_id)]
    if len(matches) != 1:
        names = ", ".join(path.stem for path in known[-5:])
        if not matches:
            raise StoreError(N_("no session matches {id} (the latest: {names})"), id=repr(session_id), names=names)
        raise StoreError(
            N_("more than one session matches {id} (the latest: {names})"), id=repr(session_id), names=names
        )
    return Chosen(matches[0])


def _started(path: Path) -> float:
    """When a session started (its id holds only the minute), for telling the newest apart."""
    try:
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
            row = db.execute("SELECT value FROM meta WHERE key = 'created'").fetchone()
        return float(row[0])
    except (sqlite3.Error, TypeError, ValueError):
        return path.stat().st_mtime


def _newest_with_activity(known: list[Path]) -> Chosen:
    known = sorted(known, key=_started)
    skipped = 0
    for path in reversed(known):
        try:
            with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
                people, votes = db.execute(
                    "SELECT COUNT(DISTINCT participant) FILTER (WHERE kind = 'joined'),"
                    " COUNT(*) FILTER (WHERE kind = 'voted') FROM log"
                ).fetchone()
        except sqlite3.Error:
            skipped += 1
            continue
        if people or votes:
            picked = said(
                N_("picked {id}, the newest session anyone joined or voted in ({counted})"),
                id=path.stem,
                counted=_counted(path),
            )
            if skipped:
                picked = said_n(
                    Nn_(
                        "{picked}; {count} newer one had nobody in it",
                        "{picked}; {count} newer ones had nobody in them",
                    ),
                    skipped,
                    picked=picked,
                )
            return Chosen(path, picked)
        skipped += 1
    return Chosen(
        known[-1], said(N_("picked {id}, the newest session: nobody has joined any session yet"), id=known[-1].stem)
    )


def _counted(path: Path) -> Words:
    """A session's people, votes standing and changes logged, worded as `coproterm sessions` words them."""
    from coproterm.core.deck import DeckError, deck_from_data
    from coproterm.core.report import build_report

    try:
        log = read_log(path)
        report = build_report(deck_from_data(log.info.deck, path.stem), log.logged(), log.flaws)
    except (StoreError, DeckError) as error:
        return said(N_("its log cannot be read: {reason}"), reason=error.said)
    return said(
        N_("{participants}, {votes}, {changes}"),
        participants=said_n(Nn_("{count} participant", "{count} participants"), report.participants),
        votes=said_n(Nn_("{count} vote", "{count} votes"), report.votes),
        changes=said_n(Nn_("{count} change", "{count} changes"), report.changes),
    )


def read_log(path: Path) -> SessionLog:
    """A session's info and log, read-only (for resuming, listing and export).

    Rows that cannot be decoded are not fatal: they come back as flaws, named.
    """
    try:
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
            flaws: list[Flaw] = []
            info, insertions = _read_info_and_insertions(db, flaws)
            entries: list[Entry] = []
            for item in _read_entries(db):
                (entries if isinstance(item, Entry) else flaws).append(item)  # type: ignore[arg-type]
            return SessionLog(path, info, _renumbered(entries, insertions), flaws)
    except (sqlite3.Error, KeyError, ValueError) as error:
        raise StoreError(CANNOT_READ, path=str(path), reason=_reason(error)) from None


def read_session(path: Path) -> tuple[SessionInfo, list[Entry]]:
    """A session's info and its readable rows, read-only."""
    log = read_log(path)
    return log.info, log.entries


def list_sessions(directory: Path) -> Iterator[SessionLog | StoreError]:
    """Every session, oldest first; one that cannot be read at all comes as the error saying why."""
    sessions = directory / "sessions"
    for path in sorted(sessions.glob("*.sqlite3")) if sessions.is_dir() else []:
        try:
            yield read_log(path)
        except StoreError as error:
            yield error


# -- the plumbing ------------------------------------------------------------------


def _sessions_dir(directory: Path) -> Path:
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


def _lock(path: Path) -> int:
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


def _connect(path: Path) -> sqlite3.Connection:
    fresh = not path.exists()
    db = sqlite3.connect(path, check_same_thread=False, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level="DEFERRED")
    if fresh:
        os.chmod(path, 0o600)  # it holds the host token
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.executescript(SCHEMA)
    have = {row[1] for row in db.execute("PRAGMA table_info(added_log)")}
    for column in ADDED_COLUMNS:
        if column not in have:  # a log from before: its questions all went in at the end (NULL)
            db.execute(f"ALTER TABLE added_log ADD COLUMN {column} INTEGER")
    _widen_answer_log(db)
    return db


def _widen_answer_log(db: sqlite3.Connection) -> None:
    """A log from before moderation takes its rows ('waiting', 'approved'): the table is made again, rows kept."""
    row = db.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'answer_log'").fetchone()
    if row is None or "'approved'" in row[0]:
        return
    with db:
        db.execute("ALTER TABLE answer_log RENAME TO answer_log_before_moderation")
        db.execute(ANSWER_LOG)
        db.execute("INSERT INTO answer_log SELECT * FROM answer_log_before_moderation")
        db.execute("DROP TABLE answer_log_before_moderation")
        db.execute("CREATE INDEX IF NOT EXISTS answer_log_by_answer ON answer_log (question, answer)")
        db.execute("CREATE INDEX IF NOT EXISTS answer_log_by_id ON answer_log (answer)")


def _read_info(db: sqlite3.Connection) -> SessionInfo:
    return _read_info_and_insertions(db)[0]


def _read_info_and_insertions(
    db: sqlite3.Connection, flaws: list[Flaw] | None = None
) -> tuple[SessionInfo, list[Insertion]]:
    """The session's info (its deck with every question asked on the spot), and where those went in mid-deck;
    a question that cannot be read is named in ``flaws``."""
    meta = dict(db.execute("SELECT key, value FROM meta"))
    deck, insertions, damaged = _with_added(db, json.loads(meta["deck"]))
    if flaws is not None:
        flaws += damaged
    info = SessionInfo(
        id=meta["id"],
        created=float(meta["created"]),
        title=meta["title"],
        deck=deck,
        host_token=meta["host_token"],
        join_code=meta.get("join_code", ""),
    )
    return info, insertions


LogPoint = tuple[int, int, int]
"""The last row of the main log, the answers' log and the countdowns' log written before a question went in."""
Insertion = tuple[int, LogPoint]
"""Where a question went in mid-deck, and its log point."""


def _log_points(db: sqlite3.Connection, entries: list[Entry]) -> list[tuple[object, ...]]:
    """The ``added_log`` row of each question asked on the spot in this batch, with its log point: the rows before
    it in the batch count, since every table's rows are written in the batch's order (see :data:`ADDED`)."""
    if not any(isinstance(entry.event, Added) for entry in entries):
        return []
    main, answers, timers = (
        db.execute(f"SELECT COALESCE(MAX(seq), 0) FROM {table}").fetchone()[0]
        for table in ("log", "answer_log", "timer_log")
    )
    rows: list[tuple[object, ...]] = []
    for entry in entries:
        event = entry.event
        if isinstance(event, Added):
            question, scale = json.dumps(event.question), json.dumps(event.scale)
            rows.append((entry.at, question, scale, event.position, main, answers, timers))
        elif isinstance(event, Answered | Moderated | Approved):
            answers += 1
        elif isinstance(event, Timed):
            timers += 1
        elif not isinstance(event, Spoke):
            main += 1
    return rows


def _with_added(db: sqlite3.Connection, deck: dict[str, Any]) -> tuple[dict[str, Any], list[Insertion], list[Flaw]]:
    """The deck with every question asked on the spot, in order, and where each went in (see :data:`ADDED`);
    a row that cannot be read is named as a flaw."""
    if db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'added_log'").fetchone() is None:
        return deck, [], []
    have = {row[1] for row in db.execute("PRAGMA table_info(added_log)")}
    columns = ", ".join(column if column in have else "NULL" for column in ADDED_COLUMNS)
    insertions: list[Insertion] = []
    flaws: list[Flaw] = []
    for seq, question, scale, position, *point in db.execute(
        f"SELECT seq, question, scale, {columns} FROM added_log ORDER BY seq"
    ):
        count = len(deck.get("questions", ()))
        placed = position if isinstance(position, int) and 0 <= position <= count else None
        try:
            named = json.loads(scale) if scale is not None else None
            grown = with_added(deck, Added(json.loads(question), (named[0], named[1]) if named else None, placed))
            deck_from_data(grown, "an added question")
        except (ValueError, TypeError, KeyError, IndexError):
            # A damaged row: a placeholder takes its place, so every later question keeps the number the room
            # knew it by and the rows on them land where they were cast (rows on the question itself are refused
            # by its kind or kept on it, and named there).
            grown = with_added(deck, Added(dict(UNREADABLE_QUESTION), None, placed))
            flaws.append(
                Flaw(
                    ADDED_ROW + seq,
                    said(
                        N_("the question asked on the spot in row {row} cannot be read; a placeholder keeps its place"),
                        row=seq,
                    ),
                )
            )
        deck = grown
        if placed is not None and placed < count and all(isinstance(n, int) for n in point):
            insertions.append((placed, (point[0], point[1], point[2])))
    return deck, insertions, flaws


ADDED_ROW = 4_000_000_000
"""Rows of questions asked on the spot are numbered from here in flaws, apart from the other logs' rows."""
UNREADABLE_QUESTION: dict[str, Any] = {
    "prompt": "A question asked on the spot (the log cannot read it)",
    "prompt_cy": "Cwestiwn a ofynnwyd yn y fan a'r lle (ni all y cofnod ei ddarllen)",
    "added": True,
    "answers": "text",
}
"""What stands in a resumed deck for a question asked on the spot whose row is damaged: it keeps its place."""


def _renumbered(entries: list[Entry], insertions: list[Insertion]) -> list[Entry]:
    """Rows logged before a question went in, numbered as the deck is now: each insertion in the order it was made
    moves the questions from its place on up one, in the rows before its log point."""
    if not insertions:
        return entries
    out = []
    for entry in entries:
        event, row = entry.event, entry.row
        if isinstance(event, Voted | Commanded | Answered | Moderated | Approved | Timed) and isinstance(
            event.question, int
        ):
            table, seq = (
                (2, row - TIMER_ROW) if row >= TIMER_ROW else (1, row - ANSWER_ROW) if row >= ANSWER_ROW else (0, row)
            )
            question = event.question
            for position, point in insertions:
                if seq <= point[table]:
                    question = renumbered(question, position)
            if question != event.question:
                entry = replace(entry, event=replace(event, question=question))
        out.append(entry)
    return out


def _readable(rows: Iterable[tuple[Any, ...]], damage: list[Flaw], lost: str, first_row: int = 0) -> Iterator[Any]:
    """The rows SQLite can still read, in order; at file-level damage (a zeroed or missing page) stop there,
    keeping every row before it, and say so in ``damage``."""
    last = 0
    try:
        for row in rows:
            last = row[0]
            yield row
    except sqlite3.DatabaseError as error:
        damage.append(Flaw(first_row + last + 1, said(lost, row=last, reason=_reason(error))))


def _read_entries(db: sqlite3.Connection) -> Iterator[Entry | Flaw]:
    damage: list[Flaw] = []
    rows: Iterable[tuple[Any, ...]] = ()
    try:
        rows = db.execute(
            "SELECT seq, at, kind, participant, question, choice, action, token, name FROM log ORDER BY seq"
        )
    except sqlite3.DatabaseError as error:
        damage.append(
            Flaw(1, said(N_("the file is damaged: no row of its log can be read ({reason})"), reason=_reason(error)))
        )
    for seq, at, kind, participant, question, choice, action, token, name in _readable(rows, damage, LOST_AFTER_LOG):
        if not isinstance(at, int | float):
            yield Flaw(seq, said(NOT_A_TIME, at=repr(at)))
        elif kind == "joined":
            if not isinstance(token, bytes | str) or not isinstance(name, str):
                yield Flaw(
                    seq, said(N_("participant {number} joined with no usable token or name"), number=repr(participant))
                )
            else:
                yield Entry(
                    at, Joined(participant, bytes(token, "utf-8") if isinstance(token, str) else token, name), seq
                )
        elif kind == "voted":
            yield Entry(at, Voted(participant, question, choice), seq)
        elif kind == "commanded":
            try:
                yield Entry(at, Commanded(Action(action), question), seq)
            except ValueError:
                yield Flaw(seq, said(N_("a command with the unknown action {action}"), action=repr(action)))
        else:
            yield Flaw(seq, said(N_("an entry of the unknown kind {kind}"), kind=repr(kind)))
    yield from damage
    yield from _read_answer_entries(db)
    yield from _read_language_entries(db)
    yield from _read_timer_entries(db)
    yield from _read_agreement_entries(db)


AGREEMENT_ROW = 4_000_000_000
"""Agreement rows are numbered from here in reports and flaws, apart from the other logs' rows."""


def _agreement_row(entry: Entry) -> tuple[object, ...]:
    event = entry.event
    if isinstance(event, Agreeing):
        return (entry.at, "opened" if event.open else "closed", None, event.question, None, None, event.seed)
    assert isinstance(event, Marked)
    return (entry.at, "marked", event.participant, event.question, event.answer, int(event.stance), None)


def _read_agreement_entries(db: sqlite3.Connection) -> Iterator[Entry | Flaw]:
    """Agreement rounds and their marks (none in a log from before them): replayed after the answers they
    mark, in their own order; a round's seed comes back with it, so each participant's order does too."""
    if db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'agreement_log'").fetchone() is None:
        return
    damage: list[Flaw] = []
    rows = db.execute(
        "SELECT seq, at, kind, participant, question, answer, stance, seed FROM agreement_log ORDER BY seq"
    )
    for seq, at, kind, participant, question, answer, stance, seed in _readable(
        rows, damage, "agreement", AGREEMENT_ROW
    ):
        row = AGREEMENT_ROW + seq
        if not isinstance(at, int | float) or not isinstance(question, int) or question < 0:
            yield Flaw(
                row,
                said(
                    N_("agreement row {row}: {kind} on question {question} at {at}"),
                    row=seq,
                    kind=f"{kind!r:.20}",
                    question=repr(question),
                    at=repr(at),
                ),
            )
        elif kind in ("opened", "closed"):
            if not isinstance(seed, bytes):
                yield Flaw(row, said(N_("agreement row {row}: a round with no usable seed"), row=seq))
            else:
                yield Entry(at, Agreeing(question, kind == "opened", seed), row)
        elif kind == "marked" and isinstance(participant, int) and isinstance(answer, int) and stance in (0, 1, 2):
            yield Entry(at, Marked(participant, question, answer, Stance(stance)), row)
        else:
            yield Flaw(
                row,
                said(
                    N_("agreement row {row}: {kind} by participant {number} of answer {answer} as {stance}"),
                    row=seq,
                    kind=f"{kind!r:.20}",
                    number=repr(participant),
                    answer=repr(answer),
                    stance=repr(stance),
                ),
            )
    yield from damage


NOT_A_TIME = N_("its time is {at}, not a number")
"""A row whose time cannot be read."""
LOST_AFTER_LOG = N_("the file is damaged after log row {row} ({reason}): rows after it are lost")
LOST_AFTER_ANSWER = N_("the file is damaged after answer row {row} ({reason}): rows after it are lost")
"""File-level damage part of the way through the main log, or through the answers' log."""

TIMER_ROW = 3_000_000_000
"""Countdown rows are numbered from here in reports and flaws, apart from the other logs' rows."""


def _read_timer_entries(db: sqlite3.Connection) -> Iterator[Entry | Flaw]:
    """The countdowns (none in a log from before them): replayed last, in order; the locks they caused
    are commands in the main log, so a countdown's own rows change nothing else."""
    if db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'timer_log'").fetchone() is None:
        return
    rows = db.execute("SELECT seq, at, question, seconds, deadline, locks, ended FROM timer_log ORDER BY seq")
    for seq, at, question, seconds, deadline, locks, ended in rows:
        numbers = (question, seconds, locks, ended)
        if (
            not isinstance(at, int | float)
            or not isinstance(deadline, int | float)
            or not all(isinstance(n, int) and n >= 0 for n in numbers)
        ):
            yield Flaw(
                TIMER_ROW + seq,
                said(
                    N_("timer row {row}: question {question}, {seconds} s, ends {deadline}"),
                    row=seq,
                    question=repr(question),
                    seconds=repr(seconds),
                    deadline=repr(deadline),
                ),
            )
        else:
            yield Entry(at, Timed(question, seconds, float(deadline), bool(locks), bool(ended)), TIMER_ROW + seq)


LANGUAGE_ROW = 2_000_000_000
"""Language rows are numbered from here in reports and flaws, apart from the other logs' rows."""


def _read_language_entries(db: sqlite3.Connection) -> Iterator[Entry | Flaw]:
    """The languages participants chose (none in a log from before Welsh): replayed last, they depend on joining only."""
    if db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'language_log'").fetchone() is None:
        return
    for seq, at, participant, language in db.execute(
        "SELECT seq, at, participant, language FROM language_log ORDER BY seq"
    ):
        if not isinstance(at, int | float) or language not in LANGUAGE_CODES or not isinstance(participant, int):
            yield Flaw(
                LANGUAGE_ROW + seq,
                said(
                    N_("language row {row}: participant {number} chose {language} at {at}"),
                    row=seq,
                    number=repr(participant),
                    language=f"{language!r:.20}",
                    at=repr(at),
                ),
            )
        else:
            yield Entry(at, Spoke(participant, language), LANGUAGE_ROW + seq)


def _read_answer_entries(db: sqlite3.Connection) -> Iterator[Entry | Flaw]:
    """The written answers' rows (none in a log from before they existed), named ``answer row N`` when damaged."""
    if db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'answer_log'").fetchone() is None:
        return
    damage: list[Flaw] = []
    rows = db.execute("SELECT seq, at, kind, participant, question, slot, answer, text FROM answer_log ORDER BY seq")
    for seq, at, kind, participant, question, slot, answer, text in _readable(
        rows, damage, LOST_AFTER_ANSWER, ANSWER_ROW
    ):
        row = ANSWER_ROW + seq
        if not isinstance(at, int | float):
            yield Flaw(row, said(N_("answer row {row}: {problem}"), row=seq, problem=said(NOT_A_TIME, at=repr(at))))
        elif kind in ("answered", "waiting") and isinstance(text, str):
            yield Entry(at, Answered(participant, question, slot, answer, text, kind == "waiting"), row)
        elif kind == "approved":
            yield Entry(at, Approved(question, answer), row)
        elif kind == "unanswered":
            yield Entry(at, Answered(participant, question, slot, answer, None), row)
        elif kind in ANSWER_KINDS:
            yield Entry(at, Moderated(question, answer, ANSWER_KINDS[kind]), row)
        else:
            yield Flaw(
                row,
                said(
                    N_("answer row {row}: an entry of the kind {kind} with the text {text}"),
                    row=seq,
                    kind=repr(kind),
                    text=f"{text!r:.40}",
                ),
            )
    yield from damage


ANSWER_ROW = 1_000_000_000
"""Answer rows are numbered from here in reports and flaws, apart from the main log's rows."""


def _forget_old_versions(db: sqlite3.Connection, answers: set[int]) -> None:
    """Delete the versions of these answers between their first and their latest :data:`ANSWER_HISTORY`.

    Replaying the rest rebuilds the same session: an answer's state is its latest version and the
    moderation rows (kept), and nothing else depends on the text it had on the way.
    """
    for answer in answers:  # by its id alone: a question asked on the spot renumbers its rows, not its id
        db.execute(
            "DELETE FROM answer_log WHERE answer = ?1 AND kind IN ('answered', 'unanswered', 'waiting')"
            " AND seq > (SELECT MIN(seq) FROM answer_log WHERE answer = ?1)"
            " AND seq < (SELECT MIN(seq) FROM (SELECT seq FROM answer_log WHERE answer = ?1"
            " AND kind IN ('answered', 'unanswered', 'waiting') ORDER BY seq DESC LIMIT ?2))",
            (answer, ANSWER_HISTORY),
        )


def _answer_row(entry: Entry) -> tuple[object, ...]:
    event = entry.event
    if isinstance(event, Moderated):
        return (entry.at, "hidden" if event.hidden else "shown", None, event.question, None, event.answer, None)
    if isinstance(event, Approved):
        return (entry.at, "approved", None, event.question, None, event.answer, None)
    assert isinstance(event, Answered)
    kind = "unanswered" if event.text is None else "waiting" if event.waiting else "answered"
    return (entry.at, kind, event.participant, event.question, event.slot, event.answer, event.text)


def _row(entry: Entry) -> tuple[object, ...]:
    event = entry.event
    match event:
        case Joined():
            return (
                entry.at,
                "joined",
                event.participant,
                None,
                None,
                None,
                event.token,
                event.name,
            )
        case Voted():
            return (
                entry.at,
                "voted",
                event.participant,
                event.question,
                event.choice,
                None,
                None,
                None,
            )
        case Commanded():
            return (
                entry.at,
                "commanded",
                None,
                event.question,
                None,
                int(event.action),
                None,
                None,
            )
        case _:
            raise TypeError(f"{type(event).__name__} is logged in a table of its own")


def _reason(error: BaseException) -> Words:
    """Why SQLite (or the system) failed, in catalog words: the reasons a facilitator can act on."""
    text = str(error)
    if "disk is full" in text or "database or disk is full" in text:
        return Words(DISK_FULL)
    if "readonly" in text or "read-only" in text:
        return Words(READ_ONLY)
    if "locked" in text:
        return Words(LOCKED)
    if isinstance(error, OSError):
        return os_reason(error)
    if isinstance(error, sqlite3.DatabaseError):
        return Words(N_("the file is not a session log, or it is damaged"))
    return said(N_("an error ({kind})"), kind=type(error).__name__)
