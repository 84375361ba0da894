"""One meaning per name (issue 34): every rename, carried out on whatever tree it is run in.

Run once from the repository's top, on a clean work tree:

    .venv/bin/python tools/renames.py

It moves modules with ``git mv``, renames identifiers in .py/.md/.toml/.js/.po/.pot files, then
runs ``ruff check --fix --select I`` (import order) and ``ruff format``. It prints every file it
changed and how, is idempotent (a second run changes nothing), and stops with an error naming
the rename when a name it expects is found neither under its old nor under its new name.

What it does not touch: strings people read (catalog msgids, words on screens), the bytes on the
wire (a message keeps its number: only the Python class and the document's name change), and a
name that merely contains an old one (``Answer`` is renamed, ``AnswerItem`` and ``Answers`` are
not). Names are renamed by meaning, not by spelling: a class is renamed where it is defined and
wherever it is imported from there (or from a module that re-exports it), so the other classes
of the same spelling keep theirs. In prose (Markdown, docstrings, comments) only code spans in
backquotes are renamed, and a path or dotted module name wherever it stands.

After it: the three pybabel commands of docs/cymraeg.md (the catalog's location comments are
already moved here), mypy, lint-imports and the tests. This file may be deleted once the renames
have landed on main.
"""

from __future__ import annotations

import ast
import io
import re
import subprocess
import sys
import tokenize
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path.cwd()
TEXT_SUFFIXES = (".py", ".md", ".toml", ".js", ".po", ".pot", ".tcss", ".cfg", ".ini", ".txt")
SKIP_DIRS = {".git", ".venv", "node_modules", "__pycache__", ".mypy_cache", ".ruff_cache", ".pytest_cache"}


# --- what is renamed -------------------------------------------------------------------------


@dataclass(frozen=True)
class Move:
    """A module moved: ``old`` and ``new`` are paths from the repository's top."""

    old: str
    new: str
    why: str


@dataclass(frozen=True)
class Top:
    """A top-level class (or function) renamed where it means what the module defining it means.

    ``anchor`` is another top-level name defined beside it, so that its module is found wherever
    a split has moved it (``Answer`` is defined twice; the one renamed is defined with ``AnswerBook``).
    """

    old: str
    new: str
    anchor: str
    why: str


@dataclass(frozen=True)
class Nested:
    """A class defined inside ``owner`` (a Textual message), and its handlers' names."""

    owner: str
    old: str
    new: str
    why: str


@dataclass(frozen=True)
class Member:
    """A method or attribute renamed everywhere it is spelled (no other meaning exists)."""

    old: str
    new: str
    files: tuple[str, ...]
    """Paths (or path suffixes) of the modules that define it: one must, or the rename is missing."""
    why: str


@dataclass(frozen=True)
class Prose:
    """A literal phrase in Markdown, comments and docstrings (a code span the rules above cannot place)."""

    old: str
    new: str


MOVES = (
    Move("coproterm/core/words.py", "coproterm/core/word_counts.py", "counts the room's words, no words to read"),
    Move("coproterm/tui/words.py", "coproterm/tui/language.py", "the language a widget draws in"),
    Move("coproterm/plain/words.py", "coproterm/plain/paragraphs.py", "what plain mode says, as paragraphs"),
    Move("coproterm/web/words.py", "coproterm/web/page_words.py", "the phone page's words"),
    Move("server/ssh/words.py", "server/ssh/gateway_words.py", "the SSH gateway's own words"),
    Move("coproterm/commands/hosting.py", "coproterm/commands/hub_commands.py", "serve, host, demo and join"),
    Move("server/hosting.py", "server/hub_runner.py", "starts and runs a hub (HubRunner)"),
    Move("coproterm/tui/continued.py", "coproterm/tui/outside_stop.py", "a face stopped from outside"),
    Move("coproterm/tui/widgets/steady.py", "coproterm/tui/widgets/quiet.py", "widgets that repaint only on change"),
    Move("coproterm/tui/widgets/one_pass.py", "coproterm/tui/widgets/laid_out_once.py", "laid out in one pass"),
    Move("coproterm/core/gateway.py", "coproterm/core/vouching.py", "whether the hub believes a gateway (Vouching)"),
    Move("coproterm/tui/widgets/backdrop.py", "coproterm/tui/widgets/background_only.py", "draw only a background"),
)

