"""A participant's record to take home, from `coproterm join` (the k key) and over SSH (printed as they leave).

A real hub on 127.0.0.1; Ann in the real participant app (Pilot), Bob and the
facilitator as raw protocol clients. The record holds Ann's own choices and
answers, and the room's results only where the room was shown them.
"""

from __future__ import annotations

import asyncio
import contextlib
import re

import pytest

from coproterm.core import read_models
from coproterm.core.client_messages import Answer, Command, Hello, Vote
from coproterm.core.deck import default_deck
from coproterm.core.session import Session
from coproterm.core.takehome import record_text
from coproterm.core.view import SessionView
from coproterm.core.wire_terms import Action
from coproterm.export.takehome import record_html
from coproterm.server.hub_runner import HubRunner, SSHOptions
from coproterm.tui.participant.app import ParticipantApp
from tests.conftest import HOST_TOKEN, counting_tokens
from tests.hubkit import join, join_host, running_hub
from tests.sshkit import SSHClient, ssh_binary

WHAT, SPECTRUM, OPPORTUNITY, COMPLEXITY = 0, 1, 2, 3
BOBS_SECRET = "Bob's own answer, never on the wall"


async def until(pilot, predicate, timeout=5.0):
    async with asyncio.timeout(timeout):
        while not predicate():
            await pilot.pause(0.02)


async def command(host, action: Action, question: int) -> None:
    await host.request(lambda seq: Command(seq, action, question))


async def a_workshop_with_ann(ann: ParticipantApp, pilot, hub) -> None:
    """Ann answers and votes; Bob too; the facilitator reveals the spectrum only."""
    host = await join_host(hub.url)
    bob = await join(hub.url, Hello(name="Bob"))
    await until(pilot, lambda: ann.view.state is not None)
    await bob.request(lambda seq: Answer(seq, WHAT, 0, BOBS_SECRET))
    await until(pilot, lambda: ann.view.question is not None and ann.view.question.answers is not None)
    await pilot.click("AnswerBox Input")
    await pilot.press(*"sharing power", "enter")
    await until(pilot, lambda: ann.view.written.mine.get(WHAT))
    for question, anns, bobs in ((SPECTRUM, 3, 5), (OPPORTUNITY, 5, 5), (COMPLEXITY, 2, 0)):
        await command(host, Action.GOTO, question)
        await until(pilot, lambda q=question: ann.view.state.current == q)
        await pilot.press(str(anns + 1), "enter")
        await until(pilot, lambda q=question, a=anns: ann.view.votes.get(q) == a)
        await bob.request(lambda seq, q=question, b=bobs: Vote(seq, q, b))
        if question == SPECTRUM:
            await command(host, Action.REVEAL, question)
            await until(pilot, lambda: ann.view.seen.get(SPECTRUM) == (0, 0, 0, 1, 0, 1))
            await command(host, Action.HIDE, question)
    await host.socket.close()
    await bob.socket.close()


@pytest.fixture
async def hub():
    async with running_hub() as running:
        yield running


