"""Columns that draw nothing of their own: only their background, under their parts.

Textual draws every container under its children, line by line through its
styles, on every pass: for the vote screen's columns and the screen itself
that is a full line per row, for every SSH viewer. These draw a blank line
in their background, once per pass, and put it through the app's filters
as Textual's styles would (Textual's own ``BLANK`` skips the filters, so a
terminal without colour would be sent the background's colour codes).
"""

from __future__ import annotations

from textual.containers import Vertical, VerticalScroll
from textual.geometry import Region
from textual.scrollbar import ScrollBar
from textual.strip import Strip
from textual.widget import Widget

from coproterm.tui.textual_private import vertical_scrollbar
from coproterm.tui.widgets.laid_out_once import LaidOutOnce
from coproterm.tui.widgets.shared import shared_lines, styled_as


def blank_lines(widget: Widget, crop: Region) -> list[Strip]:
    """``crop`` of ``widget`` as blank lines in its background, through the app's line filters."""
    _, background = widget.background_colors
    line = Strip.blank(crop.width, widget.visual_style.rich_style)
    for line_filter in widget.get_line_filters():
        line = line.apply_filter(line_filter, background)
    return [line] * crop.height


class BackgroundColumn(Vertical, LaidOutOnce):
    """A column of parts, with no border or padding of its own."""

    def render_lines(self, crop: Region) -> list[Strip]:
        return blank_lines(self, crop)


class ScrollBarLaidOutOnce(ScrollBar, LaidOutOnce):
    """A scrollbar that takes its new length without a second layout pass (the body's grows and
    shrinks with the question above it), drawn once per process for every screen showing it alike."""

    def render_lines(self, crop: Region) -> list[Strip]:
        key = (
            ScrollBarLaidOutOnce,
            crop,
            self.size,
            self.window_virtual_size,
            self.window_size,
            self.position,
            self.thickness,
            self.vertical,
            self.grabbed,
            self.mouse_over,
            styled_as(self),  # its colours are its column's (an ancestor), and the app's
        )
        return shared_lines(key, lambda: super(ScrollBarLaidOutOnce, self).render_lines(crop))


class BackgroundScroll(VerticalScroll, LaidOutOnce):
    """A scrolling column of parts (its scrollbar is a widget of its own), with no border of its own."""

    @property
    def vertical_scrollbar(self) -> ScrollBar:
        """The column's scrollbar, made as Textual makes it (``Widget.vertical_scrollbar``), laid out in one pass."""
        return vertical_scrollbar(
            self, lambda: ScrollBarLaidOutOnce(vertical=True, name="vertical", thickness=self.scrollbar_size_vertical)
        )

    def render_lines(self, crop: Region) -> list[Strip]:
        return blank_lines(self, crop)
