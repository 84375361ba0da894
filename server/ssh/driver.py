"""A Textual driver whose terminal is an SSH channel.

It does what Textual's Linux driver does for a real terminal, minus everything
process-wide (no tty of ours, no signal handlers, no threads): output goes to the
channel, input from it is fed through Textual's xterm parser (with a periodic
tick so a lone Esc arrives), and the client's window changes become Resize
events. Textual's parser is a private module, which is why Textual is pinned to
a minor version.

Input is bounded, because one person can paste a megabyte: at most
:data:`INPUT_BUFFER` characters wait, they are parsed at most
:data:`INPUT_RATE` a second (a person types a few keys a second, an arrow key is
three characters), and what does not fit is left out, with a word to the person.
Events are posted straight onto the app's queue: no task per key.
"""

from __future__ import annotations

import asyncio
import re
from typing import Any

from textual import events
from textual.driver import Driver
from textual.geometry import Size

from coproterm.core.i18n import N_
from coproterm.server.ssh.terminal import ChannelTerminal
from coproterm.tui.textual_private import driver_app, driver_loop, xterm_parser

TICK = 0.1
"""How often held-back input is taken up (and the parser asked for a lone Esc)."""
INPUT_BUFFER = 1024
"""Characters of input that may wait to be parsed; more are left out."""
INPUT_RATE = 150.0
"""Characters of input parsed per second, sustained."""
INPUT_BURST = 300
_OSC = re.compile(r"\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)")
DROPPED_NOTICE = N_("Too many keys at once: some were left out.")


class SSHDriver(Driver):
    """Drives one app over one SSH channel (``app.terminal``)."""

    def __init__(
        self, app: Any, *, debug: bool = False, mouse: bool = True, size: tuple[int, int] | None = None
    ) -> None:
        super().__init__(app, debug=debug, mouse=mouse, size=size)
        self.terminal: ChannelTerminal = app.terminal
        self._parser = xterm_parser(debug)
        self._ticker: asyncio.Task[None] | None = None
        self._input = True
        self._inbox = ""
        self._allowance = float(INPUT_BURST)
        self._refilled: float | None = None
        self.dropped = 0
        """Characters of input left out so far (pasted or typed too fast)."""
        self._told = False
        self.terminal.driver = self

    def write(self, data: str) -> None:
        if self.terminal.caps.plain:
            data = _OSC.sub("", data)  # window titles, pointer shapes: a dumb terminal would show them
        self.terminal.write(data)

    def flush(self) -> None:
        self.terminal.flush()

    def start_application_mode(self) -> None:
        self.resized(*self.terminal.size)
        if not self.terminal.caps.plain:
            write = self.write
            write("\x1b[?1049h")  # alternate screen
            if self.terminal.caps.mouse:
                # Clicks only, SGR coordinates: no motion reports (each one is input to parse).
                write("\x1b[?1000h\x1b[?1006h")
            write("\x1b[?25l")  # hide the cursor
            # No bracketed paste: a paste is then keys like any other, bounded like them.
            self.flush()
        self._ticker = asyncio.get_running_loop().create_task(self._tick())

    def disable_input(self) -> None:
        self._input = False

    def stop_application_mode(self) -> None:
        if self._ticker is not None:
            self._ticker.cancel()
        if not self.terminal.caps.plain:
            mouse_off = "\x1b[?1000l\x1b[?1006l" if self.terminal.caps.mouse else ""
            self.write(mouse_off + "\x1b[?1049l\x1b[?25h")  # back to the person's own screen
        self.terminal.flush(now=True)

    def feed(self, text: str) -> None:
        """Input from the person's keyboard (or mouse)."""
        if not self._input or not text:
            return
        room = INPUT_BUFFER - len(self._inbox)
        if len(text) > room:
            self.dropped += len(text) - max(room, 0)
            text = text[: max(room, 0)]
            self._tell()
        self._inbox += text
        self._drain()

    def _drain(self) -> None:
        now = driver_loop(self).time()
        if self._refilled is not None:
            self._allowance = min(INPUT_BURST, self._allowance + (now - self._refilled) * INPUT_RATE)
        self._refilled = now
        take = min(len(self._inbox), int(self._allowance))
        if take <= 0:
            return
        chunk, self._inbox = self._inbox[:take], self._inbox[take:]
        self._allowance -= take
        for message in self._parser.feed(chunk):
            self.process_message(message)

    def _tell(self) -> None:
        if not self._told:
            self._told = True  # once per session: the notice itself must not become a flood
            notify = getattr(driver_app(self), "notify", None)
            if notify is not None:
                words = getattr(driver_app(self), "t", str)(DROPPED_NOTICE)  # in the person's language
                notify(words, severity="warning", timeout=4)

    def resized(self, width: int, height: int) -> None:
        width, height = self.terminal.resize(width, height)
        size = Size(width, height)
        self.send_message(events.Resize(size, size))

    def send_message(self, message: Any) -> None:
        # Same loop, no thread: onto the app's queue at once, not a task per message.
        driver_app(self).post_message(message)

    async def _tick(self) -> None:
        while True:
            await asyncio.sleep(TICK)
            if self._inbox:
                self._drain()
            for message in self._parser.tick():
                self.process_message(message)
