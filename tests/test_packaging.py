"""What pip installs: every package of the repository, ``server/`` as ``coproterm.server``, and nothing
named ``server`` at the top of site-packages (where it would collide with any other project's)."""

from __future__ import annotations

import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _installed_name(directory: Path) -> str:
    parts = directory.relative_to(ROOT).parts
    if parts[0] == "server":
        parts = ("coproterm", *parts)
    return ".".join(parts)


def test_pyproject_names_every_package_of_the_repository():
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    on_disk = {
        _installed_name(init.parent)
        for top in ("coproterm", "server")
        for init in (ROOT / top).rglob("__init__.py")
        if "__pycache__" not in init.parts
    }
    assert set(setuptools["packages"]) == on_disk
    assert setuptools["package-dir"] == {"coproterm.server": "server"}


def test_the_wheel_puts_the_hub_inside_coproterm_and_nothing_named_server_at_the_top(tmp_path):
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--wheel-dir", str(tmp_path), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert built.returncode == 0, built.stderr[-3000:]
    (wheel,) = tmp_path.glob("coproterm-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    tops = {name.split("/")[0] for name in names}
    assert tops == {"coproterm", *(top for top in tops if top.endswith((".dist-info", ".data")))}
    for module in ("server/hub.py", "server/store/writing.py", "server/ssh/worker.py", "server/ssh/gateway.py"):
        assert f"coproterm/{module}" in names
    assert "coproterm/web/page.js" in names and "coproterm/locale/cy/LC_MESSAGES/coproterm.mo" in names


def test_the_hub_and_an_ssh_worker_start_by_their_installed_names():
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import coproterm.server.hub, coproterm.server.ssh.worker, importlib.util as u;"
            "print(u.find_spec('server'))",
        ],
        capture_output=True,
        text=True,
        cwd="/",
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "None"
