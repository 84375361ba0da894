"""The writer of a hidden answer is told, on every face and in both languages: "hidden by the facilitator".

A real hub; the facilitator hides the answer with a real host connection; the writer is the Textual app,
a real OpenSSH client (through the SSH gateway), or the phone page in the system's Chromium.
"""

from __future__ import annotations

import asyncio
import contextlib

import pytest
from playwright.async_api import expect
from textual.widgets import Input

from coproterm.core.client_messages import Moderate
from coproterm.core.deck import default_deck
from coproterm.core.hub_messages import Ack, Answers
from coproterm.core.session import Session
from coproterm.server.hub_runner import HubRunner, SSHOptions
from coproterm.tui.participant.app import ParticipantApp
from coproterm.tui.widgets.answer_box import MineList
from tests.conftest import HOST_TOKEN, counting_tokens
from tests.hubkit import Peer, join_host, running_hub
from tests.sshkit import SSHClient
from tests.webkit import chromium, phone

WHAT = 0
SAID = {"en": "(hidden by the facilitator)", "cy": "(wedi'i guddio gan yr hwylusydd)"}
PAGE_SAID = {
    "en": "Hidden by the facilitator: the room does not see this answer.",
    "cy": "Wedi'i guddio gan yr hwylusydd: nid yw'r ystafell yn gweld yr ateb hwn.",
}


async def hide_the_first(host: Peer, text: str, hidden: bool = True) -> None:
    """Wait for the host to hear of an answer saying ``text``, then hide it (or show it again)."""
    async with asyncio.timeout(10):
        while True:
            message = await host.recv()
            if isinstance(message, Answers):
                found = [i.id for i in message.items if i.text == text]
                if found:
                    break
    assert await host.request(lambda s: Moderate(s, WHAT, found[0], hidden)) == Ack(host.seq)


async def until(pilot, predicate, timeout: float = 10.0) -> None:
    async with asyncio.timeout(timeout):
        while not predicate():
            await pilot.pause(0.05)


@pytest.mark.parametrize("lang", ["en", "cy"])
async def test_the_app_tells_the_writer_their_answer_is_hidden(lang):
    async with running_hub() as hub:
        host = await join_host(hub.url)
        app = ParticipantApp(hub.url, "Ann", lang=lang)
        async with app.run_test(size=(80, 24)) as pilot:
            await until(pilot, lambda: bool(app.screen.query("#answer-text")))
            box = app.screen.query_one("#answer-text", Input)
            box.focus()
            box.value = "sharing power"
            await pilot.press("enter")

            def listed() -> str:
                found = app.screen.query(MineList)
                if not found:
                    return ""
                listing = found.first()
                return " ".join(str(listing.get_option_at_index(i).prompt) for i in range(listing.option_count))

            await until(pilot, lambda: "sharing power" in listed())
            assert SAID[lang] not in listed()
            await hide_the_first(host, "sharing power")
            await until(pilot, lambda: SAID[lang] in listed())
            await hide_the_first(host, "sharing power", hidden=False)
            await until(pilot, lambda: SAID[lang] not in listed())


@contextlib.asynccontextmanager
async def ssh_hub(tmp_path):
    session = Session(default_deck(), HOST_TOKEN, counting_tokens())
    options = SSHOptions(port=0, key_dir=tmp_path, workers=0)
    async with HubRunner(session, HOST_TOKEN, "127.0.0.1", 0, ssh=options) as hosted:
        assert hosted.ssh_port, hosted.ssh_problem
        yield hosted


@pytest.mark.parametrize("lang", ["en", "cy"])
async def test_an_ssh_writer_is_told_their_answer_is_hidden(tmp_path, lang):
    async with ssh_hub(tmp_path) as hosted:
        host = await join_host(hosted.local_url)
        ann = await SSHClient(hosted.ssh_port, "ann", env={"LANG": f"{lang}_GB.UTF-8"}).start()
        await ann.expect("characters left" if lang == "en" else "nod ar ôl")
        ann.type("sharing power\r")
        await ann.expect(r"1\. sharing power")
        await hide_the_first(host, "sharing power")
        await ann.expect(r"1\. sharing power  " + SAID[lang].replace("(", r"\(").replace(")", r"\)"))
        ann.type("\x1b")
        await asyncio.sleep(0.5)
        ann.type("q")
        assert await ann.wait() == 0


@pytest.mark.parametrize("lang", ["en", "cy"])
async def test_a_phone_writer_is_told_their_answer_is_hidden(lang):
    async with running_hub() as hub, chromium() as browser:
        host = await join_host(hub.url)
        async with phone(browser, locale="cy-GB" if lang == "cy" else "en-GB") as page:
            await page.goto(hub.url.replace("ws://", "http://", 1) + "/")
            await page.get_by_role("button", name="Join" if lang == "en" else "Ymuno").click()
            box = page.get_by_label("Your answer 1" if lang == "en" else "Eich ateb 1")
            await box.fill("sharing power")
            await page.locator('[data-id="s0"]').tap()
            await hide_the_first(host, "sharing power")
            note = page.locator('[data-id="h0"]')
            await expect(note).to_have_text(PAGE_SAID[lang])
            await page.reload()  # back as the same person: still told
            await expect(page.locator('[data-id="h0"]')).to_have_text(PAGE_SAID[lang])
            await hide_the_first(host, "sharing power", hidden=False)
            await expect(page.locator('[data-id="h0"]')).to_have_count(0)
