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

from coproterm.core.boards import Question, Scale
from coproterm.core.shares import half_up, percent, shares
from coproterm.tui.language import lang_of
from coproterm.tui.widgets.laid_out_once import LaidOutOnce
from coproterm.tui.widgets.shared import SharedLines
from coproterm.tui.widgets.text import fitted, headings, wrap_words

BAR = Style(color="cyan", bold=True)
GROUP = Style(bold=True)
MUTED = Style(dim=True)


def _short(word: str, width: int) -> str:
    """``word`` in ``width`` cells, an ellipsis where it is cut (Welsh words are often longer)."""
    return word if len(word) <= width else word[: max(0, width - 1)] + "…"


class TallyChart(SharedLines, LaidOutOnce):
    """A question's tally, drawn as bars or a heatmap."""

    DEFAULT_CSS = "TallyChart { height: auto; }"

    counts: reactive[tuple[int, ...]] = reactive(())  # a repaint: the chart's size never depends on the counts
    tall: reactive[bool] = reactive(False, layout=True)
    """Draw each bar two rows high (when the screen has the room)."""
    people: reactive[int | None] = reactive(None)
    """On a pick-several question, how many people chose: shares are of people, not of choices."""

    def __init__(self, question: Question, counts: tuple[int, ...] = (), **kwargs: object) -> None:
        super().__init__(**kwargs)
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
            return scale_bars(question.x, counts, width, tall=self.tall, people=self.people)
        return heatmap(question.x, question.y, counts, width, total_word=lang_of(self).t("total"))


def scale_bars(
    scale: Scale, counts: tuple[int, ...], width: int, *, tall: bool = False, people: int | None = None
) -> Text:
    """One bar per position, under group headings with their totals (shares of ``people`` when each chose several)."""
    total = sum(counts) if people is None else people
    each = shares(counts, people)
    figures = 11  # " 123  100%"
    # The whole label where the bars keep room to compare; else the label wraps to a second line.
    longest = max(len(f"{i + 1} {p.label}") for i, p in enumerate(scale.positions)) + 1
    label_width = max(8, min(longest, width - figures - 8))
    bar_width = max(4, width - label_width - figures)
    peak = max(counts) if any(counts) else 1
    lines: list[Text] = []
    for index, position in enumerate(scale.positions):
        group = scale.group_of(index)
        if group is not None and group.start == index:
            in_group = sum(counts[group.start : group.stop])
            # A group's share is its positions' shares as shown (of people, when each chose several: its own).
            share = sum(each[group.start : group.stop]) if people is None else half_up(in_group, total)
            lines.append(
                Text.assemble((group.label, GROUP), (f"  {in_group} · {percent(share if total else None)}", MUTED))
            )
        count = counts[index]
        cells = round(bar_width * count / peak) if count else 0
        # Whole, over as many lines as it takes (a phone's 40 columns): a label is never cut.
        label, *more = wrap_words(f"{index + 1} {position.label}", label_width - 1)
        row = Text.assemble(
            (label.ljust(label_width), Style()),
            ("█" * cells, BAR),
            ("▏" if not cells else "", MUTED),
            " " * (bar_width - max(cells, 1)),
            (f"{count:>4}  {percent(each[index] if total else None):>4}", Style(bold=bool(count))),
        )
        lines.append(row)
        if tall or more:  # a bar and a half, so neighbouring bars stay apart; or the rest of the label
            rest = ("  " + more[0]) if more else ""
            lines.append(Text.assemble(rest.ljust(label_width), ("▀" * cells if tall else "", BAR)))
        lines.extend(Text("  " + line) for line in more[1:])
    return Text("\n").join(lines)


def heatmap(xs: Scale, ys: Scale, counts: tuple[int, ...], width: int, *, total_word: str = "total") -> Text:
    """Counts of a grid, shaded by density, with row and column totals; always within ``width``.

    Column headings take two lines where one is too narrow; where even that is too
    narrow the columns are numbered and a legend under the grid names them.
    """
    totals_width = 6
    side = min(13, max(len(p.label) for p in ys.positions) + 1)
    column = max(3, min(14, (width - side - totals_width) // xs.size))
    side = max(4, min(side, width - totals_width - column * xs.size))
    peak = max(counts) if any(counts) else 1
    total = sum(counts)
    lines: list[Text] = []
    named = column >= 8
    if xs.groups and named:
        spans = [(group.label, column * (group.stop - group.start)) for group in xs.groups]
        lines.extend(Text(" " * side + row, GROUP) for row in headings(spans, rule=True))
    names = [(f"{i + 1} {p.label}" if named else f"{i + 1}", column) for i, p in enumerate(xs.positions)]
    heads = headings(names, depth=3)
    above = len(total_word) >= totals_width  # a longer word ("cyfanswm") whole, on a line of its own over its column
    if above:
        lines.append(Text(total_word.rjust(side + column * xs.size + totals_width - 1), MUTED))
    for i, head in enumerate(heads):
        lines.append(
            Text(" " * side + head, MUTED).append(total_word if i == len(heads) - 1 and not above else "", MUTED)
        )
    for y, position in enumerate(ys.positions):
        row = counts[y * xs.size : (y + 1) * xs.size]
        line = Text(fitted(position.label, side - 1, 1)[0].ljust(side))
        for count in row:
            body = f"{count}" if count else "·"
            line.append(f"{body:^{column - 1}}", _heat(count, peak))
            line.append(" ")
        line.append(f"{sum(row):>{totals_width - 1}}", MUTED)
        lines.append(line)
    totals = Text(_short(total_word, side - 1).ljust(side), MUTED)
    for x in range(xs.size):
        totals.append(f"{sum(counts[x :: xs.size]):^{column - 1}} ", MUTED)
    totals.append(f"{total:>{totals_width - 1}}", Style(bold=True))
    lines.append(totals)
    if not named:  # numbered columns: say what the numbers are
        legend: list[str] = []
        for entry in (f"{i + 1} {p.label}" for i, p in enumerate(xs.positions)):  # an entry is never split
            if legend and len(legend[-1]) + 2 + len(entry) <= width:
                legend[-1] += "  " + entry
            else:
                legend.append(fitted(entry, width, 1)[0])
        lines.extend(Text(part, MUTED) for part in legend)
    return Text("\n").join(lines)


def _heat(count: int, peak: int) -> Style:
    """Darker to brighter with the count; the number itself is always printed too."""
    if not count:
        return MUTED
    level = count / peak
    shade = Color.from_rgb(int(20 + 20 * level), int(60 + 120 * level), int(90 + 150 * level))
    return Style(bold=True, bgcolor=shade, color="black" if level > 0.6 else "white")
