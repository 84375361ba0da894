"""Plain mode in tests: `coproterm join --plain` as a real process, and what any plain output must hold."""

from __future__ import annotations

import asyncio
import contextlib
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


def said(output: bytes) -> str:
    """Plain output as one line of words: what a screen reader reads, whatever the wrapping."""
    text = output.decode("utf-8", "replace").replace("\b \b", "")
    return " ".join(text.split())


class Listener:
    """Follows a plain participant's output (anything with ``output`` bytes and a ``changed`` event)."""

    def __init__(self, person) -> None:  # type: ignore[no-untyped-def]
        self.person = person
        self.since = 0

    async def hears(self, *phrases: str, timeout: float = 15.0) -> None:
        """Wait until each phrase was said (in order of arrival, whatever the wrapping) since the last call."""
        async with asyncio.timeout(timeout):
            while True:
                heard = said(bytes(self.person.output[self.since :]))
                if all(phrase in heard for phrase in phrases):
                    self.since = len(self.person.output)
                    return
                process = getattr(self.person, "process", None)
                if getattr(self.person, "closed", False) or (process is not None and process.returncode is not None):
                    raise AssertionError(f"the app ended before {phrases!r}: {heard[-600:]!r}")
                self.person.changed.clear()
                await self.person.changed.wait()


async def walk_the_deck(host, person, enter: str) -> None:  # type: ignore[no-untyped-def]
    """Every kind of question of the workshop deck, as a plain participant: an open answer, several,
    one choice, before and after, lock, reveal, the grid, a change of language, a discussion, and quit."""
    from coproterm.core.client_messages import Command
    from coproterm.core.wire_terms import Action

    async def command(action: Action, question: int) -> None:
        await host.request(lambda seq: Command(seq, action, question))

    ear = Listener(person)
    await ear.hears("Question 1 of 14: What does co-production mean to you?", "Type an answer and press Enter")
    person.type("Equal power, and ŵyr too" + enter)
    await ear.hears("Your answer is in: Equal power, and ŵyr too")
    person.type("Second thoughts" + enter)
    await ear.hears("Your answer is in: Second thoughts")
    person.type("edit 2 Shared power" + enter)
    await ear.hears("Your answer is in: Shared power")
    person.type("remove 2" + enter)
    await ear.hears("Your answer 2 is taken back.")
    person.type("mine" + enter)
    await ear.hears("Your answers: 1. Equal power, and ŵyr too")
    await command(Action.REVEAL, 0)
    await ear.hears("The results are now shown: type results.")
    person.type("results" + enter)
    await ear.hears("1 answer, newest first:", "- Equal power, and ŵyr too")
    await command(Action.GOTO, 1)
    await ear.hears(
        "The facilitator moved to question 2.", "Question 2 of 14: Which value is strongest", "5. People can be"
    )
    person.type("1 3" + enter)
    await ear.hears("Your vote is counted: Value all participants, and build on their strengths, Do what matters")
    await command(Action.GOTO, 7)
    await ear.hears("The facilitator moved to question 8.", "4. consultation (doing for)")
    person.type("4" + enter)
    await ear.hears("Your vote is counted: consultation.")
    await command(Action.GOTO, 8)
    await ear.hears("The facilitator moved to question 9.", "Before, you chose: consultation.")
    person.type("6" + enter)
    await ear.hears("Your vote is counted: co-production / involvement.", "Before: consultation. Now: co-production")
    await command(Action.LOCK, 8)
    await ear.hears("Voting is now locked.")
    person.type("5" + enter)
    await ear.hears("Not accepted: voting on this question is locked")
    await command(Action.REVEAL, 8)
    await ear.hears("The results are now shown: type results.")
    person.type("results" + enter)
    await ear.hears("Results:", "4. consultation: 0", "6. co-production / involvement: 1")
    await command(Action.GOTO, 11)
    await ear.hears("The facilitator moved to question 12.", "Across: ", "Down: ")
    person.type("4 2" + enter)
    await ear.hears("Your vote is counted: consultation, complicated.")
    person.type("iaith" + enter)
    await ear.hears("Iaith: Cymraeg.", "Cwestiwn 12 o 14")
    await command(Action.GOTO, 12)
    await ear.hears("Mae'r hwylusydd wedi symud i gwestiwn 13.")
    person.type("fi" + enter)
    await ear.hears("Nid ydych wedi ateb y cwestiwn hwn.")
    person.type("language" + enter)
    await ear.hears("Language: English.", "Question 13 of 14")
    await command(Action.GOTO, 13)
    await ear.hears("The facilitator moved to question 14.", "Nothing to vote on: talk it through in the room.")
    person.type("quit" + enter)


ONCE_EACH = {
    **{f"The facilitator moved to question {n}.": 1 for n in (2, 8, 9, 12, 14)},
    "Mae'r hwylusydd wedi symud i gwestiwn 13.": 1,
    "Voting is now locked.": 1,
    "The results are now shown: type results.": 2,
    "Your vote is counted: consultation.": 1,
    "Your answer is in: Equal power": 1,
    "Your answer 2 is taken back.": 1,
    "Iaith: Cymraeg.": 1,
    "Language: English. Type iaith for Cymraeg.": 1,
    "Not accepted: voting on this question is locked": 1,
}
"""Each announcement of :func:`walk_the_deck`, and how many times it happened (so was said)."""


def assert_announced_once(output: bytes) -> None:
    heard = said(output)
    counts = {phrase: heard.count(phrase) for phrase in ONCE_EACH}
    assert counts == ONCE_EACH


@contextlib.asynccontextmanager
async def workshop_gateway(tmp_path):  # type: ignore[no-untyped-def]
    """A hub on the workshop deck with its SSH gateway in this process, and a host connected to it."""
    from coproterm.server.hub_runner import HubRunner, SSHOptions
    from tests.hubkit import join_host
    from tests.sshkit import ssh_binary

    ssh_binary()
    options = SSHOptions(port=0, key_dir=tmp_path, workers=0)
    async with HubRunner(workshop_session(), HOST_TOKEN, "127.0.0.1", 0, ssh=options) as hosted:
        assert hosted.ssh_port, hosted.ssh_problem
        host = await join_host(hosted.local_url)
        yield hosted, host
