"""Version 0 to version 1: a log with a table for each kind of event becomes one ``events`` table in log order.

Version 0 (every release before the schema version) kept the main log (joins, votes, commands) in
``log`` and the rest in tables of their own (``answer_log``, ``language_log``, ``timer_log``,
``agreement_log``, and ``added_log`` for questions asked on the spot, each with the last row of the
main, answers' and countdowns' tables written before it: its *log point*). A log of a release from
before one of them lacks that table, or some of ``added_log``'s columns.

The migration copies every row as it is (a damaged row stays damaged, and is named when read), in
the order the session accepted them. Each old table keeps its own order (``seq``, in which it was
written): time only interleaves the tables (:func:`heapq.merge`, which never reorders one table's
rows), so a wall clock stepped back mid-session reorders nothing; a row whose time is not a number
keeps its place in its table. A question asked on the spot goes after the rows its log point
counts and before the rest, and in one batch (one time) a countdown goes before the command it
caused, a command before the answers it took back. It writes them, drops the old tables and sets
the schema version in one transaction: if anything fails, the file is as it was, and the error says
so in the reader's language.

A file damaged in an old table (a zeroed page) keeps that table's rows before the damage, as the
release that wrote it did: they are migrated with the rest, and where the damage was is kept in
``meta`` (:data:`DAMAGED`), so every reading after names it as the new layout's damage is named.
"""

from __future__ import annotations

import contextlib
import heapq
import json
import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from coproterm.core.i18n import N_
from coproterm.core.problems import Words
from coproterm.server.store.errors import StoreError, reason
from coproterm.server.store.rows import FIELDS
from coproterm.server.store.schema import SCHEMA, VERSION, in_order

OLD_TABLES = ("log", "answer_log", "language_log", "timer_log", "agreement_log", "added_log")
RANK = {"timer_log": 0, "log": 1, "answer_log": 2, "language_log": 3, "agreement_log": 4}
"""Within one batch (one time), the order the session made its events in (see the module's text)."""
POINTED = ("log", "answer_log", "timer_log")
"""The tables a question asked on the spot names its log point in, in the order of its columns."""
NOT_MIGRATED = N_("cannot bring the session log {path} up to date: {reason}; the file is left as it was")
DAMAGED = "damaged"
"""The ``meta`` key of the damage a version 0 file had when it was migrated: a JSON list of ``[row, reason,
values]``, ``row`` the last ``events`` row read from the damaged table (0: none), ``reason`` and ``values``
the catalog words saying why (:func:`noted` reads it back)."""

Row = tuple[Any, str, int | None, str]
"""An ``events`` row: time, kind, answer, fields (JSON)."""
Damage = tuple[int, Words]
"""Damage to an old table: the last ``events`` row read from it (0: none), and why it could read no further."""
T = TypeVar("T")
Added = tuple[int, Any, str, tuple[Any, Any, Any]]
"""A question asked on the spot: its row, time, fields (JSON) and log point."""


def migrate(db: sqlite3.Connection, path: Path | str) -> None:
    """Rewrite a version 0 log open in ``db`` to this release's layout, in one transaction (or raise
    :class:`StoreError`, the file untouched). A damaged table's rows before the damage are kept, the damage
    noted in ``meta`` (:data:`DAMAGED`)."""
    try:
        rows, damage = ordered(db)
        kept = set(damage)
        while True:
            try:
                _rewrite(db, rows, damage, kept)
                return
            except _Undroppable as undroppable:  # (damage in its index, say: its rows were all read)
                kept.add(undroppable.table)
    except sqlite3.Error as error:
        raise StoreError(NOT_MIGRATED, path=str(path), reason=reason(error)) from None


class _Undroppable(Exception):
    """An old table whose pages cannot be freed for damage: the transaction is undone, to be done again with
    the table left in the file (unread)."""

    def __init__(self, table: str) -> None:
        super().__init__(table)
        self.table = table


