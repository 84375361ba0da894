"""The hub, end to end: real websockets clients against a real server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import random

import msgpack
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from coproterm.core import read_models
from coproterm.core.client_messages import Command, Hello, Vote
from coproterm.core.hub_messages import Ack, Attendance, Ballot, Error, Tally, Turnout, VoterCount, Welcome
from coproterm.core.refusals import Refusal
from coproterm.core.wire import decode, encode
from coproterm.core.wire_terms import Action, CloseCode, ErrorCode, Role
from tests.hubkit import heard_until_answered, join, join_host, running_hub

SPECTRUM, GRID = 1, 4


async def goto(host, question):
    assert await host.request(lambda s: Command(s, Action.GOTO, question)) == Ack(host.seq)


async def test_join_vote_change_clear_reach_the_host():
    async with running_hub() as hub:
        host = await join_host(hub.url)
        assert host.welcome.role is Role.HOST and host.welcome.resume is None
        ann = await join(hub.url)
        assert ann.welcome.deck["title"] == "Co-production and citizen involvement"
        await goto(host, SPECTRUM)
        assert await ann.request(lambda s: Vote(s, SPECTRUM, 5)) == Ack(ann.seq)
        await host.until(lambda p: p.tally and p.tally.question == SPECTRUM and p.tally.counts[5] == 1)
        await ann.request(lambda s: Vote(s, SPECTRUM, 3))
        await host.until(lambda p: p.tally.counts == (0, 0, 0, 1, 0, 0))
        await ann.request(lambda s: Vote(s, SPECTRUM, None))
        await host.until(lambda p: p.tally.counts == (0,) * 6 and p.turnout.voted == 0)
        assert host.turnout.connected == 1


async def test_lock_refuses_and_reveal_shows_results_to_participants():
    async with running_hub() as hub:
        host = await join_host(hub.url)
        ann, bob = await join(hub.url), await join(hub.url, Hello(name="Bob"))
        await goto(host, SPECTRUM)
        await ann.request(lambda s: Vote(s, SPECTRUM, 1))
        await host.request(lambda s: Command(s, Action.LOCK, SPECTRUM))
        refusal = await bob.request(lambda s: Vote(s, SPECTRUM, 2))
        assert refusal.code is ErrorCode.LOCKED
        await host.until(lambda p: p.state.open is False and p.tally.counts == (0, 1, 0, 0, 0, 0))
        assert bob.tally is None, "results stay hidden until revealed"
        await host.request(lambda s: Command(s, Action.REVEAL, SPECTRUM))
        await bob.until(lambda p: p.tally is not None and p.state.revealed)
        assert bob.tally.counts == (0, 1, 0, 0, 0, 0)


async def test_participant_cannot_command():
    async with running_hub() as hub:
        ann = await join(hub.url)
        refusal = await ann.request(lambda s: Command(s, Action.GOTO, 3))
        assert refusal.code is ErrorCode.NOT_HOST
        assert hub.session.current == 0


async def test_fifty_clients_voting_at_once_give_exact_tallies():
    async with running_hub() as hub:
        host = await join_host(hub.url)
        await goto(host, GRID)
        peers = await asyncio.gather(*(join(hub.url, Hello(name=f"p{i}")) for i in range(50)))
        rng = random.Random(7)
        finals = [rng.randrange(24) for _ in peers]

        async def vote(peer, final):
            for _ in range(3):
                await peer.request(lambda s: Vote(s, GRID, rng.randrange(24)))
            assert await peer.request(lambda s: Vote(s, GRID, final)) == Ack(peer.seq)

        await asyncio.gather(*(vote(p, f) for p, f in zip(peers, finals, strict=True)))
        expected = tuple(finals.count(cell) for cell in range(24))
        await host.until(lambda p: p.tally.counts == expected and p.turnout.voted == 50)
        assert host.turnout.connected == 50


async def test_a_burst_is_coalesced_not_one_frame_per_vote():
    async with running_hub(rate=0) as hub:  # a flood on purpose: no rate limit here
        host = await join_host(hub.url)
        await goto(host, SPECTRUM)
        ann = await join(hub.url)
        for i in range(1000):
            await ann.send(Vote(i + 1, SPECTRUM, i % 6))
        for _ in range(1000):
            assert isinstance(await ann.reply(), Ack)
        assert hub.hub.flush(participants=False), "the host drains: it is owed nothing after this round"
        frames = await heard_until_answered(host)  # every frame the host was ever sent for the burst
        assert host.tally.counts == (0, 0, 0, 1, 0, 0)
        assert len(frames) < 100, f"the host got {len(frames)} frames for 1,000 votes"


async def test_reset_tells_the_voter():
    async with running_hub() as hub:
        host = await join_host(hub.url)
        ann = await join(hub.url)
        await goto(host, SPECTRUM)
        await ann.request(lambda s: Vote(s, SPECTRUM, 2))
        await host.request(lambda s: Command(s, Action.RESET, SPECTRUM))
        assert await ann.reply() == Ballot(SPECTRUM, None)
        await host.until(lambda p: p.tally.counts == (0,) * 6)


async def test_reconnect_with_resume_token_keeps_the_vote():
    async with running_hub() as hub:
        host = await join_host(hub.url)
        await goto(host, SPECTRUM)
        ann = await join(hub.url)
        await ann.request(lambda s: Vote(s, SPECTRUM, 4))
        await ann.socket.close()
        again = await join(hub.url, Hello(resume=ann.welcome.resume))
        assert again.welcome.resume == ann.welcome.resume
        assert again.welcome.votes[SPECTRUM] == 4
        await host.until(lambda p: p.tally.question == SPECTRUM and p.tally.counts[4] == 1 and p.turnout.connected == 1)


async def test_joining_again_elsewhere_closes_the_old_connection():
    async with running_hub() as hub:
        ann = await join(hub.url)
        await join(hub.url, Hello(resume=ann.welcome.resume))
        with pytest.raises(ConnectionClosed) as closed:
            while True:
                await ann.recv()
        assert closed.value.rcvd.code == CloseCode.REPLACED


# -- malformed input: answered as docs/protocol.md says, nobody else disturbed --------


async def raw_exchange(url, frame):
    """Send one frame on a fresh connection; return (messages received, close code, reason)."""
    async with connect(url, compression=None) as socket:
        await socket.send(frame)
        received = []
        try:
            while True:
                received.append(decode(await asyncio.wait_for(socket.recv(), 5)))
        except ConnectionClosed as closed:
            return received, closed.rcvd.code, closed.rcvd.reason


MALFORMED = [
    ("text frame", "[1, 1]", 1003, None),
    ("garbage bytes", b"\xc1\xff\x00", 1007, ErrorCode.BAD_MESSAGE),
    ("wrong types", msgpack.packb([1, "one", None, None, None, None]), 1007, ErrorCode.BAD_MESSAGE),
    ("unknown kind", msgpack.packb([42]), 1007, ErrorCode.BAD_MESSAGE),
    ("vote before hello", encode(Vote(1, 1, 1)), 1008, ErrorCode.NOT_JOINED),
    ("wrong host token", encode(Hello(host_token="guess")), 1008, ErrorCode.BAD_TOKEN),
    ("another version", msgpack.packb([1, 9, None, None, None]), 1008, ErrorCode.VERSION),
    ("oversized frame", b"\x00" * 5000, 1009, None),
]


@pytest.mark.parametrize(("what", "frame", "close", "error"), MALFORMED, ids=[m[0] for m in MALFORMED])
async def test_malformed_input_is_answered_and_disturbs_no_one(what, frame, close, error):
    async with running_hub() as hub:
        host = await join_host(hub.url)
        await goto(host, SPECTRUM)
        ann = await join(hub.url)
        await ann.request(lambda s: Vote(s, SPECTRUM, 0))
        received, code, reason = await raw_exchange(hub.url, frame)
        assert code == close
        assert reason
        if error is not None:
            assert [m.code for m in received if isinstance(m, Error)] == [error]
        assert await ann.request(lambda s: Vote(s, SPECTRUM, 1)) == Ack(ann.seq)
        await host.until(lambda p: p.tally.counts == (0, 1, 0, 0, 0, 0) and p.turnout.connected == 1)


@pytest.mark.parametrize(
    ("current", "vote", "code"),
    [
        (SPECTRUM, lambda s: Vote(s, 150, 0), ErrorCode.UNKNOWN_QUESTION),
        (SPECTRUM, lambda s: Vote(s, SPECTRUM, 6), ErrorCode.BAD_CHOICE),
        (SPECTRUM, lambda s: Vote(s, GRID, 0), ErrorCode.NOT_CURRENT),
        (0, lambda s: Vote(s, 0, 0), ErrorCode.NO_BOARD),
    ],
)
async def test_refused_votes_keep_the_connection(current, vote, code):
    async with running_hub() as hub:
        host = await join_host(hub.url)
        await goto(host, current)
        ann = await join(hub.url)
        refusal = await ann.request(vote)
        assert isinstance(refusal, Error) and refusal.code is code
        await goto(host, SPECTRUM)
        assert await ann.request(lambda s: Vote(s, SPECTRUM, 2)) == Ack(ann.seq)


async def test_no_hello_in_time_is_closed():
    async with running_hub(hello_timeout=0.2) as hub, connect(hub.url) as socket:
        refusal = decode(await asyncio.wait_for(socket.recv(), 5))  # the refusal, for the client to word
        assert isinstance(refusal, Error) and refusal.refusal == Refusal.NO_HELLO_IN_TIME
        with pytest.raises(ConnectionClosed) as closed:
            await asyncio.wait_for(socket.recv(), 5)
        assert closed.value.rcvd.code == 1008


async def test_a_client_that_stops_reading_costs_little_and_catches_up():
    async with running_hub(rate=0) as hub:  # a flood on purpose: no rate limit here
        host = await join_host(hub.url)
        await goto(host, SPECTRUM)
        await host.request(lambda s: Command(s, Action.REVEAL, SPECTRUM))
        sleeper = await join(hub.url)
        sleeper.socket.transport.pause_reading()
        voters = await asyncio.gather(*(join(hub.url) for _ in range(5)))
        for round_ in range(200):
            for i, voter in enumerate(voters):
                await voter.send(Vote(round_ + 1, SPECTRUM, (round_ + i) % 6))
        for voter in voters:
            for _ in range(200):
                await voter.reply()
        await asyncio.sleep(0.5)
        (socket,) = [s for s in hub.hub._sockets.values() if s.remote_address[1] == sleeper.socket.local_address[1]]
        pending = socket.transport.get_write_buffer_size()
        assert pending < 64 * 1024
        sleeper.socket.transport.resume_reading()
        final = read_models.tally(hub.session).counts
        assert sum(final) == 5
        await sleeper.until(lambda p: p.tally is not None and p.tally.counts == final)


async def test_a_participant_hears_nothing_of_others_voting_while_results_are_hidden():
    async with running_hub() as hub:
        host = await join_host(hub.url)
        await goto(host, SPECTRUM)
        quiet, voters = await join(hub.url), [await join(hub.url) for _ in range(5)]
        for i, voter in enumerate(voters):
            await voter.request(lambda s, i=i: Vote(s, SPECTRUM, i))
        await host.until(lambda p: p.turnout.voted == 5)
        assert hub.hub.flush(participants=True), "everyone drains: nobody is owed anything after this round"
        heard = await heard_until_answered(quiet)  # all the hub would send it about the votes, and more
        assert not [m for m in heard if isinstance(m, (Tally, Turnout, Attendance, VoterCount))], heard
        assert quiet.tally is None
        await host.request(lambda s: Command(s, Action.REVEAL, SPECTRUM))
        await quiet.until(lambda p: p.tally is not None and sum(p.tally.counts) == 5)


@pytest.mark.parametrize(("code", "error"), [(None, ErrorCode.CODE_REQUIRED), ("ABCD", ErrorCode.BAD_CODE)])
async def test_a_required_code_refuses_a_wrong_or_missing_one(code, error):
    from coproterm.core.deck import default_deck
    from coproterm.core.session import Session
    from tests.conftest import HOST_TOKEN, counting_tokens

    session = Session(default_deck(), HOST_TOKEN, counting_tokens(), join_code="KXPT", require_code=True)
    async with running_hub(session) as hub:
        received, close, reason = await raw_exchange(hub.url, encode(Hello(code=code)))
        assert [m.code for m in received] == [error] and close == 1008 and "join code" in reason
        assert isinstance((await join(hub.url, Hello(code="kxpt"))).welcome, Welcome)


async def test_a_client_that_was_not_draining_gets_the_latest_once_it_is(monkeypatch):
    import coproterm.server.hub

    async with running_hub(host_interval=0.02, participant_interval=0.02) as hub:
        host = await join_host(hub.url)
        await host.request(lambda s: Command(s, Action.GOTO, SPECTRUM))
        await host.until(lambda p: p.tally is not None and p.tally.question == SPECTRUM)
        monkeypatch.setattr(coproterm.server.hub, "MAX_WRITE_BUFFER", -1)  # every socket looks backed up
        ann = await join(hub.url)
        await ann.request(lambda s: Vote(s, SPECTRUM, 4))
        assert not hub.hub.flush(participants=False), "the host is still owed the vote"
        heard = await heard_until_answered(host)  # whatever the hub wrote to the host up to now
        assert not [m for m in heard if isinstance(m, (Tally, Turnout))], heard
        assert host.tally.counts == (0,) * 6, "held back while not draining"
        monkeypatch.setattr(coproterm.server.hub, "MAX_WRITE_BUFFER", 64 * 1024)  # it drains again
        await host.until(lambda p: p.tally.counts == (0, 0, 0, 0, 1, 0) and p.turnout.voted == 1)


async def test_a_hub_on_every_ipv6_and_ipv4_address_is_reached_by_both():
    """``--host ::``: the dashboard and gateway dial 127.0.0.1; people on IPv6 dial [::1]."""
    import socket

    from coproterm.core.deck import default_deck
    from coproterm.core.session import Session
    from coproterm.server.hub_runner import HubRunner
    from tests.conftest import HOST_TOKEN, counting_tokens

    if not socket.has_ipv6:
        pytest.skip("this machine has no IPv6")
    runner = HubRunner(Session(default_deck(), HOST_TOKEN, counting_tokens()), HOST_TOKEN, "::", 0)
    async with runner as hosted:
        assert hosted.local_url.startswith("ws://127.0.0.1:")
        host = await join_host(hosted.local_url)
        ann = await join(f"ws://[::1]:{hosted.port}")
        await goto(host, SPECTRUM)
        assert await ann.request(lambda s: Vote(s, SPECTRUM, 2)) == Ack(ann.seq)
        await host.until(lambda p: p.tally.question == SPECTRUM and p.tally.counts[2] == 1)
        assert dict(hosted.hub.addresses.counts).keys() <= {"127.0.0.1", "::1"}
