"""Reading a session's log back: for resuming it, listing it and exporting it.

The rows come back in log order. Questions asked on the spot are folded into the session's deck
(``SessionInfo.deck``), in the order they were asked, and each row logged before one went in is
renumbered as the deck is now (:func:`renumbered`), so a resumed session, the report and the exports
all read today's numbers. Rows that cannot be decoded are not fatal: they come back as flaws, named;
file-level damage (a zeroed page) keeps every row before it, and so does damage a version 0 file had when it
was migrated (kept in ``meta``, named in the same words).
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from coproterm.core.asked import renumbered as moved_up
from coproterm.core.asked import with_added
from coproterm.core.deck import deck_from_data
from coproterm.core.events import (
    Added,
    Agreeing,
    Answered,
    Approved,
    Commanded,
    Event,
    Marked,
    Moderated,
    Timed,
    Voted,
)
from coproterm.core.i18n import N_
from coproterm.core.log_check import Flaw
from coproterm.core.problems import said
from coproterm.server.store.errors import CANNOT_READ, StoreError, reason
from coproterm.server.store.migration import DAMAGED, migrate, noted
from coproterm.server.store.rows import ADDED_UNREADABLE, Entry, decoded
from coproterm.server.store.schema import in_order, version


@dataclass(frozen=True, slots=True)
class SessionInfo:
    """What identifies a session and lets it be hosted again."""

    id: str
    created: float
    title: str
    deck: dict[str, Any]
    """The deck in its plain form (with every question asked on the spot), so a resumed session needs no deck file."""
    host_token: str
    join_code: str = ""


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


UNREADABLE_QUESTION: dict[str, Any] = {
    "prompt": "A question asked on the spot (the log cannot read it)",
    "prompt_cy": "Cwestiwn a ofynnwyd yn y fan a'r lle (ni all y cofnod ei ddarllen)",
    "added": True,
    "answers": "text",
}
"""What stands in a resumed deck for a question asked on the spot whose row is damaged: it keeps its place."""
LOST_AFTER_LOG = N_("the file is damaged after log row {row} ({reason}): rows after it are lost")
NUMBERED = Voted | Commanded | Answered | Moderated | Approved | Timed | Agreeing | Marked
"""The events that name a question by its number (renumbered when a question goes in before it)."""


def read_log(path: Path) -> SessionLog:
    """A session's info and log, read-only (a log of an older layout is migrated in memory, the file untouched)."""
    try:
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
            if version(db, path) == 0:
                with contextlib.closing(sqlite3.connect(":memory:", isolation_level=None)) as memory:
                    db.backup(memory)
                    migrate(memory, path)
                    return read_open(memory, path)
            return read_open(db, path)
    except (sqlite3.Error, KeyError, ValueError) as error:
        raise StoreError(CANNOT_READ, path=str(path), reason=reason(error)) from None


def read_open(db: sqlite3.Connection, path: Path) -> SessionLog:
    """A session's info and log from an open database of this release's layout."""
    meta = dict(db.execute("SELECT key, value FROM meta"))
    flaws: list[Flaw] = []
    entries: list[Entry] = []
    deck: dict[str, Any] = json.loads(meta["deck"])
    for item in _read_rows(db):
        if isinstance(item, Flaw):
            flaws.append(item)
        elif isinstance(item.event, Added):
            deck = _with_question_added(deck, item, entries, flaws)
        else:
            entries.append(item)
    for row, why in noted(meta[DAMAGED]) if DAMAGED in meta else ():  # a version 0 file damaged when migrated
        flaws.append(Flaw(row + 1, said(LOST_AFTER_LOG, row=row, reason=why)))
    info = SessionInfo(
        id=meta["id"],
        created=float(meta["created"]),
        title=meta["title"],
        deck=deck,
        host_token=meta["host_token"],
        join_code=meta.get("join_code", ""),
    )
    return SessionLog(path, info, entries, flaws)


def _with_question_added(deck: dict[str, Any], entry: Entry, before: list[Entry], flaws: list[Flaw]) -> dict[str, Any]:
    """The deck with a question asked on the spot in it; the rows before it renumbered (in place) as it moved the
    questions from its place on up one. A damaged row gets a placeholder, so later questions keep their numbers."""
    event = entry.event
    assert isinstance(event, Added)
    count = len(deck.get("questions", ()))
    placed = event.position if event.position is not None and event.position <= count else None
    try:
        grown = with_added(deck, replace(event, position=placed))
        deck_from_data(grown, "an added question")
    except (ValueError, TypeError, KeyError, IndexError):
        grown = with_added(deck, Added(dict(UNREADABLE_QUESTION), None, placed))
        flaws.append(Flaw(entry.row, said(ADDED_UNREADABLE)))
    if placed is not None and placed < count:
        for index, earlier in enumerate(before):
            moved = renumbered(earlier.event, placed)
            if moved is not earlier.event:
                before[index] = replace(earlier, event=moved)
    return grown


def renumbered(event: Event, position: int) -> Event:
    """An event logged before a question went in at ``position``, naming the questions as they are numbered after."""
    if isinstance(event, NUMBERED) and isinstance(event.question, int):
        question = moved_up(event.question, position)
        if question != event.question:
            return replace(event, question=question)
    return event


def _read_rows(db: sqlite3.Connection) -> Iterator[Entry | Flaw]:
    last = 0
    try:
        for seq, at, kind, fields in in_order(db, "events", "seq, at, kind, fields"):
            last = seq
            yield decoded(seq, at, kind, fields)
    except sqlite3.DatabaseError as error:  # (read-only: whatever stops the reading is named, nothing is lost by it)
        if not last:
            yield Flaw(
                1, said(N_("the file is damaged: no row of its log can be read ({reason})"), reason=reason(error))
            )
        else:
            yield Flaw(last + 1, said(LOST_AFTER_LOG, row=last, reason=reason(error)))


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
