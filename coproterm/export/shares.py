"""A share of a whole as every export writes it: the one place its rounding is decided."""

from __future__ import annotations


def share(count: int, total: int) -> str:
    """``count`` of ``total`` as a whole percentage ("33%"), or "–" when there is nothing to share."""
    return f"{round(100 * count / total)}%" if total else "–"
