"""The package laid out as pip installs it, for the tools that read files rather than import them.

The repository keeps ``server/`` at the top (the product card's layout), but pyproject.toml installs
it as ``coproterm.server`` (setuptools ``package-dir``), so nothing named ``server`` lands in
site-packages. Python finds ``coproterm.server`` through the editable install's finder; mypy and
import-linter walk directories, so they run in a tree of symbolic links shaped like the installed
package: ``.layout/coproterm/`` holds a link to each entry of ``coproterm/`` and ``server`` links to
``server/``. Errors name ``coproterm/server/...`` for a file in ``server/``.

From the repository::

    .venv/bin/python -m tests.layoutkit mypy --strict      # the whole package, strictly
    .venv/bin/python -m tests.layoutkit lint-imports       # the import contracts
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LAYOUT = ROOT / ".layout"


def installed_layout() -> Path:
    """(Re)make ``.layout`` and return it: ``coproterm/`` as links, ``coproterm/server`` -> ``server/``."""
    package = LAYOUT / "coproterm"
    if package.exists():
        shutil.rmtree(package)
    package.mkdir(parents=True)
    for entry in (ROOT / "coproterm").iterdir():
        if entry.name != "__pycache__":
            (package / entry.name).symlink_to(entry)
    (package / "server").symlink_to(ROOT / "server")
    shutil.copyfile(ROOT / "pyproject.toml", LAYOUT / "pyproject.toml")
    return LAYOUT


def run_tool(*command: str, timeout: float = 900) -> subprocess.CompletedProcess[str]:
    """Run mypy or lint-imports (as ``python -m``) in the installed layout, with the caches kept at the root."""
    where = installed_layout()
    module = {"lint-imports": "importlinter.cli", "mypy": "mypy"}[command[0]]
    args = list(command[1:])
    if module == "mypy" and not any(arg.startswith("--cache-dir") for arg in args):
        args = ["--cache-dir", str(ROOT / ".mypy_cache" / "layout"), *args]
    if module == "importlinter.cli":
        program = [
            "-c",
            "import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())",
        ]
        args = [*args, "--no-cache"]
    else:
        program = ["-m", module]
    env = {**os.environ, "PYTHONPATH": str(where)}
    return subprocess.run(
        [sys.executable, *program, *args], capture_output=True, text=True, cwd=where, env=env, timeout=timeout
    )


if __name__ == "__main__":
    done = run_tool(*sys.argv[1:])
    sys.stdout.write(done.stdout)
    sys.stderr.write(done.stderr)
    raise SystemExit(done.returncode)
