"""Test helpers for the phone page: the system's Chromium driven by Playwright, and axe-core."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, async_playwright, expect

from coproterm.core.client_messages import Command
from coproterm.core.deck import deck_to_data, default_deck
from coproterm.core.session import Session
from coproterm.core.wire_terms import Action
from coproterm.tui.host.dashboard import Joining
from tests.conftest import HOST_TOKEN, counting_tokens
from tests.hubkit import Peer

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


def chromium_binary() -> str:
    """The system's Chromium program, to run by itself (a skip where there is none, a failure on CI)."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if found := shutil.which(name):
            return found
    if os.environ.get("CI"):
        pytest.fail("CI must install chromium (.ci/run does)")
    pytest.skip("no chromium on this machine")


MEASURE = """
<script>
addEventListener("load", () => {
  const found = {};
  const heads = [...document.querySelectorAll("section[id^=q] table.heat thead th[scope=col]")];
  found.headsCut = heads.filter(th => th.scrollWidth > th.clientWidth || th.scrollHeight > th.clientHeight)
    .map(th => th.textContent);
  found.headFontPx = Math.min(...heads.map(th => parseFloat(getComputedStyle(th).fontSize)));
  found.headTexts = heads.map(th => th.innerText.replace(/\\s+/g, " ").trim());
  const table = document.querySelector("section[id^=q] table.heat");
  found.gridFits = table.getBoundingClientRect().right <= document.documentElement.clientWidth;
  const axis = [...document.querySelectorAll("figure.timeline svg text")];
  found.axisTextPx = Math.min(...axis.map(t => t.getBoundingClientRect().height));
  const right = el => { const r = document.createRange(); r.selectNodeContents(el); return r.getBoundingClientRect().right; };
  const tally = document.querySelector("table.tally");
  found.misaligned = [];
  [...tally.querySelectorAll("thead th")].forEach((th, col) => {
    if (!th.classList.contains("n")) return;
    const cells = [...tally.querySelectorAll("tbody tr")].map(tr => tr.children[col]);
    cells.forEach(td => { if (Math.abs(right(td) - right(th)) > 1.5) found.misaligned.push(th.textContent); });
  });
  const out = document.createElement("pre");
  out.id = "measured";
  out.textContent = JSON.stringify(found);
  document.body.append(out);
});
</script>
"""
"""What :func:`measure` finds in an exported report unless told otherwise: cut headings, sizes, alignment."""


def headless_flags(profile: Path) -> list[str]:
    """Chromium run headless as a program (no Playwright), quiet, with a profile of the test's own."""
    return [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
    ]


def measure(tmp_path: Path, html: str, width: int, script: str = MEASURE) -> dict[str, object]:
    """What ``script`` finds in ``html`` laid out by real Chromium at ``width`` px (it writes JSON into #measured)."""
    page = tmp_path / f"measured-{width}.html"
    page.write_text(html.replace("</body>", script + "</body>"), encoding="utf-8")
    dom = subprocess.run(
        [
            chromium_binary(),
            *headless_flags(tmp_path / "profile"),
            "--hide-scrollbars",
            f"--window-size={width},900",
            "--virtual-time-budget=3000",
            "--dump-dom",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    found = re.search(r'<pre id="measured">(.*?)</pre>', dom, re.S)
    assert found, dom[-2000:]
    return json.loads(found.group(1).replace("&quot;", '"').replace("&amp;", "&"))


DECK = deck_to_data(default_deck())


def first(board: object) -> int:
    """The first question of the built-in deck on ``board``."""
    return next(i for i, q in enumerate(DECK["questions"]) if q.get("board") == board)


SPECTRUM, COMPLEXITY, GRID = first("spectrum"), first("complexity"), first(["spectrum", "complexity"])


CODE = "KXPT"


def coded_session() -> Session:
    return Session(default_deck(), HOST_TOKEN, counting_tokens(), join_code=CODE, require_code=True)


def qr_link(url: str) -> str:
    """What the dashboard's QR code opens, for a hub at ``url``."""
    link = Joining.of(url, [url.removeprefix("ws://")], None, web=True).web_link(CODE)
    assert link is not None
    return link


async def command(host: Peer, action: Action, question: int) -> None:
    await host.request(lambda s: Command(s, action, question))


async def join_page(page: Page, url: str, name: str = "Rhian") -> None:
    await page.goto(qr_link(url))
    await expect(page.get_by_label("Join code")).to_have_value(CODE)
    await page.get_by_label("Your name (optional)").fill(name)
    await page.get_by_role("button", name="Join").click()
    await expect(page.locator("#link")).to_have_text("Connected")
