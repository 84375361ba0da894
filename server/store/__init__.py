"""The session log: every accepted change in SQLite, in the order it was accepted, before anyone hears "accepted".

- :mod:`.schema`: the file's tables and schema version, opening it for writing, the lock.
- :mod:`.rows`: one event as one row of the ``events`` table, and back (a damaged row named).
- :mod:`.migration`: a log of the layout before the schema version, rewritten to this one.
- :mod:`.writing`: :class:`SessionStore`, the group-commit writer.
- :mod:`.reading`: a session read back for resuming, listing and export.
- :mod:`.finding`: where sessions live and which one a choice names.
- :mod:`.errors`: why the log cannot be read or written, in the reader's language.
"""

from __future__ import annotations

from coproterm.server.choosing import NEWEST
from coproterm.server.store.errors import StoreError
from coproterm.server.store.finding import Chosen, choose_session, data_dir, find_session, new_session_id
from coproterm.server.store.reading import SessionInfo, SessionLog, list_sessions, read_log, read_session
from coproterm.server.store.rows import Entry
from coproterm.server.store.schema import VERSION
from coproterm.server.store.writing import ANSWER_HISTORY, SessionStore

__all__ = [
    "ANSWER_HISTORY",
    "NEWEST",
    "VERSION",
    "Chosen",
    "Entry",
    "SessionInfo",
    "SessionLog",
    "SessionStore",
    "StoreError",
    "choose_session",
    "data_dir",
    "find_session",
    "list_sessions",
    "new_session_id",
    "read_log",
    "read_session",
]
