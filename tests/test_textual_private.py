"""Textual's and Rich's private names: every one coproterm reaches is listed here, and only two modules reach them.

An upgrade of Textual or Rich that removes or changes one fails :func:`test_a_private_name_is_still_there`,
naming the name, the function that needs it and what for. :func:`test_no_other_module_reaches_a_private_name`
reads the source of the product and the tests: any other module that reaches a private name of Textual's or
Rich's fails it (imports of private modules or names, ``x._name`` where Textual or Rich defines ``_name``,
such a name in a string, overriding or reaching a Textual base class's private member from a subclass, a
Textual handler by its private ``_on_`` name, a Textual reactive declared again).
"""

from __future__ import annotations

import ast
import functools
import importlib
import inspect
import pathlib
import sys
import textwrap
from dataclasses import dataclass
from importlib.metadata import version

import pytest
import rich
import textual
from textual.reactive import Reactive

ROOT = pathlib.Path(__file__).resolve().parent.parent
PRIVATE_MODULES = ("coproterm/tui/textual_private.py", "tests/textualkit.py", "tests/test_textual_private.py")
"""The only files that may reach a private name: the product's module, the tests' kit, and this test."""


@dataclass(frozen=True)
class Private:
    """One private name of Textual's or Rich's that coproterm reaches."""

    owner: str
    """The module, or ``module:Class``, that defines it."""
    name: str
    kind: str
    """``module`` (a private module: ``name`` lists what is taken from it), ``method``, ``attribute``
    (set on instances or the class), ``reactive``."""
    used_by: str
    """The one function (or class) that reaches it: ``module.function``."""
    why: str
    params: tuple[str, ...] = ()
    """A method's parameters, as read (``*args`` written ``*args``): a change of arity or name fails."""


_TP = "coproterm.tui.textual_private"
_KIT = "tests.textualkit"
PRIVATE = [
    # The product: coproterm/tui/textual_private.py.
    Private("textual._xterm_parser", "XTermParser", "module", f"{_TP}.xterm_parser", "parse an SSH channel's input"),
    Private("textual._xterm_parser:XTermParser", "__init__", "method", f"{_TP}.xterm_parser", "make the parser", ("self", "debug")),
    Private("textual._xterm_parser:XTermParser", "feed", "method", "coproterm.server.ssh.driver.SSHDriver._drain", "parse input", ("self", "data")),
    Private("textual._parser:Parser", "tick", "method", "coproterm.server.ssh.driver.SSHDriver._tick", "let a lone Esc arrive", ("self",)),
    Private("textual.driver:Driver", "_app", "attribute", f"{_TP}.driver_app", "post an SSH channel's events to its app"),
    Private("textual.driver:Driver", "_loop", "attribute", f"{_TP}.driver_loop", "time the SSH input allowance"),
    Private("textual.widget:Widget", "_size_updated", "method", f"{_TP}.SizedInOnePass", "lay a new size out in one pass",
            ("self", "size", "virtual_size", "container_size", "layout")),
    Private("textual.widget:Widget", "_render", "method", f"{_TP}.visual_of", "key the process's shared lines", ("self",)),
    Private("textual.dom:DOMNode", "_css_type_name", "attribute", f"{_TP}.css_type_name", "key how the stylesheet sees a widget"),
    Private("textual.dom:DOMNode", "_get_default_css", "method", f"{_TP}.style_before_mounting",
            "parse the vote screen's parts' CSS once, before its first layout", ("self",)),
    Private("textual.widget:Widget", "_vertical_scrollbar", "attribute", f"{_TP}.vertical_scrollbar", "give the vote screen's body a one-pass scrollbar"),
    Private("textual.app:App", "_start_widget", "method", f"{_TP}.vertical_scrollbar", "start that scrollbar as Textual starts its own",
            ("self", "parent", "widget")),
    Private("textual.widgets:Input", "_cursor_visible", "reactive", f"{_TP}.cursor_shown", "key an empty answer box's shared line"),
    Private("textual.screen:Screen", "focused", "reactive", f"{_TP}.focus_that_repaints_nothing", "declare focus again without a repaint"),
    Private("textual.screen:Screen", "_watch_focused", "method", f"{_TP}.focus_that_repaints_nothing", "keep Screen's own watcher of focus",
            ("self",)),
    Private("rich.console:Console", "_color_system", "attribute", f"{_TP}.set_color_system", "draw for an SSH client's terminal's colours"),
    Private("textual.app:App", "_filters", "attribute", f"{_TP}.add_line_filter", "take the colour out for a terminal without it"),
    Private("textual.app:App", "_driver", "attribute", f"{_TP}.driver_of", "find the Linux driver to continue cleanly after SIGSTOP"),
    Private("textual.drivers.linux_driver:LinuxDriver", "_must_signal_resume", "attribute", f"{_TP}.resume_owed", "tell an outside stop from a Ctrl+Z"),
    Private("textual.drivers.linux_driver:LinuxDriver", "_sigcont_application", "method", f"{_TP}.continue_application", "continue after SIGCONT",
            ("self", "*_")),
    # The tests only: tests/textualkit.py.
    Private("textual.app:App", "_notifications", "attribute", f"{_KIT}.notifications_of", "read the notices a face shows"),
    Private("textual.app:App", "_context", "method", f"{_KIT}.as_the_app", "draw a widget as its app draws it", ("self",)),
    Private("textual.widget:Widget", "_set_dirty", "method", f"{_KIT}.draw_afresh", "draw a widget from nothing", ("self", "*regions")),
    Private("textual.widget:Widget", "_styles_cache", "attribute", f"{_KIT}.draw_afresh", "draw a widget from nothing"),
    Private("textual.dom:DOMNode", "_css_type_names", "attribute", f"{_KIT}.css_type_names", "find every rule that could style the board"),
    Private("textual.screen:Screen", "_compositor", "attribute", f"{_KIT}.compositor_of", "draw a screen whole to compare"),
    Private("textual._compositor", "Compositor LayoutUpdate", "module", f"{_KIT}.compositor_of", "draw a screen whole to compare"),
    Private("textual.widgets._toast", "Toast ToastRack", "module", "tests.textualkit", "read a notice as shown"),
    Private("textual.message_pump:MessagePump", "_timers", "attribute", f"{_KIT}.waking_timers", "list what would wake an idle app"),
    Private("textual.timer:Timer", "_task", "attribute", f"{_KIT}.waking_timers", "tell a timer that will fire from one finished"),
    Private("textual.timer:Timer", "_active", "attribute", f"{_KIT}.waking_timers", "tell a running timer from a paused one"),
    Private("textual.timer:Timer", "_repeat", "attribute", f"{_KIT}.waking_timers", "tell a timer that fires once from a beat"),
]  # fmt: skip


