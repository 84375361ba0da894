"""A moderated question says so before anything is written, on every face, and the notice follows the toggle.

The participant app (Pilot, English and Welsh, 80 x 24 and 40 x 12), the same app over real OpenSSH, plain mode
(a real process) and the phone page (the system's Chromium, axe-core: no violations), each with a real hub;
the facilitator turns moderation off and on again (``Command`` MODERATE / UNMODERATE, the dashboard's ``m``).
"""

from __future__ import annotations

import re

import msgpack
import pytest
from websockets.asyncio.client import connect

from coproterm.core.client_messages import Command
from coproterm.core.hub_messages import State
from coproterm.core.wire import decode, encode
from coproterm.core.wire_terms import PROTOCOL_VERSION, Action
from coproterm.tui.participant.app import ParticipantApp
from tests.conftest import HOST_TOKEN
from tests.facekit import held_line, on_screen, until
from tests.hubkit import join_host, running_hub
from tests.plainkit import Listener, PlainJoin, assert_plain
from tests.sessionkit import moderated_session
from tests.sshkit import SSHClient

WHAT = 0
"""The moderated deck's first question: its answers wait for the facilitator."""
NOTICE = {
    "en": "Answers are shown after the facilitator approves them.",
    "cy": "Dangosir atebion ar ôl i'r hwylusydd eu cymeradwyo.",
}
OFF = {
    "en": "Answers are now shown without waiting for the facilitator's approval.",
    "cy": "Dangosir atebion nawr heb aros i'r hwylusydd eu cymeradwyo.",
}


async def toggle(host, on: bool) -> None:
    await host.request(lambda s: Command(s, Action.MODERATE if on else Action.UNMODERATE, WHAT))


# -- the wire -----------------------------------------------------------------------------------


def test_a_state_says_moderated_only_when_it_is_and_keeps_its_bytes_otherwise():
    assert encode(State(0, True, False)) == bytes.fromhex("96 11 00 c3 c2 c0 90")
    assert encode(State(0, True, False, moderated=True)) == bytes.fromhex("97 11 00 c3 c2 c0 90 c3")
    assert decode(bytes.fromhex("96 11 00 c3 c2 c0 90")) == State(0, True, False)
    assert decode(bytes.fromhex("97 11 00 c3 c2 c0 90 c3")).moderated is True


async def test_an_independent_client_is_told_the_question_is_moderated_and_when_it_stops_being():
    async with running_hub(moderated_session()) as hub:
        host = await join_host(hub.url)
        async with connect(hub.url, compression=None) as person:
            await person.send(msgpack.packb([1, PROTOCOL_VERSION, "Ann", None, None, None]))
            frames = [msgpack.unpackb(await person.recv()) for _ in range(2)]
            assert frames[1] == [17, 0, True, False, None, [], True], "moderated, before anything is written"
            await toggle(host, False)
            assert msgpack.unpackb(await person.recv()) == [17, 0, True, False, None, []]
            await toggle(host, True)
            assert msgpack.unpackb(await person.recv()) == [17, 0, True, False, None, [], True]


# -- the participant app (so SSH too) ---------------------------------------------------------------


@pytest.mark.parametrize("size", [(80, 24), (40, 12)])
@pytest.mark.parametrize("lang", ["en", "cy"])
async def test_the_app_says_a_question_is_moderated_before_the_answer_and_follows_the_toggle(lang, size):
    async with running_hub(moderated_session()) as hub:
        host = await join_host(hub.url)
        app = ParticipantApp(hub.url, "Ann", lang=lang)
        async with app.run_test(size=size) as pilot:
            await until(pilot, lambda: bool(app.screen.query("#answer-text")))
            await until(pilot, lambda: NOTICE[lang] in " ".join(held_line(app).split()))
            await pilot.pause(0.2)
            assert on_screen(app, app.screen.query_one("#answer-held")), "seen without scrolling, even at 40 x 12"
            assert app.screen.query_one("#answer-text").has_focus, "before anything is written"
            await toggle(host, False)
            await until(pilot, lambda: not held_line(app))
            await toggle(host, True)
            await until(pilot, lambda: NOTICE[lang] in " ".join(held_line(app).split()))


