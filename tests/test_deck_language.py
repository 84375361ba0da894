"""The deck travels in the language a participant reads: half the welcome, the other on a switch.

A real hub on 127.0.0.1 and raw protocol clients (bytes in, bytes out); the faces' own switches
are walked in tests/test_faces_cymraeg.py and tests/test_cymraeg_everywhere.py.
"""

from __future__ import annotations

import msgpack

from coproterm.core.client_messages import ChooseLanguage, Hello, Vote
from coproterm.core.deck import builtin_deck, deck_from_data, deck_to_data, in_one_language, localise
from coproterm.core.hub_messages import Ack, ChosenLanguage, Error, Translated, Welcome
from coproterm.core.i18n import language
from coproterm.core.wire import decode, encode
from tests.hubkit import Peer, join, join_host, running_hub

WORKSHOP = builtin_deck("workshop")


def _words(data) -> list[str]:
    """Every key anywhere in a deck's plain form."""
    if isinstance(data, dict):
        return [key for key, value in data.items() for key in (key, *_words(value))]
    if isinstance(data, (list, tuple)):
        return [key for value in data for key in _words(value)]
    return []


async def _until_acked(peer: Peer) -> list:
    """Everything the hub sent before it answered a vote sent now (the hub answers in order: an ack,
    or a refusal where the first question takes no vote)."""
    peer.seq += 1
    await peer.send(Vote(peer.seq, 0, None))
    seen = []
    while not (isinstance(message := await peer.recv(), (Ack, Error)) and message.seq == peer.seq):
        seen.append(message)
    return seen


def test_one_language_keeps_every_word_a_reader_of_it_sees():
    for code in ("en", "cy"):
        reader = language(code)
        alone = in_one_language(WORKSHOP, reader)
        assert deck_from_data(deck_to_data(alone), "sent") == alone
        assert localise(alone, reader).questions == in_one_language(localise(WORKSHOP, reader), reader).questions
        assert [q.prompt for q in alone.questions] == [q.prompt for q in localise(WORKSHOP, reader).questions]
        assert not any(key.endswith("_cy") for key in _words(deck_to_data(alone)))
    both = len(msgpack.packb(deck_to_data(WORKSHOP)))
    english = len(msgpack.packb(deck_to_data(in_one_language(WORKSHOP, language("en")))))
    assert english < both * 0.6, (english, both)


async def test_the_welcome_carries_the_language_asked_for_and_a_switch_brings_the_other():
    async with running_hub() as hub:
        ann = await join(hub.url, Hello(name="Ann", language="en"))
        assert isinstance(ann.welcome, Welcome)
        assert not any(key.endswith("_cy") for key in _words(ann.welcome.deck))
        english_prompt = ann.welcome.deck["questions"][0]["prompt"]

        await ann.send(ChooseLanguage("cy"))
        translated = [m for m in await _until_acked(ann) if isinstance(m, Translated)]
        assert len(translated) == 1 and translated[0].language == "cy"
        welsh = deck_from_data(translated[0].deck, "sent")
        assert welsh.questions[0].prompt == localise(hub.session.deck, language("cy")).questions[0].prompt
        assert welsh.questions[0].prompt != english_prompt
        assert len(welsh.questions) == len(hub.session.deck.questions)

        await ann.send(ChooseLanguage("cy"))  # the same language again: nothing more to send
        assert not [m for m in await _until_acked(ann) if isinstance(m, Translated)]


async def test_hosts_and_clients_that_ask_no_language_get_both():
    async with running_hub() as hub:
        old = await join(hub.url, Hello(name="Old"))
        host = await join_host(hub.url)
        for peer in (old, host):
            assert any(key.endswith("_cy") for key in _words(peer.welcome.deck))
        await old.send(ChooseLanguage("cy"))
        assert not [m for m in await _until_acked(old) if isinstance(m, Translated)]


async def test_a_hello_from_before_the_language_field_is_read_as_both():
    frame = encode(Hello(name="Ann", language=None))
    assert frame[0] == 0x97
    older = bytes([0x96]) + frame[1:-1]  # the same hello without its last field, as an older client sends it
    assert decode(older) == Hello(name="Ann")


async def test_a_returning_participant_gets_the_deck_in_the_language_they_chose_before():
    async with running_hub() as hub:
        ann = await join(hub.url, Hello(name="Ann", language="en"))
        await ann.send(ChooseLanguage("cy"))
        await _until_acked(ann)
        back = await join(hub.url, Hello(resume=ann.welcome.resume, language="en"))
        told = [await back.recv(), await back.recv()]
        assert told[0] == ChosenLanguage("cy")
        assert isinstance(told[1], Translated) and told[1].language == "cy"
        same = await join(hub.url, Hello(resume=ann.welcome.resume, language="cy"))
        assert await same.recv() == ChosenLanguage("cy")
        assert not [m for m in await _until_acked(same) if isinstance(m, Translated)]
