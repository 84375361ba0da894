"""The SSH gateway in worker processes (issue 15): dying alone, and running for a hub elsewhere."""

from __future__ import annotations

import asyncio
import os
import re
import signal

import pytest

from coproterm.core.client_messages import Command
from coproterm.core.deck import default_deck
from coproterm.core.session import Session
from coproterm.core.wire_terms import Action
from coproterm.server.hub import Hub
from coproterm.server.hub_runner import HubRunner, SSHOptions
from tests.conftest import HOST_TOKEN, counting_tokens
from tests.hubkit import join_host
from tests.sshkit import SSHClient, remote_gateway, ssh_binary

SPECTRUM = 1
CHOICES = [
    "coercion / protection",
    "education / persuasion",
    "information",
    "consultation",
    "participation",
    "co-production",
]


async def until(condition, timeout=30.0):
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.1)


async def vote(person, choice):
    person.mark()
    person.type(f"{choice}\r")
    await person.expect(f"Your vote is counted: {re.escape(CHOICES[choice - 1])}", timeout=30)


async def test_a_worker_killed_mid_workshop_ends_only_its_own_sessions(tmp_path):
    ssh_binary()
    session = Session(default_deck(), HOST_TOKEN, counting_tokens())
    options = SSHOptions(port=0, key_dir=tmp_path, workers=2)
    runner = HubRunner(session, HOST_TOKEN, "127.0.0.1", 0, ssh=options)
    async with runner as hosted:
        workers = runner.gateway_workers
        assert workers is not None and len(workers.pids) == 2
        host = await join_host(hosted.local_url)
        await host.request(lambda s: Command(s, Action.GOTO, SPECTRUM))
        people: dict[str, tuple[SSHClient, int]] = {}
        for i in range(12):  # until both workers hold someone (the kernel picks)
            name = f"person{i}"
            person = await SSHClient(hosted.ssh_port, name).start()
            await person.expect("spectrum of interactions", timeout=60)
            people[name] = (person, i % 6 + 1)
            await vote(person, i % 6 + 1)
            await until(lambda: workers.sessions == len(people))
            if i >= 3 and all(workers.sessions_of(pid) for pid in workers.pids):
                break
        await until(lambda: len(workers.identities) == len(people))
        victim = max(workers.pids, key=workers.sessions_of)
        lost = workers.sessions_of(victim)
        os.kill(victim, signal.SIGKILL)
        await until(lambda: workers.restarts == 1 and len(workers.pids) == 2 and victim not in workers.pids)
        await asyncio.sleep(2)
        gone = [name for name, (person, _) in people.items() if person.closed]
        assert len(gone) == lost
        for name, (person, choice) in people.items():
            if name in gone:
                await person.wait()
                back = await SSHClient(hosted.ssh_port, name).start()  # they connect again...
                await back.expect(
                    f"Your vote is counted: {re.escape(CHOICES[choice - 1])}", timeout=60
                )  # ...votes kept
                people[name] = (back, choice)
            else:
                await vote(person, 7 - choice)  # the others never noticed
                people[name] = (person, 7 - choice)
        expected = [0] * 6
        for _, choice in people.values():
            expected[choice - 1] += 1
        await host.until(lambda p: p.tally.question == SPECTRUM and list(p.tally.counts) == expected, timeout=30)
        assert len(session.participants) == len(people)
        for person, _ in people.values():
            await person.leave()
        for person, _ in people.values():
            await person.wait(30)


async def test_a_gateway_in_another_process_serves_a_hub_given_with_hub(tmp_path):
    ssh_binary()
    session = Session(default_deck(), HOST_TOKEN, counting_tokens())
    async with HubRunner(session, HOST_TOKEN, "127.0.0.1", 0) as hosted:
        if hasattr(hosted.hub, "gateway_secret"):
            hosted.hub.gateway_secret = "the-right-secret"
        host = await join_host(hosted.local_url)
        await host.request(lambda s: Command(s, Action.GOTO, SPECTRUM))
        async with remote_gateway(hosted.local_url, tmp_path, "the-right-secret") as (process, port):
            ann = await SSHClient(port, "ann").start()
            await ann.expect("spectrum of interactions", timeout=60)
            await vote(ann, 3)
            await host.until(lambda p: p.tally.question == SPECTRUM and p.tally.counts == (0, 0, 1, 0, 0, 0))
            (member,) = session.participants.values()
            assert member.name == "ann"
            process.send_signal(signal.SIGTERM)  # the gateway stops: its people's terminals are left as they were
            await ann.expect("the session has ended; thank you")
            await ann.wait()
            assert b"\x1b[?1049l" in ann.output[ann.output.rfind(b"\x1b[?1049h") :]
            assert await asyncio.wait_for(process.wait(), 20) == 0


def _addresses(hub: Hub) -> set[str]:
    """The addresses the hub's protocol counts connections at."""
    return set(hub.protocol.addresses.counts)