TOPS = (
    Top("Answer", "HeldAnswer", "AnswerBook", "the hub's record of an answer; `Answer` is the message"),
    Top("WallView", "WallSnapshot", "coproterm/core/", "a snapshot of the wall; a view is a client's model"),
    Top("Refused", "GatewayRefusal", "GatewayRules", "why SSH turned someone away; `Refused` is the session's"),
    Top("Speak", "ChooseLanguage", "coproterm/core/", "wire 7: a participant chose the language they read"),
    Top("Speaks", "ChosenLanguage", "coproterm/core/", "wire 29: the language this participant chose before"),
    Top("Mine", "YourAnswers", "coproterm/core/", "wire 25: your own answers to a question"),
    Top("People", "VoterCount", "coproterm/core/", "wire 27: how many people have a vote on a pick-several question"),
    Top("Steady", "QuietStatic", "coproterm/tui/widgets/", "a Static that repaints only when its content changes"),
    Top("SteadyInput", "QuietInput", "coproterm/tui/widgets/", "an Input that repaints only when something changes"),
    Top("OnePass", "LaidOutOnce", "coproterm/tui/widgets/", "a widget laid out in one pass"),
    Top("OnePassBar", "ScrollBarLaidOutOnce", "coproterm/tui/widgets/", "a scrollbar laid out in one pass"),
    Top(
        "BackdropScroll",
        "BackgroundScroll",
        "coproterm/tui/widgets/",
        "a scrolling column that draws only its background",
    ),
    Top("Backdrop", "BackgroundColumn", "coproterm/tui/widgets/", "a column that draws only its background"),
    Top("Entry", "Admission", "GatewayRules", "an SSH session let in; `Entry` is the store's logged event"),
    Top("Countdown", "CountdownRecord", "doc:One countdown the facilitator started", "a countdown as reported"),
    Top("Command", "TypedCommand", "doc:A typed line, understood", "a plain-mode line; `Command` is the message"),
    Top("place", "order_key", "doc:Where ``answer`` comes in", "a sort key; `asked.place` places a question"),
    Top("MovementView", "MovementChart", "coproterm/tui/widgets/", "a widget; a view is a client's model"),
)

NESTED = (
    Nested("HubApp", "Refused", "HubRefused", "the hub refused this face; `Refused` is the session's decision"),
    Nested("VoteScreen", "Voted", "VoteChosen", "the person chose a cell; `Voted` is the logged event"),
    Nested("Dashboard", "Commanded", "CommandChosen", "the facilitator chose a command; `Commanded` is the event"),
    Nested("MarkPanel", "Marked", "StanceChosen", "the person chose a stance; `Marked` is the event"),
    Nested("AnswerWall", "Moderated", "ModerationChosen", "the facilitator chose to hide/show/approve"),
    Nested("FindScreen", "Chosen", "SessionChosen", "the person picked a session; `Chosen` is the store's"),
)

MEMBERS = (
    Member("_fold", "_take_message", ("coproterm/tui/hub_app.py",), "a message from the hub, taken into the view"),
    Member("_session", "_connection", ("coproterm/client/link.py",), "one websocket connection, not a workshop"),
)

PROSE = (
    Prose("its words are `words.py`", "its words are `gateway_words.py`"),
    Prose("`Answer.visible`", "`HeldAnswer.visible`"),
    Prose("`Answer.queued`", "`HeldAnswer.queued`"),
    Prose("`core/agreement.py` `place`", "`core/agreement.py` `order_key`"),
    Prose("(`place`, `Round.next_for`", "(`order_key`, `Round.next_for`"),
    Prose("`DashboardKeys.Commanded`", "`DashboardKeys.CommandChosen`"),
    Prose("5,000 writers' Mine)", "5,000 writers' YourAnswers)"),
    Prose('"Mine names the waiting slot"', '"YourAnswers names the waiting slot"'),
    Prose("The Speak (7) and Speaks (29) frames", "The ChooseLanguage (7) and ChosenLanguage (29) frames"),
    Prose("2. Speak('cy') {", "2. ChooseLanguage('cy') {"),
    Prose("B, Speaks('cy') {", "B, ChosenLanguage('cy') {"),
)

