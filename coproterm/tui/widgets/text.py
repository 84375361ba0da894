"""Small text helpers shared by the board and the charts."""

from __future__ import annotations


def ruled(label: str, width: int) -> str:
    """``── label ──`` in exactly ``width`` characters (just the label, cut, when tight)."""
    if width <= len(label) + 2:
        return label[:width].ljust(width)
    return f" {label} ".center(width, "─")
