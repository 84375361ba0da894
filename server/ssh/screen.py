"""What a person's terminal shows, so that only what changed is sent to it.

Textual redraws a region by sending every cell of its lines again, each run of
text with its full colour codes and a reset after it; after a question change
that is most of the screen, though most cells come out as they were. Over SSH
every byte is paid for by the person's link, so the gateway keeps a model of
the screen as last sent (:class:`SentScreen`): each batch of the app's output
is played onto it, and only the cells that differ go out, each run with one
cursor move and a colour code only where the colour changes.

The model reads the small part of the terminal language an app writes (cursor
moves, colours, text); anything else that could change the screen (clearing
it, switching to the alternate screen) is passed on in its place and what the
model knows is reset, so a misunderstanding costs bytes, never a wrong screen.
"""

from __future__ import annotations

import itertools
import re
from typing import NamedTuple

from rich.cells import get_character_cell_size
from textual.cache import LRUCache

UNKNOWN = None
"""A cell whose content the model does not know: it is always sent again."""

_TOKEN = re.compile(
    r"\x1b\[(\d*);(\d*)H"  # 1, 2: cursor to row;column (from 1)
    r"|\x1b\[([0-9;:]*)m"  # 3: colours and attributes
    r"|([^\x00-\x1f\x7f\x1b]+)"  # 4: text
    r"|(\x1b\[\?(?:1049|1047|47)[hl]|\x1b\[[0-3]?J|\x1bc)"  # 5: the screen replaced or cleared
    r"|(\x1b\[\?2026[hl])"  # 6: synchronised output: each batch is one write already
    r"|(\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[^\[\]]|[\r\n])"  # 7: the rest
    r"|([\x00-\x1f\x7f\x1b])",  # 8: a control character the model does not play
    re.S,
)
_MODES_THAT_LEAVE_STATE = re.compile(r"\x1b\[\?\d+[hl]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)")
"""Escape sequences passed on that change no cell: modes (mouse, cursor shown) and window titles."""
_GAP = 6
"""Unchanged cells between two changed runs that are sent again rather than jumped over (a jump costs ~8 bytes)."""
_DIFFS_KEPT = 64
"""Batches remembered, each with what it did to a screen in one state (see :meth:`SentScreen.diff`)."""

_Rows = tuple[list[str | None], ...]
_diffs: LRUCache[tuple[object, bool, str], tuple[str, object, _Rows, _Rows]] = LRUCache(_DIFFS_KEPT)
_states: LRUCache[tuple[object, ...], int] = LRUCache(_DIFFS_KEPT)
"""What screens show, each named by a number: screens that came to show the same by different
batches (split differently by the timing of their sends) are in the same state again."""
_new_state = itertools.count().__next__


def forget_diffs() -> None:
    """Remember no batch (tests: each diff then played, not looked up)."""
    _diffs.clear()
    _states.clear()