@pytest.mark.parametrize("lang", ["en", "cy"])
async def test_an_ssh_participant_is_told_before_writing_and_when_the_facilitator_turns_it_off(tmp_path, lang):
    from coproterm.server.hub_runner import HubRunner, SSHOptions
    from tests.sshkit import ssh_binary

    ssh_binary()
    options = SSHOptions(port=0, key_dir=tmp_path, workers=0)
    async with HubRunner(moderated_session(), HOST_TOKEN, "127.0.0.1", 0, ssh=options) as hosted:
        host = await join_host(hosted.local_url)
        ann = await SSHClient(hosted.ssh_port, "ann", env={"LANG": f"{lang}_GB.UTF-8"}).start()
        try:
            await ann.expect(re.escape(NOTICE[lang]))
            ann.mark()
            await toggle(host, False)
            await ann.expect("characters left" if lang == "en" else "nod ar ôl")
            await until_screen(ann, lambda screen: NOTICE[lang] not in screen)
            await toggle(host, True)
            await ann.expect(re.escape(NOTICE[lang]))
            await ann.leave()
            assert await ann.wait() == 0
        except BaseException:
            ann.kill()
            raise


async def until_screen(client, holds) -> None:
    """Wait until the last screen the SSH client shows satisfies ``holds``."""
    import asyncio

    async with asyncio.timeout(15):
        while not (client.shown.screens and holds(client.shown.screens[-1])):
            await asyncio.sleep(0.05)


# -- plain mode (a real process) --------------------------------------------------------------------


async def test_plain_mode_says_it_with_the_question_and_says_each_toggle_in_both_languages(tmp_path):
    width = 60
    async with running_hub(moderated_session()) as hub:
        host = await join_host(hub.url)
        ann = await PlainJoin(hub.url, width=width, data_dir=str(tmp_path)).start()
        bryn = await PlainJoin(hub.url, width=width, name="Bryn", data_dir=str(tmp_path), lang="cy").start()
        ears = {"en": Listener(ann), "cy": Listener(bryn)}
        try:
            for lang, ear in ears.items():
                await ear.hears("Question 1 of 2" if lang == "en" else "Cwestiwn 1 o 2", NOTICE[lang])
            await toggle(host, False)
            for lang, ear in ears.items():
                await ear.hears(OFF[lang])
            await toggle(host, True)
            for lang, ear in ears.items():
                await ear.hears(NOTICE[lang])
            ann.type("sharing power")
            await ears["en"].hears("Your answer 1 is waiting for the facilitator")
            ann.type("quit")
            bryn.type("quit")
            await ann.wait()
            await bryn.wait()
        finally:
            ann.kill()
            bryn.kill()
        for person in (ann, bryn):
            assert_plain(bytes(person.output), width - 1)


# -- the phone page (Chromium, axe-core) ------------------------------------------------------------

LIVE = {
    "en": (
        "answers are now shown without waiting for the facilitator's approval",
        "answers are now shown after the facilitator approves them",
    ),
    "cy": (
        "dangosir atebion nawr heb aros i'r hwylusydd eu cymeradwyo",
        "dangosir atebion nawr ar ôl i'r hwylusydd eu cymeradwyo",
    ),
}


@pytest.mark.parametrize("lang", ["en", "cy"])
async def test_the_phone_page_says_it_before_the_answer_and_announces_the_toggle_with_no_axe_violations(lang):
    from playwright.async_api import expect

    from tests.webkit import axe_violations, chromium, phone

    async with running_hub(moderated_session()) as hub, chromium() as browser:
        host = await join_host(hub.url)
        async with phone(browser, locale="cy-GB" if lang == "cy" else "en-GB", bypass_csp=True) as page:
            await page.goto(hub.url.replace("ws://", "http://", 1) + "/")
            await page.get_by_role("button", name="Join" if lang == "en" else "Ymuno").click()
            await expect(page.locator("#moderated")).to_have_text(NOTICE[lang])
            box = page.locator('[data-id="a0"]')
            await expect(box).to_have_attribute("aria-describedby", "answer-0-hint moderated")
            assert await axe_violations(page) == []
            await toggle(host, False)
            await expect(page.locator("#moderated")).to_have_count(0)
            await expect(page.locator("#live")).to_have_text(LIVE[lang][0])
            await toggle(host, True)
            await expect(page.locator("#moderated")).to_have_text(NOTICE[lang])
            await expect(page.locator("#live")).to_have_text(LIVE[lang][1])
            assert await axe_violations(page) == []
