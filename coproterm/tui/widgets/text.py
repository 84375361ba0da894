"""Small text helpers shared by the board and the charts."""

from __future__ import annotations

import re


def ruled(label: str, width: int) -> str:
    """``── label ──`` in exactly ``width`` characters (just the label, cut, when tight)."""
    if width <= len(label) + 2:
        return label[:width].ljust(width)
    return f" {label} ".center(width, "─")


def wrap_words(label: str, width: int) -> list[str]:
    """Wrap at spaces, then at hyphens; cut (with a hyphen) only words still too long."""
    width = max(1, width)
    pieces: list[tuple[str, str]] = []  # (text, what joins it to the piece before)
    for word in label.split():
        glue = " "
        parts = re.findall(r"[^-]+-?|-", word) if len(word) > width else [word]
        for part in parts:
            while len(part) > width:
                cut = max(1, min(width - 1, len(part) - 4))  # leave at least four letters to carry over
                pieces.append((part[:cut] + "-", glue))
                part, glue = part[cut:], ""
            pieces.append((part, glue))
            glue = ""
    lines: list[str] = []
    for text, glue in pieces:
        if lines and len(lines[-1]) + len(glue) + len(text) <= width:
            lines[-1] += glue + text
        else:
            lines.append(text)
    return lines or [""]


def fitted(label: str, width: int, depth: int) -> list[str]:
    """``label`` in at most ``depth`` lines of ``width``; an ellipsis says where words were left out."""
    lines = wrap_words(label, width)
    if len(lines) > depth:
        lines = lines[:depth]
        lines[-1] = lines[-1][: max(0, width - 1)] + "…"
    return lines


def headings(cells: list[tuple[str, int]], *, rule: bool = False, depth: int = 2) -> list[str]:
    """Column headings, each label wrapped into its column (``width`` includes one space after it).

    As many lines as the longest heading needs, at most ``depth``; a heading that fits on
    one line is ruled (``── doing to ──``) when ``rule``.
    """
    wrapped = [fitted(label, width - 1, depth) for label, width in cells]
    lines = max((len(w) for w in wrapped), default=1)
    rows = []
    for i in range(lines):
        row = ""
        for (_, width), pieces in zip(cells, wrapped, strict=True):
            text = pieces[i] if i < len(pieces) else ""
            if rule and len(pieces) == 1 and i == 0:
                row += ruled(text, width - 1) + " "
            else:
                row += text.center(width - 1)[: width - 1] + " "
        rows.append(row)
    return rows
