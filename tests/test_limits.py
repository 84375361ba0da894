"""Abuse and faults at the hub: floods, crowds from one address, clients that stop reading, leaks.

Attackers connect from addresses of their own (127.0.0.2 and up): the hub exempts only its
own address, 127.0.0.1, where its dashboard and SSH gateway run.
"""

from __future__ import annotations

import asyncio

import pytest
from websockets.exceptions import ConnectionClosed, InvalidMessage

from coproterm.core import read_models
from coproterm.core.client_messages import Command, Hello, Vote
from coproterm.core.hub_messages import Ack, Error
from coproterm.core.limits import BURST, FLOOD, TRACKED, AddressLimit, KeyedLimit, NewcomerLimit, RateLimit
from coproterm.core.refusals import Refusal
from coproterm.core.wire import decode, encode
from coproterm.core.wire_terms import Action, ErrorCode
from tests.hubkit import dial, join, join_host, running_hub

SPECTRUM = 1
ELSEWHERE = "127.0.0.2"


def test_the_token_bucket():
    limit = RateLimit(rate=10, burst=3, tokens=3)
    assert [limit.allow(0.0) for _ in range(4)] == [True, True, True, False]
    assert limit.allow(0.1), "a tenth of a second buys one more"
    assert not limit.allow(0.1)
    assert not limit.flooding
    assert RateLimit(rate=0).allow(0.0), "0 turns it off"


def test_the_address_count():
    limit = AddressLimit(limit=2)
    assert limit.admit("10.0.0.5") and limit.admit("10.0.0.5")
    assert not limit.admit("10.0.0.5")
    assert limit.admit("10.0.0.6")
    limit.release("10.0.0.5")
    assert limit.admit("10.0.0.5")
    assert all(limit.admit("127.0.0.1") for _ in range(10)), "the hub's own address: its dashboard and gateway"
    assert limit.admit("127.0.0.2") and limit.admit("127.0.0.2") and not limit.admit("127.0.0.2")


async def test_frames_past_the_rate_are_refused_and_the_connection_kept():
    async with running_hub() as hub:
        host = await join_host(hub.url)
        await host.request(lambda s: Command(s, Action.GOTO, SPECTRUM))
        ann = await join(hub.url)
        for i in range(BURST + 20):
            await ann.send(Vote(i + 1, SPECTRUM, i % 6))
        replies = [await ann.reply() for _ in range(BURST + 20)]
        refused = [r for r in replies if isinstance(r, Error)]
        assert all(r.code is ErrorCode.RATE_LIMITED for r in refused)
        assert BURST - 2 <= sum(isinstance(r, Ack) for r in replies) < BURST + 10, "the hello took one"
        await asyncio.sleep(0.5)
        reply = await ann.request(lambda s: Vote(s, SPECTRUM, 2))
        assert reply == Ack(ann.seq), "after a pause, votes count again"
        assert read_models.tally(hub.session, SPECTRUM).counts[2] == 1


async def test_a_sustained_flood_is_closed_with_1008():
    async with running_hub() as hub:
        host = await join_host(hub.url)
        await host.request(lambda s: Command(s, Action.GOTO, SPECTRUM))
        flooder = await join(hub.url)
        with pytest.raises(ConnectionClosed) as closed:
            for i in range(BURST + FLOOD + 50):
                await flooder.send(Vote(i + 1, SPECTRUM, i % 6))
            while True:
                await flooder.recv()
        assert closed.value.rcvd.code == 1008 and "too many" in closed.value.rcvd.reason
        calm = await join(hub.url)
        assert await calm.request(lambda s: Vote(s, SPECTRUM, 1)) == Ack(calm.seq), "nobody else is disturbed"