class SentScreen:
    """The screen as the person's terminal shows it; turns an app's output into only what changed."""

    def __init__(self, width: int, height: int, *, bce: bool = False) -> None:
        self.width, self.height = width, height
        self.bce = bce
        """The terminal erases in the current background colour (xterm's "bce"): blanks in colour may be erased."""
        self._chars: list[list[str | None]] = []
        self._pens: list[list[str | None]] = []
        self.forget()

    def forget(self) -> None:
        """Know nothing of the screen (a new size, or after something the model does not follow)."""
        self._chars = [[UNKNOWN] * self.width for _ in range(self.height)]
        self._pens = [[UNKNOWN] * self.width for _ in range(self.height)]
        self._state: object = (UNKNOWN, self.width, self.height)
        """Names what the screen shows: two screens with the same state show the same (see :meth:`diff`)."""

    def _blank(self) -> None:
        self._chars = [[" "] * self.width for _ in range(self.height)]
        self._pens = [[""] * self.width for _ in range(self.height)]

    def resize(self, width: int, height: int) -> None:
        self.width, self.height = width, height
        self.forget()  # a terminal reflows or clears its window when resized: redraw it all

    def diff(self, data: str) -> str:
        """What to send so the terminal shows what ``data`` would have drawn: changed cells only.

        In an SSH worker most screens show the same and are sent the same batch when the question
        changes: a batch played onto a screen in one state (what it shows, named by a number) is
        remembered with its result, and a screen in that same state is answered from it (its rows
        shared: rows are replaced, never changed in place).
        """
        key = (self._state, self.bce, data)
        known = _diffs.get(key)
        if known is not None:
            out, self._state, chars, pens = known
            self._chars, self._pens = list(chars), list(pens)
            return out
        out = self._play(data)
        shows = (self.width, self.height, tuple(map(tuple, self._chars)), tuple(map(tuple, self._pens)))
        state = _states.get(shows)
        if state is None:
            state = _new_state()
            _states.set(shows, state)
        self._state = state
        _diffs.set(key, (out, state, tuple(self._chars), tuple(self._pens)))
        return out

    def _play(self, data: str) -> str:
        out: list[str] = []
        rows: dict[int, tuple[list[str | None], list[str | None]]] = {}
        """The rows this batch draws on: copies of what is sent, played onto."""
        x = y = 0
        pen = ""
        width, height = self.width, self.height

        def settle() -> None:
            self._emit(rows, out)
            rows.clear()

        for match in _TOKEN.finditer(data):
            text = match.group(4)
            if text is not None:
                if not 0 <= y < height:
                    continue
                row = rows.get(y)
                if row is None:
                    row = rows[y] = (self._chars[y][:], self._pens[y][:])
                chars, pens = row
                if 0 < x < width and chars[x] == "":
                    chars[x - 1] = " "  # half a wide character overwritten: a terminal blanks the other half
                if text.isascii():
                    end = min(x + len(text), width)
                    if end > x:
                        chars[x:end] = text[: end - x]
                        pens[x:end] = [pen] * (end - x)
                        if end < width and chars[end] == "":
                            chars[end] = " "
                    x += len(text)
                else:
                    for char in text:
                        size = get_character_cell_size(char)
                        if size == 0:  # a combining mark: part of the character before it
                            at = x - 1 if x - 1 < width and chars[x - 1] != "" else x - 2
                            if 0 <= at < width and chars[at]:
                                chars[at] = f"{chars[at]}{char}"
                            continue
                        if x + size <= width:
                            chars[x] = char
                            pens[x] = pen
                            if size == 2:
                                chars[x + 1] = ""  # the right half of a wide character
                                pens[x + 1] = pen
                            if x + size < width and chars[x + size] == "":
                                chars[x + size] = " "
                        x += size
                continue
            if match.group(3) is not None:
                params = match.group(3)
                if params in ("", "0"):
                    pen = ""
                elif params.startswith("0;"):
                    pen = params[2:]
                else:
                    pen = f"{pen};{params}" if pen else params
                continue
            if match.group(1) is not None:
                y = int(match.group(1) or 1) - 1
                x = int(match.group(2) or 1) - 1
                continue
            if match.group(6) is not None:
                continue
            sequence = match.group(5)
            if sequence is not None:
                settle()
                out.append(sequence)
                if sequence in ("\x1b[?1049h", "\x1b[?1047h", "\x1b[?47h", "\x1b[2J", "\x1bc"):
                    self._blank()  # xterm clears the alternate screen it switches to (1049)
                else:
                    self.forget()  # back to the main screen, or part of it cleared: not followed
                continue
            sequence = match.group(7) or match.group(8)
            assert sequence is not None
            if sequence in ("\r", "\n"):
                continue  # the app moves the cursor to every line it draws; a line feed could scroll
            out.append(sequence)
            if not _MODES_THAT_LEAVE_STATE.fullmatch(sequence):
                settle()
                self.forget()  # something the model does not play: the next frame is sent whole
        settle()
        return "".join(out)

    def _emit(self, rows: dict[int, tuple[list[str | None], list[str | None]]], out: list[str]) -> None:
        """Send the cells of ``rows`` that differ from what is shown, then take them as shown."""
        if not rows:
            return
        pen = ""  # every batch leaves the terminal's pen plain (below)
        append = out.append
        for y in sorted(rows):
            chars, pens = rows[y]
            shown_chars, shown_pens = self._chars[y], self._pens[y]
            if chars == shown_chars and pens == shown_pens:
                continue
            width = len(chars)
            changed = [i for i in range(width) if chars[i] != shown_chars[i] or pens[i] != shown_pens[i]]
            runs: list[list[int]] = []
            for i in changed:
                if runs and i - runs[-1][1] <= _GAP:
                    runs[-1][1] = i + 1
                else:
                    runs.append([i, i + 1])
            tail = _blank_tail(chars, pens)
            for start, end in runs:
                if chars[start] == "":  # the right half of a wide character: start at its left half
                    start -= 1
                if end < width and chars[end] == "":
                    end += 1  # never half a wide character
                append(f"\x1b[{y + 1};{start + 1}H")
                i = start
                while i < end:
                    char = chars[i]
                    if char == "":
                        i += 1
                        continue
                    cell_pen = pens[i]
                    if char is UNKNOWN or cell_pen is UNKNOWN:  # a gap never drawn: sent blank, then known
                        char = chars[i] = " "
                        cell_pen = pens[i] = ""
                    if char == " " and self._erases(cell_pen):
                        blanks = _blanks(chars, pens, i, end)
                        if i >= tail or blanks >= _ERASE_FROM:
                            if cell_pen != pen:
                                append(_transition(pen, cell_pen))
                                pen = cell_pen
                            if i >= tail:
                                append("\x1b[K")  # the rest of the line: blank in this colour
                                break
                            append(f"\x1b[{blanks}X\x1b[{blanks}C")
                            i += blanks
                            continue
                    if cell_pen != pen:
                        append(_transition(pen, cell_pen))
                        pen = cell_pen
                    append(char)
                    i += 1
                else:
                    continue
                break  # the line was cleared to its end: no more runs on it
            self._chars[y], self._pens[y] = chars, pens
        if pen:
            append("\x1b[0m")  # leave the terminal's pen plain, as the app's own output does

    def _erases(self, pen: str) -> bool:
        """Whether blanks in ``pen`` can be erased rather than written: the terminal erases in the
        current background (bce), or there is none; and nothing (underline, reverse) shows on a blank."""
        parsed = _parsed(pen)
        return not parsed.shows_on_blank and (self.bce or parsed.bg is None)


