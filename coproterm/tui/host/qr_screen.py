"""The join QR code, as large as the terminal allows, for the room's phones."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from coproterm.tui.language import lang_of
from coproterm.tui.widgets.qr import QRCode


class QRScreen(ModalScreen[None]):
    """Shows a QR code of the join instructions; any of Esc, c or q closes it."""

    DEFAULT_CSS = """
    QRScreen { align: center middle; background: $background 80%; }
    QRScreen > Vertical { width: auto; max-width: 100%; height: auto; align-horizontal: center; background: $surface; padding: 0 1; }
    QRScreen Static { width: auto; max-width: 100%; text-align: center; }  /* long words wrap, never cut */
    QRScreen #warning { color: $error; text-style: bold; }
    """
    BINDINGS = [Binding("escape,c,q", "dismiss", "close")]

    def __init__(self, data: str, caption: str | None = None, *, warning: str | None = None) -> None:
        super().__init__()
        self.data = data
        self.caption = caption or data
        self.warning = warning
        """Why the code may not work for the room (the hub only listens on this machine)."""

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(lang_of(self).t("Scan to join"), style="bold"))
            yield QRCode(self.data)
            yield Static(Text(self.caption))
            if self.warning:
                yield Static(Text(self.warning), id="warning")

    def on_resize(self) -> None:
        """The code as large as fits, with the words around it (the bigger, the further it scans from)."""
        room = max(1, self.size.width - 4)  # the warning wraps to the screen's width
        words = 2 + self.caption.count("\n") + (-(-len(self.warning) // room) if self.warning else 0)
        self.query_one(QRCode).fit(self.size.width - 2, self.size.height - words)
