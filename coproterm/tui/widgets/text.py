"""Small text helpers shared by the board and the charts."""

from __future__ import annotations

import re


def ruled(label: str, width: int) -> str:
    """``── label ──`` in exactly ``width`` characters (just the label, cut, when tight)."""
    if width <= len(label) + 2:
        return label[:width].ljust(width)
    return f" {label} ".center(width, "─")


_PREFIXES = ("rhyng", "gwrth", "hunan", "cyd", "cyf", "cyn", "cym", "ail", "aml", "dad", "gor", "ym", "an", "di")
"""Welsh prefixes a long word may be broken after (*cyd-gynhyrchu*, *cyf-ranogiad*)."""
_SUFFIXES = ("iadau", "iaeth", "wyr", "iad", "ion", "ation", "tion", "ment", "ing", "au", "u")
"""Endings (Welsh, then English) a long word may be broken before (*cyfranog-iad*, *particip-ation*)."""


def _boundary(word: str, room: int) -> int | None:
    """Where to break ``word`` so that at most ``room`` letters come first: before an ending or after
    a prefix (a break inside a morpheme, *cydgynhy-rchu*, misleads a reader); None where none fits."""
    lowered = word.lower()
    # the longest ending that fits (consult-ation, not consultat-ion), else the longest prefix
    for ending in sorted(_SUFFIXES, key=len, reverse=True):
        cut = len(word) - len(ending)
        if lowered.endswith(ending) and 3 <= cut <= room:
            return cut
    cuts = [len(p) for p in _PREFIXES if lowered.startswith(p) and len(word) - len(p) >= 3 and len(p) <= room]
    return max(cuts) if cuts else None


def wrap_words(label: str, width: int) -> list[str]:
    """Wrap at spaces, then at hyphens; cut (with a hyphen) only words still too long, at a
    prefix or an ending where one fits (:func:`_boundary`)."""
    width = max(1, width)
    pieces: list[tuple[str, str]] = []  # (text, what joins it to the piece before)
    for word in label.split():
        glue = " "
        parts = re.findall(r"[^-]+-?|-", word) if len(word) > width else [word]
        for part in parts:
            while len(part) > width:
                cut = _boundary(part, width - 1) or max(1, min(width - 1, len(part) - 4))  # four letters carry over
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
