"""Laptops that are not Linux: the participant app, the identities and the store start where fcntl does not exist,
the type checker reads the package as Windows and macOS do, and every dependency has a wheel for them."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

import pytest

from coproterm.core.client_messages import Command
from coproterm.core.wire_terms import Action
from tests.hubkit import join_host, running_hub
from tests.layoutkit import run_tool

ROOT = Path(__file__).parent.parent

AS_WINDOWS = textwrap.dedent(
    """
    # What Windows lacks is hidden; msvcrt (which Linux lacks) is stood in for by a lock with its semantics:
    # a non-blocking exclusive lock per open file, refused while another holds it, gone when the file closes.
    # The standard library and the third-party packages take their own platform's branches at import (they
    # have Windows ones of their own); coproterm's modules are imported after, as Windows would see them.
    import asyncio, json, sqlite3, subprocess, tempfile, platformdirs, ifaddr, msgpack, segno, zeroconf
    import textual.app, textual.command, textual.drivers.linux_driver, rich.console, websockets.asyncio.client
    import fcntl as _posix, sys, types
    msvcrt = types.ModuleType("msvcrt")
    msvcrt.LK_NBLCK, msvcrt.LK_UNLCK = 2, 0
    def _locking(fd, mode, nbytes, _posix=_posix):
        if mode == msvcrt.LK_NBLCK:
            _posix.flock(fd, _posix.LOCK_EX | _posix.LOCK_NB)
    msvcrt.locking = _locking
    sys.modules["msvcrt"] = msvcrt
    for posix_only in ("fcntl", "resource", "pwd", "grp"):
        sys.modules[posix_only] = None  # import raises ImportError
    del _posix
    sys.platform = "win32"
    """
)


def run_as_windows(code: str, tmp_path: Path, timeout: float = 90) -> dict:
    """Run ``code`` in a fresh interpreter that looks like Windows; it prints one JSON line last."""
    env = {**os.environ, "COPROTERM_DATA_DIR": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-c", AS_WINDOWS + textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
        env=env,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_identity_store_and_the_session_store_work_without_fcntl(tmp_path):
    said = run_as_windows(
        """
        import asyncio, json, os, sys
        from pathlib import Path
        from coproterm.client.identities import Identity
        from coproterm.core.deck import default_deck
        from coproterm.core.deck import deck_to_data
        from coproterm.server.store import SessionStore, StoreError

        first, second = Identity("ws://h:1", "Ann"), Identity("ws://h:1", "Ann")
        first.keep(b"0123456789abcdef")
        two_people = first.token != second.token and second.token is None
        first.release()
        again = Identity("ws://h:1", "Ann")

        async def host():
            deck = default_deck()
            data = Path(os.environ["COPROTERM_DATA_DIR"])
            store = SessionStore.create(data, deck_to_data(deck), deck.title, "token")
            store.start()
            try:
                SessionStore.resume(store.path)
                refused = ""
            except StoreError as error:
                refused = str(error)
            await store.close()
            return refused

        refused = asyncio.run(host())
        print(json.dumps({
            "fcntl": sys.modules.get("fcntl") is not None,
            "two_people": two_people,
            "came_back": again.token == b"0123456789abcdef",
            "refused": refused,
        }))
        """,
        tmp_path,
    )
    assert said["fcntl"] is False
    assert said["two_people"], "a second app under the same name is a second person"
    assert said["came_back"], "the identity is kept and claimed again once released"
    assert "already being hosted" in said["refused"]


async def test_the_participant_app_joins_and_votes_without_fcntl(tmp_path):
    async with running_hub() as hub:
        host = await join_host(hub.url)
        await host.request(lambda s: Command(s, Action.GOTO, 1))
        code = f"""
        import asyncio, json, sys
        from coproterm.tui.participant.app import ParticipantApp

        async def main():
            app = ParticipantApp({hub.url!r}, "Ann")
            async with app.run_test(size=(80, 24)) as pilot:
                async with asyncio.timeout(30):
                    while app.view.state is None:
                        await pilot.pause(0.05)
                    await pilot.press("4", "enter")
                    while app.view.votes.get(1) != 3:
                        await pilot.pause(0.05)
            return app.view.resume is not None

        remembered = asyncio.run(main())
        print(json.dumps({{"fcntl": "fcntl" in sys.modules and sys.modules["fcntl"] is not None,
                          "remembered": remembered}}))
        """
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            AS_WINDOWS + textwrap.dedent(code),
            cwd=ROOT,
            env={**os.environ, "COPROTERM_DATA_DIR": str(tmp_path)},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        out, err = await process.communicate()
        assert process.returncode == 0, err.decode()[-4000:]
        said = json.loads(out.decode().strip().splitlines()[-1])
        assert said == {"fcntl": False, "remembered": True}
        assert list(tmp_path.joinpath("identities").glob("*-0")), "the identity was kept in a file"


@pytest.mark.parametrize("platform", ["win32", "darwin"])
def test_the_package_type_checks_as_windows_and_macos_read_it(platform):
    done = run_tool("mypy", "--platform", platform, "--cache-dir", str(ROOT / ".mypy_cache" / platform))
    assert done.returncode == 0, done.stdout[-4000:]


PLATFORMS = {
    "win_amd64": {"sys_platform": "win32", "platform_system": "Windows", "os_name": "nt"},
    "macosx_11_0_arm64": {"sys_platform": "darwin", "platform_system": "Darwin", "os_name": "posix"},
}
PYTHONS = ("3.11", "3.12", "3.13")
UNREACHABLE = ("Could not fetch", "NewConnectionError", "Temporary failure", "Max retries", "Network is unreachable")


def _dependencies(platform: str, python: str) -> list[str]:
    """Every distribution the package needs there, pinned to the version installed here when it is (a wheelhouse's)."""
    from importlib.metadata import PackageNotFoundError, distribution

    from packaging.requirements import Requirement

    where = {**PLATFORMS[platform], "python_version": python, "python_full_version": f"{python}.0", "extra": ""}
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = [Requirement(line) for line in project["dependencies"]]
    pins: dict[str, str] = {}
    while wanted:
        requirement = wanted.pop()
        name = requirement.name.lower().replace("_", "-")
        if name in pins or (requirement.marker is not None and not requirement.marker.evaluate(where)):
            continue
        try:
            dist = distribution(name)
        except PackageNotFoundError:  # needed there only (colorama on Windows): whatever pip picks
            pins[name] = name
            continue
        pins[name] = f"{name}=={dist.version}"
        wanted += [Requirement(line) for line in dist.requires or []]
    return sorted(pins.values())


@pytest.mark.parametrize("python", PYTHONS)
@pytest.mark.parametrize("platform", PLATFORMS)
def test_every_dependency_has_a_wheel_for_windows_and_macos(platform, python, tmp_path):
    """The README's wheelhouse recipe holds: pip finds a binary wheel of each, for each Python and platform."""
    pins = _dependencies(platform, python)
    command = [
        sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
        "--platform", platform, "--python-version", python, "--dest", str(tmp_path), *pins,
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=600)
    problem = "\n".join(line for line in done.stderr.splitlines() if "is ignored" not in line)
    if done.returncode != 0 and any(word in problem for word in UNREACHABLE):
        pytest.skip(f"the package index cannot be reached from here, so this was not checked: {problem[-300:]}")
    assert done.returncode == 0, f"no wheel for {platform}, Python {python}: {problem[-2000:]}"
    got = {path.name.split("-")[0].lower().replace("_", "-") for path in tmp_path.iterdir()}
    assert got == {pin.split("==")[0] for pin in pins}, got