_ERASE_FROM = 12
"""Blanks in a row that are erased (ECH, then a cursor move) rather than written: the two cost ~10 bytes."""
_SHOWS_ON_BLANK = frozenset({"4", "7", "9", "21", "53"})
"""Attributes a blank shows: underline, reverse, strike-through, double underline, overline."""
_CACHED = 4096
"""Pens (and pairs of pens) remembered: a handful in practice; bounded whatever an app draws."""


class _Pen(NamedTuple):
    attrs: frozenset[str]
    fg: str | None
    bg: str | None
    shows_on_blank: bool
    known: bool
    """Every code was understood: changes to it may be sent as a difference, its blanks erased."""


_UNREAD = _Pen(frozenset(), None, None, True, False)
_PARSED: dict[str, _Pen] = {}
_TRANSITIONS: dict[tuple[str, str], str] = {}


def _parsed(pen: str) -> _Pen:
    found = _PARSED.get(pen)
    if found is None:
        found = _parse(pen)
        if len(_PARSED) < _CACHED:
            _PARSED[pen] = found
    return found


def _parse(pen: str) -> _Pen:
    """A pen's attributes and colours; :data:`_UNREAD` for codes this does not read (then always sent whole)."""
    attrs: set[str] = set()
    colours: dict[str, str | None] = {"fg": None, "bg": None}
    params = pen.split(";") if pen else []
    i = 0
    while i < len(params):
        code = params[i]
        if not code.isdigit():
            return _UNREAD  # sub-parameters (38:2::r:g:b) and the like
        if code in ("38", "48"):
            size = {"5": 3, "2": 5}.get(params[i + 1] if i + 1 < len(params) else "", 0)
            if not size or i + size > len(params):
                return _UNREAD
            colours["fg" if code == "38" else "bg"] = ";".join(params[i : i + size])
            i += size
            continue
        number = int(code)
        if 30 <= number <= 37 or 90 <= number <= 97:
            colours["fg"] = code
        elif 40 <= number <= 47 or 100 <= number <= 107:
            colours["bg"] = code
        elif number == 39:
            colours["fg"] = None
        elif number == 49:
            colours["bg"] = None
        elif number == 0:
            attrs.clear()
            colours = {"fg": None, "bg": None}
        else:
            attrs.add(code)
        i += 1
    frozen = frozenset(attrs)
    return _Pen(frozen, colours["fg"], colours["bg"], bool(frozen & _SHOWS_ON_BLANK), True)


def _transition(old: str, new: str) -> str:
    """The shortest codes from pen ``old`` to pen ``new``: what changed, or a reset and all of ``new``."""
    key = (old, new)
    found = _TRANSITIONS.get(key)
    if found is None:
        found = f"\x1b[0;{new}m" if new else "\x1b[0m"
        was, will = _parsed(old), _parsed(new)
        if new and was.known and will.known and was.attrs <= will.attrs:
            codes = sorted(will.attrs - was.attrs)
            if will.fg != was.fg:
                codes.append(will.fg or "39")
            if will.bg != was.bg:
                codes.append(will.bg or "49")
            delta = f"\x1b[{';'.join(codes)}m"
            if len(delta) < len(found):
                found = delta
        if len(_TRANSITIONS) < _CACHED:
            _TRANSITIONS[key] = found
    return found


def _blanks(chars: list[str | None], pens: list[str | None], start: int, end: int) -> int:
    """How many cells from ``start`` (before ``end``) are blanks in the pen of the first."""
    pen = pens[start]
    i = start
    while i < end and chars[i] == " " and pens[i] == pen:
        i += 1
    return i - start


def _blank_tail(chars: list[str | None], pens: list[str | None]) -> int:
    """Where the blanks that end a row (all in one pen) begin; the row's width if it ends otherwise."""
    width = len(chars)
    i = width
    pen = pens[-1] if pens else None
    while i > 0 and chars[i - 1] == " " and pens[i - 1] == pen:
        i -= 1
    return i
