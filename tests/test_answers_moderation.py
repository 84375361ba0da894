"""Moderation that holds: a hidden answer stays hidden whatever its writer does, blank-looking answers are
empty, and a log's answer rows pass the checks a live answer does before anyone is sent them.

A real hub (in process, or `coproterm serve` as a process), real websocket clients decoding every frame
with the clients' own decoder; the writer joins from 127.0.0.2, as another machine would.
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest

from coproterm.core.client_messages import Answer, Command, Hello, Moderate
from coproterm.core.deck import deck_to_data, default_deck
from coproterm.core.events import Answered, Event, Joined
from coproterm.core.hub_messages import Ack, Answers, Error, Wall
from coproterm.core.refusals import Refusal
from coproterm.core.wire_terms import Action, ErrorCode
from coproterm.server.store import SessionStore
from tests.hubkit import Peer, join, join_host, running_hub, start_serve

WHAT = 0
"""The built-in deck's first question takes written answers."""
WRITER = "127.0.0.2"


async def host_sees(host: Peer, answer: int, text: str) -> bool:
    """Read the host's frames until it hears ``answer`` say ``text``; whether it is hidden."""
    async with asyncio.timeout(5):
        while True:
            message = await host.recv()
            if isinstance(message, Answers):
                for item in message.items:
                    if item.id == answer and item.text == text:
                        return item.hidden


async def wall_of(peer: Peer) -> dict[int, str]:
    """A participant's revealed wall, after the hub's next Wall frame."""
    wall: dict[int, str] = {}
    async with asyncio.timeout(5):
        while not isinstance(message := await peer.recv(), Wall):
            pass
    for answer in message.dropped:
        wall.pop(answer, None)
    wall.update(message.added)
    return wall


async def test_taking_a_hidden_answer_back_and_writing_it_again_keeps_it_hidden():
    async with running_hub() as hub:
        host = await join_host(hub.url)
        writer = await join(hub.url, Hello(name="Mallory"), source=WRITER)
        reader = await join(hub.url, Hello(name="Ann"), source="127.0.0.3")
        assert await writer.request(lambda s: Answer(s, WHAT, 0, "something rude")) == Ack(writer.seq)
        assert not await host_sees(host, 1, "something rude")
        assert await host.request(lambda s: Moderate(s, WHAT, 1, True)) == Ack(host.seq)
        assert await host.request(lambda s: Command(s, Action.REVEAL, WHAT)) == Ack(host.seq)
        assert await wall_of(reader) == {}

        # The writer takes it back and writes it again in the same slot: still hidden, under the same id.
        assert await writer.request(lambda s: Answer(s, WHAT, 0, None)) == Ack(writer.seq)
        assert await writer.request(lambda s: Answer(s, WHAT, 0, "something rude again")) == Ack(writer.seq)
        assert await host_sees(host, 1, "something rude again")
        # The same words in another slot are hidden too.
        assert await writer.request(lambda s: Answer(s, WHAT, 1, "Something  RUDE again")) == Ack(writer.seq)
        assert await host_sees(host, 2, "Something RUDE again")
        assert await writer.request(lambda s: Answer(s, WHAT, 2, "a fair point")) == Ack(writer.seq)
        await asyncio.sleep(0.5)
        session = hub.session
        book = session.answers[WHAT]
        assert {a.id: a.hidden for a in book.current()} == {1: True, 2: True, 3: False}
        assert "rude" not in dict(book.wall().words)
        async with asyncio.timeout(5):
            while set(wall := await wall_of(reader)) != {3}:
                assert not {1, 2} & set(wall), wall

        # Until the facilitator shows it again.
        assert await host.request(lambda s: Moderate(s, WHAT, 1, False)) == Ack(host.seq)
        async with asyncio.timeout(5):
            while 1 not in (wall := await wall_of(reader)):
                pass
        assert wall[1] == "something rude again"


@pytest.mark.parametrize(
    "text",
    ["\u3164", "\u3164\u3164 \u3164", "\u2800\u2800", "\u115f\u1160", "\uffa0", "\u3164\u0301\u0302", "\u17b4 \u2800"],
)
async def test_answers_of_blank_looking_letters_are_refused_as_empty(text):
    async with running_hub() as hub:
        writer = await join(hub.url, Hello(name="Mallory"), source=WRITER)
        refused = await writer.request(lambda s: Answer(s, WHAT, 0, text))
        assert isinstance(refused, Error) and refused.code is ErrorCode.BAD_TEXT, refused
        assert refused.refusal == Refusal.EMPTY_ANSWER
        assert await writer.request(lambda s: Answer(s, WHAT, 0, "\u3164real words")) == Ack(writer.seq)
        assert [a.text for a in hub.session.answers[WHAT].current()] == ["\u3164real words"]


