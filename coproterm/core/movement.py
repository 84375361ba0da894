"""Before and after: how the room moved between two questions on the same scale.

A question may name an earlier one to compare with (``compare`` in the deck):
the opportunity question compares with "where does your work live". For
everyone who answered both, the pair (before, after) is a move along the scale:
towards its far end (on the spectrum, towards doing with), staying, or away,
by so many steps. :class:`Movement` holds the from→to counts as one flat
array (``before * size + after``), which is also how :class:`~coproterm.core.wire.Moves`
carries it, so the hub, the dashboard and the report read it the same way.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from coproterm.core.boards import Scale
from coproterm.core.i18n import ENGLISH, Language, language


@dataclass(frozen=True, slots=True)
class Movement:
    """The from→to counts of everyone who answered both questions of a before-and-after."""

    size: int
    """Positions on the scale."""
    counts: tuple[int, ...]
    """``counts[before * size + after]``: how many went from ``before`` to ``after``."""

    @classmethod
    def of(cls, size: int, pairs: Iterable[tuple[int, int]]) -> Movement:
        """Count (before, after) pairs of positions on a scale of ``size`` positions."""
        counts = [0] * (size * size)
        for before, after in pairs:
            counts[before * size + after] += 1
        return cls(size, tuple(counts))

    def count(self, before: int, after: int) -> int:
        return self.counts[before * self.size + after]

    @property
    def people(self) -> int:
        """Everyone who answered both."""
        return sum(self.counts)

    def by_steps(self) -> dict[int, int]:
        """How many moved by each number of steps (positive: towards the scale's end), zero counts left out."""
        steps: dict[int, int] = {}
        for cell, count in enumerate(self.counts):
            if count:
                step = cell % self.size - cell // self.size
                steps[step] = steps.get(step, 0) + count
        return dict(sorted(steps.items()))

    @property
    def towards(self) -> int:
        """Moved towards the scale's far end (on the spectrum: towards doing with)."""
        return sum(count for step, count in self.by_steps().items() if step > 0)

    @property
    def stayed(self) -> int:
        return self.by_steps().get(0, 0)

    @property
    def away(self) -> int:
        return sum(count for step, count in self.by_steps().items() if step < 0)


def towards_words(scale: Scale) -> str:
    """What moving right on a scale means, in its own words: its last group (doing with), else its last position."""
    last = scale.group_of(scale.size - 1)
    return last.label if last is not None else scale.positions[-1].label


def steps_words(step: int, lang: Language | None = None) -> str:
    """``"1 step"``, ``"2 steps"`` (by its size, whichever way), in ``lang`` (English by default)."""
    return (lang or language(ENGLISH)).tn("{count} step", "{count} steps", abs(step))


def summary(movement: Movement, scale: Scale, lang: Language | None = None) -> str:
    """The room's move in one sentence: "Of 12 who answered both: 7 moved towards doing with, 4 stayed, 1 moved away"."""
    t = (lang or language(ENGLISH)).t
    if not movement.people:
        return t("Nobody has answered both questions yet.")
    return t(
        "Of {people} who answered both: {towards} moved towards {goal}, {stayed} stayed, {away} moved away",
        people=movement.people,
        towards=movement.towards,
        goal=towards_words(scale),
        stayed=movement.stayed,
        away=movement.away,
    )


def own_move(scale: Scale, before: int, after: int, lang: Language | None = None) -> str:
    """One person's move, for their own screen: "consultation → co-production / involvement: 2 steps towards doing with"."""
    t = (lang or language(ENGLISH)).t
    step = after - before
    path = f"{scale.positions[before].label} → {scale.positions[after].label}"
    if step == 0:
        return t("{path}: you stayed where you were", path=path)
    if step > 0:
        return t("{path}: {steps} towards {goal}", path=path, steps=steps_words(step, lang), goal=towards_words(scale))
    return t("{path}: {steps} away from {goal}", path=path, steps=steps_words(step, lang), goal=towards_words(scale))
