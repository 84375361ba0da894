"""Test helpers for the session store: a session's log written by the real store."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from coproterm.core.boards import Deck
from coproterm.core.deck import deck_to_data, default_deck
from coproterm.core.events import Event
from coproterm.server.store import SessionStore

RELEASE_BEFORE = Path(__file__).parent / "fixtures" / "log_v0"
"""A log written by the release before the single ``events`` table (schema version 0), made by its make.py."""


def release_before_session(data: Path) -> Path:
    """A copy of :data:`RELEASE_BEFORE`'s session in ``data`` (its ``sessions`` folder); its database."""
    shutil.copytree(RELEASE_BEFORE / "sessions", data / "sessions", dirs_exist_ok=True)
    (path,) = (data / "sessions").glob(f"{next((RELEASE_BEFORE / 'sessions').glob('*.sqlite3')).stem}.sqlite3")
    return path


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


@contextlib.contextmanager
def tmpfs(path: Path, *options: str) -> Iterator[Path]:
    """A real filesystem of our own (skips where this machine does not allow mounting)."""
    path.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        [
            "mount",
            "-t",
            "tmpfs",
            "-o",
            ",".join(options),
            f"coproterm-{uuid.uuid4().hex[:6]}",
            str(path),
        ],
        capture_output=True,
    )
    if result.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {result.stderr.decode().strip()}")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)