# The glossary (docs/architecture.md): a clause added to a row (found by its first cell), kept
# beside whatever else the row says; and rows added after the row named (when not there yet).
GLOSSARY_CLAUSES = (
    ("session", "; never one connection (a `connection`) nor an SSH channel (a `channel`)"),
    (
        "refusal",
        "; `Refused` is the session's decision to send one, `GatewayRefusal` why SSH turned someone away before the hub, `HubApp.HubRefused` a face being told",
    ),
    ("answer, slot, wall", "; `Answer` is the message that writes one, `HeldAnswer` the hub's record of it"),
    (
        "event",
        "; named in the past tense (`Voted`, `Marked`, `Commanded`, `Moderated`); what a person does on a screen, before the hub hears of it, is a `...Chosen` message (`VoteScreen.VoteChosen`, `MarkPanel.StanceChosen`, `Dashboard.CommandChosen`, `AnswerWall.ModerationChosen`, `FindScreen.SessionChosen`)",
    ),
    ("view", "; never a snapshot (`WallSnapshot`) nor a widget (`MovementChart`)"),
)
GLOSSARY_ROWS = (
    (
        "view",
        "connection",
        "one websocket between a client and the hub, from its handshake to its close (`client/link.py` `Link._connection`); a participant keeps their number across connections",
    ),
    (
        "connection",
        "snapshot",
        "a value taken once and not changed after (`core/answers.py` `WallSnapshot`: the wall as last sent, to send only its changes)",
    ),
    (
        "snapshot",
        "words",
        "what a person reads, from the catalog (`web/page_words.py` the phone page's, `server/ssh/gateway_words.py` the gateway's, `plain/paragraphs.py` plain mode's sentences); counting a room's words is `core/word_counts.py`; the language a widget draws in is `tui/language.py` `lang_of`",
    ),
    (
        "words",
        "hub runner, hub commands",
        "`server/hub_runner.py` `HubRunner` starts and runs one hub; `commands/hub_commands.py` are the `serve`, `host`, `demo` and `join` commands that use it",
    ),
    (
        "hub runner, hub commands",
        "quiet, laid out once, background only",
        "what the SSH drawing savings do, by purpose: a `QuietStatic` or `QuietInput` repaints only on a real change (`tui/widgets/quiet.py`), a `LaidOutOnce` widget takes its size in one layout pass (`tui/widgets/laid_out_once.py`), a `BackgroundColumn` draws only its background under its parts (`tui/widgets/background_only.py`)",
    ),
)
PROTOCOL_NAMES_BEFORE = "## Boards, cells and the deck"
PROTOCOL_NAMES = """### The messages' names

A message travels as its number; its name is the class in `core/wire.py` and the word this
document uses. Four were renamed so that the name says what the message is (the numbers and the
bytes are unchanged):

| type | name | was | means |
|---|---|---|---|
| 7 | `ChooseLanguage` | Speak | a participant chose the language they read |
| 25 | `YourAnswers` | Mine | the receiver's own answers to one question, with those hidden or waiting |
| 27 | `VoterCount` | People | how many people have a vote on a pick-several question |
| 29 | `ChosenLanguage` | Speaks | the language this participant chose before, said back when they come |

"""

# Files where a Member's spelling means something else (left alone).
MEMBER_ELSEWHERE = {"_session": ("server/ssh/",)}


# --- the tree --------------------------------------------------------------------------------


def files(suffixes: tuple[str, ...] = TEXT_SUFFIXES) -> list[Path]:
    listed = subprocess.run(["git", "ls-files"], cwd=ROOT, check=True, capture_output=True, text=True).stdout
    out = []
    for line in listed.splitlines():
        path = ROOT / line
        if path.resolve() == Path(__file__).resolve():
            continue  # this script names every old name on purpose
        if path.suffix in suffixes and path.is_file() and not SKIP_DIRS.intersection(path.parts):
            out.append(path)
    return out


def rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def module_of(path: str) -> str:
    """The dotted name a path is imported by (``server/`` is ``coproterm.server``)."""
    dotted = path.removesuffix(".py").removesuffix("/__init__").replace("/", ".")
    return "coproterm." + dotted if dotted.startswith("server.") or dotted == "server" else dotted


class Changes:
    def __init__(self) -> None:
        self.by_file: dict[str, list[str]] = {}

    def note(self, path: str, what: str) -> None:
        self.by_file.setdefault(path, []).append(what)

    def report(self) -> None:
        for path in sorted(self.by_file):
            counted: dict[str, int] = {}
            for what in self.by_file[path]:
                counted[what] = counted.get(what, 0) + 1
            print(f"  {path}: " + ", ".join(f"{w} x{n}" if n > 1 else w for w, n in counted.items()))


CHANGES = Changes()


def fail(message: str) -> None:
    print(f"renames: {message}", file=sys.stderr)
    sys.exit(1)


# --- 1. modules ------------------------------------------------------------------------------


