"""Attacks on the SSH gateway (issue 13's SSH rows), with real OpenSSH and asyncssh clients.

Where a row is about addresses, the attacker connects from 127.0.0.2 or 127.0.0.3
(Linux answers the whole of 127.0.0.0/8 on loopback).
"""

from __future__ import annotations

import asyncio
import re
import subprocess

from coproterm.core.client_messages import Command
from coproterm.core.deck import default_deck
from coproterm.core.session import Session
from coproterm.core.wire_terms import Action
from tests.conftest import HOST_TOKEN, counting_tokens
from tests.sshkit import SSHClient, asyncssh_client, serving_ssh_with_gateway

SPECTRUM = 1
FIRST = "co-production mean to you"


def lives(gw):
    return list(gw._live.values())


async def until(condition, timeout=20.0):
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.05)


async def test_a_huge_window_is_drawn_at_300_by_100(tmp_path):
    async with serving_ssh_with_gateway(tmp_path) as (hosted, _host, gw):
        conn, channel, screen = await asyncssh_client(hosted.ssh_port, size=(100000, 100000))
        await screen.expect(FIRST)
        (live,) = lives(gw)
        assert live.terminal.size == (300, 100) and tuple(live.app.size) == (300, 100)
        channel.change_terminal_size(2147483647, 1)
        await until(lambda: tuple(live.app.size) == (300, 1))
        channel.change_terminal_size(10000, 10000)
        await until(lambda: tuple(live.app.size) == (300, 100))
        rows = [int(row) for row in re.findall(rb"\x1b\[(\d+);\d+H", screen.received)]
        assert max(rows) <= 100
        conn.close()


async def test_a_pasted_megabyte_is_bounded_and_the_room_goes_on(tmp_path):
    async with serving_ssh_with_gateway(tmp_path) as (hosted, host, gw):
        await host.request(lambda s: Command(s, Action.GOTO, SPECTRUM))
        conn, channel, screen = await asyncssh_client(hosted.ssh_port, "mallory")
        await screen.expect("spectrum of interactions")
        tasks_before = len(asyncio.all_tasks())
        channel.write(b"4" * (1024 * 1024))  # a paste of a megabyte of digits
        await screen.expect("Too many keys at once")
        assert len(asyncio.all_tasks()) < tasks_before + 50, "no task per key"
        (live,) = lives(gw)
        assert live.terminal.driver.dropped >= 1024 * 1024 - 2048
        ann = await SSHClient(hosted.ssh_port, "ann").start()  # someone else votes meanwhile
        await ann.expect("spectrum of interactions", timeout=30)
        ann.type("2\r")
        await ann.expect("Your vote is counted: education / persuasion", timeout=30)
        await ann.leave()
        await ann.wait()
        conn.close()


async def test_a_client_that_stops_reading_is_dropped(tmp_path, monkeypatch):
    import coproterm.server.ssh.terminal as terminal

    monkeypatch.setattr(terminal, "MAX_OUTPUT", 32 * 1024)
    async with serving_ssh_with_gateway(tmp_path) as (hosted, _host, gw):
        conn, channel, screen = await asyncssh_client(hosted.ssh_port, "slow", size=(80, 24), window=16 * 1024)
        await screen.expect(FIRST)
        channel.pause_reading()  # and never reads again
        for i in range(400):
            channel.change_terminal_size(80 + i % 2, 24)  # every one a full repaint (a few KB)
            await asyncio.sleep(0.05)
            if not lives(gw):
                break
        await until(lambda: not lives(gw) and gw.sessions == 0)
        await asyncio.wait_for(conn.wait_closed(), 20)


def _keypair(tmp_path, name):
    path = tmp_path / name
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(path)], check=True)
    return path


async def test_a_public_key_alone_does_not_take_someones_identity(tmp_path):
    victim_key = _keypair(tmp_path, "victim")
    stolen = tmp_path / "stolen"
    stolen.mkdir()
    (stolen / "victim.pub").write_bytes(victim_key.with_suffix(".pub").read_bytes())  # public: on many sites
    async with serving_ssh_with_gateway(tmp_path) as (hosted, host, _gw):
        await host.request(lambda s: Command(s, Action.GOTO, SPECTRUM))
        victim = await SSHClient(hosted.ssh_port, "dai", identity=str(victim_key)).start()
        await victim.expect("spectrum of interactions")
        victim.type("5\r")
        await victim.expect("Your vote is counted: participation")
        await victim.leave()
        await victim.wait()
        attacker = await SSHClient(
            hosted.ssh_port, "dai", identity=str(stolen / "victim"), source="127.0.0.2"
        ).start()  # offers the victim's public key, cannot sign, falls back to keyboard-interactive
        await attacker.expect("spectrum of interactions")
        await asyncio.sleep(1)
        assert "Your vote is counted" not in attacker.text, "the victim's vote was not resumed"
        assert len(hosted.hub.session.participants) == 2
        await attacker.leave()
        await attacker.wait()
        again = await SSHClient(hosted.ssh_port, "dai", identity=str(victim_key), source="127.0.0.3").start()
        await again.expect("Your vote is counted: participation")  # the key's holder, from anywhere
        await again.leave()
        await again.wait()


