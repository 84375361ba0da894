"""How an SSH participant's terminal is left, and drawn for what it can show (issue 14, items 3 and 8)."""

from __future__ import annotations

import contextlib
import re

import pytest

from coproterm.core.deck import default_deck
from coproterm.core.session import Session
from coproterm.server.hub_runner import HubRunner, SSHOptions
from tests.conftest import HOST_TOKEN, counting_tokens
from tests.sshkit import SSHClient, asyncssh_client, ssh_binary

FIRST = "co-production mean to you"
COLOUR = re.compile(rb"\x1b\[(?:[0-9;]*;)?(?:3[0-8]|4[0-8]|9[0-7]|10[0-7])(?:;[0-9;]*)?m")
"""A colour code (39 and 49, back to the terminal's own colours, are not one)."""


def left_as_it_was(raw: bytes) -> bool:
    """Everything the app turned on is off again, after the last time it was turned on."""
    tail = raw[raw.rfind(b"\x1b[?1049h") :]
    return all(code in tail for code in (b"\x1b[?1049l", b"\x1b[?1000l", b"\x1b[?25h", b"\x1b[?2004l"))


@contextlib.asynccontextmanager
async def gateway(tmp_path, workers=0):
    ssh_binary()
    session = Session(default_deck(), HOST_TOKEN, counting_tokens())
    runner = HubRunner(session, HOST_TOKEN, "127.0.0.1", 0, ssh=SSHOptions(port=0, key_dir=tmp_path, workers=workers))
    async with runner as hosted:
        assert hosted.ssh_port, hosted.ssh_problem
        yield hosted, runner


@pytest.mark.parametrize("workers", [0, 1])
async def test_when_the_hub_stops_every_terminal_is_restored_with_a_last_word(tmp_path, workers):
    async with gateway(tmp_path, workers) as (hosted, _runner):
        people = [await SSHClient(hosted.ssh_port, name).start() for name in ("ann", "bob")]
        for person in people:
            await person.expect(FIRST)
    for person in people:
        await person.expect("the session has ended; thank you")
        await person.wait()
        assert left_as_it_was(bytes(person.output)), bytes(person.output[-300:])


async def test_leaving_with_q_restores_the_terminal(tmp_path):
    async with gateway(tmp_path) as (hosted, _runner):
        ann = await SSHClient(hosted.ssh_port, "ann").start()
        await ann.expect(FIRST)
        await ann.leave()
        await ann.expect("you have left the session; your votes are kept")
        assert await ann.wait() == 0
        assert left_as_it_was(bytes(ann.output))


async def test_an_app_that_fails_still_leaves_the_terminal_as_it_was(tmp_path, monkeypatch):
    from coproterm.server.ssh import app as gw

    async def broken(self, *args, **kwargs):  # before any driver is made
        raise RuntimeError("a bug in the face")

    async with gateway(tmp_path) as (hosted, _runner):
        monkeypatch.setattr(gw.SSHParticipantApp, "run_async", broken)
        conn, _channel, screen = await asyncssh_client(hosted.ssh_port, "ann")
        await screen.expect("the app stopped unexpectedly")
        assert b"\x1b[?1049l" in screen.received and b"\x1b[?25h" in screen.received
        conn.close()


async def test_term_vt100_gets_no_colour_and_dumb_no_alternate_screen(tmp_path):
    async with gateway(tmp_path) as (hosted, _runner):
        old = await SSHClient(hosted.ssh_port, "ann", env={"TERM": "vt100"}).start()
        await old.expect(FIRST)
        assert not COLOUR.search(bytes(old.output)), "vt100 has no colour"
        dumb = await SSHClient(hosted.ssh_port, "bob", env={"TERM": "dumb"}).start()
        await dumb.expect(FIRST)
        assert b"\x1b[?1049h" not in dumb.output and b"\x1b[?1000h" not in dumb.output
        assert not COLOUR.search(bytes(dumb.output))
        await old.leave()
        await old.wait()
        dumb.type("quit\r")  # TERM=dumb is plain mode: lines only, and words to type
        await dumb.wait()


async def test_no_color_and_a_non_utf8_locale_sent_by_the_client_are_honoured(tmp_path):
    async with gateway(tmp_path) as (hosted, _runner):
        plain = await SSHClient(hosted.ssh_port, "ann", extra=("-o", "SetEnv=NO_COLOR=1")).start()
        await plain.expect(FIRST)
        assert not COLOUR.search(bytes(plain.output)), "NO_COLOR: no colour codes"
        ascii_ = await SSHClient(hosted.ssh_port, "bob", extra=("-o", "SetEnv=LANG=C")).start()
        await ascii_.expect(FIRST)
        assert max(ascii_.output) < 0x80, "LANG=C: nothing but ASCII"
        utf8 = await SSHClient(hosted.ssh_port, "cat", extra=("-o", "SetEnv=LANG=cy_GB.UTF-8")).start()
        await utf8.expect("Beth mae cydgynhyrchu")  # a Welsh locale: the app in Welsh (tests/test_ssh_cymraeg.py)
        assert max(utf8.output) >= 0x80 and COLOUR.search(bytes(utf8.output))
        for person in (plain, ascii_, utf8):
            await person.leave()
            await person.wait()


def test_capabilities_from_term_and_environment():
    from rich.color import ColorSystem

    from coproterm.server.ssh.terminal import capabilities, clamp

    assert capabilities("xterm-256color", {}).color_system is ColorSystem.EIGHT_BIT
    assert capabilities("vt100", {}).color_system is None and not capabilities("vt100", {}).plain
    assert capabilities("dumb", {}).plain
    assert capabilities("xterm", {"LC_ALL": "C", "LANG": "en_GB.UTF-8"}).ascii, "LC_ALL wins"
    assert not capabilities("xterm", {"LANG": "en_GB.utf8"}).ascii and not capabilities("xterm", {}).ascii
    assert capabilities("xterm", {"NO_COLOR": "1"}).no_color and not capabilities("xterm", {"NO_COLOR": ""}).no_color
    bce = {
        term: capabilities(term, {}).bce
        for term in (
            "xterm-256color",
            "rxvt-unicode",
            "linux",
            "xterm-kitty",
            "alacritty",
            "tmux-256color",
            "screen",
            "vt100",
        )
    }
    assert bce == {"xterm-256color": True, "rxvt-unicode": True, "linux": True, "xterm-kitty": False,
                   "alacritty": False, "tmux-256color": False, "screen": False, "vt100": False}, "as their terminfo says"  # fmt: skip
    assert clamp(2147483647, 0) == (300, 24) and clamp(10000, 10000) == (300, 100) and clamp(-5, 3) == (1, 3)
