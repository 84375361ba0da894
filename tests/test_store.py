"""The session log: group commit, resume, one host per session, and faults that lose nothing."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sqlite3
import subprocess
import sys

import pytest
from websockets.asyncio.client import connect

from coproterm.core import read_models
from coproterm.core.alerts import Alert
from coproterm.core.client_messages import Command, Hello, Vote
from coproterm.core.deck import deck_to_data, default_deck
from coproterm.core.events import Commanded, Joined, Voted
from coproterm.core.hub_messages import Ack, Error, Welcome
from coproterm.core.refusals import Refusal
from coproterm.core.wire import decode, encode
from coproterm.core.wire_terms import Action, ErrorCode
from coproterm.server.choosing import NEWEST
from coproterm.server.hub_runner import HubRunner, prepare
from coproterm.server.store import SessionStore, StoreError, find_session, read_session
from tests.cymraegkit import english_in
from tests.hubkit import join
from tests.storekit import tmpfs

SPECTRUM = 1


def new_store(tmp_path) -> SessionStore:
    deck = default_deck()
    return SessionStore.create(tmp_path, deck_to_data(deck), deck.title, "tok")


async def test_appended_events_are_read_back_in_order(tmp_path):
    store = new_store(tmp_path)
    store.start()
    events = [
        Joined(1, b"a" * 16, "Ann"),
        Commanded(Action.GOTO, 1),
        Voted(1, 1, 3),
        Voted(1, 1, None),
    ]
    await store.append(events[:2])
    await store.append(events[2:])
    await store.close()
    info, entries = read_session(store.path)
    assert [e.event for e in entries] == events
    assert info.title == "Co-production and citizen involvement" and info.host_token == "tok"
    assert oct(store.path.stat().st_mode & 0o777) == "0o600", "the log holds the host token"


async def test_concurrent_appends_share_commits(tmp_path):
    store = new_store(tmp_path)
    writes = []
    original = store._write
    store._write = lambda entries: (writes.append(len(entries)), original(entries))[1]
    store.start()
    await asyncio.gather(*(store.append([Voted(1, 1, i % 6)]) for i in range(500)))
    await store.close()
    assert sum(writes) == 500
    assert len(writes) < 100, f"500 votes took {len(writes)} commits"
    assert len(read_session(store.path)[1]) == 500


async def test_a_session_is_hosted_by_one_process_at_a_time(tmp_path):
    store = new_store(tmp_path)
    store.start()
    with pytest.raises(StoreError, match="already being hosted"):
        SessionStore.resume(find_session(tmp_path, store.info.id))
    await store.close()
    again = SessionStore.resume(find_session(tmp_path, store.info.id[:15]))
    assert again.info == store.info
    await again.close()


async def test_a_new_session_is_written_only_when_started(tmp_path):
    store = new_store(tmp_path)
    assert not store.path.exists()
    await store.close()
    assert list((tmp_path / "sessions").iterdir()) == [], "a session that never started leaves nothing"


async def test_the_log_is_read_back_from_disk_not_kept_in_memory(tmp_path):
    store = new_store(tmp_path)
    store.start()
    await asyncio.gather(*(store.append([Voted(1, 1, i % 6)]) for i in range(200)))
    assert not hasattr(store, "entries"), "every entry kept for good grows the hub without bound"
    assert len(store.events()) == 200
    await store.close()


async def test_a_failed_commit_fails_its_own_changes_and_not_those_queued_behind_it(tmp_path):
    store = new_store(tmp_path)
    store.start()
    await store.append([Joined(1, b"a" * 16, "Ann")])
    other = sqlite3.connect(store.path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")  # another program holds the database
    first = asyncio.create_task(store.append([Voted(1, 1, 2)]))
    while not store._queue:  # queued...
        await asyncio.sleep(0)
    while store._queue:  # ...and taken by the writer, which waits on the lock
        await asyncio.sleep(0.01)
    behind = asyncio.create_task(store.append([Voted(1, 1, 4)]))
    with pytest.raises(StoreError, match="locked"):
        await first
    other.execute("ROLLBACK")
    other.close()
    await behind  # tried on its own: it succeeds
    assert store.problem is None
    await store.close()
    assert [e.event for e in read_session(store.path)[1]] == [Joined(1, b"a" * 16, "Ann"), Voted(1, 1, 4)]


def test_finding_sessions(tmp_path):
    with pytest.raises(StoreError, match="no sessions in"):
        find_session(tmp_path, None)


async def test_resume_rebuilds_the_session_with_its_token(tmp_path):
    first = prepare(default_deck(), data=tmp_path)
    async with HubRunner(first.session, first.host_token, "127.0.0.1", 0, first.store) as hosted:
        ann = await join(hosted.local_url, Hello(name="Ann"))
        host = await join(hosted.local_url, Hello(host_token=first.host_token))
        await host.request(lambda s: Command(s, Action.GOTO, SPECTRUM))
        await ann.request(lambda s: Vote(s, SPECTRUM, 4))
    second = prepare(None, data=tmp_path, resume=NEWEST)
    assert second.host_token == first.host_token
    assert read_models.tally(second.session, SPECTRUM).counts == (0, 0, 0, 0, 1, 0)
    assert second.session.current == SPECTRUM
    async with HubRunner(second.session, second.host_token, "127.0.0.1", 0, second.store) as hosted:
        again = await join(hosted.local_url, Hello(resume=ann.welcome.resume))
        assert again.welcome.votes[SPECTRUM] == 4


async def test_a_locked_database_refuses_votes_then_recovers(tmp_path):
    prepared = prepare(default_deck(), data=tmp_path)
    async with HubRunner(prepared.session, prepared.host_token, "127.0.0.1", 0, prepared.store) as hosted:
        host = await join(hosted.local_url, Hello(host_token=prepared.host_token))
        await host.request(lambda s: Command(s, Action.GOTO, SPECTRUM))
        ann = await join(hosted.local_url)
        await ann.request(lambda s: Vote(s, SPECTRUM, 1))
        other = sqlite3.connect(prepared.store.path, isolation_level=None)
        other.execute("BEGIN EXCLUSIVE")  # another program holds the database
        refusal = await asyncio.wait_for(ann.request(lambda s: Vote(s, SPECTRUM, 5)), 10)
        assert isinstance(refusal, Error) and refusal.code is ErrorCode.UNAVAILABLE
        assert refusal.refusal == Refusal.NOT_SAVED
        await host.until(lambda p: p.state is not None and p.state.alert == Alert.LOG_LOCKED)
        assert read_models.tally(hosted.hub.session, SPECTRUM).counts == (0, 1, 0, 0, 0, 0), (
            "the refused vote is undone"
        )
        other.execute("ROLLBACK")
        other.close()
        assert await ann.request(lambda s: Vote(s, SPECTRUM, 5)) == Ack(ann.seq)
        await host.until(
            lambda p: p.state is not None and p.state.alert is None and p.tally.counts == (0, 0, 0, 0, 0, 1)
        )


async def test_a_full_disk_refuses_votes_with_a_clear_error_and_loses_nothing(tmp_path):
    with tmpfs(tmp_path / "small", "size=512k") as data:
        prepared = prepare(default_deck(), data=data)
        async with HubRunner(prepared.session, prepared.host_token, "127.0.0.1", 0, prepared.store) as hosted:
            host = await join(hosted.local_url, Hello(host_token=prepared.host_token))
            await host.request(lambda s: Command(s, Action.GOTO, SPECTRUM))
            ann = await join(hosted.local_url)
            assert await ann.request(lambda s: Vote(s, SPECTRUM, 2)) == Ack(ann.seq)
            filler = data / "filler"
            with open(filler, "wb", buffering=0) as out, contextlib.suppress(OSError):
                while True:
                    out.write(b"\0" * 4096)
            refusals = 0
            for i in range(200):  # the WAL has some room left; write until it has none
                reply = await ann.request(lambda s, i=i: Vote(s, SPECTRUM, i % 6))
                if isinstance(reply, Error):
                    assert reply.code is ErrorCode.UNAVAILABLE and reply.refusal == Refusal.NOT_SAVED
                    refusals += 1
                    break
            assert refusals, "the disk never filled"
            await host.until(lambda p: p.state is not None and p.state.alert == Alert.DISK_FULL)
            saved = prepared.store.events()
            filler.unlink()
            assert await ann.request(lambda s: Vote(s, SPECTRUM, 0)) == Ack(ann.seq)
            await host.until(lambda p: p.state is not None and p.state.alert is None)
        on_disk = [e.event for e in read_session(prepared.store.path)[1]]
        assert on_disk[: len(saved)] == saved and on_disk[-1] == Voted(1, SPECTRUM, 0)


@pytest.mark.parametrize(
    ("lang", "said"),
    [
        ("C.UTF-8", "coproterm: cannot create the data directory {sessions}: it is read-only"),
        ("cy_GB.UTF-8", "coproterm: methu creu'r cyfeiriadur data {sessions}: mae'n ddarllen-yn-unig"),
    ],
)
def test_a_read_only_data_dir_is_a_clear_error(tmp_path, lang, said):
    with tmpfs(tmp_path / "ro", "size=64k", "ro") as data:
        result = subprocess.run(
            [sys.executable, "-m", "coproterm", "serve", "--port", "0", "--data-dir", str(data)],
            capture_output=True,
            text=True,
            timeout=30,
            env={**os.environ, "LANG": lang, "LANGUAGE": "", "LC_ALL": "", "LC_MESSAGES": ""},
        )
        assert result.returncode == 2
        assert said.format(sessions=f"{data}/sessions") in result.stderr
        assert "--data-dir" in result.stderr
        if lang.startswith("cy"):
            assert not english_in(result.stderr.replace(str(data), "")), result.stderr


async def test_with_the_log_the_welcome_still_comes_first(tmp_path):
    prepared = prepare(default_deck(), data=tmp_path)
    async with HubRunner(prepared.session, prepared.host_token, "127.0.0.1", 0, prepared.store) as hosted:
        hosted.hub.host_interval = hosted.hub.participant_interval = 0.001  # fan-out as often as it can
        host = await join(hosted.local_url, Hello(host_token=prepared.host_token))
        await host.request(lambda s: Command(s, Action.GOTO, SPECTRUM))

        async def first_message(i: int) -> object:
            async with connect(hosted.local_url) as socket:
                await socket.send(encode(Hello(name=f"p{i}")))
                return decode(await socket.recv())

        firsts = await asyncio.gather(*(first_message(i) for i in range(40)))
        assert all(isinstance(m, Welcome) for m in firsts), [type(m).__name__ for m in firsts]