async def test_coming_back_does_not_restore_the_allowance():
    """The limit is the participant's, not the connection's: reconnecting with the resume token buys nothing."""
    now = [1000.0]
    async with running_hub(clock=lambda: now[0]) as hub:
        host = await join_host(hub.url)
        await host.request(lambda s: Command(s, Action.GOTO, SPECTRUM))
        first = await join(hub.url, source=ELSEWHERE)
        accepted = 0
        for _ in range(4):  # spend, reconnect, spend again: the clock does not move
            peer = first if accepted == 0 else await join(hub.url, Hello(resume=first.welcome.resume), ELSEWHERE)
            for _ in range(BURST):
                accepted += isinstance(await peer.request(lambda s: Vote(s, SPECTRUM, s % 6)), Ack)
            await peer.socket.close()
        assert accepted <= BURST, f"{accepted} votes accepted in no time across reconnections"


async def test_many_connections_from_one_address_are_limited_from_the_accept():
    async with running_hub(addresses=AddressLimit(limit=3)) as hub:
        kept = [await join(hub.url, source=ELSEWHERE) for _ in range(3)]
        with pytest.raises(InvalidMessage):  # closed at the accept: no handshake, no reply at all
            async with dial(hub.url, ELSEWHERE, open_timeout=3):
                pass
        assert (await join(hub.url, source="127.0.0.3")).welcome is not None, "another address is not affected"
        await kept[0].socket.close()
        await asyncio.sleep(0.2)
        assert (await join(hub.url, source=ELSEWHERE)).welcome is not None, "a place freed is a place to take"


async def test_half_open_connections_count_against_their_address():
    """Connections that never finish the websocket handshake are counted from the TCP accept."""
    async with running_hub(addresses=AddressLimit(limit=5)) as hub:
        port = int(hub.url.rsplit(":", 1)[1])
        writers = []
        for _ in range(20):
            _, writer = await asyncio.open_connection("127.0.0.1", port, local_addr=(ELSEWHERE, 0))
            writers.append(writer)
        await asyncio.sleep(0.2)
        assert hub.hub.addresses.counts[ELSEWHERE] == 5
        assert (await join(hub.url, source="127.0.0.3")).welcome is not None
        for writer in writers:
            writer.close()
        await asyncio.sleep(0.2)
        assert ELSEWHERE not in hub.hub.addresses.counts


def test_newcomers_per_address_and_the_memory_of_it():
    limit = NewcomerLimit(burst=2, every=30)
    assert limit.allow("10.0.0.5", 0) and limit.allow("10.0.0.5", 0)
    assert not limit.allow("10.0.0.5", 1)
    assert limit.allow("10.0.0.6", 1), "each address has its own allowance"
    assert limit.allow("10.0.0.5", 31), "one more every 30 s"
    assert all(limit.allow("127.0.0.1", 0) for _ in range(100)), "the hub's own address"
    for i in range(TRACKED + 10):
        limit.allow(f"10.1.{i // 256}.{i % 256}", 100)
    limit.allow("10.9.9.9", 200)
    assert limit.tracked < 100, "addresses back to a full allowance are forgotten"


def test_keyed_buckets_stay_bounded_when_every_key_is_busy():
    """More keys than it tracks, none back to a full allowance: the longest-known are forgotten."""
    limit = KeyedLimit(rate=0.001, burst=2)
    for i in range(TRACKED + 300):
        assert limit.allow(("address", i), now=5.0)
    assert len(limit.buckets) == TRACKED
    assert ("address", 0) not in limit.buckets and ("address", TRACKED + 299) in limit.buckets


