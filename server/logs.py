"""The hub's own log: bounded on disk, and quiet under floods.

A flood of requests (a plain GET flood wrote 261 KB/s to ``hub.log``; a duplicated header 1.36 MB/s
with its tracebacks) must neither fill the disk nor slow the hub with writing. :class:`Repeats`
lets each kind of line through :data:`PER_MINUTE` times a minute and then says how many it held
back; :func:`bounded_file` rotates the file at :data:`MAX_BYTES`, keeping :data:`BACKUPS` old ones.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from logging.handlers import RotatingFileHandler
from pathlib import Path
from typing import TextIO

PER_MINUTE = 20
"""Lines of one kind (one logger, one message template) written a minute; the rest are counted."""
MAX_BYTES = 5 * 1024 * 1024
BACKUPS = 3
"""``hub.log`` and three old ones: at most 20 MB, whatever comes."""
FORMAT = "%(asctime)s %(name)s %(message)s"


class Repeats(logging.Filter):
    """Lets each kind of line through ``per_minute`` times a minute; then one line saying how many were held back."""

    def __init__(self, per_minute: int = PER_MINUTE, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        self.per_minute = per_minute
        self.clock = clock
        self._seen: dict[tuple[str, str], tuple[float, int, int]] = {}
        """(logger, template) to (when its minute began, lines let through, lines held back)."""

    def filter(self, record: logging.LogRecord) -> bool:
        key = (record.name, str(record.msg))
        now = self.clock()
        began, through, held = self._seen.get(key, (now, 0, 0))
        if now - began >= 60:
            if held:
                record.msg = f"{record.msg} (and {held} more lines like it held back in the minute before)"
            began, through, held = now, 0, 0
        if through >= self.per_minute:
            self._seen[key] = (began, through, held + 1)
            return False
        if len(self._seen) > 10_000:
            self._seen.clear()  # kinds of line are few; many means templates carrying data: start again
        self._seen[key] = (began, through + 1, held)
        if through + 1 == self.per_minute:
            record.msg = f"{record.msg} (more lines like this one are held back for a minute)"
        if record.exc_info and through:
            record.exc_info = None  # a traceback once a minute is enough
        return True


def bounded_file(path: Path, max_bytes: int = MAX_BYTES, backups: int = BACKUPS) -> logging.Handler:
    """A handler writing ``path``, rotated at ``max_bytes`` with ``backups`` old files, repeats held back."""
    handler = RotatingFileHandler(path, maxBytes=max_bytes, backupCount=backups, encoding="utf-8")
    handler.setFormatter(logging.Formatter(FORMAT))
    handler.addFilter(Repeats())
    return handler


def quiet_stream(stream: TextIO) -> logging.Handler:
    """A handler writing to ``stream`` (``serve``'s stderr), repeats held back."""
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
    handler.addFilter(Repeats())
    return handler
