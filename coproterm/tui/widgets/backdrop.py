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
from textual.strip import Strip
from textual.widget import Widget


def blank_lines(widget: Widget, crop: Region) -> list[Strip]:
    """``crop`` of ``widget`` as blank lines in its background, through the app's line filters."""
    _, background = widget.background_colors
    line = Strip.blank(crop.width, widget.visual_style.rich_style)
    for line_filter in widget.get_line_filters():
        line = line.apply_filter(line_filter, background)
    return [line] * crop.height


class Backdrop(Vertical):
    """A column of parts, with no border or padding of its own."""

    def render_lines(self, crop: Region) -> list[Strip]:
        return blank_lines(self, crop)


class BackdropScroll(VerticalScroll):
    """A scrolling column of parts (its scrollbar is a widget of its own), with no border of its own."""

    def render_lines(self, crop: Region) -> list[Strip]:
        return blank_lines(self, crop)