async def test_one_address_cannot_fill_the_session_with_newcomers():
    now = [1000.0]
    async with running_hub(clock=lambda: now[0], newcomers=NewcomerLimit(burst=3, every=30)) as hub:
        host = await join_host(hub.url)  # a host is not a newcomer
        first = await join(hub.url, Hello(name="Ann"), ELSEWHERE)
        await first.socket.close()
        for name in ("Bo", "Cy"):
            await join(hub.url, Hello(name=name), ELSEWHERE)
        async with dial(hub.url, ELSEWHERE) as fourth:
            await fourth.send(encode(Hello(name="Dee")))
            refusal = decode(await asyncio.wait_for(fourth.recv(), 5))
            assert isinstance(refusal, Error) and refusal.code is ErrorCode.RATE_LIMITED
            assert refusal.refusal == Refusal.TOO_MANY_NEWCOMERS
            with pytest.raises(ConnectionClosed) as closed:
                await asyncio.wait_for(fourth.recv(), 5)
            assert closed.value.rcvd.code == 1008
        back = await join(hub.url, Hello(resume=first.welcome.resume), ELSEWHERE)
        assert back.welcome.resume == first.welcome.resume, "someone coming back is never refused"
        assert len(hub.session.participants) == 3
        assert (await join(hub.url, Hello(name="Eve"), "127.0.0.3")).welcome is not None, "other addresses are not"
        now[0] += 31
        assert (await join(hub.url, Hello(name="Dee"), ELSEWHERE)).welcome is not None, "a minute later, one more"
        assert await host.request(lambda s: Command(s, Action.GOTO, SPECTRUM)) == Ack(host.seq)


async def test_a_client_that_stops_reading_is_dropped():
    async with running_hub(ping_interval=0.5, ping_timeout=0.5) as hub:
        host = await join_host(hub.url)
        sleeper = await join(hub.url)
        await host.until(lambda p: p.turnout is not None and p.turnout.connected == 1)
        sleeper.socket.transport.pause_reading()  # answers no more pings
        await host.until(lambda p: p.turnout.connected == 0, timeout=10)
        assert len(hub.hub._sockets) == 1, "only the host is left"


async def test_a_ping_flood_that_reads_no_pongs_is_throttled_and_bounded():
    """WebSocket pings are answered by the library, outside the rate limit: the hub reads a connection's
    bytes at a bounded rate (TCP then slows the sender) and what it buffers for it is bounded."""
    from coproterm.server.hub import MAX_UNREAD

    ping = bytes([0x89, 0x80 | 125]) + bytes(4) + b"p" * 125  # a masked ping, mask key zero
    async with running_hub() as hub:
        host = await join_host(hub.url)
        await host.request(lambda s: Command(s, Action.GOTO, SPECTRUM))
        honest = await join(hub.url, source="127.0.0.3")
        async with dial(hub.url, ELSEWHERE) as flooder:
            flooder.transport.pause_reading()
            largest = 0
            for _ in range(40):  # up to 40 MB of pings offered
                flooder.transport.write(ping * 8000)
                await asyncio.sleep(0.02)
                buffered = [s.transport.get_write_buffer_size() for s in hub.hub._sockets.values() if s.transport]
                largest = max([largest, *buffered])
            assert await honest.request(lambda s: Vote(s, SPECTRUM, 3)) == Ack(honest.seq), "others are served"
            assert flooder.transport.get_write_buffer_size() > 10 * 2**20, "the hub stopped taking the flood"
        assert largest < 2 * MAX_UNREAD


async def test_nothing_is_left_behind_after_many_connections():
    async with running_hub() as hub:
        host = await join_host(hub.url)
        await host.request(lambda s: Command(s, Action.GOTO, SPECTRUM))

        async def visit(i: int) -> None:
            peer = await join(hub.url, Hello(name=f"v{i}"))
            await peer.request(lambda s: Vote(s, SPECTRUM, i % 6))
            await peer.socket.close()

        for first in range(0, 300, 30):
            await asyncio.gather(*(visit(i) for i in range(first, first + 30)))
        await host.until(lambda p: p.turnout.connected == 0 and p.tally.counts == (50,) * 6)
        assert len(hub.hub._sockets) == 1 and hub.session.connected == 0
        assert dict(hub.hub.addresses.counts) == {"127.0.0.1": 1}
        assert len(hub.session.roster.roles) == 1 and not hub.session.roster.members