async def _logged(data: Path, events: list[Event]) -> Path:
    """A session of the built-in deck written by the real store with ``events`` as they are (no checks)."""
    deck = default_deck()
    store = SessionStore.create(data, deck_to_data(deck), deck.title, "tok")
    store.start()
    await store.append(events)
    await store.close()
    return store.path


async def test_a_resumed_log_sends_no_answer_a_live_one_could_not_be(tmp_path):
    """Rows no live Answer could have written (too long, an escape, blank) are named and left out on --resume:
    before, the hub sent them on and every terminal client refused its frames."""
    path = await _logged(
        tmp_path,
        [
            Joined(1, b"a" * 16, "Ann"),
            Answered(1, WHAT, 0, 1, "a fair answer"),
            Answered(1, WHAT, 1, 2, "x" * 600),
            Answered(1, WHAT, 2, 3, "\x1b]52;c;cm0gLXJmIC8=\x07clipboard"),
            Joined(2, b"b" * 16, "Bob"),
            Answered(2, WHAT, 0, 4, "\u3164\u3164"),
        ],
    )
    served = await start_serve("--resume", path.stem, "--ssh-port", "0", "--no-mdns", data=tmp_path)
    try:
        host = await join(served.url, Hello(host_token=served.token))  # decodes every frame as the dashboard does
        async with asyncio.timeout(5):
            while not isinstance(message := await host.recv(), Answers):
                pass
        assert [(i.id, i.text) for i in message.items] == [(1, "a fair answer")]
        assert await host.request(lambda s: Command(s, Action.REVEAL, WHAT)) == Ack(host.seq)
        ann = await join(served.url, Hello(resume=b"a" * 16))
        assert await wall_of(ann) == {1: "a fair answer"}
    finally:
        await served.stop()
    said = served.stderr
    assert "Traceback" not in said
    assert re.search(r"log row \d+: answer 2 of question 1 of 600 characters", said), said
    assert re.search(r"log row \d+: answer 3 of question 1 with text no live answer could have", said), said
    assert re.search(r"log row \d+: answer 4 of question 1 with text no live answer could have", said), said


async def test_rewriting_an_answer_keeps_the_log_bounded_and_a_resume_rebuilds_it(tmp_path):
    """One participant rewrites an answer 400 times (the rate limit off, as 200 people at the allowed rate
    would): the log keeps the answer's first and latest versions and every moderation, so it stops growing,
    and the session resumed from it is the live one."""
    import sqlite3

    from coproterm.core.session import Session
    from coproterm.server.hub_runner import HubRunner, prepare
    from tests.conftest import HOST_TOKEN, counting_tokens

    deck = default_deck()
    store = SessionStore.create(tmp_path, deck_to_data(deck), deck.title, HOST_TOKEN)
    runner = HubRunner(Session(deck, HOST_TOKEN, counting_tokens()), HOST_TOKEN, "127.0.0.1", 0, store)
    runner.hub.rate = 0
    async with runner as hosted:
        host = await join_host(hosted.local_url)
        writer = await join(hosted.local_url, Hello(name="Mallory"), source=WRITER)
        for n in range(400):
            assert await writer.request(lambda s, n=n: Answer(s, WHAT, 0, f"version {n}")) == Ack(writer.seq)
            if n == 100:
                assert await host.request(lambda s: Moderate(s, WHAT, 1, True)) == Ack(host.seq)
            if n == 200:
                assert await writer.request(lambda s: Answer(s, WHAT, 0, None)) == Ack(writer.seq)
        live = [(a.id, a.slot, a.text, a.hidden, a.removed) for a in hosted.hub.session.answers[WHAT].answers.values()]
    with sqlite3.connect(store.path) as db:
        rows = db.execute("SELECT kind, fields ->> '$[4]' FROM events WHERE answer IS NOT NULL ORDER BY seq").fetchall()
    assert rows == [
        ("answered", "version 0"),
        ("hidden", None),
        ("answered", "version 397"),
        ("answered", "version 398"),
        ("answered", "version 399"),
    ]
    resumed = prepare(None, data=tmp_path, resume=store.info.id)
    resumed.store.release()
    again = [(a.id, a.slot, a.text, a.hidden, a.removed) for a in resumed.session.answers[WHAT].answers.values()]
    assert again == live == [(1, 0, "version 399", True, False)]
