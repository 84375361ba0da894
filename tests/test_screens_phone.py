"""The phone page in a real Chromium: shares by the core's one rule, bars' tracks alike, a thank-you, no key hints."""

from __future__ import annotations

import random
import re
from pathlib import Path

from playwright.async_api import expect

from coproterm.core.client_messages import Command, Hello, Vote
from coproterm.core.shares import shares
from coproterm.core.wire_terms import Action
from tests.hubkit import join, join_host, running_hub
from tests.screenkit import workshop_session
from tests.webkit import chromium, phone

PAGE_JS = Path(__file__).resolve().parents[1] / "coproterm" / "web" / "page.js"
WORK = 7


def shares_source() -> str:
    """The page's own ``shares`` function, as its script holds it."""
    text = PAGE_JS.read_text()
    start = text.index("  function shares(")
    end = text.index("\n  }\n", start) + 4
    return text[start:end]


async def test_the_page_rounds_as_the_core_does():
    rng = random.Random(29)
    cases = [([1, 7], None), ([1, 0, 0, 0, 0, 7], None), ([1, 1, 1], None), ([3, 4, 4, 2, 3, 5], None), ([0, 0], None)]
    cases += [([rng.randrange(0, 9) for _ in range(rng.randrange(2, 9))], None) for _ in range(200)]
    cases += [([2, 3, 1], 4), ([1, 1], 3)]
    async with chromium() as browser, phone(browser) as page:
        await page.goto("about:blank")
        got = await page.evaluate(
            "(cases) => { "
            + shares_source()
            + " return cases.map(c => shares(c[0], c[1] === null ? undefined : c[1])); }",
            [[counts, people] for counts, people in cases],
        )
    assert got == [list(shares(counts, people)) for counts, people in cases]


async def test_one_vote_of_eight_reads_the_same_on_the_phone_and_the_screens():
    async with running_hub(workshop_session()) as hub, chromium() as browser, phone(browser) as page:
        host = await join_host(hub.url)
        await host.request(lambda seq: Command(seq, Action.GOTO, WORK))
        for i, cell in enumerate([0, 5, 5, 5, 5, 5, 5, 5]):
            peer = await join(hub.url, Hello(name=f"p{i}"))
            await peer.request(lambda seq, c=cell: Vote(seq, WORK, c))
        await page.goto(f"http://{hub.url.removeprefix('ws://')}/")
        await page.get_by_role("button", name="Join").click()
        await expect(page.locator("#link")).to_have_text("Connected")
        await host.request(lambda seq: Command(seq, Action.REVEAL, WORK))
        results = page.get_by_role("region", name="Results")
        await expect(results).to_contain_text("1 vote (12%)")  # as the dashboard and the terminals say it
        await expect(results).to_contain_text("7 votes (88%)")
        tracks = await page.locator(".bars .bar").evaluate_all("bars => bars.map(b => b.getBoundingClientRect().width)")
        assert len(tracks) == 6 and max(tracks) - min(tracks) < 0.5, tracks  # 0 votes or 7: one track width


async def test_the_thank_you_is_news_and_the_case_has_no_key_hint():
    async with chromium() as browser, phone(browser) as page:
        async with running_hub(workshop_session()) as hub:
            host = await join_host(hub.url)
            await host.request(lambda seq: Command(seq, Action.GOTO, 5))
            await page.goto(f"http://{hub.url.removeprefix('ws://')}/")
            await page.get_by_role("button", name="Join").click()
            await expect(page.locator("#link")).to_have_text("Connected")
            await expect(page.locator("main")).to_contain_text("Cardiff City Council")
            shown = await page.locator("body").inner_text()
            assert not re.search(r"\bwith d\b|press d|gyda d\b", shown), shown
        thanks = page.locator("#session").get_by_text("The session has ended; thank you for taking part.")
        await expect(thanks).to_be_visible()
        assert await page.get_by_role("alert").count() == 0
        colour = await thanks.evaluate("e => getComputedStyle(e).color")
        red, green, blue = (int(v) for v in re.findall(r"\d+", colour)[:3])
        assert not (red > 100 and green < 60 and blue < 60), colour  # not the error's red


def test_no_face_is_given_a_keyboard_hint_by_the_deck():
    """The deck's words go to the phone and the HTML report too: a key to press belongs in a terminal's key bar."""
    from coproterm.core.deck import BUILTIN_DECKS, builtin_deck, localise
    from coproterm.core.i18n import language

    for name in BUILTIN_DECKS:
        for code in ("en", "cy"):
            deck = localise(builtin_deck(name), language(code))
            for question in deck.questions:
                assert not re.search(r"\b(with|gyda|press|pwyswch) d\b", question.note), (name, code, question.note)