def move_modules() -> list[tuple[str, str]]:
    """``git mv`` each module; returns the (old, new) dotted names of every move, done now or before."""
    dotted = []
    for move in MOVES:
        old, new = ROOT / move.old, ROOT / move.new
        if old.exists() and new.exists():
            fail(f"both {move.old} and {move.new} exist")
        if old.exists():
            subprocess.run(["git", "mv", move.old, move.new], cwd=ROOT, check=True)
            print(f"git mv {move.old} {move.new}")
        elif not new.exists():
            fail(f"{move.old} is missing (and {move.new} is not there either): {move.why}")
        dotted.append((module_of(move.old), module_of(move.new)))
    return dotted


def path_patterns() -> list[tuple[re.Pattern[str], str, str]]:
    """A moved module's path in prose and catalog comments, whole or from its package on."""
    out = []
    for move in MOVES:
        old_parts, new_parts = move.old.split("/"), move.new.split("/")
        for start in range(len(old_parts) - 1):  # coproterm/tui/words.py, tui/words.py (not bare words.py)
            old = "/".join(old_parts[start:])
            new = "/".join(new_parts[start:])
            out.append((re.compile(r"(?<![\w/.-])" + re.escape(old) + r"(?![\w])"), new, f"{old} -> {new}"))
    return out


def dotted_patterns(moves: list[tuple[str, str]]) -> list[tuple[re.Pattern[str], str, str]]:
    out = []
    for old, new in moves:
        old_parts, new_parts = old.split("."), new.split(".")
        # coproterm.tui.words and tui.words (as prose writes it); never a bare last part
        for start in range(len(old_parts) - 1):
            o, n = ".".join(old_parts[start:]), ".".join(new_parts[start:])
            out.append((re.compile(r"(?<![\w.])" + re.escape(o) + r"(?![\w])"), n, f"{o} -> {n}"))
        if old.startswith("coproterm.server."):  # server.hosting, as the repository's layout reads
            o, n = old.removeprefix("coproterm."), new.removeprefix("coproterm.")
            out.append((re.compile(r"(?<![\w.])" + re.escape(o) + r"(?![\w])"), n, f"{o} -> {n}"))
    return out


def subn_in_columns(pattern: re.Pattern[str], replacement: str, text: str) -> tuple[str, int]:
    """``pattern.subn``, except that in a drawing (a line with a box's │) a longer name takes its
    room from the spaces after it, so the box's right side stays where it was."""
    count = 0
    lines = text.splitlines(keepends=True)
    for i, line in enumerate(lines):
        if "│" not in line:
            lines[i], n = pattern.subn(replacement, line)
            count += n
            continue
        spaced = re.compile(pattern.pattern + r"( *)")

        def keep(match: re.Match[str]) -> str:
            grow = len(replacement) - len(match.group(0)) + len(match.group(1))
            spaces = match.group(1)
            if grow > 0 and len(spaces) > grow:
                spaces = spaces[grow:]
            elif grow < 0:
                spaces += " " * -grow
            return replacement + spaces

        lines[i], n = spaced.subn(keep, line)
        count += n
    return "".join(lines), count


def rewrite_paths(moves: list[tuple[str, str]]) -> None:
    patterns = path_patterns() + dotted_patterns(moves)
    for path in files():
        text = path.read_text(encoding="utf-8")
        new = text
        for pattern, replacement, label in patterns:
            new, n = subn_in_columns(pattern, replacement, new)
            if n:
                CHANGES.note(rel(path), label)
        # from coproterm.tui import words  (a module imported from its package)
        for old, newmod in moves:
            package, _, name = old.rpartition(".")
            newname = newmod.rpartition(".")[2]
            pattern = re.compile(r"^(\s*from\s+" + re.escape(package) + r"\s+import\s+[^\n]*?)\b" + name + r"\b", re.M)
            if pattern.search(new) and path.suffix == ".py":
                new = pattern.sub(lambda m, n=newname: m.group(1) + n, new)
                CHANGES.note(rel(path), f"from {package} import {name} -> {newname}")
        if new != text:
            path.write_text(new, encoding="utf-8")


# --- 2. names in Python ----------------------------------------------------------------------


@dataclass
class Parsed:
    path: Path
    text: str
    tree: ast.Module
    module: str
    defines: set[str] = field(default_factory=set)
    imports: dict[str, str] = field(default_factory=dict)
    """Name bound here by ``from M import name`` (no alias) -> M."""
    aliased: dict[str, tuple[str, str]] = field(default_factory=dict)
    """Alias bound by ``from M import name as alias`` -> (M, name)."""
    module_aliases: dict[str, str] = field(default_factory=dict)
    """Name bound to a module (``from coproterm.core import wire``, ``import x.y as z``) -> its dotted name."""