def _release(owner: str) -> str:
    package = owner.split(".")[0]
    return f"{package.capitalize()} {version(package)}"


def _resolve(owner: str) -> object:
    module, _, qualname = owner.partition(":")
    found: object = importlib.import_module(module)
    for part in filter(None, qualname.split(".")):
        found = getattr(found, part)
    return found


@functools.cache
def _assigned_on_self(cls: type) -> frozenset[str]:
    """The attribute names ``cls``'s own methods assign on ``self`` (read from its source)."""
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(cls)))
    except (OSError, TypeError):
        return frozenset()
    names = set()
    for node in ast.walk(tree):
        targets = (
            node.targets
            if isinstance(node, ast.Assign)
            else [node.target]
            if isinstance(node, ast.AnnAssign | ast.AugAssign)
            else []
        )
        for target in targets:
            for part in ast.walk(target):
                if isinstance(part, ast.Attribute) and isinstance(part.value, ast.Name) and part.value.id == "self":
                    names.add(part.attr)
    return frozenset(names)


def _problem(entry: Private) -> str | None:
    """What is wrong with ``entry`` in the installed release, or None."""
    try:
        owner = _resolve(entry.owner)
    except (ImportError, AttributeError) as error:
        return f"`{entry.owner}` (gone: {error})"
    if entry.kind == "module":
        missing = [name for name in entry.name.split() if not hasattr(owner, name)]
        return f"`{entry.owner}` (no {', '.join(missing)})" if missing else None
    assert isinstance(owner, type)
    label = f"`{owner.__name__}.{entry.name}`"
    if entry.kind == "attribute":
        if any(entry.name in vars(cls) or entry.name in _assigned_on_self(cls) for cls in owner.__mro__):
            return None
        return f"{label} (no longer set)"
    found = inspect.getattr_static(owner, entry.name, None)
    if entry.kind == "reactive":
        return None if isinstance(found, Reactive) else f"{label} (no longer a reactive: {found!r})"
    if not callable(found):
        return f"{label} (no longer a method)"
    params = tuple(
        ("*" if p.kind is p.VAR_POSITIONAL else "**" if p.kind is p.VAR_KEYWORD else "") + p.name
        for p in inspect.signature(found).parameters.values()
    )
    return (
        None
        if params == entry.params
        else f"{label} (now takes {', '.join(params)}; read taking {', '.join(entry.params)})"
    )


