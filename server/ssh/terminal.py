"""The far end of an SSH channel, as a terminal an app can draw on.

Output is batched: everything an app writes between two sends goes out as one
channel write, at most :data:`SENDS_PER_SECOND` times a second, so a burst of
redraws costs a few packets on a slow link; and of each batch only the cells
that change the person's screen are sent (:class:`~coproterm.server.ssh.screen.SentScreen`),
nothing at all when none do. What the person's terminal can show
(:class:`Capabilities`) comes from what their client sent: TERM, and NO_COLOR,
LANG and LC_* where SendEnv/SetEnv passed them.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from rich.color import ColorSystem

from coproterm.core.i18n import from_locale
from coproterm.server.ssh.screen import SentScreen


class Driven(Protocol):
    """What takes a terminal's input: the app's driver (:class:`coproterm.server.ssh.driver.SSHDriver`)."""

    def feed(self, text: str) -> None: ...

    def resized(self, width: int, height: int) -> None: ...


SENDS_PER_SECOND = 10
GATHER = 0.05
"""How long the first change after a quiet spell waits for what follows it (a key's echo, then the hub's
answer): one packet instead of two or three; each costs ~150 bytes of SSH and TCP on the person's link."""
MAX_WIDTH, MAX_HEIGHT = 300, 100
"""The largest window drawn: a client claiming more is drawn at this size (a huge one stalled the hub)."""
MAX_OUTPUT = 1024 * 1024
"""Bytes waiting for a client before it is dropped: it has stopped reading (it can come back)."""

RESTORE = "\x1b[?2004l\x1b[?1000l\x1b[?1002l\x1b[?1003l\x1b[?1015l\x1b[?1006l\x1b[0m\x1b[?1049l\x1b[?25h"
"""Leaves the person's terminal as it was: bracketed paste and mouse off, main screen, cursor shown."""

_NO_COLOUR_TERMS = ("dumb", "vt52", "vt100", "vt102", "vt220", "vt320")
_ASCII = str.maketrans(
    {
        **{chr(c): "-" for c in (0x2500, 0x2501, 0x2504, 0x2505, 0x2508, 0x2509, 0x254C, 0x254D, 0x2550, 0x2574, 0x2576)},
        **{chr(c): "|" for c in (0x2502, 0x2503, 0x2506, 0x2507, 0x250A, 0x250B, 0x254E, 0x254F, 0x2551, 0x2575, 0x2577)},
        **{chr(c): "+" for c in range(0x250C, 0x254C)},
        **{chr(c): "+" for c in range(0x2552, 0x2570)},
        **{chr(c): "+" for c in range(0x2570, 0x2574)},
        **{chr(c): "#" for c in range(0x2580, 0x25A0)},
        "●": "*", "◌": "o", "○": "o", "◉": "*", "✖": "x", "✔": "v", "✓": "v", "…": "...", "·": ".",
        "→": "->", "←": "<-", "↑": "^", "↓": "v", "▶": ">", "◀": "<", "▲": "^", "▼": "v", "►": ">", "◄": "<",
        "“": '"', "”": '"', "‘": "'", "’": "'", "–": "-", "—": "-", "\u00a0": " ", "•": "*", "🔒": "[locked]",
    }
)  # fmt: skip


@dataclass(frozen=True)
class Capabilities:
    """What one person's terminal can show, as their SSH client told us."""

    color_system: ColorSystem | None = ColorSystem.STANDARD
    """None: no colour at all (TERM=dumb, vt100...)."""
    no_color: bool = False
    """NO_COLOR was sent: attributes (bold, reverse) but no colours."""
    ascii: bool = False
    """The locale is not UTF-8 (LANG=C...): box drawing and symbols become ASCII."""
    plain: bool = False
    """TERM=dumb: no alternate screen, no mouse."""
    mouse: bool = True
    """The terminal reports clicks (xterm's mouse modes): not a VT100 or its kin, whose screens print them."""
    language: str = ""
    """The language LANG / LC_* ask for ("cy", "en"); empty when they name neither."""
    bce: bool = False
    """The terminal erases in the current background colour, as its terminfo says of xterm, rxvt and
    the Linux console (not kitty, alacritty, tmux or screen): blank runs may then be erased, not written."""


