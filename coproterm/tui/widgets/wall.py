"""Written answers on screen: the words drawn large to small, and the wall of answers.

:func:`word_cloud` lays the most used words out as a terminal can draw "large":
the top words spaced out in capitals, the next bold, the rest plain, each with
its count, so it reads without colour. :class:`AnswerWall` is the facilitator's
view of a text question: the live wall (newest first, wrapped, with a count) or
the words (``w`` toggles), and moderation: move through the wall and hide or
show the answer under the cursor (``h``). The wall is projected: a hidden answer
leaves no trace on it, until the facilitator turns to their own view of the hidden
ones (``H``), which shows them, marked, to read and show again. On a moderated
question the room's answers wait for approval: the projected wall shows only how
many wait; the queue (``A``) lists them, oldest first, for the facilitator to
approve one (``y``), all (``Y``) or hide one (``h``). It posts
:class:`AnswerWall.ModerationChosen`; the app sends it. Answers are always drawn as plain
text, never markup.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.containers import ScrollableContainer
from textual.dom import NoScreen
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget

from coproterm.core.answer_view import AnswerView, HostAnswer
from coproterm.core.collation import sort_key
from coproterm.tui.language import lang_of

WORDS = 30
"""Words in the word view."""

BIGGEST = Style(bold=True, reverse=True)
BIG = Style(bold=True, color="cyan")
PLAIN = Style()
SMALL = Style(dim=True)


def _spaced(word: str) -> str:
    return " ".join(word.upper())


def word_cloud(
    words: tuple[tuple[str, int], ...] | list[tuple[str, int]],
    width: int,
    *,
    none: str = "No words yet.",
    order: str = "en",
) -> Text:
    """The words, most used first, flowing in centred lines: bigger (spaced capitals, bold) the more used.

    A word's size follows its count alone (its share of the top count), so words used as
    often look alike; among them, the order is alphabetical in the language ``order``
    names (Welsh: ch after c, ll after l), the same from one frame to the next.
    """
    if not words:
        return Text(none, style=SMALL)
    key = sort_key(order)
    ordered = sorted(words, key=lambda item: (-item[1], key(item[0])))
    peak = ordered[0][1]
    pieces = [_sized(word, count, peak) for word, count in ordered]
    lines: list[Text] = []
    line = Text()
    for piece in pieces:
        gap = 3 if line.cell_len else 0
        if line.cell_len and line.cell_len + gap + piece.cell_len > width:
            lines.append(line)
            line = Text()
            gap = 0
        line.append(" " * gap)
        line.append_text(piece)
    if line.cell_len:
        lines.append(line)
    out = Text()
    for index, each in enumerate(lines):
        each.align("center", max(width, each.cell_len))
        out.append_text(each)
        if index < len(lines) - 1:
            out.append("\n\n" if index == 0 else "\n")
    return out


def _sized(word: str, count: int, peak: int) -> Text:
    """A word drawn as large as its count is against the top count: the same count, the same size."""
    if peak > 1 and count == peak:
        return Text.assemble((f" {_spaced(word)} ", BIGGEST), (f" {count}", BIG))
    if count * 2 >= peak:
        return Text.assemble((word.upper(), BIG), (f" {count}", SMALL))
    if count * 4 >= peak:
        return Text.assemble((word, PLAIN), (f" {count}", SMALL))
    return Text.assemble((word, SMALL), (f" {count}", SMALL))


class AnswerWall(Widget, can_focus=True):
    """The facilitator's wall of a text question's answers, or its words; moderation by keys."""

    DEFAULT_CSS = """
    AnswerWall { height: auto; }
    AnswerWall:focus { background-tint: $foreground 3%; }
    """
    # Not in the key bar: the wall's own first line says them, and the bar keeps its room for the dashboard's keys.
    BINDINGS = [
        Binding("w", "toggle_words", "wall/words", show=False),
        Binding("h", "toggle_hidden", "hide/unhide", show=False),
        Binding("H", "toggle_show_hidden", "hidden answers", show=False),
        Binding("A", "toggle_queue", "waiting answers", show=False),
        Binding("y", "approve", "approve", show=False),
        Binding("Y", "approve_all", "approve all", show=False),
        Binding("up,k", "move(-1)", "up", show=False),
        Binding("down,j", "move(1)", "down", show=False),
    ]

    words_view: reactive[bool] = reactive(False, layout=True)
    """Show the words (True) or the wall of answers (False)."""
    cursor: reactive[int] = reactive(0)
    """The answer under the cursor, as an index into the wall, newest first."""
    revision: reactive[int] = reactive(0, layout=True, always_update=True)
    show_hidden: reactive[bool] = reactive(False, layout=True)
    """The facilitator's own view: hidden answers shown (marked), to read and show again; off on the projector."""
    queue_view: reactive[bool] = reactive(False, layout=True)
    """The queue: the answers waiting for approval, oldest first (a moderated question's), to approve or hide."""

    class ModerationChosen(Message):
        """The facilitator hid an answer from the room, showed it again, or approved it (or every waiting one)."""

        def __init__(self, question: int, answer: int, hidden: bool, approve: bool = False) -> None:
            super().__init__()
            self.question = question
            """The question the answer belongs to."""
            self.answer = answer
            """The answer's id (0 with ``approve``: every answer waiting)."""
            self.hidden = hidden
            """True: hide it; False: show it again."""
            self.approve = approve
            """Let it through to the room (it waited for approval)."""

    def __init__(self, question: int, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.question = question
        self._answers: list[HostAnswer] = []
        """The answers drawn, newest first: hidden ones only in the facilitator's own view."""
        self._all: list[HostAnswer] = []
        self._words: list[tuple[str, int]] | None = None
        self._total = 0
        self._visible = 0
        self._hidden = 0
        self._queued = 0
        self._written: AnswerView | None = None
        self._seen = (-1, -1)
        """(question, the view's answer revision) last shown: nothing is done again for the same."""
        self._stale = False
        """The list of answers is behind (made again when the wall is shown instead of the words)."""
        self._top = 0
        """The first answer drawn (the wall scrolls to keep the cursor in view)."""

    def show(self, question: int, written: AnswerView) -> None:
        """Draw the host's latest answers to ``question``.

        On the word view this costs a few pops whatever the wall holds (the view keeps the words counted);
        the list of answers is made again only when the wall itself is shown.
        """
        self.question = question
        self._written = written
        ours = written.host_question == question
        seen = (question, written.host_revision if ours else -1)
        if seen == self._seen:
            return
        self._seen = seen
        self._words = written.host_words.top(WORDS) if ours else []
        self._hidden = written.host_hidden if ours else 0
        self._queued = written.host_queued if ours else 0
        self._visible = len(written.host_answers) - self._hidden - self._queued if ours else 0
        if self.words_view:
            self._stale = True
            self.revision += 1
            return
        self._rebuild()

    def _rebuild(self) -> None:
        written = self._written
        ours = written is not None and written.host_question == self.question
        self._all = written.host_newest_first() if written is not None and ours else []
        self._total = len(self._all)
        self._stale = False
        self._choose()

    def watch_words_view(self, words: bool) -> None:
        if not words and self._stale:
            self._rebuild()

    def _choose(self) -> None:
        """The answers to draw (hidden ones in the facilitator's own view only), the cursor kept on its answer."""
        selected = self._answers[self.cursor].id if self._answers and self.cursor < len(self._answers) else None
        if self.queue_view:
            answers = sorted((a for a in self._all if a.queued), key=lambda a: a.id)  # in the order they came
        elif self.show_hidden:
            answers = self._all
        else:
            answers = [a for a in self._all if a.visible]  # projected: what the room may see, nothing else
        self._answers = answers
        if selected is not None:
            # The cursor stays on its answer as new ones arrive above it.
            self.cursor = next(
                (i for i, a in enumerate(answers) if a.id == selected), min(self.cursor, len(answers) - 1)
            )
        self.cursor = max(0, min(self.cursor, len(answers) - 1))
        self.revision += 1

    @property
    def selected(self) -> HostAnswer | None:
        """The answer under the cursor."""
        return self._answers[self.cursor] if 0 <= self.cursor < len(self._answers) else None

    def action_toggle_words(self) -> None:
        self.words_view = not self.words_view

    class Viewing(Message):
        """The facilitator turned to their own view of the hidden answers, or back to the projected wall."""

    def action_toggle_show_hidden(self) -> None:
        self.show_hidden = not self.show_hidden
        self.queue_view = False
        self.words_view = False
        self._choose()
        self.post_message(self.Viewing())

    def action_toggle_queue(self) -> None:
        """The queue of answers waiting for approval, or back to the projected wall."""
        self.queue_view = not self.queue_view
        self.show_hidden = False
        self.words_view = False
        self.cursor = 0
        self._choose()
        self.post_message(self.Viewing())

    def action_approve(self) -> None:
        """Let the answer under the cursor through to the room (shown, if it was hidden)."""
        answer = self.selected
        if answer is not None and not self.words_view and (answer.waiting or answer.hidden):
            self.post_message(self.ModerationChosen(self.question, answer.id, False, approve=True))

    def action_approve_all(self) -> None:
        """Let every answer waiting for approval through to the room (the hidden ones stay hidden)."""
        self.post_message(self.ModerationChosen(self.question, 0, False, approve=True))

    def action_move(self, by: int) -> None:
        if self._answers:
            self.cursor = max(0, min(self.cursor + by, len(self._answers) - 1))
            self.words_view = False

    def action_toggle_hidden(self) -> None:
        answer = self.selected
        if answer is not None and not self.words_view:
            self.post_message(self.ModerationChosen(self.question, answer.id, not answer.hidden))

    def get_content_height(self, container: object, viewport: object, width: int) -> int:
        return len(self._draw(width).wrap(self.app.console, max(width, 1)))

    def render(self) -> Text:
        return self._draw(self.size.width)

    def _draw(self, width: int) -> Text:
        visible, hidden = self._visible, self._hidden
        lang = lang_of(self)
        t = lang.t
        if self.queue_view:
            return self._draw_queue(width)
        keys = t("w: wall   ↑↓ h: hide/unhide") if self.words_view else t("w: words   ↑↓ h: hide/unhide")
        head = Text.assemble(
            (lang.tn("{count} answer", "{count} answers", visible), "bold"),
            # Projected, the wall says nothing of hidden answers; the facilitator's own view counts them.
            (t("  ({count} hidden)", count=hidden) if hidden and self.show_hidden else "", "dim"),
            # The count of what waits, never its words: the queue (A) is the facilitator's to read.
            ("  " + t("· {count} waiting for approval (A)", count=self._queued) if self._queued else "", "bold"),
            ("    " + keys + "   " + t("H: hidden answers"), "dim"),
            "\n\n",
        )
        if self.words_view:
            return head + word_cloud(self._words or [], max(20, width), none=t("No words yet."), order=lang.code)
        if not self._answers:
            return head + Text(t("No answers yet."), style=SMALL)

        def marked(mark: str, answer: HostAnswer) -> Text:
            # Only in the facilitator's own view (H): the hidden answer's words, marked, to decide on showing it.
            if answer.hidden:
                return Text.assemble(mark, (answer.text, "dim"), ("  " + t("(hidden)"), "italic"))
            if answer.waiting:
                return Text.assemble(mark, (answer.text, "dim"), ("  " + t("(waiting for approval)"), "italic"))
            return Text.assemble(mark, (answer.text, PLAIN))

        return head + self._listed(width, t("↑ {count} newer"), t("↓ {count} older"), marked)

    def _draw_queue(self, width: int) -> Text:
        """The facilitator's queue: every answer waiting for approval, oldest first, with its keys."""
        lang = lang_of(self)
        t = lang.t
        head = Text.assemble(
            (
                lang.tn("{count} answer waiting for approval", "{count} answers waiting for approval", self._queued),
                "bold",
            ),
            ("    " + t("↑↓ y: approve   Y: approve all   h: hide   A: back to the wall"), "dim"),
            "\n\n",
        )
        if not self._answers:
            return head + Text(t("Nothing is waiting."), style=SMALL)

        def plain(mark: str, answer: HostAnswer) -> Text:
            return Text.assemble(mark, (answer.text, PLAIN))

        return head + self._listed(width, t("↑ {count} older"), t("↓ {count} newer"), plain)

    def _listed(self, width: int, above: str, below: str, line_for: Callable[[str, HostAnswer], Text]) -> Text:
        """The answers in the window, the cursor's marked; ``above``/``below`` count those out of sight."""
        body = Text()
        first, last = self._window(width)
        if first:
            body.append("  " + above.format(count=first) + "\n", SMALL)
        for index, answer in enumerate(self._answers[first:last], start=first):
            here = index == self.cursor and self.has_focus
            line = line_for("▶ " if here else "  ", answer)
            if here:
                line.stylize("reverse", 2)
            body.append_text(line)
            body.append("\n")
        if last < len(self._answers):
            body.append("  " + below.format(count=len(self._answers) - last), SMALL)
        return body

    def _window(self, width: int) -> tuple[int, int]:
        """The answers to draw, [first, last): as many as the room the wall has, the cursor among them.

        A wall of thousands is never drawn whole: the screen would scroll away from the cursor.
        """
        room = max(4, self._rows() - 4)
        first = min(self._top, self.cursor)

        def height(answer: HostAnswer) -> int:
            return 1 + (len(answer.text) + 12) // max(10, width - 2)

        def fits(start: int) -> int:
            used, end = 0, start
            while end < len(self._answers) and used + height(self._answers[end]) <= room:
                used += height(self._answers[end])
                end += 1
            return max(end, start + 1)

        while fits(first) <= self.cursor:
            first += 1
        self._top = first
        return first, fits(first)

    def _rows(self) -> int:
        """The rows of the nearest scrolling container (the dashboard's body), or the screen's."""
        try:
            screen_rows = self.screen.size.height
        except NoScreen:  # just removed: drawn once more, for a frame laid out before
            return self.size.height
        for ancestor in self.ancestors:
            if isinstance(ancestor, ScrollableContainer):
                return ancestor.size.height or screen_rows
        return screen_rows

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()