async def test_the_k_key_keeps_my_own_answers_and_only_what_the_room_was_shown(hub, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    ann = ParticipantApp(hub.url, "Ann")
    async with ann.run_test(size=(100, 40)) as pilot:
        await a_workshop_with_ann(ann, pilot, hub)
        await pilot.press("k")
        await until(pilot, lambda: list(tmp_path.glob("*.html")))
    (kept,) = tmp_path.glob("*.html")
    html = kept.read_text(encoding="utf-8")
    assert html.startswith("<!doctype html>") and "<script" not in html and "http" not in html.split("<main>")[0]
    assert "sharing power" in html, "her own answer"
    assert "4. consultation" in html and "6. co-production / involvement" in html, "her own choices"
    assert "2 steps towards doing with" in html, "her own move"
    assert html.count("The room, as shown:") == 1, "only the spectrum's results were revealed"
    spectrum = html.split("<h2>2. ")[1].split("</section>")[0]
    assert '<tr class="yours"><td>4. consultation</td><td class="n">1 · 50%</td></tr>' in spectrum
    assert BOBS_SECRET not in html, "nothing of anyone else's the room was not shown"
    complexity = html.split("<h2>4. ")[1].split("</section>")[0]
    assert "3. complex" in complexity and "1 · " not in complexity, "Bob's vote on complexity was never revealed"


def test_a_record_in_welsh_is_welsh():
    from coproterm.core.deck import default_deck
    from coproterm.core.i18n import language

    view = SessionView()
    view.hub_deck = default_deck()
    view.speak(language("cy"))
    view.votes = {SPECTRUM: 3}
    view.seen = {SPECTRUM: (0, 0, 0, 1, 0, 1)}
    html = record_html(view, "2026-06-09 14:30")
    assert '<html lang="cy">' in html and "4. ymgynghori" in html and "You" not in html.split("<main>")[1]
    assert "ymgynghori: 1 (50%)" in record_text(view, "2026-06-09 14:30")


def test_the_file_name_is_safe_anywhere():
    from coproterm.export.takehome import record_name

    name = record_name('Co-production: "citizens" / Wales?', "2026-06-09")
    assert re.fullmatch(r"[a-z0-9_-]+\.html", name), name


@contextlib.asynccontextmanager
async def ssh_hub(tmp_path):
    """A real hub with its SSH gateway in this process (no workers), on 127.0.0.1."""
    ssh_binary()
    runner = HubRunner(
        Session(default_deck(), HOST_TOKEN, counting_tokens()),
        HOST_TOKEN,
        "127.0.0.1",
        0,
        ssh=SSHOptions(port=0, key_dir=tmp_path, workers=0),
    )
    async with runner as hosted:
        assert hosted.ssh_port, hosted.ssh_problem
        yield hosted


async def test_over_ssh_k_prints_my_record_in_my_terminal_as_i_leave(tmp_path):
    async with ssh_hub(tmp_path) as hosted:
        host = await join_host(hosted.local_url)
        ann = await SSHClient(hosted.ssh_port, "ann", env={"LANG": "en_GB.UTF-8"}, size=(100, 30)).start()
        try:
            await ann.expect("What does co-production mean to you")
            await ann.expect("characters left")
            ann.type("sharing power\r")
            await ann.expect("1 answer")
            ann.type("\x1b")  # out of the text box, where k would be a letter
            await asyncio.sleep(0.6)
            await host.request(lambda seq: Command(seq, Action.GOTO, SPECTRUM))
            await ann.expect("coercion")
            ann.type("4\r")
            async with asyncio.timeout(10):
                while read_models.tally(hosted.hub.session, SPECTRUM).counts != (0, 0, 0, 1, 0, 0):
                    await asyncio.sleep(0.05)
            await host.request(lambda seq: Command(seq, Action.REVEAL, SPECTRUM))
            await ann.expect("100%")
            ann.type("k")
            await ann.expect("printed in this terminal")
            await ann.leave()
            assert await ann.wait() == 0
        except BaseException:
            ann.kill()
            raise
        said = ann.output.decode("utf-8", "replace")
        record = said[said.rindex("My answers: ") :]
        assert "You: sharing power" in record and "You: 4. consultation" in record
        assert "* 4. consultation: 1 (100%)" in record
        assert files_here(tmp_path) == [], "nothing written on the hub's side"


def files_here(folder):
    return [p for p in folder.rglob("*.html")]


async def test_the_phone_page_keeps_my_answers_as_a_download(tmp_path):
    from playwright.async_api import expect

    from tests.webkit import chromium, phone

    async with running_hub() as hub, chromium() as browser, phone(browser, accept_downloads=True) as page:
        host = await join_host(hub.url)
        bob = await join(hub.url, Hello(name="Bob"))
        await bob.request(lambda seq: Answer(seq, WHAT, 0, BOBS_SECRET))
        await page.goto(hub.url.replace("ws://", "http://"))
        await page.get_by_role("button", name="Join").click()
        await expect(page.locator("#link")).to_have_text("Connected")
        for question, anns, bobs in ((SPECTRUM, 3, 5), (COMPLEXITY, 2, 0)):
            await command(host, Action.GOTO, question)
            await expect(page.locator("#step")).to_contain_text(f"Question {question + 1} ")
            await page.locator("button.choice, button[aria-pressed]").nth(anns).tap()
            await expect(page.locator("#status")).to_contain_text("Your vote is counted")
            await bob.request(lambda seq, q=question, b=bobs: Vote(seq, q, b))
            if question == SPECTRUM:
                await command(host, Action.REVEAL, question)
                await expect(page.locator("ul.bars")).to_be_visible()
                await command(host, Action.HIDE, question)
        async with page.expect_download() as waiting:
            await page.get_by_role("link", name="Keep my answers").tap()
        download = await waiting.value
        assert re.fullmatch(r"[a-z0-9_-]+\.html", download.suggested_filename), download.suggested_filename
        kept = tmp_path / download.suggested_filename
        await download.save_as(kept)
    html = kept.read_text(encoding="utf-8")
    assert html.startswith("<!doctype html>") and "<script" not in html
    assert "4. consultation" in html and "3. complex" in html, "her own choices"
    assert html.count("The room, as shown:") == 1, "only the spectrum's results were revealed"
    assert '<tr class="yours"><td>4. consultation</td><td class="n">1 · 50%</td></tr>' in html
    assert BOBS_SECRET not in html


async def test_plain_mode_says_my_record_when_i_type_keep(tmp_path):
    from tests.plainkit import PlainJoin

    async with running_hub() as hub:
        host = await join_host(hub.url)
        bob = await join(hub.url, Hello(name="Bob"))
        await bob.request(lambda seq: Answer(seq, WHAT, 0, BOBS_SECRET))
        ann = await PlainJoin(hub.url, width=80, data_dir=str(tmp_path)).start()
        try:
            await ann.expect("co-production mean to you")
            ann.type("sharing power")
            await ann.expect("sharing power")
            await command(host, Action.GOTO, SPECTRUM)
            await ann.expect("coercion")
            ann.type("4")
            await ann.expect("consultation")
            await bob.request(lambda seq: Vote(seq, SPECTRUM, 5))
            await command(host, Action.REVEAL, SPECTRUM)
            for _ in range(20):  # until the reveal and the tally have reached her
                ann.mark()
                ann.type("results")
                with contextlib.suppress(TimeoutError):
                    await ann.expect(r"4\. consultation[^\n]*: 1", timeout=1)
                    break
            ann.mark()
            ann.type("keep")
            await ann.expect(r"My answers: ")
            await ann.expect(r"6\. Give me one reason")
            ann.type("quit")
            assert await ann.wait() == 0
        finally:
            ann.kill()
        record = ann.text[ann.text.rindex("My answers: ") :]
        assert "You: sharing power" in record and "You: 4. consultation" in record
        assert "* 4. consultation: 1 (50%)" in record, record
        assert BOBS_SECRET not in record