def parse_all() -> dict[str, Parsed]:
    out = {}
    for path in files((".py",)):
        text = path.read_text(encoding="utf-8")
        try:
            tree = ast.parse(text)
        except SyntaxError as error:
            fail(f"cannot parse {rel(path)}: {error}")
        parsed = Parsed(path, text, tree, module_of(rel(path)))
        for node in tree.body:
            if isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
                parsed.defines.add(node.name)
            elif isinstance(node, ast.Assign):
                parsed.defines.update(t.id for t in node.targets if isinstance(t, ast.Name))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                for alias in node.names:
                    if alias.asname and alias.asname != alias.name:
                        parsed.aliased[alias.asname] = (node.module, alias.name)
                    else:
                        parsed.imports[alias.name] = node.module
                    parsed.module_aliases.setdefault(alias.asname or alias.name, f"{node.module}.{alias.name}")
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname:
                        parsed.module_aliases[alias.asname] = alias.name
        out[rel(path)] = parsed
    return out


def homes(parsed: dict[str, Parsed], old: str, anchor: str) -> set[str]:
    """The modules where ``old`` means the renamed thing: where it is defined beside ``anchor``, and
    every module that imports it from one of those (a re-export), to a fixed point."""
    if anchor.startswith("doc:"):  # the definition whose docstring begins so
        found = {
            p.module
            for p in parsed.values()
            for node in p.tree.body
            if isinstance(node, (ast.ClassDef, ast.FunctionDef))
            and node.name == old
            and (ast.get_docstring(node) or "").startswith(anchor.removeprefix("doc:"))
        }
    elif "/" in anchor:  # the one definition under a folder
        found = {p.module for k, p in parsed.items() if k.startswith(anchor) and old in p.defines}
        if len(found) > 1:
            fail(f"{old} is defined more than once under {anchor}: {sorted(found)}")
    else:
        found = {p.module for p in parsed.values() if old in p.defines and anchor in p.defines}
    while True:
        more = {p.module for p in parsed.values() if p.imports.get(old) in found} - found
        if not more:
            return found
        found |= more


SPAN = re.compile(r"(`+)(.+?)\1", re.S)


def in_spans(text: str, pattern: re.Pattern[str], new: str) -> tuple[str, int]:
    """``pattern`` replaced only inside backquoted code spans of ``text``."""
    count = 0

    def one(match: re.Match[str]) -> str:
        nonlocal count
        inner, n = pattern.subn(new, match.group(2))
        count += n
        return match.group(1) + inner + match.group(1)

    return SPAN.sub(one, text), count


def bare(name: str) -> re.Pattern[str]:
    """``name`` as a whole word not reached through another name (``wire.Answer`` is not ``Answer``)."""
    return re.compile(r"(?<![\w.])" + re.escape(name) + r"(?![\w])")


def rename_tokens(text: str, wanted: dict[tuple[int, int], tuple[str, str]]) -> str:
    """Replace the NAME tokens starting at the given (row, col) positions."""
    lines = text.splitlines(keepends=True)
    for (row, col), (old, new) in sorted(wanted.items(), reverse=True):
        line = lines[row - 1]
        assert line[col : col + len(old)] == old, (row, col, old, line)
        lines[row - 1] = line[:col] + new + line[col + len(old) :]
    return "".join(lines)