def _rewrite(db: sqlite3.Connection, rows: list[Row], damage: dict[str, Damage], kept: set[str]) -> None:
    """The migration's one transaction: the new layout, its rows, the damage noted, the old tables dropped but
    ``kept`` (a damaged table: dropping it reads its damaged pages, and SQLite then refuses the transaction)."""
    db.execute("BEGIN IMMEDIATE")
    try:
        for statement in SCHEMA.split(";"):
            if statement.strip():
                db.execute(statement)
        db.executemany("INSERT INTO events (at, kind, answer, fields) VALUES (?, ?, ?, ?)", rows)
        if damage:
            db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (DAMAGED, note(list(damage.values()))))
        for table in OLD_TABLES:
            if table not in kept:
                try:
                    db.execute(f"DROP TABLE IF EXISTS {table}")
                except sqlite3.OperationalError:
                    raise
                except sqlite3.DatabaseError:
                    raise _Undroppable(table) from None
        db.execute(f"PRAGMA user_version = {VERSION}")
        db.execute("COMMIT")
    except BaseException:
        if db.in_transaction:  # (SQLite may have rolled it back itself: a full disk at the commit)
            with contextlib.suppress(sqlite3.Error):
                db.execute("ROLLBACK")
        raise


def ordered(db: sqlite3.Connection) -> tuple[list[Row], dict[str, Damage]]:
    """Every readable row of a version 0 log as an ``events`` row, in log order (see the module's text), and the
    damage that ended the reading of a table, by table."""
    have = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    why: dict[str, Words] = {}
    added = _salvaged(_added(db), "added_log", why) if "added_log" in have else []
    streams: list[Iterable[tuple[tuple[Any, ...], str, Row]]] = [
        _keyed(table, _salvaged(_rows(db, table), table, why), added) for table in RANK if table in have
    ]
    streams.append(
        ((index, 1, 0.0, 0), "added_log", (at, "added", None, fields)) for index, (_, at, fields, _) in enumerate(added)
    )
    rows: list[Row] = []
    last: dict[str, int] = {}
    for _, table, row in heapq.merge(*streams, key=lambda item: item[0]):
        rows.append(row)
        last[table] = len(rows)
    return rows, {table: (last.get(table, 0), words) for table, words in why.items()}


def _salvaged(rows: Iterator[T], table: str, why: dict[str, Words]) -> list[T]:
    """A table's rows up to any damage to the file (named in ``why``); an error that is not damage (a lock, a
    failed read) is raised, so nothing is lost for it."""
    kept: list[T] = []
    try:
        for row in rows:
            kept.append(row)
    except sqlite3.OperationalError:
        raise
    except sqlite3.DatabaseError as error:
        why[table] = reason(error)
    return kept


def _keyed(
    table: str, rows: list[tuple[int, Any, str, int | None, str]], added: list[Added]
) -> Iterator[tuple[tuple[Any, ...], str, Row]]:
    """A table's rows in its own order, each with its place among the other tables': the questions asked on the
    spot before it (never fewer than before the row above it), its time (a time that is not a number: the one
    above it) and its rank in a batch."""
    epoch = 0
    time = float("-inf")
    for seq, at, kind, answer, fields in rows:
        if isinstance(at, int | float) and not isinstance(at, bool):
            time = float(at)
        epoch = max(epoch, sum(1 for a in added if _after(table, seq, time, a)))
        yield (epoch, 0, time, RANK[table]), table, (at, kind, answer, fields)


def note(damage: list[Damage]) -> str:
    """Damage as :data:`DAMAGED` keeps it."""
    return json.dumps(
        [[row, words.message, [[name, str(value)] for name, value in words.values]] for row, words in damage],
        ensure_ascii=False,
    )


def noted(text: str) -> list[Damage]:
    """Damage as :data:`DAMAGED` kept it."""
    return [
        (int(row), Words(str(message), tuple((str(n), v) for n, v in values)))
        for row, message, values in json.loads(text)
    ]


def _time(at: object) -> float:
    return float(at) if isinstance(at, int | float) else float("-inf")


