"""A QR code drawn with half blocks in fixed black on white, so no theme can spoil it.

Each character cell shows two modules, one above the other (``▀``, ``▄``, ``█``
or a space), which keeps modules square on a terminal whose cells are twice as
tall as wide. A version 3 code with a two-module margin is 33 x 17 cells: it
fits, and scans from a phone, on an 80 x 24 terminal. Where the screen has room
each module is drawn larger (2 x 2, 3 x 3… cells' worth), so it scans from
further back in the room.
"""

from __future__ import annotations

import segno
from rich.style import Style
from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

INK = Style(color="#000000", bgcolor="#ffffff")
BORDER = 2
HALVES = {(True, True): "█", (True, False): "▀", (False, True): "▄", (False, False): " "}


def qr_modules(data: str, border: int = BORDER) -> list[list[bool]]:
    """The code's modules, dark ones True, with a quiet border of ``border`` modules."""
    code = segno.make(data, error="l", micro=False)
    return [[bool(module) for module in row] for row in code.matrix_iter(border=border)]


def qr_lines(data: str, scale: int = 1) -> list[str]:
    """The half-block rows of a QR code of ``data``, each module ``scale`` cells wide and half-rows tall.

    Drawn larger, the quiet border is one module (still two cells or more of white).
    """
    modules = qr_modules(data, BORDER if scale == 1 else 1)
    rows = [[dark for dark in row for _ in range(scale)] for row in modules for _ in range(scale)]
    if len(rows) % 2:
        rows.append([False] * len(rows[0]))
    return [
        "".join(HALVES[(top, bottom)] for top, bottom in zip(upper, lower, strict=True))
        for upper, lower in zip(rows[::2], rows[1::2], strict=True)
    ]


class QRCode(Widget):
    """A scannable QR code of some text."""

    DEFAULT_CSS = "QRCode { width: auto; height: auto; }"

    scale: reactive[int] = reactive(1, layout=True)
    """Cells (and half-rows) per module."""

    def __init__(self, data: str, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.data = data
        self._modules = len(qr_modules(data, 1))
        self._lines = qr_lines(data)

    def fit(self, width: int, height: int) -> None:
        """Draw the code as large as fits in ``width`` x ``height`` cells (never smaller than one cell a module)."""
        self.scale = max(1, min(width // self._modules, (2 * height) // self._modules))

    def watch_scale(self, scale: int) -> None:
        self._lines = qr_lines(self.data, scale)

    def get_content_width(self, container: object, viewport: object) -> int:
        return len(self._lines[0])

    def get_content_height(self, container: object, viewport: object, width: int) -> int:
        return len(self._lines)

    def render(self) -> Text:
        return Text("\n".join(self._lines), style=INK, no_wrap=True)
