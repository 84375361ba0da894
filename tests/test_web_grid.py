"""The phone page on the grid question, in the system's Chromium against a real hub: nothing stray, one way round,
and every status in the language chosen."""

from __future__ import annotations

import re

from playwright.async_api import expect

from coproterm.core.wire_terms import Action
from tests.hubkit import join_host, running_hub
from tests.webkit import DECK, GRID, axe_violations, chromium, coded_session, command, join_page, phone

STRAY_TEXT = "Array.from(document.getElementById('session').childNodes).filter(n => n.nodeType === 3).map(n => n.data)"


async def test_the_grid_reads_one_way_round_with_nothing_stray_in_either_language():
    async with (
        running_hub(coded_session()) as hub,
        chromium() as browser,
        phone(browser, bypass_csp=True) as page,  # axe-core is injected as a script
    ):
        host = await join_host(hub.url)
        await join_page(page, hub.url)
        await command(host, Action.GOTO, GRID)
        await expect(page.locator("#step")).to_have_text(f"Question {GRID + 1} of {len(DECK['questions'])}")
        await page.locator('[data-id="c1"]').click()
        await expect(page.locator("#status")).to_contain_text("Your vote is counted")
        await command(host, Action.REVEAL, GRID)
        await expect(page.get_by_role("heading", name="Results")).to_be_visible()
        assert await page.evaluate(STRAY_TEXT) == [], "a bare text (null) directly in the session"

        caption = await page.locator("caption").text_content()
        down, across = re.fullmatch(r"(.+) \(down\) by (.+) \(across\)", caption or "").groups()
        note = page.locator("#session > p.note")
        await expect(note).to_have_text(
            f"Place your work on both at once. On this phone: {down} down, {across} across."
        )
        assert "spectrum across" not in await page.locator("#session").inner_text()
        assert await axe_violations(page) == []

        await page.locator("#lang").click()
        await expect(page.locator("html")).to_have_attribute("lang", "cy")
        await expect(page.locator("#link")).to_have_text("Wedi cysylltu")
        await expect(note).to_contain_text("Ar y ffôn hwn:")
        assert await page.evaluate(STRAY_TEXT) == []
        assert await axe_violations(page) == []