def rename_tops(parsed: dict[str, Parsed]) -> None:
    for top in TOPS:
        old_homes = homes(parsed, top.old, top.anchor)
        new_homes = homes(parsed, top.new, top.anchor) | (
            homes(parsed, top.new, rename_of(top.anchor)) if rename_of(top.anchor) != top.anchor else set()
        )
        if not old_homes and not new_homes:
            fail(f"{top.old} (defined beside {top.anchor}) is found neither as {top.old} nor as {top.new}: {top.why}")
        if not old_homes:
            continue
        definers = {m for m in old_homes if top.old in next(p for p in parsed.values() if p.module == m).defines}
        qualified = [
            (re.compile(r"(?<![\w.])" + re.escape(m) + r"\." + top.old + r"(?![\w])"), f"{m}.{top.new}")
            for m in definers
        ]
        for key, p in parsed.items():
            text = p.text
            binds = p.module in definers or p.imports.get(top.old) in old_homes
            via = {alias for alias, dotted in p.module_aliases.items() if dotted in old_homes}
            wanted: dict[tuple[int, int], tuple[str, str]] = {}
            import_lines = _import_rows(p, top.old, old_homes)
            other_imports = _import_rows(p, top.old, None) - import_lines
            prev = None
            for token in tokenize.generate_tokens(io.StringIO(text).readline):
                if token.type == tokenize.NAME and token.string == top.old:
                    after_dot = prev is not None and prev.string == "."
                    if (
                        token.start[0] in import_lines
                        or (after_dot and _qualifier(text, token.start) in via)
                        or (binds and not after_dot and token.start[0] not in other_imports)
                    ):
                        wanted[token.start] = (top.old, top.new)
                if token.type not in (tokenize.NL, tokenize.COMMENT, tokenize.INDENT, tokenize.DEDENT):
                    prev = token
            new = rename_tokens(text, wanted) if wanted else text
            if wanted:
                CHANGES.note(key, f"{top.old} -> {top.new}")
            new = _prose_in_python(new, top.old, top.new, binds, via, qualified, key, "/" in top.anchor)
            if new != text:
                p.text = new
                p.path.write_text(new, encoding="utf-8")
        _refresh(parsed)


def rename_of(name: str) -> str:
    for top in TOPS:
        if top.old == name:
            return top.new
    return name


def _import_rows(p: Parsed, old: str, old_homes: set[str] | None) -> set[int]:
    """The rows of ``from M import old`` statements, M among ``old_homes`` (None: any M)."""
    rows: set[int] = set()
    for node in ast.walk(p.tree):
        if (
            isinstance(node, ast.ImportFrom)
            and (old_homes is None or node.module in old_homes)
            and any(a.name == old for a in node.names)
        ):
            rows.update(range(node.lineno, (node.end_lineno or node.lineno) + 1))
    return rows


def _qualifier(text: str, start: tuple[int, int]) -> str:
    line = text.splitlines()[start[0] - 1]
    match = re.search(r"(\w+)\s*\.\s*$", line[: start[1]])
    return match.group(1) if match else ""


def _prose_in_python(
    text: str, old: str, new: str, binds: bool, via: set[str], qualified: list, key: str, unique: bool
) -> str:
    """Docstrings and comments: the qualified name anywhere; the bare name in code spans where it is
    bound (anywhere, for a name with one meaning); a stylesheet's type selector where it is bound."""
    out = []
    changed = 0
    for token in _string_and_comment_spans(text):
        kind, segment = token
        if kind == "code":
            out.append(segment)
            continue
        for pattern, replacement in qualified:
            segment, n = pattern.subn(replacement, segment)
            changed += n
        if binds or via:
            for alias in via:
                segment, n = in_spans(
                    segment, re.compile(r"(?<![\w.])" + alias + r"\." + old + r"(?![\w])"), f"{alias}.{new}"
                )
                changed += n
        if binds or unique:
            segment, n = in_spans(segment, re.compile(r"(?<![\w.])(~?)" + re.escape(old) + r"(?![\w])"), r"\g<1>" + new)
            changed += n
        if binds and kind != "comment":  # DEFAULT_CSS = "MovementView { ... }"
            segment, n = re.subn(r"(?<![\w.-])" + re.escape(old) + r"(?=[^\n{}\"']*\{)", new, segment)
            changed += n
        if kind == "fstring" and binds:
            segment, n = re.subn(r"\{[^{}]*\}", lambda m: bare(old).sub(new, m.group(0)), segment)
            changed += n
        out.append(segment)
    if changed:
        CHANGES.note(key, f"{old} -> {new} (in docstrings/comments)")
    return "".join(out)


def _string_and_comment_spans(text: str) -> list[tuple[str, str]]:
    """The text cut into code, strings (docstrings, words) and comments, in order."""
    lines = text.splitlines(keepends=True)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))
    pieces: list[tuple[str, str]] = []
    at = 0
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        if token.type in (tokenize.STRING, tokenize.COMMENT):
            start = offsets[token.start[0] - 1] + token.start[1]
            end = offsets[token.end[0] - 1] + token.end[1]
            pieces.append(("code", text[at:start]))
            is_f = token.type == tokenize.STRING and re.match(r"[rbuRBU]*[fF]", token.string) is not None
            kind = "comment" if token.type == tokenize.COMMENT else "fstring" if is_f else "prose"
            pieces.append((kind, text[start:end]))
            at = end
    pieces.append(("code", text[at:]))
    return pieces


