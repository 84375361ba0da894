"""Plain mode over SSH: OpenSSH with TERM=dumb, or a user name ending in +plain, gets lines only."""

from __future__ import annotations

from coproterm.core.client_messages import Command
from coproterm.core.wire_terms import Action
from tests.plainkit import Listener, assert_announced_once, assert_plain, said, walk_the_deck, workshop_gateway
from tests.sshkit import SSHClient, run_ssh, ssh_binary

WIDTH = 60
SPECTRUM = 7


async def test_openssh_with_term_dumb_walks_every_kind_of_question_in_lines_only(tmp_path):
    async with workshop_gateway(tmp_path) as (hosted, host):
        dai = await SSHClient(hosted.ssh_port, "dai", size=(WIDTH, 24), env={"TERM": "dumb"}).start()
        await host.until(lambda p: p.attendance is not None and p.attendance.plain == 1 and p.attendance.over_ssh == 1)
        await walk_the_deck(host, dai, "\r")
        assert await dai.wait() == 0
        output = bytes(dai.output)
        assert_plain(output, WIDTH - 1)
        assert_announced_once(output)
        assert "4 2" in said(output), "what is typed is echoed (the client's terminal is raw)"
        (member,) = hosted.hub.session.participants.values()
        assert member.name == "dai"
        await host.until(lambda p: p.attendance.plain == 0)


async def test_a_plain_user_name_gets_plain_mode_in_any_terminal_and_is_the_same_person(tmp_path):
    async with workshop_gateway(tmp_path) as (hosted, host):
        await host.request(lambda seq: Command(seq, Action.GOTO, SPECTRUM))
        first = await SSHClient(
            hosted.ssh_port,
            "dai+plain",
            size=(WIDTH, 24),
            env={"TERM": "xterm-256color", "LANG": "C"},
            extra=("-o", "SendEnv=LANG"),
        ).start()
        ear = Listener(first)
        await ear.hears("Question 8 of 14")
        first.type("4x\x7f\r")  # a backspace takes the x back
        await ear.hears("Your vote is counted: consultation.")
        first.type("\x1b[Aquit\r")  # an arrow key's sequence is left out, not typed
        assert await first.wait() == 0
        assert_plain(bytes(first.output), WIDTH - 1)
        assert first.output.isascii(), "LANG=C: no UTF-8, so ASCII only ('...' for the ellipsis)"
        assert "Connecting to 127.0.0.1" in said(bytes(first.output))
        again = await SSHClient(hosted.ssh_port, "dai", size=(WIDTH, 24), env={"TERM": "dumb"}).start()
        await Listener(again).hears("Question 8 of 14", "Your vote: consultation.")
        again.type("quit\r")
        assert await again.wait() == 0
        (member,) = hosted.hub.session.participants.values()
        assert member.name == "dai"


async def test_a_plain_user_name_needs_no_terminal(tmp_path):
    async with workshop_gateway(tmp_path) as (hosted, _host):
        status, out, err = await run_ssh(
            hosted.ssh_port, ssh_binary(), "-T", "eli+plain@127.0.0.1", stdin=b"help\nquit\n"
        )
        assert status == 0, err
        assert "Type a number to vote, or one of these words:" in out and "quit: leave; your votes are kept" in out
        assert "\x1b" not in out and "\r" not in out, "no terminal: plain line ends, nothing echoed"
