"""Marks made just before leaving are counted: every way out of every face sends the marks it holds first.

A participant's agreement marks wait on their machine for a few more (up to 10 s after the last). Leaving
within those seconds (q, quit, the end of input, Ctrl+C, the SSH client killed, the gateway ending the app)
sends them and waits a moment for the hub's Ack; a hub that has stopped answering does not keep anyone in.
Four answers by others: two marks leave two unmarked, so nothing is due yet when the participant leaves.
"""

from __future__ import annotations

import signal

import pytest

from coproterm.core.client_messages import Answer, Command, Hello
from coproterm.core.hub_messages import Ack, Agreement
from coproterm.core.wire_terms import Action
from coproterm.server.hub_runner import HubRunner, SSHOptions
from coproterm.tui.participant.app import ParticipantApp
from tests.conftest import HOST_TOKEN
from tests.facekit import until
from tests.hubkit import join, running_hub, start_serve
from tests.plainkit import Listener, PlainJoin, workshop_gateway, workshop_session
from tests.sshkit import SSHClient, ssh_binary

TEXT = 0
"""The built-in decks' first question takes written answers."""
WRITTEN = ("More tea breaks", "Meet in the library", "A garden", "A later bus")


async def room_agreeing(url, token=HOST_TOKEN):
    """Four others answer the first question; the facilitator opens it for agreement: ``(host, writers)``."""
    peers = []
    for text in WRITTEN:
        peer = await join(url, Hello(name=text))
        assert await peer.request(lambda s, text=text: Answer(s, TEXT, 0, text)) == Ack(peer.seq)
        peers.append(peer)
    host = await join(url, Hello(host_token=token))
    assert await host.request(lambda s: Command(s, Action.AGREE, TEXT)) == Ack(host.seq)
    return host, peers


async def marks_heard(host, count):
    """The facilitator is told the round holds ``count`` marks (the hub counted them)."""
    while not (isinstance(message := await host.recv(), Agreement) and message.marks == count):
        pass


async def mark_twice(pilot, app):
    await until(pilot, lambda: (offer := app.view.current_to_mark) is not None and offer.left == 4)
    await pilot.press("1")  # agree
    await until(pilot, lambda: app.view.current_to_mark.left == 3)
    await pilot.press("2")  # disagree
    await until(pilot, lambda: app.view.current_to_mark.left == 2)
    assert len(app.view.marks_held) == 2 and not app.view.marks_sent, "held, not yet due"


@pytest.mark.parametrize("lang", ["en", "cy"])
@pytest.mark.parametrize("how", ["q", "ctrl+q", "exit"])
async def test_the_terminal_app_sends_the_marks_it_holds_as_it_is_left(lang, how):
    """q leaves through the app's own leave, and so does Ctrl+Q (Textual's Ctrl+C only says to press it);
    ``exit`` is every other way out (the SSH gateway ending the app when its client goes, the gateway
    stopping, p for plain mode)."""
    async with running_hub() as hub:
        await room_agreeing(hub.url)
        ann = ParticipantApp(hub.url, "Ann", lang=lang)
        async with ann.run_test(size=(80, 24)) as pilot:
            await mark_twice(pilot, ann)
            if how != "exit":
                await pilot.press(how)
            else:
                ann.exit()
            await until(pilot, lambda: not ann.is_running)
        # Counted before the app ended: it waited for the hub's Ack.
        assert hub.session.rounds[TEXT].total == 2


async def test_a_hub_that_stopped_answering_does_not_keep_the_participant_in_and_counts_the_marks_once_back(tmp_path):
    served = await start_serve(data=tmp_path)
    try:
        host, _ = await room_agreeing(served.url, served.token)
        ann = ParticipantApp(served.url, "Ann")
        async with ann.run_test(size=(80, 24)) as pilot:
            await mark_twice(pilot, ann)
            served.process.send_signal(signal.SIGSTOP)  # the hub hears nothing and answers nothing
            try:
                await pilot.press("q")
                await until(pilot, lambda: not ann.is_running, timeout=30)  # left, after a bounded wait
                assert ann.view.marks_sent, "sent, never acknowledged"
            finally:
                served.process.send_signal(signal.SIGCONT)
        await marks_heard(host, 2)  # what was sent before the app left is counted once the hub runs again
    finally:
        await served.stop()


