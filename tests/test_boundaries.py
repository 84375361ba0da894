"""The rings hold: the core does no I/O, only the codec touches msgpack, and each layer imports
only what pyproject.toml's import contracts allow (import-linter)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from tests.layoutkit import run_tool

CORE = Path(__file__).parent.parent / "coproterm" / "core"
FORBIDDEN = (
    "textual",
    "websockets",
    "asyncssh",
    "sqlite3",
    "zeroconf",
    "rich",
    "socket",
    "asyncio",
)


def test_core_imports_no_shell_or_face():
    code = (
        "import sys, coproterm.core.protocol, coproterm.core.deck, coproterm.core.view, coproterm.core.report;"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {FORBIDDEN!r} or m.startswith('coproterm.server')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_only_the_codec_imports_msgpack():
    importers = []
    for path in CORE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            if any(name.split(".")[0] == "msgpack" for name in names):
                importers.append(path.name)
    assert importers == ["wire.py"]


def test_the_import_contracts_hold():
    out = run_tool("lint-imports", "--config", "pyproject.toml")
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-2000:]
    assert "0 broken" in out.stdout


def test_the_package_type_checks_strictly():
    out = run_tool("mypy", "--strict", "--config-file", "pyproject.toml")
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-2000:]
