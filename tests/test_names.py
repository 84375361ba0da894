"""What a name is for, said truthfully: the phone page (in Chromium, both languages) and the SSH line's YOURNAME."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from tests.hubkit import running_hub
from tests.webkit import chromium, phone

HINTS = {
    "en-GB": "Other participants never see it; it is kept with your votes for the facilitator's results.",
    "cy-GB": "Ni fydd cyfranogwyr eraill byth yn ei weld; caiff ei gadw gyda'ch pleidleisiau ar gyfer canlyniadau'r hwylusydd.",
}


@pytest.mark.parametrize("locale", HINTS)
async def test_the_phone_page_says_what_becomes_of_a_name(locale):
    # The dashboard never shows names (the facilitator's screen is projected); the log keeps them with the
    # votes, and `coproterm export --with-names` puts them in the results.
    async with running_hub() as hub, chromium() as browser, phone(browser, locale=locale) as page:
        await page.goto(hub.url.replace("ws://", "http://", 1) + "/")
        await expect(page.locator("#name-hint")).to_have_text(HINTS[locale])
        assert "facilitator sees it" not in await page.content()
