"""Test helpers for the Textual faces: wait for a condition, read a widget's words, a QR code, the hub's connections."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from textual.widgets import Input

SPECTRUM, COMPLEXITY, GRID = 1, 3, 4
"""The built-in deck's questions on each board."""


async def until(pilot: Any, predicate: Callable[[], object], timeout: float = 15.0) -> None:
    """Let the app run until ``predicate()`` holds."""
    async with asyncio.timeout(timeout):
        while not predicate():
            await pilot.pause(0.02)


def text_of(app: Any, selector: str) -> str:
    """What a widget on the app's current screen draws, as plain text."""
    return str(app.screen.query_one(selector).render())


def read_qr(widget) -> list[str]:
    """What a phone camera reads from a QR code as the terminal draws it (two modules a cell)."""
    import numpy
    import zxingcpp

    rows = []
    for line in str(widget.render()).splitlines():
        rows.append([ch in "█▀" for ch in line])
        rows.append([ch in "█▄" for ch in line])
    pixels = numpy.kron(
        numpy.array([[0 if dark else 255 for dark in row] for row in rows], dtype=numpy.uint8),
        numpy.ones((6, 6), dtype=numpy.uint8),
    )
    return [result.text for result in zxingcpp.read_barcodes(pixels)]


def hub_sockets(hub):
    """The hub's open connections, by connection id."""
    return dict(hub.hub._sockets)


def shown(app, kind):
    """The widgets of ``kind`` on screen (a picker or chart is kept, and hidden, between questions)."""
    return [w for w in app.screen.query(kind) if all(node.display for node in w.ancestors_with_self)]


async def type_answer(pilot, text: str) -> None:
    box = pilot.app.screen.query_one("#answer-text", Input)
    box.focus()
    await pilot.pause()
    for ch in text:
        await pilot.press(ch if ch != " " else "space")
    await pilot.press("enter")


def held_line(app: Any) -> str:
    """The line under the answer box (an answer waiting, or a moderated question's notice); "" if hidden."""
    found = app.screen.query("#answer-held")
    return str(found.first().render()) if found and found.first().display else ""


def on_screen(app: Any, widget: Any) -> bool:
    """Whether the widget is drawn inside the screen's visible region (a 40 x 12 screen scrolls)."""
    region = widget.region
    return bool(widget.display) and region.height > 0 and app.screen.region.contains_region(region)
