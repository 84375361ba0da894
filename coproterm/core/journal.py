"""The journal: each change the log has not confirmed, with how to undo it, in order.

:class:`~coproterm.core.session.Session` keeps one while a hub logs (``on``): every event its one
``_apply`` path applies is kept with its undo until the log confirms it (:meth:`Journal.confirmed`);
a batch the log could not write is taken back from the first of its events on
(:meth:`Journal.take_from`), so the session undoes exactly that batch and applies again what came
after it. Keyed by the identity of each event: saving is O(batch).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from coproterm.core.events import Event

Undo = Callable[[], None]
"""How to take back one change."""
Apply = Callable[[Event], None]
"""The session's one path that applies an event (and journals it while the log has not confirmed it)."""


class Journal:
    """Changes the log has not confirmed, in order, by the identity of their event."""

    def __init__(self) -> None:
        self.on = False
        """Whether changes are kept (a hub that logs), or not (a replay, a session without a log)."""
        self._entries: dict[int, tuple[Event, Undo]] = {}

    def keep(self, event: Event, undo: Undo) -> None:
        """Keep a change just applied until the log confirms it (while the journal is on)."""
        if self.on:
            self._entries[id(event)] = (event, undo)

    def confirmed(self, events: Iterable[Event]) -> None:
        """The log has these events: they can no longer be undone."""
        for event in events:
            self._entries.pop(id(event), None)

    def take_from(self, failed: set[int]) -> list[tuple[Event, Undo]]:
        """Every change from the first failed one (``failed``: ids of events) on, in order, no longer kept."""
        entries = list(self._entries.values())
        first = next((i for i, (event, _) in enumerate(entries) if id(event) in failed), None)
        if first is None:
            return []
        later = entries[first:]
        for event, _ in later:
            del self._entries[id(event)]
        return later
