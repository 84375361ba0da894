"""Two people behind one NAT with the same SSH user name and no key: two participants while both are
live; one who comes back after their client died (SIGKILL: the old channel may not have noticed yet)
is themselves again. Real OpenSSH, every client from 127.0.0.1."""

from __future__ import annotations

import asyncio

from tests.facekit import SPECTRUM
from tests.hubkit import goto
from tests.plainkit import Listener
from tests.sshkit import SSHClient, serving_ssh

ANOTHER = "someone is in the session already"  # the first words of the one line (a toast wraps the rest)


async def _until(predicate) -> None:  # type: ignore[no-untyped-def]
    async with asyncio.timeout(20):
        while not predicate():
            await asyncio.sleep(0.05)


def _votes(hosted) -> list[int | None]:  # type: ignore[no-untyped-def]
    return sorted((m.votes.get(SPECTRUM) for m in hosted.hub.session.participants.values()), key=str)


async def test_a_second_live_session_with_the_same_name_and_address_is_another_person(tmp_path):
    async with serving_ssh(tmp_path) as (hosted, host):
        await goto(host, SPECTRUM)
        first = await SSHClient(hosted.ssh_port, "bethan", size=(100, 30)).start()
        await first.expect("spectrum of interactions")
        first.type("2\r")
        await first.expect("Your vote is counted: education / persuasion")
        second = await SSHClient(hosted.ssh_port, "bethan", size=(100, 30)).start()
        await second.expect(ANOTHER)  # told, in one line, on their own screen
        await second.expect("spectrum of interactions")
        second.type("5\r")
        await second.expect("Your vote is counted: participation")
        await _until(lambda: _votes(hosted) == [1, 4])  # two ballots: the first kept theirs
        await host.until(lambda p: p.attendance is not None and p.attendance.joined == 2, timeout=20)
        assert not first.closed and ANOTHER not in first.text, "the first one stays, untold"
        assert sorted(m.name for m in hosted.hub.session.participants.values()) == ["bethan", "bethan"]

        first.kill()  # the laptop dies; at once, before the gateway has seen the connection go
        again = await SSHClient(hosted.ssh_port, "bethan", size=(100, 30)).start()
        await again.expect("Your vote is counted: education / persuasion")  # the first one's ballot
        assert ANOTHER not in again.text
        assert len(hosted.hub.session.participants) == 2, "no third person"
        for client in (second, again):
            await client.leave()
            await client.wait()
        await first.wait()


async def test_the_second_person_is_told_in_welsh_in_plain_mode(tmp_path):
    async with serving_ssh(tmp_path) as (hosted, host):
        await goto(host, SPECTRUM)
        first = await SSHClient(hosted.ssh_port, "dai", size=(100, 30)).start()
        await first.expect("spectrum of interactions")
        welsh = {"TERM": "dumb", "LANG": "cy_GB.UTF-8"}
        second = await SSHClient(hosted.ssh_port, "dai", env=welsh, extra=("-o", "SendEnv=LANG")).start()
        ear = Listener(second)
        await ear.hears("rydych chi'n ymuno fel cyfranogwr newydd")
        await host.until(lambda p: p.attendance is not None and p.attendance.joined == 2, timeout=20)
        second.type("quit\r")
        assert await second.wait() == 0
        await first.leave()
        await first.wait()


async def test_across_worker_processes_a_live_name_is_another_person_and_a_dead_one_is_resumed(tmp_path):
    from coproterm.core.deck import default_deck
    from coproterm.core.session import Session
    from coproterm.server.hub_runner import HubRunner, SSHOptions
    from tests.conftest import HOST_TOKEN, counting_tokens
    from tests.hubkit import join_host
    from tests.sshkit import ssh_binary

    ssh_binary()
    options = SSHOptions(port=0, key_dir=tmp_path, workers=2)
    runner = HubRunner(Session(default_deck(), HOST_TOKEN, counting_tokens()), HOST_TOKEN, "127.0.0.1", 0, ssh=options)
    async with runner as hosted:
        workers = runner.gateway_workers
        assert workers is not None
        host = await join_host(hosted.local_url)
        await goto(host, SPECTRUM)
        first = await SSHClient(hosted.ssh_port, "bethan", size=(100, 30)).start()
        await first.expect("spectrum of interactions")
        first.type("2\r")
        await first.expect("Your vote is counted: education / persuasion")
        others: list[SSHClient] = []
        # The kernel spreads connections between the workers: more come until one is in the other worker.
        while len({slot.number for slot in workers._holders.values()}) < 2 and len(others) < 6:
            other = await SSHClient(hosted.ssh_port, "bethan", size=(100, 30)).start()
            await other.expect(ANOTHER)
            others.append(other)
            await host.until(lambda p: p.attendance is not None and p.attendance.joined == len(others) + 1, 20)
            await _until(lambda: len(workers._holders) == len(others) + 1)
        assert len({slot.number for slot in workers._holders.values()}) == 2, "the room's sessions are in both workers"
        assert not first.closed, "the first one stays"
        first.kill()
        again = await SSHClient(hosted.ssh_port, "bethan", size=(100, 30)).start()
        await again.expect("Your vote is counted: education / persuasion", timeout=30)  # the first one's ballot
        assert len(hosted.hub.session.participants) == len(others) + 1, "no one more"
        for client in (*others, again):
            await client.leave()
            await client.wait()
        await first.wait()


async def test_after_a_pulled_cable_the_same_name_resumes_though_the_old_channel_never_heard_a_goodbye(tmp_path, cable):
    from coproterm.core.deck import default_deck
    from coproterm.core.session import Session
    from coproterm.server.hub_runner import HubRunner, SSHOptions
    from tests.conftest import HOST_TOKEN, counting_tokens
    from tests.hubkit import join_host
    from tests.sshkit import ssh_binary

    ssh_binary()
    address, via, pull = cable
    options = SSHOptions(port=0, key_dir=tmp_path, workers=0)
    runner = HubRunner(Session(default_deck(), HOST_TOKEN, counting_tokens()), HOST_TOKEN, address, 0, ssh=options)
    async with runner as hosted:
        host = await join_host(hosted.local_url)
        await goto(host, SPECTRUM)
        first = await SSHClient(hosted.ssh_port, "ann", host=address, via=via).start()
        await first.expect("spectrum of interactions")
        first.type("3\r")
        await first.expect("Your vote is counted")
        pull()  # the wifi goes: not a packet either way
        first.kill()  # and the laptop restarts its ssh: its goodbye is lost on the way
        await first.wait()
        pull(back=True)
        assert runner.gateway is not None and runner.gateway.sessions == 1, "the gateway has heard nothing"
        again = await SSHClient(hosted.ssh_port, "ann", host=address, via=via).start()
        await again.expect("Your vote is counted: information", timeout=30)  # the same ballot
        assert ANOTHER not in again.text
        assert len(hosted.hub.session.participants) == 1
        await again.leave()
        await again.wait()
