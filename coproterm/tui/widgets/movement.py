"""Before and after on the dashboard: how the room moved between two questions on the same scale.

:class:`MovementChart` says it in one sentence (moved towards doing with,
stayed, moved away), by how many steps, and as a from→to table: a row per
position before, a column per position after, the diagonal those who stayed.
Every count is printed, so it reads without colour.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.style import Style
from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from coproterm.core.boards import Scale
from coproterm.core.i18n import ENGLISH, language
from coproterm.core.movement import Movement, steps_words, summary, towards_words
from coproterm.tui.language import lang_of
from coproterm.tui.widgets.text import fitted

TOWARDS = Style(color="green", bold=True)
AWAY = Style(color="magenta", bold=True)
STAYED = Style(bold=True)
MUTED = Style(dim=True)


class MovementChart(Widget):
    """The room's move from an earlier question to this one."""

    DEFAULT_CSS = "MovementChart { height: auto; margin: 0 0 1 0; }"

    movement: reactive[Movement | None] = reactive(None, layout=True)

    def __init__(self, scale: Scale, compared: str, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.scale = scale
        self.compared = compared
        """The earlier question's words, to say what is compared."""

    def get_content_height(self, container: object, viewport: object, width: int) -> int:
        return len(self._draw(width).wrap(self.app.console, max(width, 1)))  # a long summary wraps: never cut

    def render(self) -> Text:
        return self._draw(self.size.width)

    def _draw(self, width: int) -> Text:
        movement = self.movement or Movement.of(self.scale.size, [])
        lang = lang_of(self)
        t = lang.t
        lines = [
            Text.assemble(
                (t("Before → after"), "bold underline"),
                ("  " + t("compared with “{prompt}”", prompt=self.compared), MUTED),
            ),
            Text(summary(movement, self.scale, lang), STAYED),
        ]
        steps = movement.by_steps()
        if steps:
            line = Text(t("by steps: "), MUTED)
            for step, count in steps.items():
                style = TOWARDS if step > 0 else AWAY if step < 0 else STAYED
                words = t("stayed") if step == 0 else f"{'+' if step > 0 else '−'}{steps_words(step, lang)}"
                line.append(f"{words}: {count}", style)
                line.append("   ")
            lines.append(line)
        lines.extend(transition_table(movement, self.scale, width, t))
        return Text("\n").join(lines)


def transition_table(movement: Movement, scale: Scale, width: int, t: Callable[..., str] | None = None) -> list[Text]:
    """The from→to counts: rows before, columns after; right of the diagonal moved towards the scale's end."""
    t = t or language(ENGLISH).t
    n = scale.size
    column = 5
    side = max(8, min(28, width - column * n - 2))
    heads = Text(t("before ↓  after →").ljust(side)[:side], MUTED)
    for x in range(n):
        heads.append(f"{x + 1:>{column - 1}} ", MUTED)
    lines = [heads]
    for before, position in enumerate(scale.positions):
        label = fitted(f"{before + 1} {position.label}", side - 1, 1)[0]
        line = Text(label.ljust(side))
        for after in range(n):
            count = movement.count(before, after)
            style = STAYED if after == before else TOWARDS if after > before else AWAY
            line.append(f"{count or '·':>{column - 1}} ", style if count else MUTED)
        lines.append(line)
    lines.append(Text(t("right of the diagonal: towards {goal}; left: away", goal=towards_words(scale)), MUTED))
    return lines
