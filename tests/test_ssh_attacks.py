"""Attacks on the SSH workers from other machines (addresses of a network namespace the test makes).

A real hub, real SSH workers (or the same gateway in the test's process, where the
test must look inside it), real asyncssh and OpenSSH clients.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import resource
import socket
import weakref

import coproterm.server.ssh.guards as guards_module
from coproterm.core import read_models
from coproterm.core.client_messages import Command
from coproterm.core.deck import default_deck
from coproterm.core.session import Session
from coproterm.core.vouching import ENV_MOST, UNAUTHENTICATED_PER_ADDRESS
from coproterm.core.wire_terms import Action
from coproterm.server.hub_runner import HubRunner, SSHOptions
from tests.conftest import HOST_TOKEN, counting_tokens
from tests.hubkit import join_host
from tests.sshkit import SSHClient, asyncssh_client, ssh_binary

pytest_plugins = ["tests.netkit"]

SPECTRUM = 1
FIRST = "co-production mean to you"
"""Words of the default deck's first question, on the screen once someone is in."""


async def _until(condition, timeout: float = 20.0) -> None:  # type: ignore[no-untyped-def]
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.05)


def _hub(room, tmp_path, workers: int = 0) -> tuple[Session, HubRunner]:  # type: ignore[no-untyped-def]
    session = Session(default_deck(), HOST_TOKEN, counting_tokens())
    return session, HubRunner(
        session, HOST_TOKEN, room.hub, 0, ssh=SSHOptions(port=0, key_dir=tmp_path, workers=workers)
    )


async def test_an_ssh_client_can_set_only_the_variables_the_app_reads(tmp_path, room):
    _, runner = _hub(room, tmp_path)
    async with runner as hosted:
        env = {
            "LANG": "cy_GB.UTF-8",
            "LC_ALL": "y" * 5000,  # a name the app reads, a value it never needs
            **{f"JUNK_{i}": "x" * 32768 for i in range(300)},  # 9.8 MB a worker kept, before
            **{f"LC_X{chr(65 + i // 26)}{chr(65 + i % 26)}": "cy" for i in range(60)},
        }
        sock = await room.connect(hosted.ssh_port, room.addresses[0])
        conn, _channel, screen = await asyncssh_client(hosted.ssh_port, "ann", env=env, sock=sock)
        gw = runner.gateway
        assert gw is not None
        await _until(lambda: gw.sessions == 1)
        (live,) = gw._live.values()
        kept = dict(live.terminal.channel.channel._env)
        assert kept.get(b"LANG") == b"cy_GB.UTF-8", "the language asked for is kept"
        assert b"LC_ALL" not in kept and not any(name.startswith(b"JUNK") for name in kept)
        assert len(kept) <= ENV_MOST and sum(map(len, kept.values())) <= 64 * ENV_MOST
        assert live.app.lang.code == "cy", "and read: the app speaks Welsh"
        await screen.expect("olygu i chi")
        conn.close()
        await _until(lambda: gw.sessions == 0)


async def _closed_within(sock: socket.socket, seconds: float) -> bool:
    """Whether the server closed ``sock`` within ``seconds`` (it may send its version line first)."""
    reader, writer = await asyncio.open_connection(sock=sock)
    try:
        async with asyncio.timeout(seconds):
            while await reader.read(4096):
                pass
        return True
    except (TimeoutError, ConnectionError):
        return False
    finally:
        writer.close()


async def test_connections_that_never_log_in_are_capped_per_address(tmp_path, room):
    ssh_binary()
    _, runner = _hub(room, tmp_path)
    async with runner as hosted:
        attacker, honest = room.addresses[0], room.addresses[1]
        socks = [await room.connect(hosted.ssh_port, attacker) for _ in range(40)]
        closed = await asyncio.gather(*(_closed_within(s, 3) for s in socks))
        assert sum(not c for c in closed) == UNAUTHENTICATED_PER_ADDRESS, "only the cap is held open"
        gw = runner.gateway
        assert gw is not None and gw.rules.unauthenticated.counts[attacker] == UNAUTHENTICATED_PER_ADDRESS
        # Someone at another address is not held up, and the attacker's address is free once it lets go.
        bea = await SSHClient(hosted.ssh_port, "bea", host=room.hub, via=room.via, source=honest).start()
        await bea.expect(FIRST, timeout=30)
        await _until(lambda: attacker not in gw.rules.unauthenticated.counts, 40)
        late = await room.connect(hosted.ssh_port, attacker)
        assert not await _closed_within(late, 1)
        late.close()
        await bea.leave()
        await bea.wait()