def _after(table: str, seq: int, time: float, added: Added) -> bool:
    """Whether a row was written after a question asked on the spot: by its log point where it has one."""
    point = added[3]
    if table in POINTED and isinstance(point[POINTED.index(table)], int):
        return bool(seq > point[POINTED.index(table)])
    return time > _time(added[1])


def _added(db: sqlite3.Connection) -> Iterator[Added]:
    have = {row[1] for row in db.execute("PRAGMA table_info(added_log)")}
    columns = ", ".join(c if c in have else "NULL" for c in ("position", "log_point", "answer_point", "timer_point"))
    for seq, at, question, scale, position, *point in in_order(db, "added_log", f"seq, at, question, scale, {columns}"):
        fields = {"question": _json(question), "scale": _json(scale), "position": position}
        yield seq, at, _dumps(fields, "added"), (point[0], point[1], point[2])


def _json(text: object) -> Any:
    """A JSON column's value; one that does not parse is kept as its text (and named when read)."""
    if text is None:
        return None
    try:
        return json.loads(text) if isinstance(text, str | bytes) else text
    except ValueError:
        return text


def _rows(db: sqlite3.Connection, table: str) -> Iterator[tuple[int, Any, str, int | None, str]]:
    if table == "log":
        query = "seq, at, kind, participant, question, choice, action, token, name"
        for seq, at, kind, participant, question, choice, action, token, name in in_order(db, table, query):
            if kind == "joined":
                fields: dict[str, Any] = {"participant": participant, "token": _hex(token), "name": name}
            elif kind == "voted":
                fields = {"participant": participant, "question": question, "choice": choice}
            elif kind == "commanded":
                fields = {"question": question, "action": action}
            else:
                fields = {"participant": participant, "question": question, "choice": choice, "action": action}
            yield seq, at, str(kind), None, _dumps(fields, kind)
    elif table == "answer_log":
        query = "seq, at, kind, participant, question, slot, answer, text"
        for seq, at, kind, participant, question, slot, answer, text in in_order(db, table, query):
            if kind in ("hidden", "shown", "approved"):
                fields = {"question": question, "answer": answer}
            else:
                fields = {"participant": participant, "question": question, "slot": slot, "answer": answer}
                if kind != "unanswered":
                    fields["text"] = text
            yield seq, at, str(kind), answer if isinstance(answer, int) else None, _dumps(fields, kind)
    elif table == "language_log":
        for seq, at, participant, language in in_order(db, table, "seq, at, participant, language"):
            yield seq, at, "spoke", None, _dumps({"participant": participant, "language": language}, "spoke")
    elif table == "timer_log":
        query = "seq, at, question, seconds, deadline, locks, ended"
        for seq, at, question, seconds, deadline, locks, ended in in_order(db, table, query):
            fields = {"question": question, "seconds": seconds, "deadline": deadline, "locks": locks, "ended": ended}
            yield seq, at, "timed", None, _dumps(fields, "timed")
    else:
        query = "seq, at, kind, participant, question, answer, stance, seed"
        for seq, at, kind, participant, question, answer, stance, seed in in_order(db, table, query):
            if kind in ("opened", "closed"):
                fields = {"question": question, "seed": _hex(seed)}
            else:
                fields = {"participant": participant, "question": question, "answer": answer, "stance": stance}
            yield seq, at, str(kind), None, _dumps(fields, kind)


def _hex(value: object) -> str | None:
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, str):
        return value.encode().hex()
    return None


def _plain(value: object) -> object:
    return value.hex() if isinstance(value, bytes) else value


def _dumps(fields: dict[str, Any], kind: object = None) -> str:
    """A row's fields as this release writes them: in its kind's order (:data:`~.rows.FIELDS`); a kind no release
    wrote keeps them by name, to be named as it is when read."""
    if isinstance(kind, str) and kind in FIELDS:
        return json.dumps(
            [_plain(fields.get(name)) for name in FIELDS[kind]], ensure_ascii=False, separators=(",", ":")
        )
    return json.dumps({k: _plain(v) for k, v in fields.items()}, ensure_ascii=False, separators=(",", ":"))
