"""The private names of Textual's that only the tests reach, and nothing else.

Read from Textual 8.2.8, as ``coproterm/tui/textual_private.py`` (the product's
own, which tests use too). ``tests/test_textual_private.py`` lists every name
and fails, naming the helper here that needs it, when an upgrade removes or
changes one.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager
from typing import Any

from textual._compositor import Compositor, LayoutUpdate
from textual.app import App
from textual.dom import DOMNode
from textual.notifications import Notification
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets._toast import Toast, ToastRack

__all__ = [
    "LayoutUpdate",
    "Toast",
    "ToastRack",
    "as_the_app",
    "compositor_of",
    "css_type_names",
    "draw_afresh",
    "notifications_of",
    "waking_timers",
]
# textual._compositor.LayoutUpdate: the update Textual sends a terminal for a whole screen; a test draws one to
# compare with what an SSH client was sent (Textual 8.2.8).
# textual.widgets._toast.Toast/ToastRack: a notification as shown; not exported by textual.widgets (Textual 8.2.8).


def notifications_of(app: App[Any]) -> Iterator[Notification]:
    """The notifications ``app`` shows now."""
    # App._notifications: no public way to read them back (Textual 8.2.8).
    return iter(app._notifications)


def as_the_app(app: App[Any]) -> AbstractContextManager[None]:
    """Run code as ``app`` itself draws: its active app, so its language, console and filters."""
    # App._context: sets the context variables Textual reads while drawing (Textual 8.2.8).
    return app._context()


def draw_afresh(widget: Widget) -> None:
    """Forget what ``widget`` drew and how it was styled, so its next lines are drawn from nothing."""
    # Widget._set_dirty and Widget._styles_cache: the widget's own caches of lines (Textual 8.2.8).
    widget._set_dirty()
    widget._styles_cache.clear()


def css_type_names(kind: type[DOMNode]) -> frozenset[str]:
    """Every type name the stylesheet matches a ``kind`` by."""
    # DOMNode._css_type_names: set per class by Textual, no public name (Textual 8.2.8).
    return kind._css_type_names


def compositor_of(screen: Screen[Any]) -> Compositor:
    """What arranges ``screen``'s widgets and draws it whole."""
    # Screen._compositor: no public name (Textual 8.2.8).
    return screen._compositor


def waking_timers(app: App[Any], *, once: bool = False) -> list[str]:
    """The timers of ``app`` and of every node on its screens that will fire unless something stops them
    (started, not finished, not paused), by name: what would wake the app, and so draw, with nobody touching
    it. ``once``: only those that fire once (a later step of something already begun, not a beat)."""
    # MessagePump._timers, Timer._task, Timer._active and Timer._repeat: no public way to list a node's timers,
    # to ask whether one is paused, or how often it fires (Textual 8.2.8).
    nodes: list[DOMNode] = [app]
    for screen in app.screen_stack:
        nodes += screen.walk_children(with_self=True)
    return [
        f"{timer.name} of {node!r}"
        for node in nodes
        for timer in list(node._timers)
        if timer._task is not None
        and not timer._task.done()
        and timer._active.is_set()
        and (not once or timer._repeat is not None)
    ]
