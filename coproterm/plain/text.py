"""Lines for a plain terminal: no control character, at most the width, ASCII where asked."""

from __future__ import annotations

import textwrap
import unicodedata

_ASCII = str.maketrans(
    {
        "…": "...", "·": "-", "“": '"', "”": '"', "‘": "'", "’": "'", "–": "-", "—": "-", "\u00a0": " ",
        "•": "*", "→": "->", "←": "<-", "✔": "", "✖": "", "■": "", "×": "x",
    }
)  # fmt: skip


def printable(text: str) -> str:
    """``text`` with no control, format or bidi character (so no escape byte ever), line breaks kept."""
    return "".join(ch if ch == "\n" or unicodedata.category(ch)[0] != "C" else " " if ch == "\t" else "" for ch in text)


def to_ascii(text: str) -> str:
    """``text`` in ASCII for a terminal without UTF-8: ŵ as w, quotes and dashes plain, the rest as ?."""
    text = unicodedata.normalize("NFKD", text.translate(_ASCII))
    return "".join(ch if ord(ch) < 128 else "" if unicodedata.combining(ch) else "?" for ch in text)


def wrap(text: str, width: int, *, indent: str = "", ascii_only: bool = False) -> list[str]:
    """``text`` as lines of at most ``width`` characters, words kept whole where a word fits a line.

    Each paragraph (a line break in ``text``) starts a new line; lines after the first of a
    paragraph start with ``indent`` where the width leaves room for it. Empty paragraphs are left out.
    """
    text = printable(text)
    if ascii_only:
        text = to_ascii(text)
    width = max(1, width)
    follow = indent if width >= len(indent) + 20 else ""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        lines.extend(
            textwrap.wrap(
                paragraph,
                width,
                subsequent_indent=follow,
                break_long_words=True,
                break_on_hyphens=False,
                drop_whitespace=True,
            )
        )
    return lines
