"""SSH clients other than OpenSSH: PuTTY's plink (as Windows people run it) and Dropbear's dbclient, each in a pty,
reach the first question with no extra key press, vote, and are counted under their own names."""

from __future__ import annotations

import contextlib
import shutil

import pytest

from coproterm.core.client_messages import Command
from coproterm.core.deck import default_deck
from coproterm.core.session import Session
from coproterm.core.wire_terms import Action
from coproterm.server.hub_runner import HubRunner, SSHOptions
from tests.conftest import HOST_TOKEN, counting_tokens
from tests.hubkit import join_host
from tests.ptykit import InPty

SPECTRUM = 1
QUESTION = "Where does your work live on the spectrum of interactions"


def client(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        pytest.skip(f"{name} is not installed here (.ci/run installs it)")
    return found


@contextlib.asynccontextmanager
async def ssh_room(tmp_path):
    session = Session(default_deck(), HOST_TOKEN, counting_tokens())
    options = SSHOptions(port=0, key_dir=tmp_path, workers=0)
    async with HubRunner(session, HOST_TOKEN, "127.0.0.1", 0, ssh=options) as hosted:
        assert hosted.ssh_port, hosted.ssh_problem
        host = await join_host(hosted.local_url)
        await host.request(lambda s: Command(s, Action.GOTO, SPECTRUM))
        yield hosted, host


async def vote_and_leave(hosted, host, person: InPty, name: str) -> None:
    try:
        await person.expect(QUESTION, timeout=20)  # with nothing typed: no Return pressed, no passcode
        person.type("4\r")
        await person.expect("Your vote is counted: consultation", timeout=10)
        await host.until(lambda p: p.tally is not None and p.tally.counts == (0, 0, 0, 1, 0, 0))
        (member,) = hosted.hub.session.participants.values()
        assert member.name == name, "the user name is the display name"
        await person.leave()
        await person.wait(timeout=15)
    finally:
        if not person.closed:
            person.kill()


async def test_putty_plink_reaches_the_first_question(tmp_path):
    plink = client("plink")
    async with ssh_room(tmp_path) as (hosted, host):
        # As the README says to run it: -no-antispoof, or plink stops at "Access granted. Press Return to begin
        # session." (its own guard, printed whatever the server does; PuTTY's window has no such pause).
        person = await InPty(
            [plink, "-ssh", "-t", "-no-antispoof", "-P", str(hosted.ssh_port),
             "-hostkey", str(hosted.ssh_fingerprint), "ann@127.0.0.1"],
            size=(80, 24),
        ).start()  # fmt: skip
        await vote_and_leave(hosted, host, person, "ann")
        assert "Press Return" not in person.text


async def test_dropbear_dbclient_reaches_the_first_question(tmp_path):
    dbclient = client("dbclient")
    async with ssh_room(tmp_path) as (hosted, host):
        person = await InPty(
            [dbclient, "-t", "-y", "-y", "-p", str(hosted.ssh_port), "bethan@127.0.0.1"], size=(80, 24)
        ).start()
        await vote_and_leave(hosted, host, person, "bethan")
        assert "Disconnect received" not in person.text
