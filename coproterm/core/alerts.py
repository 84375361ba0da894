"""Trouble at the hub that everyone should know of (``State.alert``): a number, worded by each face.

Like a refusal (:mod:`coproterm.core.refusals`), an alert travels as its number with the
numbers its words need (``State.alert_values``), never as a sentence: each face words it
from its own catalog in its reader's language, so a Welsh screen never shows the hub's
English. docs/protocol.md prints this table.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Final

from coproterm.core.i18n import N_, Language


class Alert(IntEnum):
    """What is wrong at the hub; the numbers are part of the protocol (``State.alert``)."""

    LOG_UNWRITABLE = 1
    """The session log cannot be written, for a reason with no number of its own."""
    DISK_FULL = 2
    """The session log cannot be written: the disk is full."""
    LOG_READ_ONLY = 3
    """The session log cannot be written: it (or its folder) is read-only."""
    LOG_LOCKED = 4
    """The session log cannot be written: another program has locked it."""


WORDS: Final[dict[Alert, tuple[str, tuple[str, ...]]]] = {
    Alert.LOG_UNWRITABLE: (N_("the session log cannot be written: changes are refused until it can"), ()),
    Alert.DISK_FULL: (
        N_("the session log cannot be written (the disk is full): changes are refused until it can"),
        (),
    ),
    Alert.LOG_READ_ONLY: (
        N_("the session log cannot be written (it is read-only): changes are refused until it can"),
        (),
    ),
    Alert.LOG_LOCKED: (
        N_("the session log cannot be written (another program has locked it): changes are refused until it can"),
        (),
    ),
}
"""Each alert's words (English, the catalog's key) and the names of its values, in wire order."""

UNKNOWN: Final = N_("the hub reports a problem (alert {alert}): update coproterm")
"""An alert this client does not know (a newer hub), or one whose values do not fit its words."""


def words(lang: Language, alert: int, values: tuple[int, ...] = ()) -> str:
    """The alert numbered ``alert``, with its ``values``, in ``lang``: what a face shows."""
    try:
        known = Alert(alert)
    except ValueError:
        return lang.t(UNKNOWN, alert=alert)
    message, names = WORDS[known]
    if len(values) != len(names):
        return lang.t(UNKNOWN, alert=alert)
    return lang.t(message, **{name: f"{value:,}" for name, value in zip(names, values, strict=True)})
