"""Which earlier session a command means when it names none (light: the command line reads it)."""

from __future__ import annotations

from enum import Enum


class Newest(Enum):
    """Which earlier session to pick when no id is given."""

    WITH_ACTIVITY = "newest"
    """The newest session anyone joined or voted in (the newest of all if none has)."""


NEWEST = Newest.WITH_ACTIVITY
SessionChoice = str | Newest
"""An earlier session: its id (or the start of it), or :data:`NEWEST`."""
