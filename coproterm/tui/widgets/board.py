"""The board a participant places their work on: a scale or a grid of two scales.

:class:`BoardPicker` draws the board to fit its width (a row of columns when
there is room, a list when there is not), moves a cursor with the arrow keys,
number keys and the mouse, and turns Enter or a second click into a
:class:`BoardPicker.Cast` message. Marks never rely on colour alone: the cursor
is ``▶`` and reversed, the participant's vote is ``✔``.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.cache import LRUCache
from textual.containers import ScrollableContainer
from textual.content import Content
from textual.geometry import Region
from textual.message import Message
from textual.reactive import reactive

from coproterm.core.boards import Question, Scale
from coproterm.tui.language import lang_of
from coproterm.tui.widgets.laid_out_once import LaidOutOnce
from coproterm.tui.widgets.shared import SharedLines
from coproterm.tui.widgets.text import fitted, headings, ruled, wrap_words

CURSOR = Style(reverse=True, bold=True)
CHOSEN = Style(bold=True)
MUTED = Style(dim=True)
NARROW = 60
"""Below this width a scale is drawn as a list."""


@dataclass(frozen=True, slots=True)
class _Hit:
    """A screen rectangle (x0..x1, y0..y1, inclusive-exclusive) and the cell it shows."""

    x0: int
    x1: int
    y0: int
    y1: int
    cell: int


@dataclass(frozen=True, slots=True)
class _Drawn:
    """The board as last drawn, and what it was drawn for."""

    key: tuple[object, ...]
    content: Content
    height: int
    hits: list[_Hit]


_boards: LRUCache[tuple[object, ...], _Drawn] = LRUCache(256)
"""Boards drawn in this process, by all they were drawn for (nothing else goes into a board's drawing)."""


class BoardPicker(SharedLines, LaidOutOnce, can_focus=True):
    """Choose a cell of a question's board and cast it."""

    DEFAULT_CSS = """
    BoardPicker { height: auto; min-height: 3; }
    BoardPicker.-locked { opacity: 60%; }

    """

    BINDINGS = [
        Binding("left", "move(-1, 0)", "left", show=False),
        Binding("right", "move(1, 0)", "right", show=False),
        Binding("up", "move(0, -1)", "up", show=False),
        Binding("down", "move(0, 1)", "down", show=False),
        Binding("enter", "cast", "cast vote"),
        Binding("backspace,delete", "clear", "clear vote"),
        *(Binding(str(n), f"pick({n})", f"position {n}", show=False) for n in range(1, 10)),
    ]

    cursor: reactive[int] = reactive(0)
    chosen: reactive[int | None] = reactive(None)
    """The participant's vote on this question, as the hub accepted it."""
    locked: reactive[bool] = reactive(False, repaint=False)
    """Voting is locked: the key bar does not offer Enter and Delete (the hub refuses them)."""

    def offers(self, action: str) -> bool:
        """Whether the key bar offers ``action`` now: no vote while locked, no clearing of no vote.

        The keys still work (the hub says why a vote on a locked question is not counted); the bar
        just does not suggest what would not work.
        """
        if action == "cast":
            return not self.locked
        if action == "clear":
            return not self.locked and self.chosen is not None
        return True

    def watch_locked(self, locked: bool) -> None:
        self.set_class(locked, "-locked")
        self.refresh_bindings()

    class Highlighted(Message):
        """The cursor moved to a cell."""

        def __init__(self, cell: int) -> None:
            super().__init__()
            self.cell = cell
            """The cell under the cursor."""

    class Cast(Message):
        """The participant chose a cell."""

        def __init__(self, cell: int) -> None:
            super().__init__()
            self.cell = cell
            """The cell to vote for."""

    class Cleared(Message):
        """The participant took their vote back."""

    def __init__(self, question: Question, chosen: int | None = None, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.question = question
        self._hits: list[_Hit] = []
        self._laid_out_width: int | None = None
        self._drawn: _Drawn | None = None
        self.set_reactive(BoardPicker.chosen, chosen)
        self.set_reactive(BoardPicker.cursor, _first_cell(question, chosen))

    def show(self, question: Question, chosen: int | None = None) -> None:
        """Put another question's board in this picker, the cursor on the vote (or the first cell).

        Far cheaper than mounting a new picker: no styles to apply, no new layout, and
        focus stays put. Over SSH the hub pays that cost for every viewer.
        """
        self.question = question
        self.set_reactive(BoardPicker.chosen, chosen)
        self.set_reactive(BoardPicker.cursor, _first_cell(question, chosen))
        self.watch_cursor(self.cursor)
        self.refresh(layout=True)

    # -- input -----------------------------------------------------------------

    def action_move(self, dx: int, dy: int) -> None:
        question = self.question
        x, y = question.coordinates(self.cursor)
        if question.y is None and self._narrow:
            dx, dy = dx + dy, 0  # a list reads top to bottom
        x = max(0, min(question.width - 1, x + dx))
        y = max(0, min(question.height - 1, y + dy))
        self.cursor = question.cell(x, y)

    def action_cast(self) -> None:
        self.post_message(self.Cast(self.cursor))

    def action_clear(self) -> None:
        self.post_message(self.Cleared())

    def action_pick(self, number: int) -> None:
        """Move to position ``number`` (from 1) of the x scale, on the cursor's row."""
        if 1 <= number <= self.question.width:
            _, y = self.question.coordinates(self.cursor)
            self.cursor = self.question.cell(number - 1, y)

    def on_click(self, event: events.Click) -> None:
        for hit in self._hits:
            if hit.x0 <= event.x < hit.x1 and hit.y0 <= event.y < hit.y1:
                if hit.cell == self.cursor:
                    self.post_message(self.Cast(hit.cell))
                self.cursor = hit.cell
                return

    def watch_cursor(self, cell: int) -> None:
        self.post_message(self.Highlighted(cell))
        if self.size.width and self._draw(self.size.width).height != self.size.height:
            self.refresh(layout=True)  # a list shows the highlighted position whole: its height may change
        self.call_after_refresh(self.keep_cursor_in_view)

    def keep_cursor_in_view(self) -> None:
        """On a small screen, scroll the nearest scrolling ancestor to the cursor's cell."""
        hit = next((h for h in self._hits if h.cell == self.cursor), None)
        container = next((a for a in self.ancestors if isinstance(a, ScrollableContainer)), None)
        if hit is None or container is None:
            return
        top = self.region.y - container.region.y + int(container.scroll_y)
        container.scroll_to_region(Region(0, top + hit.y0, 1, hit.y1 - hit.y0), animate=False)

    def on_mount(self) -> None:
        self.post_message(self.Highlighted(self.cursor))

    # -- drawing ---------------------------------------------------------------

    @property
    def _narrow(self) -> bool:
        return self.size.width < NARROW

    def get_content_height(self, container: object, viewport: object, width: int) -> int:
        return self._draw(width).height

    def render(self) -> Content:
        return self._draw(self.size.width).content

    def _draw(self, width: int) -> _Drawn:
        """The board for ``width``, drawn once for what it shows: a layout asks for it several times
        (its height, then its lines), and over SSH each time is paid for every viewer."""
        key = (width, self.question, self.cursor, self.chosen, self.has_focus, lang_of(self))
        if self._drawn is None or self._drawn.key != key:
            drawn = _boards.get(key)  # another screen in this process may have drawn it (an SSH worker's room)
            if drawn is None:
                board = self._draw_board(width)
                drawn = _boards[key] = _Drawn(key, Content.from_rich_text(board), len(board.split()), self._hits)
            self._drawn = drawn
        self._hits = self._drawn.hits
        return self._drawn

    def _draw_board(self, width: int) -> Text:
        self._hits = []
        question = self.question
        if question.x is None:
            return Text("")
        if question.y is not None:
            return self._draw_grid(question.x, question.y, width)
        if width < NARROW:
            return self._draw_list(question.x, width)
        return self._draw_row(question.x, width)

    def _is_chosen(self, cell: int) -> bool:
        """Whether the participant's vote names ``cell`` (one of the positions of a pick-several vote)."""
        if self.chosen is None:
            return False
        return bool(self.chosen >> cell & 1) if self.question.several else cell == self.chosen

    def _mark(self, cell: int) -> tuple[str, Style]:
        chosen = self._is_chosen(cell)
        if cell == self.cursor and self.has_focus:
            return ("▶" + ("✔" if chosen else " "), CURSOR + (CHOSEN if chosen else Style()))
        if cell == self.cursor:
            return (
                "▷" + ("✔" if chosen else " "),
                Style(underline=True) + (CHOSEN if chosen else Style()),
            )
        return (" " + ("✔" if chosen else " "), CHOSEN if chosen else Style())

    def _draw_row(self, scale: Scale, width: int) -> Text:
        """Positions side by side, group names above them."""
        n = scale.size
        column = max(6, width // n)
        lines: list[Text] = []
        if scale.groups:
            header = Text()
            for group in scale.groups:
                span = column * (group.stop - group.start)
                header.append(ruled(group.label, span - 1) + " ", Style(bold=True))
            lines.append(header)
        labels = [wrap_words(p.label, column - 1) for p in scale.positions]
        depth = min(3, max(len(wrapped) for wrapped in labels))
        top = len(lines)
        rows = [Text() for _ in range(depth + 2)]
        for cell, wrapped in enumerate(labels):
            mark, style = self._mark(cell)
            rows[0].append(f"{mark}{cell + 1}".ljust(column - 1)[: column - 1] + " ", style)
            for i in range(depth):
                words = wrapped[i] if i < len(wrapped) else ""
                if i == depth - 1 and len(wrapped) > depth:
                    words = words[: column - 2] + "…"
                rows[1 + i].append(words.ljust(column - 1)[: column - 1] + " ", style)
            note = lang_of(self).t("your vote") if self._is_chosen(cell) else ""
            if len(note) > column - 1:  # an ellipsis where the words are cut, never a word cut silently
                note = note[: max(0, column - 2)] + "…"
            rows[-1].append(note.ljust(column - 1) + " ", MUTED if not note else CHOSEN)
            self._hits.append(_Hit(cell * column, (cell + 1) * column, top, top + depth + 2, cell))
        lines.extend(rows)
        return Text("\n").join(lines)

    def _draw_list(self, scale: Scale, width: int) -> Text:
        """One position a line, group names as headings: for narrow screens."""
        lines: list[Text] = []
        for cell, position in enumerate(scale.positions):
            group = scale.group_of(cell)
            if group is not None and group.start == cell:
                lines.append(Text(group.label, Style(bold=True, underline=True)))
            mark, style = self._mark(cell)
            number = f"{mark}{cell + 1} "
            label = position.label
            if cell == self.cursor:  # the highlighted position whole, over as many lines as it takes
                wrapped = wrap_words(label, max(1, width - len(number)))
                self._hits.append(_Hit(0, width, len(lines), len(lines) + len(wrapped), cell))
                lines.append(Text(f"{number}{wrapped[0]}"[:width], style))
                lines.extend(Text(f"{' ' * len(number)}{more}"[:width], style) for more in wrapped[1:])
                continue
            self._hits.append(_Hit(0, width, len(lines), len(lines) + 1, cell))
            if len(number) + len(label) > width:  # cut at a word, and an ellipsis says so (the cursor shows it whole)
                label = wrap_words(label, width - len(number) - 1)[0].rstrip(" ,;:") + "…"
            lines.append(Text(f"{number}{label}"[:width], style))
        return Text("\n").join(lines)

    def _draw_grid(self, xs: Scale, ys: Scale, width: int) -> Text:
        """The x scale across, the y scale down, one square per cell."""
        # Row names as wide as the squares leave room for (Welsh names are longer: cymhleth, anhrefnus).
        room = 12 if width >= NARROW else max(8, width - xs.size * 4 - 1)
        side = min(room, max(len(p.label) for p in ys.positions) + 1)
        column = max(3, (width - side) // xs.size)
        lines: list[Text] = []
        if xs.groups and column >= 8:
            spans = [(group.label, column * (group.stop - group.start)) for group in xs.groups]
            lines.extend(Text(" " * side + row, Style(bold=True)) for row in headings(spans, rule=True))
        names = [(f"{i + 1} {p.label}" if column >= 8 else f"{i + 1}", column) for i, p in enumerate(xs.positions)]
        lines.extend(Text(" " * side + row, MUTED) for row in headings(names, depth=3))
        for y, position in enumerate(ys.positions):
            line = Text(fitted(position.label, side - 1, 1)[0].ljust(side))
            for x in range(xs.size):
                cell = y * xs.size + x
                mark, style = self._mark(cell)
                self._hits.append(_Hit(side + x * column, side + (x + 1) * column, len(lines), len(lines) + 1, cell))
                square = f"[{mark}]" if column >= 6 else (mark if mark.strip() else " ·")

                line.append(square.center(column - 1)[: column - 1] + " ", style)

            lines.append(line)
        return Text("\n").join(lines)

    def watch_chosen(self, before: int | None, after: int | None) -> None:
        self.refresh()  # a mark changes, never the board's size
        if (before is None) != (after is None):
            self.refresh_bindings()  # a vote to clear, or none

    def watch_has_focus(self, has_focus: bool) -> None:
        """Focus shows in the board's own drawing (its cursor), and no rule styles a focused board
        (a test checks): Textual's restyle on every focus move, paid per SSH viewer, is left out."""

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    def on_resize(self, event: events.Resize) -> None:
        # The board is drawn for a width (a row or a list): a new width may change its height.
        # A new height alone (another question's board) needs no second layout: each one costs
        # every SSH viewer a pass over the whole screen.
        if event.size.width != self._laid_out_width:
            if self._laid_out_width is not None:
                self.refresh(layout=True)
            self._laid_out_width = event.size.width


def _first_cell(question: Question, chosen: int | None) -> int:
    """Where the cursor starts: on the vote (its first position when it chose several), else the first cell."""
    if chosen is None:
        return 0
    return question.chosen(chosen)[0] if question.several else chosen
