"""The small screen and plain terminals over real OpenSSH: the whole workshop at 40 x 12 in Welsh, and a VT100."""

from __future__ import annotations

import contextlib
import re

from coproterm.core.client_messages import Command
from coproterm.core.wire_terms import Action
from coproterm.server.hub_runner import HubRunner, SSHOptions
from tests.conftest import HOST_TOKEN
from tests.hubkit import join_host
from tests.screenkit import WORKSHOP, workshop_session
from tests.sshkit import SSHClient, ssh_binary

MOUSE_ON = re.compile(rb"\x1b\[\?100[0236]h")


@contextlib.asynccontextmanager
async def gateway(tmp_path):
    ssh_binary()
    runner = HubRunner(workshop_session(), HOST_TOKEN, "127.0.0.1", 0, ssh=SSHOptions(port=0, key_dir=tmp_path))
    async with runner as hosted:
        assert hosted.ssh_port, hosted.ssh_problem
        yield hosted


async def test_a_vt100_gets_no_mouse_tracking(tmp_path):
    async with gateway(tmp_path) as hosted:
        old = await SSHClient(hosted.ssh_port, "ann", env={"TERM": "vt100"}).start()
        await old.expect("co-production mean to you")
        xterm = await SSHClient(hosted.ssh_port, "bob", env={"TERM": "xterm-256color"}).start()
        await xterm.expect("co-production mean to you")
        assert not MOUSE_ON.search(bytes(old.output)), "a VT100 prints mouse reports as garbage"
        assert MOUSE_ON.search(bytes(xterm.output)), "an xterm still has clicks"
        for person in (old, xterm):
            await person.leave()
            await person.wait()


async def test_the_whole_workshop_at_40x12_in_welsh_keeps_the_cursor_in_sight(tmp_path):
    """Over OpenSSH, question by question: the board's cursor (▶) and its position always on the screen."""
    async with gateway(tmp_path) as hosted:
        host = await join_host(hosted.local_url)
        gwen = await SSHClient(
            hosted.ssh_port,
            "gwen",
            size=(40, 12),
            env={"TERM": "xterm-256color"},
            extra=("-o", "SetEnv=LANG=cy_GB.UTF-8"),
        ).start()
        await gwen.expect("Beth mae cydgynhyrchu")
        for index, question in enumerate(WORKSHOP.questions):
            if index:
                gwen.mark()
                await host.request(lambda seq, i=index: Command(seq, Action.GOTO, i))
                await gwen.expect(f"C{index + 1}/14")
            if question.x is None or question.y is not None:
                continue
            for step in range(min(question.x.size, 8)):
                await gwen.expect("▶")
                screen = gwen.shown.screens[-1]
                assert "▶" in screen, (index, step, screen)
                if step < question.x.size - 1:
                    gwen.mark()
                    gwen.type("\x1b[B")  # down
                    await gwen.expect(rf"▶.?{step + 2} ")
        await gwen.leave()
        await gwen.wait()
