"""Every face in Welsh, through every refusal and every question of both decks, shows no English sentence.

The faces: the participant app and the dashboard (in Pilot), the app over SSH with LANG=cy_GB.UTF-8
(real OpenSSH), the phone page (real Chromium, asking for Welsh only as a second preference), the
HTML report, and the command line with LANG=cy. What each shows is read back and searched for the
English words of tests/cymraegkit.py.
"""

from __future__ import annotations

import asyncio
import html
import os
import re
import subprocess
import sys

import pytest

from coproterm.commands.sessions import render
from coproterm.core.deck import BUILTIN_DECKS, builtin_deck, deck_to_data
from coproterm.core.events import Commanded, Joined, Voted
from coproterm.core.i18n import WELSH, language
from coproterm.core.refusals import WORDS, Refusal, words
from coproterm.core.session import Session
from coproterm.core.wire import Action, Command, Hello, Moderate, Vote
from coproterm.tui.host.app import HostApp
from coproterm.tui.participant.app import ParticipantApp
from coproterm.web.words import page_words
from server.store import SessionStore
from tests.conftest import HOST_TOKEN, counting_tokens
from tests.cymraegkit import english_in, screen_text
from tests.hubkit import join, join_host, running_hub
from tests.textualkit import notifications_of

DECKS = tuple(BUILTIN_DECKS)
CY = language(WELSH)


async def until(pilot, predicate, timeout=10.0):
    async with asyncio.timeout(timeout):
        while not predicate():
            await pilot.pause(0.02)


def test_every_refusal_is_worded_in_welsh_alone():
    for refusal in Refusal:
        values = tuple(range(2, 2 + len(WORDS[refusal][1])))
        said = words(CY, refusal, values)
        assert not english_in(said), f"{refusal.name}: {said}"
    page = page_words(WELSH)
    for number, (text, _names) in page["refusals"].items():  # type: ignore[union-attr]
        assert not english_in(text), f"the page's refusal {number}: {text}"
    for key, text in page["words"].items():  # type: ignore[union-attr]
        for form in text if isinstance(text, list) else [text]:
            assert not english_in(form), f"the page's {key}: {form}"


@pytest.mark.parametrize("deck_name", DECKS)
async def test_the_participant_app_in_welsh_through_every_question_and_a_refusal(deck_name):
    deck = builtin_deck(deck_name)
    async with running_hub(Session(deck, HOST_TOKEN, counting_tokens())) as hub:
        host = await join_host(hub.url)
        gwen = ParticipantApp(hub.url, "Gwen", lang="cy")
        async with gwen.run_test(size=(80, 24)) as pilot:
            await until(pilot, lambda: gwen.view.state is not None)
            for index, question in enumerate(deck.questions):
                await host.request(lambda s, i=index: Command(s, Action.GOTO, i))
                await until(pilot, lambda i=index: gwen.view.state is not None and gwen.view.state.current == i)
                await pilot.pause(0.1)
                shown = screen_text(gwen.export_screenshot())
                assert not english_in(shown), f"question {index + 1}: {english_in(shown)}\n{shown}"
                if question.cells and not question.several:
                    await host.request(lambda s, i=index: Command(s, Action.LOCK, i))
                    await until(pilot, lambda: not gwen.view.state.open)
                    await gwen.link.send(Vote(99, index, 0))  # refused: voting is locked
                    await until(pilot, lambda: gwen.view.refusal is not None)
                    await pilot.pause(0.1)
                    shown = screen_text(gwen.export_screenshot())
                    assert "✖" in shown and not english_in(shown), shown
                    await host.request(lambda s, i=index: Command(s, Action.OPEN, i))