async def test_out_of_descriptors_is_said_once_by_a_worker_not_a_traceback_per_accept(tmp_path, room, caplog):
    caplog.set_level(logging.INFO, logger="coproterm.ssh.workers")
    _, runner = _hub(room, tmp_path, workers=1)
    socks: list[socket.socket] = []
    async with runner as hosted:
        workers = runner.gateway_workers
        assert workers is not None
        (pid,) = workers.pids
        resource.prlimit(pid, resource.RLIMIT_NOFILE, (64, 64))
        try:
            for address in room.addresses[:16]:  # 16 addresses x 8: twice what the worker can hold
                for _ in range(8):
                    socks.append(await room.connect(hosted.ssh_port, address))
            await asyncio.sleep(3)
        finally:
            for sock in socks:
                sock.close()
        lines = [r.getMessage() for r in caplog.records if r.name == "coproterm.ssh.workers"]
        assert sum("out of file descriptors" in line for line in lines) == 1, lines[-20:]
        assert not any("Traceback" in line or "Errno 24" in line for line in lines), lines[-20:]


async def test_finished_apps_are_collected_under_the_workers_collector_settings(tmp_path, room, monkeypatch):
    monkeypatch.setattr(guards_module, "COLLECT_EVERY", 1.0)
    thresholds = gc.get_threshold()
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)  # as server/ssh/worker.py runs
    try:
        _, runner = _hub(room, tmp_path)
        async with runner as hosted:
            gw = runner.gateway
            assert gw is not None
            apps = []
            for round_ in range(3):
                sock = await room.connect(hosted.ssh_port, room.addresses[round_])
                conn, _channel, screen = await asyncssh_client(hosted.ssh_port, f"churn{round_}", sock=sock)
                await _until(lambda: gw.sessions == 1)
                await screen.expect(FIRST)
                apps.append(weakref.ref(next(iter(gw._live.values())).app))
                conn.close()
                await _until(lambda: gw.sessions == 0)
            await _until(lambda: all(app() is None for app in apps), 15)  # every finished app is freed
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()
        with contextlib.suppress(Exception):
            gc.collect()


async def test_holding_a_key_never_ends_an_ssh_participants_session(tmp_path, room, caplog):
    caplog.set_level(logging.INFO, logger="coproterm.hub")
    session, runner = _hub(room, tmp_path)
    async with runner as hosted:
        host = await join_host(hosted.local_url)
        await host.request(lambda s: Command(s, Action.GOTO, SPECTRUM))
        sock = await room.connect(hosted.ssh_port, room.addresses[0])
        conn, channel, screen = await asyncssh_client(hosted.ssh_port, "ann", sock=sock)
        await screen.expect("spectrum of interactions")
        # Held keys, 30 presses a second: `i` for 13 s (the hub closed it with 1008 after about 10),
        # then 3 and Enter (a vote each time) for 8 s.
        for key, presses in ((b"i", 391), (b"3", 1), (b"\r", 241)):
            for _ in range(presses):
                channel.write(key)
                await asyncio.sleep(1 / 30)
        (member,) = session.participants.values()
        await _until(lambda: member.language == "cy" and read_models.tally(session, SPECTRUM).counts[2] == 1, 10)
        closed = [r.getMessage() for r in caplog.records if "1008" in r.getMessage()]
        assert closed == [], closed
        assert runner.gateway is not None and runner.gateway.sessions == 1, "still in"
        conn.close()
