"""A Textual driver whose terminal is an SSH channel.

It does what Textual's Linux driver does for a real terminal, minus everything
process-wide (no tty of ours, no signal handlers, no threads): output goes to the
channel, input from it is fed through Textual's xterm parser (with a periodic
tick so a lone Esc arrives), and the client's window changes become Resize
events. Textual's parser is a private module, which is why Textual is pinned to
a minor version.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from textual import events
from textual._xterm_parser import XTermParser
from textual.driver import Driver
from textual.geometry import Size

if TYPE_CHECKING:
    from server.ssh.terminal import ChannelTerminal

TICK = 0.1
"""How often the parser is asked for keys it held back (a lone Esc)."""


class SSHDriver(Driver):
    """Drives one app over one SSH channel (``app.terminal``)."""

    def __init__(
        self, app: Any, *, debug: bool = False, mouse: bool = True, size: tuple[int, int] | None = None
    ) -> None:
        super().__init__(app, debug=debug, mouse=mouse, size=size)
        self.terminal: ChannelTerminal = app.terminal
        self._parser = XTermParser(debug)
        self._ticker: asyncio.Task[None] | None = None
        self._input = True
        self.terminal.driver = self

    def write(self, data: str) -> None:
        self.terminal.write(data)

    def flush(self) -> None:
        self.terminal.flush()

    def start_application_mode(self) -> None:
        self.resized(*self.terminal.size)
        write = self.write
        write("\x1b[?1049h")  # alternate screen
        write("\x1b[?1000h\x1b[?1003h\x1b[?1015h\x1b[?1006h")  # mouse, SGR coordinates
        write("\x1b[?25l")  # hide the cursor
        write("\x1b[?2004h")  # bracketed paste
        self.flush()
        self._ticker = asyncio.get_running_loop().create_task(self._tick())

    def disable_input(self) -> None:
        self._input = False

    def stop_application_mode(self) -> None:
        if self._ticker is not None:
            self._ticker.cancel()
        write = self.write
        write("\x1b[?2004l")
        write("\x1b[?1000l\x1b[?1003l\x1b[?1015l\x1b[?1006l")
        write("\x1b[?1049l")  # back to the person's own screen
        write("\x1b[?25h")
        self.terminal.flush(now=True)

    def feed(self, text: str) -> None:
        """Input from the person's keyboard (or mouse)."""
        if not self._input:
            return
        for message in self._parser.feed(text):
            self.process_message(message)

    def resized(self, width: int, height: int) -> None:
        size = Size(max(width, 1), max(height, 1))
        self.send_message(events.Resize(size, size))

    def send_message(self, message: Any) -> None:
        # Same loop, no thread: post directly rather than run_coroutine_threadsafe.
        self._loop.create_task(self._app._post_message(message))

    async def _tick(self) -> None:
        while True:
            await asyncio.sleep(TICK)
            for message in self._parser.tick():
                self.process_message(message)
