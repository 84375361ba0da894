"""Widgets that repaint only when something really changes.

:class:`QuietStatic` is a Static that repaints only when its content really changes.

``Static.update()`` asks for a new layout of the whole screen every time, and a
screen re-laid out is sent again in full: over SSH that is kilobytes per
update. Faces redraw from their state on every message, so most updates would
change nothing; this one skips those.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.geometry import Size
from textual.strip import Strip
from textual.widgets import Input, Static

from coproterm.tui.textual_private import cursor_shown
from coproterm.tui.widgets.laid_out_once import LaidOutOnce
from coproterm.tui.widgets.shared import SharedLines, draws_for_itself, shared_line, styled_as


class QuietStatic(Static, SharedLines, LaidOutOnce):
    """Shows text; ``show()`` with the same text again costs nothing, and new text as tall as the
    last is painted without laying the screen out again."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._shown: Text | str | None = None

    def show(self, content: Text | str) -> None:
        if content == self._shown:
            return
        self._shown = content
        width = self.size.width if self.display and not self.styles.is_auto_width else 0
        if not width:  # not laid out yet, hidden, or as wide as its words: let the layout decide
            self.update(content)
            return
        # A new line of feedback, a cursor's help: as many lines at this width leave every part where it was.
        before = self.get_content_height(Size(0, 0), Size(0, 0), width)
        self.update(content, layout=False)
        if self.get_content_height(Size(0, 0), Size(0, 0), width) != before:
            self.refresh(layout=True)


class QuietInput(Input):
    """An Input whose cursor does not blink where the app animates nothing (over SSH), and that
    checks nothing it is not asked to.

    A blinking cursor repaints its line twice a second: about 900 bytes each time
    over SSH, 6 MB in a workshop-hour for one person looking at an answer box. An
    Input with no validators still marks itself valid on every blur and change, and
    each mark restyles it: for every SSH viewer leaving an open answer.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if not kwargs.get("validators") and kwargs.get("type", "text") == "text":  # a number box checks itself
            kwargs.setdefault("validate_on", ())
        super().__init__(*args, **kwargs)

    def render_line(self, y: int) -> Strip:
        """An empty box's line, its placeholder, is drawn once per process for all it shows
        (every SSH viewer's box, when an open answer arrives); what a person types is theirs alone."""
        if self.value or draws_for_itself(self):
            return super().render_line(y)
        key = (
            QuietInput,
            y,
            self.size.width,
            self.scrollable_content_region.width,
            self.placeholder,
            self.has_focus,
            cursor_shown(self),
            styled_as(self),
        )
        return shared_line(key, lambda: super(QuietInput, self).render_line(y))

    def on_mount(self) -> None:
        if self.app.animation_level == "none":
            self.cursor_blink = False
