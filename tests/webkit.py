"""Test helpers for the phone page: the system's Chromium driven by Playwright, and axe-core."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

from playwright.async_api import Browser, Page, async_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"width": 390, "height": 844}
AXE = Path(__file__).resolve().parent / "web" / "node_modules" / "axe-core" / "axe.min.js"
"""Installed by `npm ci` in tests/web (.ci/run does it)."""


@contextlib.asynccontextmanager
async def chromium() -> AsyncIterator[Browser]:
    """The system's Chromium, headless (no browser is downloaded)."""
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            await browser.close()


@contextlib.asynccontextmanager
async def phone(browser: Browser, **options) -> AsyncIterator[Page]:
    """A fresh phone-sized touch page (its own storage), as a participant's phone."""
    context = await browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True, **options)
    try:
        yield await context.new_page()
    finally:
        await context.close()


async def axe_violations(page: Page) -> list[dict]:
    """axe-core's WCAG 2.2 A and AA violations on the page as it is now (needs a context with bypass_csp)."""
    assert AXE.exists(), f"axe-core is missing: run `npm ci` in {AXE.parents[2]}"
    await page.add_script_tag(path=str(AXE))
    result = await page.evaluate(
        """async () => (await axe.run(document, {runOnly: {type: 'tag',
            values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']}})).violations
            .map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => n.target.join(' '))}))"""
    )
    return list(result)


async def small_targets(page: Page) -> list[str]:
    """Buttons and inputs that are visible and smaller than 44 x 44 CSS pixels."""
    return list(
        await page.evaluate(
            """() => [...document.querySelectorAll('button, input')]
            .filter(e => e.offsetParent !== null)
            .map(e => [e, e.getBoundingClientRect()])
            .filter(([e, r]) => r.width < 44 || r.height < 44)
            .map(([e, r]) => (e.id || e.dataset.id || e.textContent) + ' ' + r.width + 'x' + r.height)"""
        )
    )
