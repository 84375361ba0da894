"""Two questions asked on the spot within one fan-out tick: every connection is sent both ``Added``, in order.

The hub's automatic participant fan-out is slowed to once an hour here, so the test itself says when the tick
comes (``Hub.flush``): both questions are asked and acknowledged before it, with no timing to rely on.
"""

from __future__ import annotations

import asyncio

import msgpack
from websockets.asyncio.client import connect

from coproterm.core import read_models
from coproterm.core.client_messages import AddQuestion, Command
from coproterm.core.hub_messages import Ack
from coproterm.core.wire_terms import PROTOCOL_VERSION, Action, AskKind
from coproterm.tui.participant.app import ParticipantApp
from tests.conftest import HOST_TOKEN
from tests.facekit import until
from tests.hubkit import join_host, running_hub
from tests.plainkit import Listener, PlainJoin
from tests.screenkit import screen_text

SLOW = 3600.0
"""Seconds between participant fan-outs: none comes by itself while a test runs; the test calls one."""


async def raw(url):
    return await connect(url, compression=None, max_size=2**20)


async def next_frame(socket) -> list:
    async with asyncio.timeout(5):
        return msgpack.unpackb(await socket.recv())


async def frames_until(socket, kind) -> list:
    while True:
        items = await next_frame(socket)
        if items[0] == kind:
            return items


async def test_an_independent_client_is_sent_both_questions_asked_in_one_tick_in_order():
    async with running_hub(participant_interval=SLOW) as hub:
        facilitator, person = await raw(hub.url), await raw(hub.url)
        await facilitator.send(msgpack.packb([1, PROTOCOL_VERSION, None, None, HOST_TOKEN, None]))
        await person.send(msgpack.packb([1, PROTOCOL_VERSION, "Ann", None, None, None]))
        for socket in (facilitator, person):
            assert (await frames_until(socket, 16))[0] == 16  # welcomed: a deck of six
        # "Egwyl?" (yes / no) after the current question, then "Te?" (yes / no) at the end: two Acks back.
        await facilitator.send(msgpack.packb([8, 7, 1, "Egwyl?", None, [], [], [], False]))
        await facilitator.send(msgpack.packb([8, 8, 1, "Te?", None, [], [], [], True]))
        assert await frames_until(facilitator, 19) == [19, 7]
        assert await frames_until(facilitator, 19) == [19, 8]
        hub.hub.flush(participants=True)  # one tick after both
        first, second = await frames_until(person, 31), await next_frame(person)
        assert first[:3] == [31, 1, {"prompt": "Egwyl?", "added": True, "board": "asked-7"}] and first[4] == 7
        assert second[0] == 31, "the second question's own frame, not a gap the client must reconnect over"
        assert second[1] == 7 and second[2]["prompt"] == "Te?" and second[4] == 8
        await facilitator.send(msgpack.packb([3, 9, 0, 7]))  # GOTO the last question
        assert await frames_until(facilitator, 19) == [19, 9]
        hub.hub.flush(participants=True)
        assert (await frames_until(person, 17))[1] == 7
        await person.send(msgpack.packb([2, 1, 7, 0]))  # "Yes", on the connection it had all along
        assert await frames_until(person, 19) == [19, 1]
        assert read_models.tally(hub.session, 7).counts == (1, 0, 0)
        for socket in (facilitator, person):
            await socket.close()


async def ask_two(host) -> None:
    """After the current question (the first) and at the end: questions 2 and 8 of 8."""
    for seq_of in (
        lambda s: AddQuestion(s, AskKind.YES_NO, "Shall we take a break?", "Gawn ni egwyl?"),
        lambda s: AddQuestion(s, AskKind.YES_NO, "Tea now?", "Te nawr?", at_end=True),
    ):
        reply = await host.request(seq_of)
        assert reply == Ack(host.seq)


async def test_the_participant_app_numbers_both_questions_asked_in_one_tick_without_reconnecting():
    async with running_hub(participant_interval=SLOW) as hub:
        host = await join_host(hub.url)
        ann, bryn = ParticipantApp(hub.url, "Ann"), ParticipantApp(hub.url, "Bryn", lang="cy")
        async with ann.run_test(size=(80, 24)) as ap, bryn.run_test(size=(80, 24)) as bp:
            await host.until(lambda p: p.turnout is not None and p.turnout.connected == 2)
            connections = set(hub.hub._sockets)
            await ask_two(host)
            hub.hub.flush(participants=True)
            for app, pilot in ((ann, ap), (bryn, bp)):
                await until(pilot, lambda app=app: app.view.deck is not None and len(app.view.deck.questions) == 8)
            assert set(hub.hub._sockets) == connections, "nobody reconnected to catch up"
            await host.request(lambda s: Command(s, Action.GOTO, 1))
            hub.hub.flush(participants=True)
            await until(ap, lambda: "question 2 of 8" in screen_text(ann.export_screenshot()).lower())
            assert "Shall we take a break?" in screen_text(ann.export_screenshot())
            await until(bp, lambda: "cwestiwn 2 o 8" in screen_text(bryn.export_screenshot()).lower())
            assert "Gawn ni egwyl?" in screen_text(bryn.export_screenshot())
            await host.request(lambda s: Command(s, Action.GOTO, 7))
            hub.hub.flush(participants=True)
            await until(ap, lambda: "question 8 of 8" in screen_text(ann.export_screenshot()).lower())
            assert "Tea now?" in screen_text(ann.export_screenshot())
            await until(bp, lambda: "Te nawr?" in screen_text(bryn.export_screenshot()))


async def test_plain_mode_hears_both_questions_asked_in_one_tick_numbered(tmp_path):
    async with running_hub(participant_interval=SLOW) as hub:
        host = await join_host(hub.url)
        person = await PlainJoin(hub.url, width=60, data_dir=str(tmp_path)).start()
        try:
            ear = Listener(person)
            await ear.hears("Question 1 of 6")
            connections = set(hub.hub._sockets)
            await ask_two(host)
            hub.hub.flush(participants=True)
            await host.request(lambda s: Command(s, Action.GOTO, 1))
            hub.hub.flush(participants=True)
            await ear.hears("Question 2 of 8: Shall we take a break?")
            await host.request(lambda s: Command(s, Action.GOTO, 7))
            hub.hub.flush(participants=True)
            await ear.hears("Question 8 of 8: Tea now?", "1. Yes")
            person.type("1\n")
            await ear.hears("Your vote is counted: Yes.")
            assert set(hub.hub._sockets) == connections, "nobody reconnected to catch up"
            person.type("quit\n")
            assert await person.wait() == 0
        finally:
            person.kill()
