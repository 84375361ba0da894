"""The phone page's own msgpack codec, in Chromium, against the protocol's golden bytes and Python's msgpack."""

from __future__ import annotations

import random

import msgpack
import pytest

from coproterm.core.client_messages import Answer, Choose, ChooseLanguage, Hello, Mark, Vote
from coproterm.core.deck import deck_to_data, default_deck, in_one_language
from coproterm.core.hub_messages import (
    Ack,
    Ballot,
    ChosenLanguage,
    Error,
    State,
    Tally,
    ToMark,
    Translated,
    VoterCount,
    Wall,
    Welcome,
    YourAnswers,
)
from coproterm.core.i18n import language
from coproterm.core.refusals import Refusal
from coproterm.core.wire import encode
from coproterm.core.wire_terms import ErrorCode, Role, Stance
from tests.hubkit import running_hub
from tests.webkit import chromium, phone

CLIENT = [
    Hello(1, "Ann", None, None, None),
    Hello(1, None, None, None, "KXPT"),
    Hello(1, "Siân ŵ 🙂", bytes(range(16)), None, "kx-pt"),
    Vote(7, 1, 3),
    Vote(7, 1, None),
    Vote(2**32 - 1, 200, 65535),
    Vote(300, 128, 255),
    Choose(7, 1, 0b101),
    Answer(7, 0, 0, "Rhannu grym"),
    Answer(8, 0, 1, None),
    Answer(9, 0, 2, "x" * 300),
    ChooseLanguage("cy"),
    Hello(5, "Ann", None, None, "KXPT", "cy"),
    Mark(9, 0, ((1, Stance.AGREE), (7, Stance.PASS), (2**32 - 1, Stance.DISAGREE))),
]
HUB = [
    Welcome(1, Role.PARTICIPANT, bytes(16), deck_to_data(default_deck()), (None, 3, None, 7, 23, None)),
    State(1, True, False, None),
    State(4, False, True, 2, ()),
    Tally(4, tuple(range(24))),
    Tally(1, (3, 0, 5, 70000, 2**32 - 1, 1)),
    Ack(7),
    Error(7, ErrorCode.LOCKED, Refusal.LOCKED),
    Error(None, ErrorCode.BAD_CODE, Refusal.WRONG_CODE),
    Error(3, ErrorCode.WALL_FULL, Refusal.WALL_FULL, (5000,)),
    Ballot(1, None),
    VoterCount(1, 12),
    YourAnswers(0, ((0, "ŵyr"), (2, "Equal power"))),
    Wall(5, True, 1, ((1, "Equal <b>power</b>"),), (), (("equal", 1), ("power", 1))),
    ChosenLanguage("cy"),
    Translated("cy", deck_to_data(in_one_language(default_deck(), language("cy")))),
    ToMark(0, True, ((1, "Tea first"), (300, "Cerdded 🙂"), (70000, "x" * 500)), 29),
    ToMark(0, False, (), 0),
    ToMark(0, True, None, 28),
]


def plain(value):
    """A decoded structure as JSON can carry it (bytes as {"bin": [...]}), to compare Python's with the page's."""
    if isinstance(value, bytes):
        return {"bin": list(value)}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value


TO_PAGE = """(items) => {
  const back = (v) => v && v.bin ? new Uint8Array(v.bin) : Array.isArray(v) ? v.map(back) : v;
  return Array.from(MP.encode(back(items)));
}"""
FROM_PAGE = """(bytes) => {
  const out = (v) => v instanceof Uint8Array ? {bin: Array.from(v)} : Array.isArray(v) ? v.map(out)
    : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, out(x)])) : v;
  return out(MP.decode(new Uint8Array(bytes)));
}"""


@pytest.fixture
async def page():
    async with running_hub() as hub, chromium() as browser, phone(browser) as tab:
        await tab.goto(f"http://{hub.url.removeprefix('ws://')}/")
        yield tab


async def test_the_page_encodes_every_client_message_as_the_hub_does(page):
    for message in CLIENT:
        frame = encode(message)
        items = plain(msgpack.unpackb(frame, raw=False))
        assert bytes(await page.evaluate(TO_PAGE, items)) == frame, message


async def test_the_page_decodes_every_hub_message(page):
    for message in HUB:
        frame = encode(message)
        assert await page.evaluate(FROM_PAGE, list(frame)) == plain(msgpack.unpackb(frame, raw=False)), message


async def test_random_structures_go_both_ways(page):
    rng = random.Random(19)

    def anything(depth=0):
        kind = rng.randrange(7 if depth < 2 else 5)
        if kind == 0:
            return rng.choice([0, 1, 127, 128, 255, 256, 65535, 65536, 2**32 - 1, rng.randrange(2**32)])
        if kind == 1:
            return rng.choice([None, True, False])
        if kind == 2:
            return "".join(rng.choice("aŵ🙂 <>&\"'/*") for _ in range(rng.choice([0, 5, 31, 32, 255, 256, 300])))
        if kind == 3:
            return bytes(rng.randrange(256) for _ in range(rng.choice([0, 16, 255, 256])))
        if kind == 4:
            return rng.choice([-1, -32, -33, -200, -40000, -(2**31)])
        if kind == 5:
            return [anything(depth + 1) for _ in range(rng.choice([0, 3, 15, 16, 17]))]
        return {f"k{i}": anything(depth + 1) for i in range(rng.choice([0, 3, 15, 16]))}

    for value in (anything() for _ in range(60)):
        frame = msgpack.packb(value, use_bin_type=True)
        assert await page.evaluate(FROM_PAGE, list(frame)) == plain(value)
        if not _has_negative_or_map(value):  # the page only ever sends arrays of whole numbers, text, bytes
            assert bytes(await page.evaluate(TO_PAGE, plain(value))) == frame


async def test_lengths_past_65535_take_the_32_bit_forms(page):
    cases = {
        "text": ("ŵ" * 40000, "() => MP.encode('ŵ'.repeat(40000))"),
        "bytes": (bytes(70000), "() => MP.encode(new Uint8Array(70000))"),
        "array": ([0] * 70000, "() => MP.encode(new Array(70000).fill(0))"),
    }
    for name, (value, make) in cases.items():
        frame = msgpack.packb(value, use_bin_type=True)
        assert bytes(await page.evaluate(f"() => Array.from(({make})())")) == frame, name
        length = "(b) => MP.decode(new Uint8Array(b)).length"
        assert await page.evaluate(length, list(frame)) == len(value), name


def _has_negative_or_map(value) -> bool:
    if isinstance(value, dict):
        return True
    if isinstance(value, list):
        return any(_has_negative_or_map(v) for v in value)
    return isinstance(value, int) and not isinstance(value, bool) and value < 0


REFUSED = [
    (b"\xd4\x01\x00", "not part of this protocol"),  # fixext 1
    (b"\xd6\xff\x00\x00\x00\x00", "not part of this protocol"),  # a timestamp
    (b"\xc7\x01\x05\x00", "not part of this protocol"),  # ext 8
    (b"\x93\x01\x02", "truncated"),
    (b"\x01\x02", "trailing bytes"),
    (b"\xa2\xff\xfe", "not valid"),  # not UTF-8
]


async def test_what_the_page_refuses(page):
    for frame, why in REFUSED:
        error = await page.evaluate(
            "(bytes) => { try { MP.decode(new Uint8Array(bytes)); return null; } catch (e) { return e.message; } }",
            list(frame),
        )
        assert error is not None and why in error.lower(), (frame, error)
