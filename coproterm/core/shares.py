"""Shares of a count, as every face prints them: one rounding rule for the dashboard, the terminals,
the phone page, the report and the exports.

A single-choice question's shares are of the votes, and they are rounded by the *largest
remainder* method: each share is first rounded down, then the points still missing to make 100
go to the shares that lost most in rounding (ties: the larger count, then the earlier position).
So the shares shown always add up to 100, and a group's share is the sum of its positions'
shares as shown. A pick-several question's shares are of the people who chose (they add up to
more than 100): each is rounded half up on its own, as is a lone share such as a turnout.

The phone page carries the same rule in JavaScript (``coproterm/web/page.js``, ``shares``);
tests/test_screens_phone.py runs both on the same counts.
"""

from __future__ import annotations

from collections.abc import Sequence


def half_up(count: int, total: int) -> int:
    """``100 * count / total`` rounded half up (0 when there is no total): exact, in integers."""
    if total <= 0:
        return 0
    return (200 * count + total) // (2 * total)


def shares(counts: Sequence[int], total: int | None = None) -> tuple[int, ...]:
    """Each count's share of ``total`` in whole percent (``total``: the counts' sum unless given).

    When ``total`` is the counts' sum the shares add up to exactly 100 (largest remainder);
    otherwise (shares of people, each of whom chose several) each is rounded half up.
    """
    whole = sum(counts)
    of = whole if total is None else total
    if of <= 0:
        return (0,) * len(counts)
    if of != whole:
        return tuple(half_up(count, of) for count in counts)
    floors = [100 * count // of for count in counts]
    missing = 100 - sum(floors)
    lost = sorted(range(len(counts)), key=lambda i: (-(100 * counts[i] % of), -counts[i], i))
    for index in lost[:missing]:
        floors[index] += 1
    return tuple(floors)


def percent(share: int | None) -> str:
    """A share as printed: ``12%``; a dash when there is nothing to share."""
    return "–" if share is None else f"{share}%"


def printed(counts: Sequence[int], total: int | None = None) -> tuple[str, ...]:
    """Each count's share as printed (``"12%"``; a dash each when there is nothing to share)."""
    whole = sum(counts) if total is None else total
    if whole <= 0:
        return tuple(percent(None) for _ in counts)
    return tuple(percent(share) for share in shares(counts, total))


def group_printed(counts: Sequence[int], spans: Sequence[tuple[int, int]], total: int | None = None) -> tuple[str, ...]:
    """Each group's share as printed, for groups spanning ``counts[start:stop]``: its positions' shares added up,
    as they are shown; of ``total`` people when each chose several (then rounded on its own)."""
    whole = sum(counts) if total is None else total
    if whole <= 0:
        return tuple(percent(None) for _ in spans)
    each = shares(counts, total)
    if total is not None and total != sum(counts):
        return tuple(percent(half_up(sum(counts[start:stop]), total)) for start, stop in spans)
    return tuple(percent(sum(each[start:stop])) for start, stop in spans)
