"""Version 0 to version 1: a log with a table for each kind of event becomes one ``events`` table in log order.

Version 0 (every release before the schema version) kept the main log (joins, votes, commands) in
``log`` and the rest in tables of their own (``answer_log``, ``language_log``, ``timer_log``,
``agreement_log``, and ``added_log`` for questions asked on the spot, each with the last row of the
main, answers' and countdowns' tables written before it: its *log point*). A log of a release from
before one of them lacks that table, or some of ``added_log``'s columns.

The migration copies every row as it is (a damaged row stays damaged, and is named when read), in
the order the session accepted them: by time, a question asked on the spot after the rows its log
point counts and before the rest, and in one batch (one time) a countdown before the command it
caused, a command before the answers it took back. It writes them, drops the old tables and sets
the schema version in one transaction: if anything fails, the file is as it was, and the error says
so in the reader's language.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from coproterm.core.i18n import N_
from coproterm.server.store.errors import StoreError, reason
from coproterm.server.store.rows import FIELDS
from coproterm.server.store.schema import SCHEMA, VERSION

OLD_TABLES = ("log", "answer_log", "language_log", "timer_log", "agreement_log", "added_log")
RANK = {"timer_log": 0, "log": 1, "answer_log": 2, "language_log": 3, "agreement_log": 4}
"""Within one batch (one time), the order the session made its events in (see the module's text)."""
POINTED = ("log", "answer_log", "timer_log")
"""The tables a question asked on the spot names its log point in, in the order of its columns."""
NOT_MIGRATED = N_("cannot bring the session log {path} up to date: {reason}; the file is left as it was")

Row = tuple[Any, str, int | None, str]
"""An ``events`` row: time, kind, answer, fields (JSON)."""


def migrate(db: sqlite3.Connection, path: Path | str) -> None:
    """Rewrite a version 0 log open in ``db`` to this release's layout, in one transaction (or raise
    :class:`StoreError`, the file untouched)."""
    try:
        rows = ordered(db)
        db.execute("BEGIN IMMEDIATE")
        try:
            for statement in SCHEMA.split(";"):
                if statement.strip():
                    db.execute(statement)
            db.executemany("INSERT INTO events (at, kind, answer, fields) VALUES (?, ?, ?, ?)", rows)
            for table in OLD_TABLES:
                db.execute(f"DROP TABLE IF EXISTS {table}")
            db.execute(f"PRAGMA user_version = {VERSION}")
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:  # (SQLite may have rolled it back itself: a full disk at the commit)
                with contextlib.suppress(sqlite3.Error):
                    db.execute("ROLLBACK")
            raise
    except sqlite3.Error as error:
        raise StoreError(NOT_MIGRATED, path=str(path), reason=reason(error)) from None


def ordered(db: sqlite3.Connection) -> list[Row]:
    """Every row of a version 0 log as an ``events`` row, in log order (see the module's text)."""
    have = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    added = list(_added(db)) if "added_log" in have else []
    keyed: list[tuple[tuple[Any, ...], Row]] = []
    for table in RANK:
        if table not in have:
            continue
        for seq, at, kind, answer, fields in _rows(db, table):
            epoch = sum(1 for a in added if _after(table, seq, at, a))
            keyed.append(((epoch, 0, _time(at), RANK[table], seq), (at, kind, answer, fields)))
    for index, (_, at, fields, _point) in enumerate(added):
        keyed.append(((index, 1, 0.0, 0, 0), (at, "added", None, fields)))
    keyed.sort(key=lambda item: item[0])
    return [row for _, row in keyed]


def _time(at: object) -> float:
    return float(at) if isinstance(at, int | float) else float("-inf")


Added = tuple[int, Any, str, tuple[Any, Any, Any]]


def _after(table: str, seq: int, at: object, added: Added) -> bool:
    """Whether a row was written after a question asked on the spot: by its log point where it has one."""
    point = added[3]
    if table in POINTED and isinstance(point[POINTED.index(table)], int):
        return bool(seq > point[POINTED.index(table)])
    return _time(at) > _time(added[1])


def _added(db: sqlite3.Connection) -> Iterator[Added]:
    have = {row[1] for row in db.execute("PRAGMA table_info(added_log)")}
    columns = ", ".join(c if c in have else "NULL" for c in ("position", "log_point", "answer_point", "timer_point"))
    for seq, at, question, scale, position, *point in db.execute(
        f"SELECT seq, at, question, scale, {columns} FROM added_log ORDER BY seq"
    ):
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
        query = "SELECT seq, at, kind, participant, question, choice, action, token, name FROM log ORDER BY seq"
        for seq, at, kind, participant, question, choice, action, token, name in db.execute(query):
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
        query = "SELECT seq, at, kind, participant, question, slot, answer, text FROM answer_log ORDER BY seq"
        for seq, at, kind, participant, question, slot, answer, text in db.execute(query):
            if kind in ("hidden", "shown", "approved"):
                fields = {"question": question, "answer": answer}
            else:
                fields = {"participant": participant, "question": question, "slot": slot, "answer": answer}
                if kind != "unanswered":
                    fields["text"] = text
            yield seq, at, str(kind), answer if isinstance(answer, int) else None, _dumps(fields, kind)
    elif table == "language_log":
        for seq, at, participant, language in db.execute(
            "SELECT seq, at, participant, language FROM language_log ORDER BY seq"
        ):
            yield seq, at, "spoke", None, _dumps({"participant": participant, "language": language}, "spoke")
    elif table == "timer_log":
        for seq, at, question, seconds, deadline, locks, ended in db.execute(
            "SELECT seq, at, question, seconds, deadline, locks, ended FROM timer_log ORDER BY seq"
        ):
            fields = {"question": question, "seconds": seconds, "deadline": deadline, "locks": locks, "ended": ended}
            yield seq, at, "timed", None, _dumps(fields, "timed")
    else:
        for seq, at, kind, participant, question, answer, stance, seed in db.execute(
            "SELECT seq, at, kind, participant, question, answer, stance, seed FROM agreement_log ORDER BY seq"
        ):
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
