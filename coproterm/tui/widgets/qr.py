"""A QR code drawn with half blocks in fixed black on white, so no theme can spoil it.

Each character cell shows two modules, one above the other (``▀``, ``▄``, ``█``
or a space), which keeps modules square on a terminal whose cells are twice as
tall as wide. A version 3 code with a two-module margin is 33 x 17 cells: it
fits, and scans from a phone, on an 80 x 24 terminal.
"""

from __future__ import annotations

import segno
from rich.style import Style
from rich.text import Text
from textual.widget import Widget

INK = Style(color="#000000", bgcolor="#ffffff")
BORDER = 2
HALVES = {(True, True): "█", (True, False): "▀", (False, True): "▄", (False, False): " "}


def qr_lines(data: str) -> list[str]:
    """The half-block rows of a QR code of ``data`` (dark modules are drawn)."""
    code = segno.make(data, error="l", micro=False)
    rows = [list(row) for row in code.matrix_iter(border=BORDER)]
    if len(rows) % 2:
        rows.append([0] * len(rows[0]))
    return [
        "".join(HALVES[(bool(top), bool(bottom))] for top, bottom in zip(upper, lower, strict=True))
        for upper, lower in zip(rows[::2], rows[1::2], strict=True)
    ]


class QRCode(Widget):
    """A scannable QR code of some text."""

    DEFAULT_CSS = "QRCode { width: auto; height: auto; }"

    def __init__(self, data: str, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.data = data
        self._lines = qr_lines(data)

    def get_content_width(self, container: object, viewport: object) -> int:
        return len(self._lines[0])

    def get_content_height(self, container: object, viewport: object, width: int) -> int:
        return len(self._lines)

    def render(self) -> Text:
        return Text("\n".join(self._lines), style=INK, no_wrap=True)
