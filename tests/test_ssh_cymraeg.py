"""Over a real OpenSSH client: the language follows the LANG the client sends, and the i key."""

from __future__ import annotations

import contextlib

import pytest

from coproterm.core.session import Session
from coproterm.server.hub_runner import HubRunner, SSHOptions
from tests.conftest import HOST_TOKEN, counting_tokens
from tests.cymraegkit import BILINGUAL_DECK
from tests.sshkit import SSHClient, run_ssh, ssh_binary

WELSH = {"LANG": "cy_GB.UTF-8", "LC_ALL": "", "LANGUAGE": ""}


@contextlib.asynccontextmanager
async def gateway(tmp_path, *, language="en", workers=0):
    ssh_binary()
    session = Session(BILINGUAL_DECK, HOST_TOKEN, counting_tokens())
    options = SSHOptions(port=0, key_dir=tmp_path, workers=workers, language=language)
    runner = HubRunner(session, HOST_TOKEN, "127.0.0.1", 0, ssh=options)
    async with runner as hosted:
        assert hosted.ssh_port, hosted.ssh_problem
        yield hosted


async def test_lang_sent_by_the_client_shows_welsh_and_the_key_switches(tmp_path):
    async with gateway(tmp_path) as hosted:
        # SendEnv, as a Welsh speaker's ~/.ssh/config (or Debian's default) does.
        gwen = await SSHClient(hosted.ssh_port, "gwen", env=WELSH, extra=("-o", "SendEnv=LANG")).start()
        await gwen.expect("Ble mae eich gwaith chi")
        await gwen.expect("cwestiwn 1 o 1")
        await gwen.expect("Cymraeg / English")
        gwen.type("1\r")
        await gwen.expect("Cyfrifwyd eich pleidlais: ymgynghori")
        gwen.type("i")
        await gwen.expect("Your vote is counted: consultation")
        (member,) = hosted.hub.session.participants.values()
        assert member.votes == {0: 0}, "the vote stays through the switch"
        gwen.type("i")
        await gwen.expect("cwestiwn 1 o 1")
        gwen.type("q")
        await gwen.expect("rydych wedi gadael y sesiwn")
        assert await gwen.wait() == 0


async def test_without_a_welsh_locale_the_gateway_speaks_english(tmp_path):
    async with gateway(tmp_path) as hosted:
        ann = await SSHClient(hosted.ssh_port, "ann", extra=("-o", "SetEnv=LANG=en_GB.UTF-8")).start()
        await ann.expect("Where does your work live")
        ann.type("q")
        await ann.expect("you have left the session")
        assert await ann.wait() == 0


async def test_the_gateway_refuses_a_command_in_welsh(tmp_path):
    async with gateway(tmp_path) as hosted:
        status, _out, err = await run_ssh(
            hosted.ssh_port, ssh_binary(), "-o", "SetEnv=LANG=cy_GB.UTF-8", "ann@127.0.0.1", "ls"
        )
        assert status != 0 and "dim ond yr ap pleidleisio" in err, err


@pytest.mark.parametrize("workers", [0, 1], ids=["in-process", "worker"])
async def test_a_welsh_hub_greets_a_client_that_asks_for_no_language_in_welsh(tmp_path, workers):
    """`coproterm host --lang cy`: whoever sends no Welsh or English locale is greeted in Welsh."""
    async with gateway(tmp_path, language="cy", workers=workers) as hosted:
        plain = await SSHClient(hosted.ssh_port, "ann", extra=("-o", "SetEnv=LANG=C.UTF-8")).start()
        await plain.expect("Ble mae eich gwaith chi")
        english = await SSHClient(hosted.ssh_port, "bob", extra=("-o", "SetEnv=LANG=en_GB.UTF-8")).start()
        await english.expect("Where does your work live")
        for person in (plain, english):
            person.type("q")
            assert await person.wait() == 0