def capabilities(term: str, env: Mapping[str, str]) -> Capabilities:
    """Read TERM and the environment an SSH client sent (SendEnv/SetEnv)."""
    term = (term or "").lower()
    if term.startswith(_NO_COLOUR_TERMS) or not term:
        system: ColorSystem | None = None
    elif term.endswith(("truecolor", "direct", "24bit")):
        system = ColorSystem.TRUECOLOR
    elif "256" in term:
        system = ColorSystem.EIGHT_BIT
    else:
        system = ColorSystem.STANDARD
    locale = env.get("LC_ALL") or env.get("LC_CTYPE") or env.get("LANG") or ""
    ascii_only = bool(locale) and "utf-8" not in locale.lower() and "utf8" not in locale.lower()
    return Capabilities(
        color_system=system,
        no_color=bool(env.get("NO_COLOR")),
        ascii=ascii_only,
        plain=term in ("dumb", ""),
        mouse=not term.startswith(_NO_COLOUR_TERMS) and bool(term),
        language=from_locale(env, default=""),
        bce=term.startswith(("xterm", "rxvt", "linux")) and not term.startswith("xterm-kitty"),
    )


def clamp(width: int, height: int) -> tuple[int, int]:
    """A window size the app may draw: at least 1 x 1, at most :data:`MAX_WIDTH` x :data:`MAX_HEIGHT`."""
    return max(1, min(int(width or 80), MAX_WIDTH)), max(1, min(int(height or 24), MAX_HEIGHT))


class ChannelTerminal:
    """Writes to an asyncssh channel; knows the client's window size and what its terminal shows."""

    def __init__(self, channel: Any, width: int, height: int, term: str, caps: Capabilities | None = None) -> None:
        self.channel = channel
        self.size = clamp(width, height)
        self.term = term
        self.caps = caps or capabilities(term, {})
        self.screen = SentScreen(*self.size, bce=self.caps.bce)
        """What the person's terminal shows: each batch is sent as what changes on it."""
        self.driver: Driven | None = None
        self.leave: Callable[[], object] | None = None
        """Ends the app on this terminal (the person closed their ssh)."""
        self.overflowed: Callable[[], object] | None = None
        """Called once when the client stops reading and its output passes :data:`MAX_OUTPUT`."""
        self.go_plain: Callable[[str], object] | None = None
        """Goes on in plain mode on this channel, in the language given (the person pressed p in the full app)."""
        self._pending: list[str] = []
        self._pending_size = 0
        self._scheduled: asyncio.TimerHandle | None = None
        self._last_send = 0.0
        self._done = False

    def resize(self, width: int, height: int) -> tuple[int, int]:
        """The client's window changed; returns the size the app will draw at."""
        self.size = clamp(width, height)
        self.screen.resize(*self.size)
        return self.size

    def write(self, data: str) -> None:
        if data and not self._done:
            self._pending.append(data)
            self._pending_size += len(data)
            if self._pending_size > MAX_OUTPUT:
                self._overflow()

    def flush(self, *, now: bool = False) -> None:
        """Send what is pending: at once if ``now`` or if the last send was long enough ago."""
        if not self._pending:
            return
        loop = asyncio.get_running_loop()
        wait = max(self._last_send + 1 / SENDS_PER_SECOND - loop.time(), GATHER)
        if now:
            self._send()
        elif self._scheduled is None:
            self._scheduled = loop.call_later(wait, self._send)

    def _send(self) -> None:
        self._scheduled = None
        if not self._pending or self._done:
            return
        data = "".join(self._pending)
        self._pending.clear()
        self._pending_size = 0
        if self.caps.ascii:
            data = data.translate(_ASCII)  # first: the screen model then knows "..." takes three cells
        data = self.screen.diff(data)
        if not data:
            return  # nothing on the person's screen would change
        self._last_send = asyncio.get_running_loop().time()
        with contextlib.suppress(OSError):  # a channel that is closing takes nothing more (BrokenPipeError)
            self.channel.write(data, ascii=self.caps.ascii)
        if self.unsent > MAX_OUTPUT:
            self._overflow()

    @property
    def holding(self) -> bool:
        """Whether output is written but not yet sent (it waits its turn: :data:`SENDS_PER_SECOND`)."""
        return bool(self._pending) and not self._done

    @property
    def unsent(self) -> int:
        """Bytes the channel holds that the client has not taken."""
        with contextlib.suppress(Exception):
            return int(self.channel.get_write_buffer_size())
        return 0

    def _overflow(self) -> None:
        self._pending.clear()
        self._pending_size = 0
        if not self._done:
            self._done = True
            if self.overflowed is not None:
                self.overflowed()

    def finish(self, line: str) -> None:
        """Leave the person's terminal as it was, say ``line``, and send nothing more."""
        self.close()
        if self._done:
            return
        self._done = True
        self._pending.clear()
        text = RESTORE + "\r\n" + (line + "\r\n" if line else "")
        if self.caps.ascii:
            text = text.translate(_ASCII)
        with contextlib.suppress(OSError):
            self.channel.write(text, ascii=self.caps.ascii)

    def close(self) -> None:
        if self._scheduled is not None:
            self._scheduled.cancel()
            self._scheduled = None
