"""The session log opened for writing: a new file gets this release's layout (:mod:`.schema`), an older
one is migrated to it (:mod:`.migration`), which builds on the layout; so the opening lives apart from both."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from coproterm.server.store.migration import migrate
from coproterm.server.store.schema import SCHEMA, VERSION, version

BUSY_TIMEOUT_MS = 2000


def connect(path: Path) -> sqlite3.Connection:
    """The log open for writing (WAL, ``synchronous=FULL``), in this release's layout: a new file gets it, an
    older one is migrated to it in one transaction (raises :class:`StoreError` if it cannot be)."""
    fresh = not path.exists()
    db = sqlite3.connect(path, check_same_thread=False, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level="DEFERRED")
    try:
        if fresh:
            os.chmod(path, 0o600)  # it holds the host token
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=FULL")
        if fresh or version(db, path) == VERSION:
            with db:
                db.executescript(SCHEMA)
                db.execute(f"PRAGMA user_version = {VERSION}")
        else:
            migrate(db, path)
    except BaseException:
        db.close()
        raise
    return db
