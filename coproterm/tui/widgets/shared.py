"""Lines drawn once for every screen in the process that would draw them the same.

An SSH worker runs one Textual app per participant, and after a question change
most of them show the same prompt, help, board and key bar. Textual draws each
widget's lines, through its styles, once per app: with a hundred viewers, a
hundred times the same work. A :class:`SharedLines` widget keeps the lines it
drew in one cache for the whole process, under everything that decides them:

- what it shows (its visual: the text and every span of style in it);
- its size, and the part of it asked for;
- how the stylesheet sees it and each of its ancestors: type, id, classes,
  hover / focus / disabled, and any style set in code;
- the app's look: theme, ANSI colours, filters, the terminal's colour system
  (a line keeps the escape codes it was first sent with).

A widget that draws its own lines (an empty answer box) or that is Textual's
(the body's scrollbar) keys them itself, with :func:`styled_as` and
:func:`shared_line` or :func:`shared_lines`.

What the key leaves out must not change a line: a rule on where a widget stands
among its siblings (``:first-child``, ``:odd``...) would, so the participant's
stylesheet has none (a test says so). A widget with text selected draws for
itself, as Textual does.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

from textual.cache import LRUCache
from textual.content import Content
from textual.dom import DOMNode, NoScreen
from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget

from coproterm.tui.textual_private import css_type_name, visual_of

KEPT = 1024
"""Drawings kept (most recently used first): a room's screens at one question need a few dozen."""
_drawn: LRUCache[Hashable, list[Strip]] = LRUCache(KEPT)


class SharedLines(Widget):
    """A widget whose lines are drawn once per process for everything that decides them.

    It has no action links (``[@click=...]`` markup): Textual would restyle every line drawn to look
    for them. With a Textual widget, it comes second (``class QuietStatic(Static, SharedLines)``): the
    stylesheet knows a widget by its first base's line of classes only, and would lose ``Static``'s."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_reactive(Widget.auto_links, False)

    def render_lines(self, crop: Region) -> list[Strip]:
        key = _key(self, crop)
        if key is None:
            return super().render_lines(crop)
        return shared_lines(key, lambda: super(SharedLines, self).render_lines(crop))


def forget_drawn() -> None:
    """Empty the process's cache (tests compare what is drawn with and without it)."""
    _drawn.clear()


def _key(widget: Widget, crop: Region) -> Hashable | None:
    """All that decides the lines ``widget`` draws in ``crop``; None if they cannot be shared."""
    if draws_for_itself(widget) or widget.auto_links:
        return None
    if widget.border_title or widget.border_subtitle:
        return None
    visual = visual_of(widget)  # what Textual draws from; kept by the widget until it changes
    if not isinstance(visual, Content):
        return None
    return (type(widget), visual.plain, tuple(visual.spans), widget.size, crop, styled_as(widget))


def draws_for_itself(widget: Widget) -> bool:
    """Whether ``widget``'s lines are its own: text is selected in it, or it has no screen (just
    removed, it may still be asked for the frame the compositor laid out before the removal)."""
    try:
        return widget.text_selection is not None
    except NoScreen:
        return True


def styled_as(widget: Widget) -> Hashable:
    """All that decides how the stylesheet and the app style ``widget``: see the module's notes."""
    app = widget.app
    look = (  # the app's pseudo-classes (focus, dark, ansi, inline, nocolor) follow from these
        app.theme,
        app.ansi_color,
        app.app_focus,
        app.is_inline,
        app.no_color,
        app.classes,
        app.console.color_system,
        tuple(type(line_filter) for line_filter in widget.get_line_filters()),
    )
    return (look, _seen_as(widget), tuple(_seen_as(node) for node in widget.ancestors))


def shared_line(key: Hashable, draw: Callable[[], Strip]) -> Strip:
    """The line drawn under ``key`` in this process, drawn now by ``draw`` if it is the first.

    For a widget that draws its own lines (``render_line``): the key holds all that decides it,
    :func:`styled_as` among them."""
    return shared_lines(key, lambda: [draw()])[0]


def shared_lines(key: Hashable, draw: Callable[[], list[Strip]]) -> list[Strip]:
    """The lines kept under ``key`` in this process, drawn now by ``draw`` if they are the first
    (a widget that is not a :class:`SharedLines`, a scrollbar, keys them itself)."""
    try:
        lines = _drawn.get(key)
    except TypeError:  # a style set in code holds a value that cannot be looked up
        return draw()
    if lines is None:
        lines = _drawn[key] = draw()
    return lines


def _seen_as(node: DOMNode) -> Hashable:
    """What the stylesheet matches ``node`` by, and the styles set on it in code.

    Its own hover, focus and disabled: whether it is disabled by an ancestor is in the ancestor's."""
    inline = node.styles.inline.get_rules()
    seen = (css_type_name(node), node.id, node.classes, tuple(sorted(inline.items())) if inline else ())
    if isinstance(node, Widget):
        return (*seen, node.mouse_hover, node.has_focus, node.disabled)
    return seen  # the app: its look is keyed on its own
