"""Test helpers for the session store: a session's log written by the real store."""

from __future__ import annotations

import asyncio
from pathlib import Path

from coproterm.core.boards import Deck
from coproterm.core.deck import deck_to_data, default_deck
from coproterm.core.events import Event
from coproterm.server.store import SessionStore


def logged_session(data: Path, events: list[Event], deck: Deck | None = None) -> Path:
    """A session of ``deck`` (the short one if none) written by the real store, holding ``events``; its database."""
    deck = deck or default_deck()
    store = SessionStore.create(data, deck_to_data(deck), deck.title, "tok")

    async def write() -> None:
        store.start()
        await store.append(events)
        await store.close()

    asyncio.run(write())
    return store.path