async def test_join_code_guesses_over_ssh_are_limited_per_session_and_address(tmp_path):
    session = Session(default_deck(), HOST_TOKEN, counting_tokens(), join_code="RIVR", require_code=True)
    async with serving_ssh_with_gateway(tmp_path, session) as (hosted, _host, gw):
        for attempt in range(2):
            guesser = await SSHClient(hosted.ssh_port, f"guess{attempt}", source="127.0.0.2").start()
            await guesser.expect("(?i)join code", timeout=30)
            for _ in range(12):  # a code typed while the box is busy may be lost: type until refused
                if "too many wrong join codes" in guesser.text or guesser.closed:
                    break
                guesser.type("ZZZZ\r")  # (a second refusal looks like the first: no screen is sent for it)
                await asyncio.sleep(0.5)
            await guesser.expect("too many wrong join codes")
            await guesser.wait()
        late = await SSHClient(hosted.ssh_port, "late", source="127.0.0.2").start()
        await late.expect("(?i)join code")
        late.type("RIVR\r")  # even the right code: this address has spent its tries for now
        await late.expect("too many wrong join codes")
        await late.wait()
        elsewhere = await SSHClient(hosted.ssh_port, "ok", source="127.0.0.3").start()
        await elsewhere.expect("(?i)join code")
        elsewhere.type("RIVR\r")
        await elsewhere.expect(FIRST)
        await elsewhere.leave()
        await elsewhere.wait()
        assert not gw._live


async def test_a_second_live_session_of_a_name_is_another_person_and_addresses_are_capped(tmp_path):
    async with serving_ssh_with_gateway(tmp_path) as (hosted, _host, gw):
        gw.rules.set_sessions_per_address(3)
        first = await SSHClient(hosted.ssh_port, "ann").start()
        await first.expect(FIRST)
        second = await SSHClient(hosted.ssh_port, "ann").start()  # the first still answers: another person
        await second.expect(FIRST)
        await until(lambda: hosted.hub.session.connected == 2)
        bob = await SSHClient(hosted.ssh_port, "bob").start()
        await bob.expect(FIRST)
        cat = await SSHClient(hosted.ssh_port, "cat").start()
        await cat.expect("too many sessions from your address")
        assert await cat.wait() == 1
        dee = await SSHClient(hosted.ssh_port, "dee", source="127.0.0.2").start()
        await dee.expect(FIRST)
        await until(lambda: hosted.hub.session.connected == 4)
        for person in (first, second, bob, dee):
            await person.leave()
            await person.wait()


async def test_the_gateway_vouches_for_each_participant_with_the_secret(tmp_path):
    from websockets.asyncio.server import serve

    from coproterm.core.vouching import CLIENT_HEADER, GATEWAY_HEADER
    from coproterm.server.ssh.gateway import Gateway, host_key

    seen: list[tuple[str | None, str | None]] = []
    arrived = asyncio.Event()

    async def record(socket):
        seen.append((socket.request.headers.get(GATEWAY_HEADER), socket.request.headers.get(CLIENT_HEADER)))
        arrived.set()
        await socket.close()

    async with serve(record, "127.0.0.1", 0) as recorder:
        url = f"ws://127.0.0.1:{recorder.sockets[0].getsockname()[1]}"
        gw = Gateway(url, host_key(tmp_path), secret="s3cret-of-the-gateway")
        port = await gw.start("127.0.0.1", 0)
        try:
            conn, _channel, _screen = await asyncssh_client(port, "ann", source="127.0.0.3")
            await asyncio.wait_for(arrived.wait(), 20)
            from coproterm.core.vouching import GatewayProofs

            proof, address = seen[0]
            assert address == "127.0.0.3" and proof is not None and "s3cret" not in proof, "proven, never sent"
            assert GatewayProofs("s3cret-of-the-gateway").check(proof, address)
            conn.close()
        finally:
            await gw.stop()


def test_a_user_name_with_escapes_is_cleaned():
    from coproterm.server.ssh.live import clean_user

    assert clean_user("dai\x1b]52;c;aGk=\x07\x1b[2J") == "dai]52;c;aGk=[2J"
    assert "\x1b" not in clean_user("\x1b[6n") and "\u202e" not in clean_user("a\u202eb")


def test_every_gateway_write_is_plain_text():
    from coproterm.server.ssh import gateway as gw_module

    for name in dir(gw_module):
        value = getattr(gw_module, name)
        if isinstance(value, str) and name.isupper():
            assert "\x1b" not in value and "\x07" not in value, name
