"""Why the session log cannot be read or written, in words a facilitator can act on, in their language."""

from __future__ import annotations

import sqlite3

from coproterm.core.alerts import Alert
from coproterm.core.i18n import N_
from coproterm.core.problems import Problem, Words, os_reason, said


class StoreError(Problem, RuntimeError):
    """The log cannot be read or written; :meth:`words` says why, for people, in their language."""

    alert: Alert = Alert.LOG_UNWRITABLE
    """What everyone is told (``State.alert``) when this is a write that failed."""


CANNOT_READ = N_("cannot read the session log {path}: {reason}")
DISK_FULL = N_("the disk is full")
READ_ONLY = N_("it is read-only")
LOCKED = N_("another program has locked it")
ALERTS = {DISK_FULL: Alert.DISK_FULL, READ_ONLY: Alert.LOG_READ_ONLY, LOCKED: Alert.LOG_LOCKED}
"""What everyone is told when a write fails for one of these reasons."""


def reason(error: BaseException) -> Words:
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
