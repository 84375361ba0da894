"""p in the full participant app goes on in plain mode, as the same participant: over SSH on the same
channel (real OpenSSH), and with ``coproterm join`` in the same terminal (a real pty)."""

from __future__ import annotations

import asyncio

from coproterm.core.client_messages import Command
from coproterm.core.wire_terms import Action
from coproterm.server.hub_runner import HubRunner
from coproterm.tui.participant.app import ParticipantApp
from coproterm.tui.widgets.keybar import KeyBar
from tests.plainkit import HOST_TOKEN, Listener, said, workshop_gateway, workshop_session
from tests.ptykit import COPROTERM, InPty
from tests.sshkit import SSHClient

SPECTRUM = 7  # question 8 of the workshop deck: one choice on the spectrum


async def _voted(hosted, choice: int) -> None:  # type: ignore[no-untyped-def]
    async with asyncio.timeout(15):
        while not any(m.votes.get(SPECTRUM) == choice for m in hosted.hub.session.participants.values()):
            await asyncio.sleep(0.05)


async def test_p_over_ssh_goes_on_in_plain_mode_on_the_same_channel_as_the_same_participant(tmp_path):
    async with workshop_gateway(tmp_path) as (hosted, host):
        await host.request(lambda seq: Command(seq, Action.GOTO, SPECTRUM))
        dai = await SSHClient(hosted.ssh_port, "dai", size=(100, 30), env={"TERM": "xterm-256color"}).start()
        await dai.expect("plain mode")  # the key bar offers it
        dai.type("4\r")
        await _voted(hosted, 3)
        await host.until(lambda p: p.attendance is not None and p.attendance.over_ssh == 1)
        ear = Listener(dai)
        ear.since = len(dai.output)
        dai.type("p")
        await ear.hears("Plain mode: from here on, lines only.", "Question 8 of 14", "Your vote: consultation.")
        plain_part = bytes(dai.output[ear.since :])
        await host.until(lambda p: p.attendance.plain == 1 and p.attendance.over_ssh == 1)
        dai.type("5\r")
        await ear.hears("Your vote is counted: participation.")
        dai.type("quit\r")
        assert await dai.wait() == 0
        after = bytes(dai.output)[len(dai.output) - len(plain_part) :]
        assert b"\x1b" not in after, "after the switch: lines only"
        (member,) = hosted.hub.session.participants.values()  # no second join
        assert member.name == "dai" and member.votes[SPECTRUM] == 4
        assert "your votes are kept" in said(bytes(dai.output))


async def test_the_key_bar_offers_plain_mode_in_both_languages(tmp_path):
    async with HubRunner(workshop_session(), HOST_TOKEN, "127.0.0.1", 0) as hosted:
        from tests.hubkit import join_host

        host = await join_host(hosted.local_url)
        await host.request(lambda seq: Command(seq, Action.GOTO, SPECTRUM))
        for lang, words in (("en", "plain mode"), ("cy", "modd plaen")):
            app = ParticipantApp(hosted.local_url, "Ann", discover=False, lang=lang)
            async with app.run_test(size=(120, 30)) as pilot:
                async with asyncio.timeout(15):
                    while words not in app.screen.query_one(KeyBar).shown:
                        await pilot.pause(0.05)


async def test_p_in_coproterm_join_goes_on_in_plain_mode_in_the_same_terminal(tmp_path):
    async with HubRunner(workshop_session(), HOST_TOKEN, "127.0.0.1", 0) as hosted:
        from tests.hubkit import join_host

        host = await join_host(hosted.local_url)
        await host.request(lambda seq: Command(seq, Action.GOTO, SPECTRUM))
        ann = await InPty(
            [*COPROTERM, "join", "--no-mdns", "--name", "Ann", hosted.local_url.removeprefix("ws://")],
            env={"COPROTERM_DATA_DIR": str(tmp_path), "XDG_DATA_HOME": str(tmp_path)},
        ).start()
        try:
            await ann.expect("plain mode", timeout=30)
            ann.type("4\r")
            await _voted(hosted, 3)
            ear = Listener(ann)
            ear.since = len(ann.output)
            ann.type("p")
            await ear.hears("Question 8 of 14", "Your vote: consultation.", timeout=30)
            await host.until(lambda p: p.attendance is not None and p.attendance.plain == 1)
            ann.type("5\r")
            await ear.hears("Your vote is counted: participation.")
            ann.type("quit\r")
            assert await ann.wait(timeout=30) == 0
        finally:
            if not ann.closed:
                ann.kill()
        (member,) = hosted.hub.session.participants.values()  # the same participant, not a second join
        assert member.name == "Ann" and member.votes[SPECTRUM] == 4