def _refresh(parsed: dict[str, Parsed]) -> None:
    fresh = parse_all()
    parsed.clear()
    parsed.update(fresh)


def snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def rename_nested(parsed: dict[str, Parsed]) -> None:
    for nested in NESTED:
        # defined in the owner, or in a part of it that posts under its namespace (a mixin)
        space = f'namespace="{snake(nested.owner)}"'

        def defines(p: Parsed, name: str, space: str = space, nested: Nested = nested) -> bool:
            found = re.search(r"^\s+class " + name + r"\b[^\n]*", p.text, re.M)
            return found is not None and (nested.owner in p.defines or space in found.group(0))

        defined_old = [p for p in parsed.values() if defines(p, nested.old)]
        defined_new = [p for p in parsed.values() if defines(p, nested.new)]
        if not defined_old and not defined_new:
            fail(
                f"{nested.owner}.{nested.old} is found neither as it is nor as {nested.owner}.{nested.new}: {nested.why}"
            )
        handler_old = f"on_{snake(nested.owner)}_{snake(nested.old)}"
        handler_new = f"on_{snake(nested.owner)}_{snake(nested.new)}"
        patterns = [
            (
                re.compile(r"(?<![\w.])" + nested.owner + r"\." + nested.old + r"(?![\w])"),
                f"{nested.owner}.{nested.new}",
            ),
            (re.compile(r"(?<![\w])" + handler_old + r"(?![\w])"), handler_new),
        ]
        here = [
            (re.compile(r"^(\s+)class " + nested.old + r"\b", re.M), r"\1class " + nested.new),
            (re.compile(r"(?<![\w.])(self|cls)\." + nested.old + r"(?![\w])"), r"\1." + nested.new),
        ]
        for p in parsed.values():
            new = p.text
            for pattern, replacement in patterns + (here if p in defined_old else []):
                new, n = pattern.subn(replacement, new)
                if n:
                    CHANGES.note(rel(p.path), f"{nested.owner}.{nested.old} -> {nested.new}")
            if new != p.text:
                p.text = new
                p.path.write_text(new, encoding="utf-8")
        _refresh(parsed)


def rename_members(parsed: dict[str, Parsed]) -> None:
    for member in MEMBERS:
        name = re.compile(r"(?<![\w])" + member.old + r"(?![\w])")
        owners = [p for p in parsed.values() if rel(p.path) in member.files]
        if not owners:
            fail(f"{member.files} not found for {member.old}: {member.why}")
        if not any(re.search(r"def " + member.old + r"\b", p.text) for p in owners) and not any(
            re.search(r"def " + member.new + r"\b", p.text) for p in owners
        ):
            fail(f"{member.old} is defined in none of {member.files}, nor {member.new}: {member.why}")
        for key, p in parsed.items():
            if any(key.startswith(prefix) for prefix in MEMBER_ELSEWHERE.get(member.old, ())):
                continue
            if member.old == "_session" and key not in member.files:
                continue  # "_session" is a word of its own elsewhere (the SSH channel's)
            wanted = {}
            for token in tokenize.generate_tokens(io.StringIO(p.text).readline):
                if token.type == tokenize.NAME and token.string == member.old:
                    wanted[token.start] = (member.old, member.new)
            new = rename_tokens(p.text, wanted) if wanted else p.text
            prose = 0
            pieces = []
            for kind, segment in _string_and_comment_spans(new):
                if kind != "code":
                    segment, n = in_spans(segment, name, member.new)
                    prose += n
                pieces.append(segment)
            new = "".join(pieces)
            if wanted or prose:
                CHANGES.note(key, f"{member.old} -> {member.new}")
                p.text = new
                p.path.write_text(new, encoding="utf-8")
        _refresh(parsed)


# --- 3. prose: Markdown, the page's comments -------------------------------------------------


