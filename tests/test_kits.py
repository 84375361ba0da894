"""No test module imports another: what tests share lives in a kit (tests/*kit.py) or conftest.py.

A test module imported by another runs its module-level code twice under two names, drags its fixtures and
its imports along, and cannot be changed without reading every module that borrows from it.
"""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def _is_test_module(name: str) -> bool:
    parts = name.split(".")
    if parts[0] in ("tests", ""):  # tests.test_x, or .test_x relative to tests/
        return any(part.startswith("test_") for part in parts[1:])
    return parts[0].startswith("test_") and (TESTS / f"{parts[0]}.py").exists()  # run from tests/ itself


def imported_test_modules(source: str) -> list[str]:
    """Every test module ``source`` imports (``import tests.test_x``, ``from tests import test_x``, relatively,
    or by ``importlib.import_module``), as ``line: module``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            module = ("." if node.level else "") + (node.module or "")
            joined = [f"{module}.{alias.name}" if node.module else module + alias.name for alias in node.names]
            names = [module, *joined]
        elif isinstance(node, ast.Call) and ast.unparse(node.func).endswith(("import_module", "__import__")):
            names = [arg.value for arg in node.args if isinstance(arg, ast.Constant) and isinstance(arg.value, str)]
        for name in names:
            if _is_test_module(name):
                found.append(f"{node.lineno}: {name}")
                break
    return found


def test_no_test_module_imports_another() -> None:
    found = {
        path.name: where
        for path in sorted(TESTS.glob("*.py"))
        if (where := imported_test_modules(path.read_text(encoding="utf-8")))
    }
    assert not found, f"move what is shared into a kit (tests/*kit.py) and import it from there: {found}"


def test_every_way_of_importing_a_test_module_is_found() -> None:
    source = """
from tests.test_faces import until
import tests.test_cli
import tests.test_cli as cli
from tests import test_store_damage
from . import test_ssh
from .test_ssh import goto
import test_session
importlib.import_module("tests.test_web")
from tests.facekit import until
from tests import facekit
import importlib
"""
    found = [line.split(": ", 1)[1] for line in imported_test_modules(source)]
    assert found == [
        "tests.test_faces",
        "tests.test_cli",
        "tests.test_cli",
        "tests.test_store_damage",
        ".test_ssh",
        ".test_ssh",
        "test_session",
        "tests.test_web",
    ], found
