"""Live results: bars for a scale, a heatmap for a grid.

:class:`TallyChart` draws a question's counts to fit its size: one bar per
position with its count and percentage, grouped with group totals; or, for a
grid, a table of counts shaded by density with totals for each row and column.
Counts are always printed, so the chart reads without colour.
"""

from __future__ import annotations

from rich.color import Color
from rich.style import Style
from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from coproterm.core.boards import Question, Scale
from coproterm.tui.widgets.text import ruled

BAR = Style(color="cyan", bold=True)
GROUP = Style(bold=True)
MUTED = Style(dim=True)


def percent(count: int, total: int) -> str:
    return f"{round(100 * count / total)}%" if total else "–"


class TallyChart(Widget):
    """A question's tally, drawn as bars or a heatmap."""

    DEFAULT_CSS = "TallyChart { height: auto; }"

    counts: reactive[tuple[int, ...]] = reactive(())  # a repaint: the chart's size never depends on the counts
    tall: reactive[bool] = reactive(False, layout=True)
    """Draw each bar two rows high (when the screen has the room)."""

    def __init__(self, question: Question, counts: tuple[int, ...] = (), **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.question = question
        self.set_reactive(TallyChart.counts, counts or (0,) * question.cells)

    def show(self, question: Question, counts: tuple[int, ...]) -> None:
        """Draw another question's tally here (cheaper than mounting a new chart)."""
        self.question = question
        self.set_reactive(TallyChart.counts, counts)
        self.refresh(layout=True)

    def get_content_height(self, container: object, viewport: object, width: int) -> int:
        return len(self._draw(width).split())

    def render(self) -> Text:
        return self._draw(self.size.width)

    def _draw(self, width: int) -> Text:
        question = self.question
        counts = self.counts if len(self.counts) == question.cells else (0,) * question.cells
        if question.x is None:
            return Text("")
        if question.y is None:
            return scale_bars(question.x, counts, width, tall=self.tall)
        return heatmap(question.x, question.y, counts, width)


def scale_bars(scale: Scale, counts: tuple[int, ...], width: int, *, tall: bool = False) -> Text:
    """One bar per position, under group headings with their totals."""
    total = sum(counts)
    label_width = min(max(len(p.label) for p in scale.positions) + 3, max(12, width // 3))
    figures = 11  # " 123  100%"
    bar_width = max(4, width - label_width - figures)
    peak = max(counts) if any(counts) else 1
    lines: list[Text] = []
    for index, position in enumerate(scale.positions):
        group = scale.group_of(index)
        if group is not None and group.start == index:
            in_group = sum(counts[group.start : group.stop])
            lines.append(Text.assemble((group.label, GROUP), (f"  {in_group} · {percent(in_group, total)}", MUTED)))
        count = counts[index]
        cells = round(bar_width * count / peak) if count else 0
        label = f"{index + 1} {position.label}"
        label = label if len(label) < label_width else label[: label_width - 2] + "…"
        row = Text.assemble(
            (label.ljust(label_width), Style()),
            ("█" * cells, BAR),
            ("▏" if not cells else "", MUTED),
            " " * (bar_width - max(cells, 1)),
            (f"{count:>4}  {percent(count, total):>4}", Style(bold=bool(count))),
        )
        lines.append(row)
        if tall:  # a bar and a half, so neighbouring bars stay apart
            lines.append(Text.assemble(" " * label_width, ("▀" * cells, BAR)))
    return Text("\n").join(lines)


def heatmap(xs: Scale, ys: Scale, counts: tuple[int, ...], width: int) -> Text:
    """Counts of a grid, shaded by density, with row and column totals."""
    side = min(12, max(len(p.label) for p in ys.positions) + 1)
    column = max(5, min(14, (width - side - 7) // xs.size))
    peak = max(counts) if any(counts) else 1
    total = sum(counts)
    lines: list[Text] = []
    if xs.groups and column >= 8:
        header = Text(" " * side)
        for group in xs.groups:
            span = column * (group.stop - group.start) - 1
            header.append(ruled(group.label, span) + " ", GROUP)
        lines.append(header)
    lines.append(Text(" " * side).append_text(_columns(xs, column)).append(" total", MUTED))
    for y, position in enumerate(ys.positions):
        row = counts[y * xs.size : (y + 1) * xs.size]
        line = Text(position.label[: side - 1].ljust(side))
        for count in row:
            body = f"{count}" if count else "·"
            line.append(f"{body:^{column - 1}}", _heat(count, peak))
            line.append(" ")
        line.append(f"{sum(row):>6}", MUTED)
        lines.append(line)
    totals = Text("total".ljust(side), MUTED)
    for x in range(xs.size):
        totals.append(f"{sum(counts[x :: xs.size]):^{column - 1}} ", MUTED)
    totals.append(f"{total:>6}", Style(bold=True))
    lines.append(totals)
    return Text("\n").join(lines)


def _heat(count: int, peak: int) -> Style:
    """Darker to brighter with the count; the number itself is always printed too."""
    if not count:
        return MUTED
    level = count / peak
    shade = Color.from_rgb(int(20 + 20 * level), int(60 + 120 * level), int(90 + 150 * level))
    return Style(bold=True, bgcolor=shade, color="black" if level > 0.6 else "white")


def _columns(xs: Scale, column: int) -> Text:
    header = Text()
    for i, position in enumerate(xs.positions):
        header.append(f"{i + 1} {position.label}"[: column - 1].ljust(column), MUTED)
    return header