def rename_prose() -> None:
    for path in files((".py",)):
        text = path.read_text(encoding="utf-8")
        new = text
        for prose in PROSE:
            new = new.replace(prose.old, prose.new)
        if new != text:
            CHANGES.note(rel(path), "phrases in prose")
            path.write_text(new, encoding="utf-8")
    for path in files((".tcss",)):
        text = path.read_text(encoding="utf-8")
        new = text
        for top in TOPS:
            if "/" in top.anchor:  # a widget's type selector
                new = re.sub(r"(?<![\w.#-])" + re.escape(top.old) + r"(?![\w-])", top.new, new)
        if new != text:
            CHANGES.note(rel(path), "type selectors")
            path.write_text(new, encoding="utf-8")
    for path in files((".md", ".js")):
        text = path.read_text(encoding="utf-8")
        new = text
        for prose in PROSE:
            new = new.replace(prose.old, prose.new)
        for nested in NESTED:
            new = re.sub(
                r"(?<![\w.])" + nested.owner + r"\." + nested.old + r"(?![\w])", f"{nested.owner}.{nested.new}", new
            )
            old_h, new_h = (
                f"on_{snake(nested.owner)}_{snake(nested.old)}",
                f"on_{snake(nested.owner)}_{snake(nested.new)}",
            )
            new = re.sub(r"(?<![\w])" + old_h + r"(?![\w])", new_h, new)
        for top in TOPS:
            if top.old in ("Answer", "Refused"):  # two meanings in prose: only the PROSE phrases above
                continue
            pattern = re.compile(r"(?<![\w.])" + re.escape(top.old) + r"(?![\w])")
            if path.suffix == ".md":
                new, _ = in_spans(new, pattern, top.new)
            else:  # the page's comments name the messages by their numbers' names
                new = re.sub(
                    r"/\*.*?\*/|//[^\n]*", lambda m, p=pattern, n=top.new: p.sub(n, m.group(0)), new, flags=re.S
                )
        for member in MEMBERS:
            pattern = re.compile(r"(?<![\w])" + re.escape(member.old) + r"(?![\w])")
            if path.suffix == ".md" and member.old != "_session":
                new, _ = in_spans(new, pattern, member.new)
        new = new.replace("`Link._session`", "`Link._connection`")
        if new != text:
            CHANGES.note(rel(path), "names in code spans")
            path.write_text(new, encoding="utf-8")


def glossary_and_protocol() -> None:
    path = ROOT / "docs/architecture.md"
    text = path.read_text(encoding="utf-8")
    lines = text.split("\n")

    def row_at(word: str) -> int:
        for i, line in enumerate(lines):
            if line.startswith(f"| {word} |"):
                return i
        fail(f"docs/architecture.md's glossary has no row for {word!r}")
        return -1

    for word, clause in GLOSSARY_CLAUSES:
        i = row_at(word)
        if clause not in lines[i]:
            lines[i] = lines[i].rstrip().removesuffix("|").rstrip() + clause + " |"
            CHANGES.note("docs/architecture.md", f"glossary: {word}")
    for after, word, meaning in GLOSSARY_ROWS:
        if not any(line.startswith(f"| {word} |") for line in lines):
            lines.insert(row_at(after) + 1, f"| {word} | {meaning} |")
            CHANGES.note("docs/architecture.md", f"glossary: {word} added")
    new = "\n".join(lines)
    if new != text:
        path.write_text(new, encoding="utf-8")
    path = ROOT / "docs/protocol.md"
    text = path.read_text(encoding="utf-8")
    if PROTOCOL_NAMES.splitlines()[0] not in text:
        if PROTOCOL_NAMES_BEFORE not in text:
            fail(f"docs/protocol.md has no {PROTOCOL_NAMES_BEFORE!r} to put the names before")
        path.write_text(
            text.replace(PROTOCOL_NAMES_BEFORE, PROTOCOL_NAMES + PROTOCOL_NAMES_BEFORE, 1), encoding="utf-8"
        )
        CHANGES.note("docs/protocol.md", "the messages' names")


# --- 4. tidy ---------------------------------------------------------------------------------


def tidy() -> None:
    ruff = [sys.executable, "-m", "ruff"]
    targets = [t for t in ("coproterm", "server", "tests", "bench", "tools") if (ROOT / t).exists()]
    subprocess.run([*ruff, "check", "--fix", "--select", "I", "--quiet", *targets], cwd=ROOT, check=False)
    subprocess.run([*ruff, "format", "--quiet", *targets], cwd=ROOT, check=True)


def main() -> int:
    if not (ROOT / "coproterm").is_dir() or not (ROOT / "server").is_dir():
        fail("run me from the repository's top")
    moves = move_modules()
    rewrite_paths(moves)
    parsed = parse_all()
    rename_tops(parsed)
    rename_nested(parsed)
    rename_members(parsed)
    rename_prose()
    glossary_and_protocol()
    tidy()
    if CHANGES.by_file:
        print("changed:")
        CHANGES.report()
    else:
        print("nothing to change: the renames are in already")
    return 0


if __name__ == "__main__":
    sys.exit(main())