@pytest.mark.parametrize("deck_name", DECKS)
async def test_the_dashboard_in_welsh_through_every_question_and_a_refusal(deck_name):
    deck = builtin_deck(deck_name)
    async with running_hub(Session(deck, HOST_TOKEN, counting_tokens())) as hub:
        mover = await join_host(hub.url)
        await join(hub.url, Hello(name="Ann"))
        dashboard = HostApp(hub.url, HOST_TOKEN, lang="cy")
        async with dashboard.run_test(size=(100, 30)) as pilot:
            await until(pilot, lambda: dashboard.view.state is not None)
            for index in range(len(deck.questions)):
                await mover.request(lambda s, i=index: Command(s, Action.GOTO, i))
                await mover.request(lambda s, i=index: Command(s, Action.REVEAL, i))
                await until(pilot, lambda i=index: dashboard.view.state.current == i and dashboard.view.state.revealed)
                await pilot.pause(0.1)
                shown = screen_text(dashboard.export_screenshot())
                assert not english_in(shown), f"question {index + 1}: {english_in(shown)}\n{shown}"
            await dashboard.link.send(Moderate(77, 0, 999, True))  # refused: the question has no such answer
            await until(pilot, lambda: any("ateb rhif 999" in str(n.message) for n in notifications_of(dashboard)))
            for notice in notifications_of(dashboard):
                assert not english_in(f"{notice.title} {notice.message}"), notice


@pytest.mark.parametrize("deck_name", DECKS)
async def test_the_phone_page_with_welsh_as_a_second_preference(deck_name):
    from playwright.async_api import expect

    from tests.webkit import chromium, phone

    deck = builtin_deck(deck_name)
    session = Session(deck, HOST_TOKEN, counting_tokens(), join_code="KXPT", require_code=True)
    async with running_hub(session) as hub, chromium() as browser:
        host = await join_host(hub.url)
        page_url = hub.url.replace("ws://", "http://", 1) + "/"
        headers = {"Accept-Language": "fr-FR,fr;q=0.9,cy;q=0.8,en;q=0.5"}
        async with phone(browser, extra_http_headers=headers) as page:
            await page.goto(page_url)
            await expect(page.locator("html")).to_have_attribute("lang", "cy")
            assert await page.title() == "coproterm: ymuno â'r bleidlais"
            await page.locator("#code").fill("ZZZZ")  # refused: the wrong join code
            await page.locator("#go").click()
            await expect(page.locator("#form-error")).to_contain_text("Heb ymuno")
            body = await page.inner_text("body")
            assert not english_in(body), body
            await page.locator("#code").fill("KXPT")
            await page.locator("#go").click()
            await expect(page.locator("#link")).to_have_text("Wedi cysylltu")
            for index, question in enumerate(deck.questions):
                await host.request(lambda s, i=index: Command(s, Action.GOTO, i))
                await host.request(lambda s, i=index: Command(s, Action.REVEAL, i))
                await expect(page.locator("#step")).to_have_text(f"Cwestiwn {index + 1} o {len(deck.questions)}")
                body = await page.inner_text("body")
                assert not english_in(body), f"question {index + 1}: {english_in(body)}\n{body}"
                if question.cells and not question.several:
                    await host.request(lambda s, i=index: Command(s, Action.LOCK, i))
                    await page.evaluate("() => 0")  # let the State arrive
                    await page.locator("button.pos, button.cell").first.dispatch_event("click")
                    body = await page.inner_text("body")
                    assert not english_in(body), body


@pytest.mark.parametrize("deck_name", DECKS)
def test_the_html_report_in_welsh(deck_name, tmp_path):
    deck = builtin_deck(deck_name)
    store = SessionStore.create(tmp_path, deck_to_data(deck), deck.title, "tok")
    events: list = [Joined(1, b"a" * 16, "Ann"), Joined(2, b"b" * 16, "Bob")]
    for index, question in enumerate(deck.questions):
        if question.cells:
            events += [Commanded(Action.GOTO, index), Voted(1, index, 1), Voted(2, index, 1 if question.several else 2)]

    async def write() -> None:
        store.start()
        await store.append(events)
        await store.close()

    asyncio.run(write())
    report = render(store.path, "html", quiet=True, lang="cy")
    text = html.unescape(re.sub(r"<style.*?</style>|<script.*?</script>|<[^>]+>", " ", report, flags=re.S))
    assert not english_in(text), english_in(text)


