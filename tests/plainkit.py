"""Plain mode in tests: `coproterm join --plain` as a real process, and what any plain output must hold."""

from __future__ import annotations

import asyncio
import os
import re
import sys

import pytest

from coproterm.core.deck import builtin_deck
from coproterm.core.session import Session
from tests.conftest import HOST_TOKEN, counting_tokens


def workshop_session() -> Session:
    """The built-in workshop deck (every kind of question: open answer, several, one choice, before/after, grid)."""
    return Session(builtin_deck(), HOST_TOKEN, counting_tokens())


class PlainJoin:
    """``python -m coproterm join --plain`` with pipes: what it prints, as bytes and text; lines typed into it."""

    def __init__(self, address: str, *, width: int, name: str = "Ann", data_dir: str, lang: str = "en") -> None:
        self.argv = [sys.executable, "-m", "coproterm", "join", "--plain", "--no-mdns", "--name", name, "--lang", lang]
        self.argv.append(address)
        self.env = {
            **os.environ,
            "COLUMNS": str(width),
            "LINES": "24",
            "PYTHONIOENCODING": "utf-8",
            "COPROTERM_DATA_DIR": data_dir,
        }
        self.output = bytearray()
        self.changed = asyncio.Event()
        self._mark = 0
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> PlainJoin:
        self.process = await asyncio.create_subprocess_exec(
            *self.argv,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            env=self.env,
        )
        asyncio.get_running_loop().create_task(self._read())
        return self

    async def _read(self) -> None:
        assert self.process is not None and self.process.stdout is not None
        while data := await self.process.stdout.read(65536):
            self.output += data
            self.changed.set()
        self.changed.set()

    @property
    def text(self) -> str:
        return self.output.decode("utf-8", "replace")

    def mark(self) -> None:
        self._mark = len(self.output)

    def type(self, line: str) -> None:
        assert self.process is not None and self.process.stdin is not None
        self.process.stdin.write(line.encode() + b"\n")

    async def expect(self, pattern: str, timeout: float = 15.0) -> None:
        """Wait until the output since the last mark holds ``pattern`` (a regular expression)."""
        async with asyncio.timeout(timeout):
            while not re.search(pattern, self.output[self._mark :].decode("utf-8", "replace")):
                if self.process is not None and self.process.returncode is not None:
                    raise AssertionError(f"the app ended before {pattern!r}: {self.text[-500:]!r}")
                self.changed.clear()
                await self.changed.wait()

    async def wait(self, timeout: float = 15.0) -> int:
        assert self.process is not None
        return await asyncio.wait_for(self.process.wait(), timeout)

    def kill(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.kill()


def lines_of(output: bytes) -> list[str]:
    """The lines a terminal shows of plain output (a pty's carriage returns and typed backspaces aside)."""
    return [line.rstrip("\r") for line in output.decode("utf-8", "replace").split("\n")]


def assert_plain(output: bytes, width: int) -> None:
    """What plain output must always hold: no escape byte, no line wider than the terminal."""
    assert b"\x1b" not in output, "plain mode sends no escape sequence"
    long = [line for line in lines_of(output) if len(line) > width]
    assert not long, f"lines wider than {width}: {long}"


def skip_without(program: str) -> str:
    import shutil

    found = shutil.which(program)
    if found is None:
        if os.environ.get("CI"):
            pytest.fail(f"CI must install {program} (.ci/run does)")
        pytest.skip(f"no {program} on this machine")
    return found