@pytest.mark.parametrize("secret", ["the-right-secret", "a-wrong-secret"])
async def test_the_hub_trusts_the_address_only_with_the_right_secret(tmp_path, secret):
    ssh_binary()
    session = Session(default_deck(), HOST_TOKEN, counting_tokens())
    async with HubRunner(session, HOST_TOKEN, "127.0.0.1", 0) as hosted:
        hosted.hub.gateway_secret = "the-right-secret"
        async with remote_gateway(hosted.local_url, tmp_path, secret) as (_process, port):
            dai = await SSHClient(port, "dai", source="127.0.0.2").start()
            await dai.expect("co-production mean to you", timeout=60)
            await until(lambda: session.connected == 1)
            if secret == "the-right-secret":
                assert "127.0.0.2" in _addresses(hosted.hub), "counted at their own address"
            else:
                assert "127.0.0.2" not in _addresses(hosted.hub), "a wrong secret vouches for no one"
                assert "127.0.0.1" in _addresses(hosted.hub), "counted at the gateway's own address"
            await dai.leave()
            await dai.wait()


async def test_workers_on_every_address_answer_ipv4_and_ipv6(tmp_path):
    from coproterm.server.ssh.workers import WorkerOptions, Workers

    workers = Workers(WorkerOptions("ws://127.0.0.1:9", "::", 0, tmp_path), "a-secret", 1)
    port = await workers.start()
    try:
        for address in ("127.0.0.1", "::1"):
            reader, writer = await asyncio.open_connection(address, port)
            assert (await asyncio.wait_for(reader.readline(), 10)).startswith(b"SSH-2.0-"), address
            writer.close()
    finally:
        await workers.stop()
    assert not workers.pids


async def test_a_worker_whose_supervisor_vanishes_stops(tmp_path):
    from coproterm.server.ssh.workers import WorkerOptions, Workers

    workers = Workers(WorkerOptions("ws://127.0.0.1:9", "127.0.0.1", 0, tmp_path), "a-secret", 1)
    await workers.start()
    (_pid,) = workers.pids
    slot = workers._slots[0]
    workers._stopping = True  # no restart: play a supervisor killed with -9
    assert slot.writer is not None
    slot.writer.transport.abort()  # its end of the control socket closes, as the kernel would close it
    assert slot.process is not None
    assert await asyncio.wait_for(slot.process.wait(), 20) == 0
    await workers.stop()


async def test_a_participant_waits_for_a_hub_that_is_not_up_yet(tmp_path):
    import socket

    from coproterm.server.ssh.gateway import Gateway, host_key

    ssh_binary()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        hub_port = probe.getsockname()[1]
    gateway = Gateway(f"ws://127.0.0.1:{hub_port}", host_key(tmp_path))
    port = await gateway.start("127.0.0.1", 0)
    try:
        ann = await SSHClient(port, "ann").start()
        await asyncio.sleep(4)  # the app finds nothing there, more than once
        session = Session(default_deck(), HOST_TOKEN, counting_tokens())
        async with HubRunner(session, HOST_TOKEN, "127.0.0.1", hub_port):
            await ann.expect("co-production mean to you", timeout=30)
            await until(lambda: session.connected == 1)
            await ann.leave()
            await ann.wait()
    finally:
        await gateway.stop()


async def test_a_hub_that_vanishes_tells_ssh_people_to_come_back_not_that_it_ended(tmp_path):
    """kill -9 of the hub's process: its workers stop, and people are told to connect again, since
    `host --resume` brings the session back (only the host ending it says it has ended)."""
    ssh_binary()
    session = Session(default_deck(), HOST_TOKEN, counting_tokens())
    runner = HubRunner(session, HOST_TOKEN, "127.0.0.1", 0, ssh=SSHOptions(port=0, key_dir=tmp_path, workers=1))
    async with runner as hosted:
        workers = runner.gateway_workers
        assert workers is not None
        ann = await SSHClient(hosted.ssh_port, "ann").start()
        await ann.expect("co-production mean to you", timeout=60)
        workers._stopping = True  # play a supervisor killed with -9: no restart, its socket closed by the kernel
        (slot,) = workers._slots
        slot.writer.transport.abort()
        await ann.expect("stopped unexpectedly; connect again", timeout=30)
        await ann.wait()
        assert "the session has ended" not in ann.text


async def test_serve_starts_as_many_ssh_workers_as_asked_each_below_the_hubs_priority(tmp_path):
    import socket

    from tests.hubkit import start_serve

    ssh_binary()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    served = await start_serve("--ssh-port", str(port), "--ssh-workers", "2")
    process = served.process
    try:

        def children() -> list[str]:
            found = []
            for task in os.listdir(f"/proc/{process.pid}/task"):
                with open(f"/proc/{process.pid}/task/{task}/children") as listing:
                    found += listing.read().split()
            return found

        def niceness(pid: int | str) -> int:
            return os.getpriority(os.PRIO_PROCESS, int(pid))

        # When the hub and the workers all have work, the hub's (a vote, its ack) goes first.
        hub = niceness(process.pid)
        await until(lambda: len(children()) == 2 and all(niceness(pid) > hub for pid in children()))
    finally:
        await served.stop()


@pytest.mark.parametrize(("cores", "workers"), [(1, 1), (2, 2), (4, 4), (16, 4)])
def test_by_default_one_worker_per_core_up_to_four(monkeypatch, cores, workers):
    from coproterm.server.ssh import workers as module

    monkeypatch.setattr(module.os, "sched_getaffinity", lambda _pid: set(range(cores)))
    assert module.default_workers() == workers  # each idle worker holds ~57 MB: four is plenty for a room
