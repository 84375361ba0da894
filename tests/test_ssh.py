"""Joining with nothing but ssh: the real OpenSSH client against the gateway on 127.0.0.1."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import stat
import sys

import pytest

from coproterm.core import read_models
from coproterm.core.client_messages import Hello
from coproterm.core.deck import default_deck
from coproterm.core.limits import NewcomerLimit
from coproterm.core.session import Session
from coproterm.server.hub_runner import HubRunner, SSHOptions
from tests.conftest import HOST_TOKEN, counting_tokens
from tests.hubkit import goto, join
from tests.sshkit import OPTIONS, SSHClient, run_ssh, serving_ssh, ssh_binary

SPECTRUM, GRID = 1, 4
ONE_TRY = ("-o", "PreferredAuthentications=keyboard-interactive", "-o", "NumberOfPasswordPrompts=1")


async def test_a_participant_votes_over_ssh_and_the_hub_counts_it(tmp_path):
    async with serving_ssh(tmp_path) as (hosted, host):
        await goto(host, SPECTRUM)
        ann = await SSHClient(hosted.ssh_port, "ann").start()
        await ann.expect("Where does your work live on the spectrum of interactions")
        ann.type("4\r")
        await ann.expect("Your vote is counted: consultation")
        await host.until(lambda p: p.tally.question == SPECTRUM and p.tally.counts == (0, 0, 0, 1, 0, 0))
        (member,) = hosted.hub.session.participants.values()
        assert member.name == "ann", "the user name becomes the display name"
        await ann.leave()
        assert await ann.wait() == 0
        await host.until(lambda p: p.turnout.connected == 0)
        assert read_models.tally(hosted.hub.session, SPECTRUM).counts[3] == 1, "a vote stays after leaving"


async def test_coming_back_with_the_same_name_resumes_the_vote(tmp_path):
    async with serving_ssh(tmp_path) as (hosted, host):
        await goto(host, SPECTRUM)
        first = await SSHClient(hosted.ssh_port, "bethan").start()
        await first.expect("spectrum of interactions")
        first.type("2\r")
        await first.expect("Your vote is counted: education / persuasion")
        first.kill()  # the laptop lid closes
        await host.until(lambda p: p.turnout.connected == 0, timeout=20)
        again = await SSHClient(hosted.ssh_port, "bethan").start()
        await again.expect("Your vote is counted: education / persuasion")
        assert len(hosted.hub.session.participants) == 1
        generic = await SSHClient(hosted.ssh_port, "root").start()
        await generic.expect("spectrum of interactions")
        assert sorted(m.name for m in hosted.hub.session.participants.values()) == ["", "bethan"]
        for client in (again, generic):
            await client.leave()
            await client.wait()


async def test_a_resize_is_followed(tmp_path):
    async with serving_ssh(tmp_path) as (hosted, host):
        await goto(host, SPECTRUM)
        ann = await SSHClient(hosted.ssh_port, size=(100, 30)).start()
        await ann.expect("─ doing to ─")  # wide: positions side by side under their groups
        ann.mark()
        await ann.resize(44, 14)
        await ann.expect(r"4 consultation")  # narrow: one position a line
        await ann.leave()
        assert await ann.wait() == 0


async def test_esc_reaches_the_app(tmp_path):
    async with serving_ssh(tmp_path) as (hosted, _host):
        ann = await SSHClient(hosted.ssh_port).start()
        await ann.expect("co-production mean to you")
        ann.type("\x1b")  # a lone Esc is delivered by the driver's tick...
        await asyncio.sleep(0.5)
        ann.type("q")  # ...so this q is q (out of the answer box), where a held-back Esc would have made it alt+q
        assert await ann.wait() == 0


async def test_one_address_cannot_bring_newcomers_without_end_over_ssh(tmp_path):
    session = Session(default_deck(), HOST_TOKEN, counting_tokens())
    runner = HubRunner(session, HOST_TOKEN, "127.0.0.1", 0, ssh=SSHOptions(port=0, key_dir=tmp_path, workers=0))
    async with runner as hosted:
        assert runner.gateway is not None
        runner.gateway.rules.newcomers = NewcomerLimit(burst=1)
        ann = await SSHClient(hosted.ssh_port, "ann", source="127.0.0.2").start()
        await ann.expect("co-production mean to you")
        bob = await SSHClient(hosted.ssh_port, "bob", source="127.0.0.2").start()
        await bob.expect("too many new participants from your address: try again in a minute")
        assert await bob.wait() == 1 and len(session.participants) == 1
        ann.kill()
        await ann.wait()
        again = await SSHClient(hosted.ssh_port, "ann", source="127.0.0.2").start()
        await again.expect("co-production mean to you")  # someone coming back is not a newcomer
        await again.leave()
        assert await again.wait() == 0 and len(session.participants) == 1


async def test_everything_but_the_app_is_refused(tmp_path):
    async with serving_ssh(tmp_path) as (hosted, _host):
        port = hosted.ssh_port
        status, _, err = await run_ssh(port, "ssh", "127.0.0.1", "ls")
        assert status == 1 and f"this server only runs the voting app. Connect with: ssh -p {port} 127.0.0.1" in err
        status, _, err = await run_ssh(port, "ssh", "-T", "127.0.0.1")
        assert status == 1 and "the voting app needs a terminal: leave out -T" in err
        status, _, err = await run_ssh(port, "sftp", "127.0.0.1")
        assert status != 0 and "Connection closed" in err
        status, _, err = await run_ssh(
            port, "ssh", "-N", "-o", "ExitOnForwardFailure=yes", "-R", "0:127.0.0.1:22", "127.0.0.1"
        )
        assert status == 255 and "remote port forwarding failed" in err
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            local = probe.getsockname()[1]
        hub_port = int(hosted.local_url.rsplit(":", 1)[1])
        forward = await asyncio.create_subprocess_exec(
            ssh_binary(), "-N", "-p", str(port), *OPTIONS, "-L", f"{local}:127.0.0.1:{hub_port}", "127.0.0.1",
            stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        try:
            await asyncio.sleep(1.5)
            reader, writer = await asyncio.open_connection("127.0.0.1", local)
            writer.write(b"GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n\r\n")
            try:
                answer = await asyncio.wait_for(reader.read(), 5)
            except ConnectionResetError:
                answer = b""
            assert answer == b"", "the tunnel to the hub is refused: nothing comes back"
            writer.close()
        finally:
            forward.kill()
            await forward.wait()
        assert hosted.hub.session.connected == 0, "nothing but the app ever joined"


async def test_a_wrong_passcode_is_refused_and_attempts_are_limited(tmp_path):
    async with serving_ssh(tmp_path, passcode="river stones") as (hosted, _host):
        port = hosted.ssh_port
        wrong = await SSHClient(port, extra=ONE_TRY).start()
        await wrong.expect("(?i)passcode")
        wrong.type("guess\r")
        await wrong.expect("Permission denied")
        await wrong.wait()
        right = await SSHClient(port, extra=ONE_TRY).start()
        await right.expect("(?i)passcode")
        right.type("river stones\r")
        await right.expect("co-production mean to you")
        await right.leave()
        await right.wait()
        for _ in range(5):  # then someone keeps guessing
            guesser = await SSHClient(port, extra=ONE_TRY).start()
            with contextlib.suppress(AssertionError):
                await guesser.expect("(?i)passcode", timeout=5)
                guesser.type("nope\r")
            await guesser.wait()
        locked = await SSHClient(port, extra=ONE_TRY).start()
        with contextlib.suppress(AssertionError):
            await locked.expect("(?i)passcode", timeout=5)
            locked.type("river stones\r")  # even the right one, for a while
        assert await locked.wait() != 0
        assert "co-production mean to you" not in locked.text


async def test_twenty_concurrent_sessions_vote_and_every_count_is_exact(tmp_path):
    async with serving_ssh(tmp_path) as (hosted, host):
        await goto(host, GRID)
        people = [await SSHClient(hosted.ssh_port, f"person{i}", size=(80, 24)).start() for i in range(20)]
        await asyncio.gather(*(p.expect("spectrum of interactions, and how", timeout=60) for p in people))
        choices = []
        for i, person in enumerate(people):
            right, down = i % 6, (i // 6) % 4
            person.type("\x1b[C" * right + "\x1b[B" * down + "\r")
            choices.append(down * 6 + right)
        await asyncio.gather(*(p.expect("Your vote is counted", timeout=60) for p in people))
        expected = tuple(choices.count(cell) for cell in range(24))
        await host.until(lambda p: p.tally.question == GRID and p.tally.counts == expected)
        assert hosted.hub.session.connected == 20
        for person in people:
            await person.leave()
        await asyncio.gather(*(p.wait() for p in people))


async def test_one_session_crashing_leaves_the_others_running(tmp_path):
    async with serving_ssh(tmp_path) as (hosted, host):
        await goto(host, SPECTRUM)
        ann, bob, cat = [await SSHClient(hosted.ssh_port, name).start() for name in ("ann", "bob", "cat")]
        await asyncio.gather(*(p.expect("spectrum of interactions") for p in (ann, bob, cat)))
        bob.type("\x1b[<0;9999;9999M\x1b[200~" + "\x00\xff garbage \x1b[999999999;1H" * 50)  # nonsense input
        bob.kill()  # and the client dies
        ann.type("1\r")
        cat.type("6\r")
        await asyncio.gather(ann.expect("Your vote is counted"), cat.expect("Your vote is counted"))
        await host.until(lambda p: p.tally.counts == (1, 0, 0, 0, 0, 1) and p.turnout.connected == 2, timeout=20)
        for person in (ann, cat):
            await person.leave()
            await person.wait()


async def test_the_host_key_persists_with_mode_0600(tmp_path):
    async with serving_ssh(tmp_path) as (hosted, _):
        first = hosted.ssh_fingerprint
    async with serving_ssh(tmp_path) as (hosted, _):
        assert hosted.ssh_fingerprint == first and first.startswith("SHA256:")
    key = tmp_path / "ssh_host_ed25519_key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600


async def test_stdout_and_stderr_work_after_sessions_end(tmp_path):
    before = (sys.stdout, sys.stderr)
    async with serving_ssh(tmp_path) as (hosted, _host):
        people = [await SSHClient(hosted.ssh_port, name).start() for name in ("ann", "bob")]
        await asyncio.gather(*(p.expect("co-production mean to you") for p in people))
        await people[0].leave()  # they leave in the opposite order to how they came
        await people[0].wait()
        await people[1].leave()
        await people[1].wait()
        await asyncio.sleep(0.3)
        assert (sys.stdout, sys.stderr) == before
    print("the server can still print")


@pytest.mark.parametrize(
    ("term", "system"), [("xterm-256color", "EIGHT_BIT"), ("xterm", "STANDARD"), ("xterm-direct", "TRUECOLOR")]
)
def test_colour_depth_comes_from_term(term, system):
    from coproterm.server.ssh.gateway import color_system_for

    assert color_system_for(term).name == system


async def test_after_a_resume_an_ssh_participant_comes_back_as_themselves(tmp_path):
    from coproterm.server.hub_runner import prepare
    from coproterm.server.store import NEWEST

    ssh_binary()
    first = prepare(default_deck(), data=tmp_path)
    options = SSHOptions(port=0, key_dir=tmp_path, workers=0)
    async with HubRunner(first.session, first.host_token, "127.0.0.1", 0, first.store, ssh=options) as hosted:
        host = await join(hosted.local_url, Hello(host_token=first.host_token))
        await goto(host, SPECTRUM)
        ann = await SSHClient(hosted.ssh_port, "ann").start()
        await ann.expect("spectrum of interactions")
        ann.type("5\r")
        await ann.expect("Your vote is counted: participation")
        await ann.leave()
        await ann.wait()
    again = prepare(None, data=tmp_path, resume=NEWEST)
    async with HubRunner(again.session, again.host_token, "127.0.0.1", 0, again.store, ssh=options) as hosted:
        back = await SSHClient(hosted.ssh_port, "ann").start()
        await back.expect("Your vote is counted: participation")
        assert len(hosted.hub.session.participants) == 1
        await back.leave()
        await back.wait()
