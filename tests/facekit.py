"""Test helpers for the Textual faces: wait for a condition, read a widget's words."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any


async def until(pilot: Any, predicate: Callable[[], object], timeout: float = 5.0) -> None:
    """Let the app run until ``predicate()`` holds."""
    async with asyncio.timeout(timeout):
        while not predicate():
            await pilot.pause(0.02)


def text_of(app: Any, selector: str) -> str:
    """What a widget on the app's current screen draws, as plain text."""
    return str(app.screen.query_one(selector).render())