@pytest.mark.parametrize("entry", PRIVATE, ids=lambda entry: f"{entry.owner.split(':')[-1]}.{entry.name}")
def test_a_private_name_is_still_there(entry: Private) -> None:
    if entry.owner.startswith("textual.drivers.linux_driver") and sys.platform == "win32":
        pytest.skip("Textual's Linux driver imports termios (coproterm.tui.outside_stop does nothing on Windows)")
    problem = _problem(entry)
    assert problem is None, (
        f"{_release(entry.owner)} removed or changed {problem}, used by {entry.used_by} to {entry.why}: "
        "read the new release and change that function (and this list)"
    )


def test_every_private_name_reached_is_listed() -> None:
    """The list above is the whole of what the two modules reach, and each user it names exists."""
    reached = set()
    for path in PRIVATE_MODULES[:2]:
        tree = ast.parse((ROOT / path).read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and _is_private(node.attr):
                reached.add(node.attr)
            if isinstance(node, ast.ImportFrom) and node.module and _private_module(node.module):
                reached.add(node.module)
    listed = {entry.name for entry in PRIVATE} | {entry.owner for entry in PRIVATE if entry.kind == "module"}
    assert reached <= listed, f"reached but not listed here: {sorted(reached - listed)}"
    for entry in PRIVATE:
        module, _, name = entry.used_by.rpartition(".")
        if module.endswith(("textual_private", "textualkit")) or name[:1].isupper():
            assert hasattr(importlib.import_module(module), name), f"{entry.used_by} does not exist"


def test_a_removed_name_fails_with_what_needs_it() -> None:
    """The check can fail, and says what to do: a name Textual never had."""
    gone = Private("textual.app:App", "_no_such_thing", "attribute", f"{_TP}.driver_of", "find the driver")
    assert _problem(gone) == "`App._no_such_thing` (no longer set)"
    changed = Private("textual.widget:Widget", "_render", "method", f"{_TP}.visual_of", "key lines", ("self", "width"))
    assert _problem(changed) == "`Widget._render` (now takes self; read taking self, width)"
    assert _problem(Private("textual._no_such_module", "X", "module", "x.y", "z")) is not None


# No other module reaches a private name.


def _is_private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def _private_module(module: str) -> bool:
    parts = module.split(".")
    return parts[0] in ("textual", "rich") and any(_is_private(part) for part in parts[1:])


def _theirs(cls: type) -> bool:
    return cls.__module__.split(".")[0] in ("textual", "rich")


@functools.cache
def _defined_by(cls: type) -> frozenset[str]:
    """The private names a Textual or Rich class defines: its members and what it sets on ``self``."""
    return frozenset(name for name in (*vars(cls), *_assigned_on_self(cls)) if _is_private(name))


def _stored_on_self(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "self"
        and isinstance(node.ctx, ast.Store)
        and _is_private(node.attr)
    )


class _ClassMembers(ast.NodeVisitor):
    """Collects the private names classes define: methods, class attributes, what methods set on ``self``."""

    def __init__(self) -> None:
        self.names: set[str] = set()
        self.depth = 0

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        for statement in node.body:
            target = statement.target if isinstance(statement, ast.AnnAssign) else None
            if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
                target = statement.targets[0]
            if isinstance(target, ast.Name) and _is_private(target.id):
                self.names.add(target.id)
        self.depth += 1
        self.generic_visit(node)
        self.depth -= 1

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        if self.depth and _is_private(node.name):
            self.names.add(node.name)
        self.generic_visit(node)

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if self.depth and _stored_on_self(node):
            self.names.add(node.attr)
        self.generic_visit(node)


@functools.cache
def _all_theirs() -> frozenset[str]:
    """Every private name a Textual or Rich class defines."""
    members = _ClassMembers()
    for package in (textual, rich):
        for path in pathlib.Path(package.__file__).parent.rglob("*.py"):
            members.visit(ast.parse(path.read_text(encoding="utf-8")))
    return frozenset(members.names)


OWN = {
    # Private names of our own that Textual or Rich happen to use too, reached on our own objects.
    "self.link._headers": "Link's handshake headers (coproterm.client.link)",
    "app.link._headers": "Link's handshake headers (coproterm.client.link)",
    "self.gateway._live": "the SSH gateway's table of channels (coproterm.server.ssh.gateway.Gateway)",
    "gateway._live": "the SSH gateway's table of channels (coproterm.server.ssh.gateway.Gateway)",
    "gw._live": "the SSH gateway's table of channels (coproterm.server.ssh.gateway.Gateway)",
    "runner.gateway._live": "the SSH gateway's table of channels (coproterm.server.ssh.gateway.Gateway)",
    "gateway._active": "the SSH gateway's count of channels (coproterm.server.ssh.gateway.Gateway)",
    "store._write": "the session store's writer (coproterm.server.store.SessionStore)",
    "store._queue": "the session store's queue (coproterm.server.store.SessionStore)",
    "together._state": "the SSH screen's state (coproterm.server.ssh.terminal)",
    "apart._state": "the SSH screen's state (coproterm.server.ssh.terminal)",
    "client.shown._screen": "a test terminal's pyte screen (tests.sshkit.Shown)",
}
"""Accesses of a private name of ours that Textual or Rich also defines: each one read and found ours."""


class _Imports:
    """What each name at a module's top refers to: ``name -> "module"`` or ``"module:attribute"``."""

    def __init__(self, tree: ast.Module) -> None:
        self.names: dict[str, str] = {}
        self.classes = {node.name: node for node in tree.body if isinstance(node, ast.ClassDef)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    self.names[(alias.asname or alias.name).split(".")[0]] = (
                        alias.asname and alias.name
                    ) or alias.name.split(".")[0]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                for alias in node.names:
                    self.names[alias.asname or alias.name] = f"{node.module}:{alias.name}"

    def resolve(self, expr: ast.expr, seen: frozenset[str] = frozenset()) -> list[type]:
        """The classes outside this module that a base class expression stands for (a class of this module's
        stands for its own bases)."""
        if isinstance(expr, ast.Subscript):
            return self.resolve(expr.value, seen)
        dotted = ast.unparse(expr)
        head, _, rest = dotted.partition(".")
        if head in self.classes and not rest and head not in seen:
            return [cls for base in self.classes[head].bases for cls in self.resolve(base, seen | {head})]
        if head not in self.names:
            return []
        module, _, attribute = self.names[head].partition(":")
        path = [part for part in (attribute, *rest.split(".")) if part]
        try:
            found: object = importlib.import_module(module)
        except ImportError:
            return []
        for part in path:
            if not hasattr(found, part) and isinstance(found, type(importlib)):
                try:
                    found = importlib.import_module(f"{found.__name__}.{part}")
                    continue
                except ImportError:
                    return []
            found = getattr(found, part, None)
        return [found] if isinstance(found, type) else []


def reaches(source: str) -> list[str]:
    """Every place ``source`` reaches a private name of Textual's or Rich's: ``line: what``."""
    reader = _Reader(ast.parse(source))
    reader.visit(reader.tree)
    return reader.found


def _on_self(expr: ast.expr) -> bool:
    if isinstance(expr, ast.Name):
        return expr.id in ("self", "cls")
    return isinstance(expr, ast.Call) and isinstance(expr.func, ast.Name) and expr.func.id == "super"


@dataclass(frozen=True)
class _Within:
    """A class being read: its name, and what its Textual or Rich bases define (nothing if it has none)."""

    name: str
    defined: frozenset[str] = frozenset()
    reactives: frozenset[str] = frozenset()


class _Reader(ast.NodeVisitor):
    """Reads one module, in one pass, for every way of reaching a private name (see :func:`reaches`)."""

    def __init__(self, tree: ast.Module) -> None:
        self.tree = tree
        self.imports = _Imports(tree)
        self.everywhere = _all_theirs()
        self.found: list[str] = []
        self.within: list[_Within] = []

    def say(self, node: ast.stmt | ast.expr, what: str) -> None:
        self.found.append(f"{node.lineno}: {what}")

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if _private_module(alias.name):
                self.say(node, f"import {alias.name}")

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if not node.module or node.level:
            return
        theirs = node.module.split(".")[0] in ("textual", "rich")
        if _private_module(node.module) or (theirs and any(_is_private(alias.name) for alias in node.names)):
            self.say(node, f"from {node.module} import {', '.join(alias.name for alias in node.names)}")

    def visit_Constant(self, node: ast.Constant) -> None:
        if isinstance(node.value, str):
            text = node.value
            if text in self.everywhere or any(_private_module(word) for word in text.replace("/", ".").split()):
                self.say(node, f"the string {text!r}")

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        bases = [cls for base in node.bases for cls in self.imports.resolve(base)]
        theirs = [cls for base in bases for cls in base.__mro__ if _theirs(cls)]
        within = _Within(
            node.name,
            frozenset().union(*(_defined_by(cls) for cls in theirs)),
            frozenset(name for cls in theirs for name, value in vars(cls).items() if isinstance(value, Reactive)),
        )
        for statement in node.body:
            target = statement.target if isinstance(statement, ast.AnnAssign) else None
            if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
                target = statement.targets[0]
            if isinstance(target, ast.Name) and target.id in within.reactives and not self._ours(statement.value):
                self.say(statement, f"{target.id} declared again (Textual's reactive, in {node.name})")
        self.within.append(within)
        self.generic_visit(node)
        self.within.pop()

    def _ours(self, value: ast.expr | None) -> bool:
        """A value made by a function of coproterm/tui/textual_private.py."""
        called = value.func if isinstance(value, ast.Call) else None
        return isinstance(called, ast.Name) and self.imports.names.get(called.id, "").startswith(f"{_TP}:")

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        within = self.within[-1] if self.within else None
        conventions = ("_on_", "_watch_", "_compute_", "_validate_")  # Textual's handlers by their private names
        if within and within.defined and (node.name in within.defined or node.name.startswith(conventions)):
            self.say(node, f"def {node.name} (Textual's, in {within.name})")
        self.generic_visit(node)

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Attribute(self, node: ast.Attribute) -> None:
        self.generic_visit(node)
        if not (_is_private(node.attr) and node.attr in self.everywhere):
            return
        if _on_self(node.value) and self.within:
            within = self.within[-1]
            if node.attr in within.defined:
                self.say(node, f"{ast.unparse(node)} (Textual's, in {within.name})")
            return
        bound = self.imports.names.get(node.value.id) if isinstance(node.value, ast.Name) else None
        if bound is not None and ":" not in bound and bound.split(".")[0] not in ("textual", "rich"):
            return  # a module of another library's (os._exit)
        expression = ast.unparse(node)
        if expression not in OWN:
            self.say(node, expression)


def _sources() -> list[pathlib.Path]:
    paths = [
        *ROOT.glob("coproterm/**/*.py"),
        *ROOT.glob("server/**/*.py"),
        *ROOT.glob("tests/*.py"),
        *ROOT.glob("bench/*.py"),
    ]
    return sorted(path for path in paths if str(path.relative_to(ROOT)) not in PRIVATE_MODULES)


def test_no_other_module_reaches_a_private_name() -> None:
    found = {
        str(path.relative_to(ROOT)): where
        for path in _sources()
        if (where := reaches(path.read_text(encoding="utf-8")))
    }
    assert not found, (
        "only coproterm/tui/textual_private.py (and tests/textualkit.py) may reach a private name of Textual's "
        f"or Rich's: put it there, with why and the version read, and list it in this test: {found}"
    )


def test_the_reader_finds_each_way_of_reaching() -> None:
    """Each way of reaching a private name is found, and ordinary code is not."""
    reaching = """
import textual._xterm_parser
from textual._compositor import LayoutUpdate
from textual.widgets import _toast
from textual.app import App
from textual.screen import Screen
from textual.reactive import Reactive
from textual.widgets import Static

def f(app, driver, node):
    app._driver.send_message(None)
    getattr(driver, "_loop")
    importlib.import_module("textual._xterm_parser")
    return node._css_type_name

class Mine(Static):
    def _size_updated(self, size, virtual_size, container_size, layout=True):
        return super()._size_updated(size, virtual_size, container_size, layout=False)

    def _on_mount(self, event):
        self._render()

class Inner(Mine):
    def later(self):
        return self._vertical_scrollbar

class Focus(Screen):
    focused = Reactive(None, repaint=False)
"""
    found = [line.split(": ", 1)[1] for line in reaches(reaching)]
    for expected in (
        "import textual._xterm_parser",
        "from textual._compositor import LayoutUpdate",
        "from textual.widgets import _toast",
        "app._driver",
        "the string '_loop'",
        "the string 'textual._xterm_parser'",
        "node._css_type_name",
        "def _size_updated (Textual's, in Mine)",
        "super()._size_updated (Textual's, in Mine)",
        "def _on_mount (Textual's, in Mine)",
        "self._render (Textual's, in Mine)",
        "self._vertical_scrollbar (Textual's, in Inner)",
        "focused declared again (Textual's reactive, in Focus)",
    ):
        assert expected in found, (expected, found)
    ordinary = """
import os
from textual.widgets import Static
from coproterm.tui.textual_private import focus_that_repaints_nothing
from textual.screen import Screen

class Mine(Static):
    def __init__(self):
        super().__init__()
        self._shown = None

    def on_mount(self):
        self._shown = "x"

class Focus(Screen):
    focused = focus_that_repaints_nothing()

class Plain:
    def __init__(self):
        self._driver = None
        self._render = None

def g(gateway):
    os._exit(1)
    return gateway._live
"""
    assert reaches(ordinary) == []