@pytest.mark.parametrize(
    ("lang", "mark", "leave", "left"),
    [
        ("en", "agree", "quit", r"To mark \(2 answers left\)"),
        ("cy", "cytuno", "gadael", r"I'w farcio \(atebion ar ôl: 2\)"),
        ("en", "agree", None, r"To mark \(2 answers left\)"),  # the end of input (Ctrl+D)
        ("cy", "cytuno", signal.SIGINT, r"I'w farcio \(atebion ar ôl: 2\)"),  # Ctrl+C
    ],
)
async def test_plain_mode_sends_the_marks_it_holds_on_quit_end_of_input_and_ctrl_c(tmp_path, lang, mark, leave, left):
    async with running_hub(workshop_session()) as hub:
        await room_agreeing(hub.url)
        ann = await PlainJoin(hub.url, width=100, data_dir=str(tmp_path), lang=lang).start()
        try:
            await ann.expect(left.replace("2", "4"))
            ann.type(mark)
            await ann.expect(left.replace("2", "3"))
            ann.type("pass")
            await ann.expect(left)
            if isinstance(leave, str):
                ann.type(leave)
            elif leave is None:
                ann.process.stdin.close()
            else:
                ann.process.send_signal(leave)
            await ann.wait()
        finally:
            ann.kill()
        assert hub.session.rounds[TEXT].total == 2, ann.text[-400:]


async def test_over_real_openssh_the_marks_held_are_counted_when_the_client_is_killed_right_after(tmp_path):
    ssh_binary()
    options = SSHOptions(port=0, key_dir=tmp_path, workers=1)  # the app runs in a gateway worker process
    async with HubRunner(workshop_session(), HOST_TOKEN, "127.0.0.1", 0, ssh=options) as hosted:
        assert hosted.ssh_port, hosted.ssh_problem
        host, _ = await room_agreeing(hosted.local_url)
        welsh = {"LANG": "cy_GB.UTF-8", "LC_ALL": "", "LANGUAGE": ""}
        gwen = await SSHClient(hosted.ssh_port, "gwen", env=welsh, extra=("-o", "SendEnv=LANG")).start()
        try:
            await gwen.expect(r"Cytuno â'n gilydd · atebion ar ôl: 4")
            gwen.type("1")
            await gwen.expect(r"atebion ar ôl: 3")
            gwen.type("2")
            await gwen.expect(r"atebion ar ôl: 2")
        finally:
            gwen.kill()  # the cable pulled: no goodbye
        await gwen.wait()
        await marks_heard(host, 2)
        assert hosted.hub.session.rounds[TEXT].total == 2


@pytest.mark.parametrize(
    ("lang", "mark", "left"),
    [("C.UTF-8", "agree", "To mark ({n} answers left)"), ("cy_GB.UTF-8", "cytuno", "I'w farcio (atebion ar ôl: {n})")],
)
async def test_plain_mode_over_real_openssh_sends_the_marks_it_holds_on_ctrl_c(tmp_path, lang, mark, left):
    async with workshop_gateway(tmp_path) as (hosted, _):
        host, _ = await room_agreeing(hosted.local_url)
        env = {"TERM": "dumb", "LANG": lang, "LC_ALL": "", "LANGUAGE": ""}
        dai = await SSHClient(
            hosted.ssh_port, "dai+plain", size=(100, 24), env=env, extra=("-o", "SendEnv=LANG")
        ).start()
        ear = Listener(dai)
        try:
            await ear.hears(left.format(n=4))
            dai.type(mark + "\r")
            await ear.hears(left.format(n=3))
            dai.type("pass\r")
            await ear.hears(left.format(n=2))
            dai.type("\x03")  # Ctrl+C: plain mode over SSH leaves
            assert await dai.wait() == 0
        finally:
            if not dai.closed:
                dai.kill()
        await marks_heard(host, 2)
        assert hosted.hub.session.rounds[TEXT].total == 2
