"""The phone page in Cymraeg, in the system's Chromium: it follows the browser's language, toggles, and is remembered."""

from __future__ import annotations

from pathlib import Path

from playwright.async_api import expect

from coproterm.core.client_messages import Command
from coproterm.core.deck import load_deck
from coproterm.core.session import Session
from coproterm.core.wire_terms import Action
from tests.conftest import HOST_TOKEN, counting_tokens
from tests.hubkit import join_host, running_hub
from tests.webkit import chromium, phone

DECK = load_deck(Path(__file__).parent / "decks" / "cymraeg.toml")


def page_url(url: str) -> str:
    return url.replace("ws://", "http://", 1) + "/"


async def test_a_welsh_browser_gets_the_page_in_welsh_and_the_toggle_is_remembered():
    async with running_hub(Session(DECK, HOST_TOKEN, counting_tokens())) as hub, chromium() as browser:
        host = await join_host(hub.url)
        await host.request(lambda s: Command(s, Action.GOTO, 0))
        async with phone(browser, locale="cy-GB") as page:
            await page.goto(page_url(hub.url))
            await expect(page.locator("html")).to_have_attribute("lang", "cy")
            await page.get_by_label("Eich enw (dewisol)").fill("Rhian")
            await page.get_by_role("button", name="Ymuno").click()
            await expect(page.locator("#link")).to_have_text("Wedi cysylltu")
            await expect(page.get_by_role("heading", level=2)).to_have_text(
                "Ble mae eich gwaith chi ar y sbectrwm rhyngweithio?"
            )
            await expect(page.get_by_role("group", name="gwneud ar gyfer")).to_be_visible()
            consultation = page.get_by_role("button", name="4. ymgynghori")
            await expect(consultation).to_contain_text("e.e. arolygon, cynllunio trefol, FixMyStreet")
            await consultation.tap()
            await expect(page.locator("#status")).to_have_text("✔ Cyfrifwyd eich pleidlais: ymgynghori")

            toggle = page.locator("#lang")
            await expect(toggle).to_have_text("English")
            await toggle.click()
            await expect(page.locator("html")).to_have_attribute("lang", "en")
            await expect(page.get_by_role("heading", level=2)).to_have_text(
                "Where does your work live on the spectrum of interactions?"
            )
            await expect(page.locator("#status")).to_have_text("✔ Your vote is counted: consultation")
            (member,) = hub.session.participants.values()
            assert member.votes == {0: 3}, "the vote stays through the switch"
            await toggle.click()
            await expect(page.locator("html")).to_have_attribute("lang", "cy")
            for _ in range(100):
                if member.language == "cy":
                    break
                await page.wait_for_timeout(20)
            assert member.language == "cy", "the hub remembers the page's choice with the person"


async def test_an_english_browser_gets_english_and_a_cymraeg_button():
    async with (
        running_hub(Session(DECK, HOST_TOKEN, counting_tokens())) as hub,
        chromium() as browser,
        phone(browser, locale="en-GB") as page,
    ):
        await page.goto(page_url(hub.url))
        await expect(page.locator("html")).to_have_attribute("lang", "en")
        await expect(page.locator("#lang")).to_have_text("Cymraeg")
        await expect(page.locator("#lang")).to_have_attribute("lang", "cy")
