"""Every private name of Textual's and Rich's that coproterm reaches, and nothing else.

Each is here because no public way does the same, and each was read from the
versions below (pyproject.toml pins both to a minor version). An upgrade is
checked by ``tests/test_textual_private.py``, which lists every name in one
place and says which function here needs it when one is gone or changed; no
other module may reach a private name (the same test reads the source).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from rich.color import ColorSystem
from rich.console import Console
from textual._xterm_parser import XTermParser
from textual.app import App
from textual.dom import DOMNode
from textual.driver import Driver
from textual.filter import LineFilter
from textual.geometry import Size
from textual.reactive import Reactive
from textual.scrollbar import ScrollBar
from textual.visual import Visual
from textual.widget import Widget
from textual.widgets import Input

if TYPE_CHECKING:
    from textual.drivers.linux_driver import LinuxDriver  # imports termios: not on Windows

TEXTUAL = "8.2.8"
"""The Textual release every name here was read from."""
RICH = "15.0.0"
"""The Rich release every name here was read from."""


# The SSH driver (server/ssh/driver.py): a terminal that is an SSH channel, not the process's tty.


def xterm_parser(debug: bool = False) -> XTermParser:
    """Textual's parser of a terminal's input into key, mouse and paste events."""
    # textual._xterm_parser: the only parser Textual has; our driver feeds it a channel's input (Textual 8.2.8).
    return XTermParser(debug)


def driver_app(driver: Driver) -> App[Any]:
    """The app ``driver`` drives."""
    # Driver._app: the driver posts events straight to its app, with no public name for it (Textual 8.2.8).
    return driver._app


def driver_loop(driver: Driver) -> asyncio.AbstractEventLoop:
    """The event loop ``driver`` was made on (its clock bounds the SSH input rate)."""
    # Driver._loop: taken by Driver.__init__, not exposed (Textual 8.2.8).
    return driver._loop


# The drawing caches (coproterm/tui/widgets/): lines drawn once per process.


class SizedInOnePass(Widget):
    """A widget that takes a new size from a layout pass without asking for a second pass."""

    # Widget._size_updated: where a layout pass hands a widget its size; layout=False sets the
    # virtual size without asking for another pass (Textual 8.2.8).
    def _size_updated(self, size: Size, virtual_size: Size, container_size: Size, layout: bool = True) -> bool:
        return super()._size_updated(size, virtual_size, container_size, layout=False)


def visual_of(widget: Widget) -> Visual:
    """What ``widget`` draws its lines from (kept by the widget until it changes): a key for shared lines."""
    # Widget._render: the cached visual that render_lines draws; render() would make a new one (Textual 8.2.8).
    return widget._render()


def css_type_name(node: DOMNode) -> str:
    """The type name the stylesheet matches ``node`` by (its first base's line: ``QuietStatic`` is a ``Static``)."""
    # DOMNode._css_type_name: set per class by Textual, no public name (Textual 8.2.8).
    return node._css_type_name


def vertical_scrollbar(widget: Widget, make: Callable[[], ScrollBar]) -> ScrollBar:
    """``widget``'s vertical scrollbar, made by ``make`` the first time and started as Textual starts its own."""
    # Widget._vertical_scrollbar and App._start_widget: what Widget.vertical_scrollbar does, with a bar
    # of our own class; a scrollbar is not mounted like a child (Textual 8.2.8).
    bar = widget._vertical_scrollbar
    if bar is None:
        widget._vertical_scrollbar = bar = make()
        bar.display = False
        widget.app._start_widget(widget, bar)
    return bar


def cursor_shown(box: Input) -> bool:
    """Whether ``box``'s cursor is drawn now (the blink's phase): it decides the box's line."""
    # Input._cursor_visible: the blink's reactive, no public name (Textual 8.2.8).
    return box._cursor_visible


def focus_that_repaints_nothing() -> Reactive[Widget | None]:
    """``Screen.focused``, declared again without repainting the whole screen on each move of the focus."""
    # Screen.focused is a public reactive, but declaring it again leans on Screen._watch_focused still
    # running for the new declaration (Textual 8.2.8).
    return Reactive(None, repaint=False)


def style_before_mounting(app: App[Any], *kinds: type[DOMNode]) -> None:
    """Add the default CSS of ``kinds`` (and of the bases they inherit it from) to ``app``'s stylesheet now,
    as Textual adds each when a widget of that class first mounts, in the same order and with the same
    priorities; mounted later, the same CSS is already there and is neither parsed nor mapped again.

    Textual parses the stylesheet and rebuilds its map of rules each time a class's CSS is new: a screen
    that names all its parts' classes before its first layout pays once, not once per class as each mounts."""
    # DOMNode._get_default_css: a class's CSS and its bases', with the location, priority and scope
    # Textual files each under; read from an instance, so from one made without __init__ (its
    # _node_bases is a property of the class) and dropped (Textual 8.2.8).
    stylesheet = app.stylesheet
    for kind in kinds:
        for read_from, css, tie_breaker, scope in kind._get_default_css(kind.__new__(kind)):
            stylesheet.add_source(css, read_from=read_from, is_default_css=True, tie_breaker=tie_breaker, scope=scope)


# The app's look on a terminal that is not the process's (server/ssh/gateway.py).


def set_color_system(console: Console, system: ColorSystem) -> None:
    """Have ``console`` write colours for ``system`` (an SSH channel's terminal, not the process's)."""
    # Console._color_system: Rich detects it from the process's terminal and has no setter (Rich 15.0.0).
    console._color_system = system


def add_line_filter(app: App[Any], line_filter: LineFilter) -> None:
    """Put every line ``app`` draws through ``line_filter`` too."""
    # App._filters: the app's line filters, filled only from the environment at start (Textual 8.2.8).
    app._filters.append(line_filter)


# A face stopped from outside and continued (coproterm/tui/outside_stop.py).


def driver_of(app: App[Any]) -> Driver | None:
    """The driver running ``app`` (None before it runs)."""
    # App._driver: no public name for the running driver (Textual 8.2.8).
    return app._driver


def resume_owed(driver: LinuxDriver) -> bool:
    """Whether ``driver`` was suspended by the app and owes the app a SignalResume on SIGCONT."""
    # LinuxDriver._must_signal_resume: set by its own suspend (Ctrl+Z), read by its keyboard thread (Textual 8.2.8).
    return driver._must_signal_resume


def owe_resume(driver: LinuxDriver) -> None:
    """Have ``driver`` tell the app it was resumed once its keyboard reader starts again."""
    # LinuxDriver._must_signal_resume, as above (Textual 8.2.8).
    driver._must_signal_resume = True


def continue_application(driver: LinuxDriver) -> None:
    """Do what ``driver`` does on SIGCONT: re-enter application mode."""
    # LinuxDriver._sigcont_application: its own SIGCONT handler, which our handler replaces (Textual 8.2.8).
    driver._sigcont_application()