def test_the_command_line_with_lang_cy(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("sesiynau")  # a path of no English words
    environment = {**os.environ, "LANG": "cy", "LC_ALL": "", "LANGUAGE": ""}
    said = []
    for args in (["decks"], ["frob"], ["export", "--format", "pdf"], ["sessions", "--data-dir", str(tmp_path)]):
        done = subprocess.run(
            [sys.executable, "-m", "coproterm", *args],
            capture_output=True,
            text=True,
            env=environment,
            timeout=60,
            check=False,
        )
        # argparse's synopsis (the usage line and its continuations) names options and values: not sentences
        lines = (done.stdout + done.stderr).splitlines()
        said.append("\n".join(line for line in lines if not line.startswith(("defnydd:", " "))))
    for text in said:
        assert not english_in(text), text


@pytest.mark.parametrize("deck_name", DECKS)
async def test_ssh_in_welsh_through_every_question(deck_name, tmp_path):
    from server.hosting import HubRunner, SSHOptions
    from tests.sshkit import SSHClient, ssh_binary

    ssh_binary()
    deck = builtin_deck(deck_name)
    session = Session(deck, HOST_TOKEN, counting_tokens())
    runner = HubRunner(session, HOST_TOKEN, "127.0.0.1", 0, ssh=SSHOptions(port=0, key_dir=tmp_path, workers=0))
    async with runner as hosted:
        host = await join_host(hosted.local_url)
        welsh = {"LANG": "cy_GB.UTF-8", "LC_ALL": "", "LANGUAGE": ""}
        gwen = await SSHClient(hosted.ssh_port, "gwen", env=welsh, extra=("-o", "SendEnv=LANG")).start()
        await gwen.expect("cwestiwn 1 o", timeout=45)  # in Welsh from the first screen (a busy machine is slow)
        for index, question in enumerate(deck.questions):
            await host.request(lambda s, i=index: Command(s, Action.GOTO, i))
            await gwen.expect(f"cwestiwn {index + 1} o {len(deck.questions)}")
            await asyncio.sleep(0.3)
            assert not english_in(gwen.text), f"question {index + 1}: {english_in(gwen.text)}\n{gwen.text}"
            if question.cells and not question.several:
                await host.request(lambda s, i=index: Command(s, Action.LOCK, i))
                await gwen.expect("ar glo")
                gwen.type("1\r")  # refused: locked (or never sent)
                await asyncio.sleep(0.3)
                assert not english_in(gwen.text), gwen.text
        await gwen.leave()


async def test_the_ssh_passcode_is_asked_in_welsh_and_english(tmp_path):
    """Asked before the terminal's LANG reaches the gateway: both languages, Welsh first."""
    from server.hosting import HubRunner, SSHOptions
    from tests.sshkit import SSHClient, ssh_binary

    ssh_binary()
    options = SSHOptions(port=0, key_dir=tmp_path, workers=0, passcode="cerrig afon")
    runner = HubRunner(
        Session(builtin_deck("short"), HOST_TOKEN, counting_tokens()), HOST_TOKEN, "127.0.0.1", 0, ssh=options
    )
    async with runner as hosted:
        one_try = ("-o", "NumberOfPasswordPrompts=1", "-o", "PreferredAuthentications=keyboard-interactive")
        gwen = await SSHClient(hosted.ssh_port, extra=one_try).start()
        await gwen.expect(
            "Cyfrinair y sesiwn / Session passcode:"
        )  # the prompt (the instruction line is for OpenSSH to show)
        gwen.type("cerrig afon\r")
        await gwen.leave()


def test_the_english_words_are_found():
    """The check can fail: English on a Welsh screen is caught."""
    assert english_in("✖ Heb ei chyfrif: voting on this question is locked") == ["locked", "question", "this", "voting"]
    assert english_in("Gweler https://example.org/with-the-answers, {question}") == []
