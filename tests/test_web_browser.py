"""The phone page in a real Chromium at phone size, against a real hub: join, vote, lock, reveal, accessibility."""

from __future__ import annotations

import asyncio
import re
import signal

from playwright.async_api import expect

from coproterm.core.client_messages import Hello
from coproterm.core.deck import deck_to_data
from coproterm.core.session import Session
from coproterm.core.wire_terms import Action
from tests.conftest import HOST_TOKEN, counting_tokens
from tests.hubkit import join, join_host, running_hub, start_serve
from tests.webkit import (
    CODE,
    COMPLEXITY,
    DECK,
    GRID,
    SPECTRUM,
    axe_violations,
    chromium,
    coded_session,
    command,
    join_page,
    phone,
    qr_link,
    small_targets,
)


async def test_join_from_the_qr_link_vote_and_follow_the_room():
    async with running_hub(coded_session()) as hub, chromium() as browser, phone(browser) as page:
        troubles: list[str] = []  # script errors and content-security-policy violations, as the console says them
        page.on("console", lambda m: troubles.append(m.text) if m.type in ("error", "warning") else None)
        page.on("pageerror", lambda e: troubles.append(str(e)))
        fetched: list[str] = []
        page.on("request", lambda r: fetched.append(r.url))
        page.on("websocket", lambda w: fetched.append(w.url))
        host = await join_host(hub.url)
        await join_page(page, hub.url)
        await expect(page.get_by_role("heading", level=2)).to_have_text(DECK["questions"][0]["prompt"])

        await command(host, Action.GOTO, SPECTRUM)
        await expect(page.get_by_role("heading", level=2)).to_have_text(DECK["questions"][SPECTRUM]["prompt"])
        for group in ("doing to", "doing for", "doing with"):
            await expect(page.get_by_role("group", name=group)).to_be_visible()
        consultation = page.get_by_role("button", name="4. consultation")
        await expect(consultation).to_contain_text("e.g. surveys, urban planning, FixMyStreet")
        await expect(consultation).to_contain_text(
            "We decide what questions to ask, and collect data to inform our decisions."
        )
        await consultation.tap()
        await expect(page.locator("#status")).to_have_text("✔ Your vote is counted: consultation")
        await expect(consultation).to_have_attribute("aria-pressed", "true")
        await expect(page.locator("#live")).to_have_text("vote counted")
        await host.until(lambda p: p.tally is not None and p.tally.counts == (0, 0, 0, 1, 0, 0))

        await page.get_by_role("button", name="6. co-production / involvement").tap()  # change
        await expect(page.locator("#status")).to_contain_text("co-production / involvement")
        await host.until(lambda p: p.tally.counts == (0, 0, 0, 0, 0, 1))

        await command(host, Action.LOCK, SPECTRUM)
        await expect(page.locator("#status")).to_have_text(
            "■ Voting is locked. Your vote is counted: co-production / involvement"
        )
        await expect(page.locator("#live")).to_have_text("voting locked")
        coercion = page.get_by_role("button", name="1. coercion / protection")
        await expect(coercion).to_have_attribute("aria-disabled", "true")
        await coercion.tap(force=True)  # the page itself sends nothing
        await expect(page.locator("#status")).to_contain_text("co-production / involvement")
        await expect(page.get_by_role("button", name="Clear my vote")).to_have_count(0)
        await command(host, Action.REVEAL, SPECTRUM)
        results = page.get_by_role("region", name="Results")
        await expect(results).to_contain_text("co-production / involvement")
        await expect(results).to_contain_text("1 vote (100%)")
        await expect(results).to_contain_text("0 votes (0%)")
        await expect(page.locator("#live")).to_have_text("results shown")

        await command(host, Action.GOTO, GRID)
        cell = page.get_by_role("button", name="consultation, complex", exact=True)
        await cell.tap()
        await expect(page.locator("#status")).to_have_text("✔ Your vote is counted: consultation, complex")
        await host.until(lambda p: p.tally.question == GRID and p.tally.counts[2 * 6 + 3] == 1)
        await page.get_by_role("button", name="Clear my vote").tap()
        await expect(page.locator("#live")).to_have_text("vote cleared")
        await host.until(lambda p: sum(p.tally.counts) == 0)

        await command(host, Action.GOTO, COMPLEXITY)
        simple = page.get_by_role("button", name="1. simple")
        await expect(simple).to_contain_text("documented process, little / no training, linear & predictable")
        await simple.tap()
        await host.until(lambda p: p.tally.question == COMPLEXITY and p.tally.counts == (1, 0, 0, 0))
        assert troubles == []
        hub_address = hub.url.removeprefix("ws://")
        assert fetched == [qr_link(hub.url), f"ws://{hub_address}/"], "the page and its socket: nothing else"


async def test_keyboard_only():
    async with running_hub(coded_session()) as hub, chromium() as browser, phone(browser) as page:
        host = await join_host(hub.url)
        await page.goto(qr_link(hub.url))
        await page.keyboard.press("Tab")  # the language button comes first, as on gov.wales
        await expect(page.get_by_role("button", name="Cymraeg")).to_be_focused()
        await page.keyboard.press("Tab")
        await expect(page.get_by_label("Join code")).to_be_focused()
        await page.keyboard.press("Tab")
        await page.keyboard.type("Aled")
        await page.keyboard.press("Enter")
        await expect(page.locator("#link")).to_have_text("Connected")
        await command(host, Action.GOTO, SPECTRUM)
        await expect(page.get_by_role("button", name="1. coercion / protection")).to_be_visible()
        await expect(page.get_by_role("heading", level=2)).to_be_focused()  # joined: the question has the focus
        for _ in range(2):
            await page.keyboard.press("Tab")
        await expect(page.get_by_role("button", name="2. education / persuasion")).to_be_focused()
        await page.keyboard.press("Enter")
        await host.until(lambda p: p.tally is not None and p.tally.counts == (0, 1, 0, 0, 0, 0))
        # The page redraws; the focus stays on the choice.
        await expect(page.get_by_role("button", name="2. education / persuasion")).to_be_focused()
        await page.keyboard.press("Tab")
        await page.keyboard.press("Space")
        await host.until(lambda p: p.tally.counts == (0, 0, 1, 0, 0, 0))


async def test_a_wrong_code_is_said_plainly_and_the_form_stays():
    async with running_hub(coded_session()) as hub, chromium() as browser, phone(browser) as page:
        await page.goto(qr_link(hub.url).replace(CODE, "ZZZZ"))
        await page.get_by_role("button", name="Join").click()
        await expect(page.get_by_role("alert")).to_contain_text("Not joined:")
        await expect(page.get_by_role("button", name="Join")).to_be_enabled()
        await page.get_by_label("Join code").fill(CODE.lower())
        await page.get_by_role("button", name="Join").click()
        await expect(page.locator("#link")).to_have_text("Connected")


async def test_the_session_ending_is_said_and_the_page_stops():
    async with chromium() as browser, phone(browser) as page:
        async with running_hub(coded_session()) as hub:
            await join_page(page, hub.url)
        await expect(page.locator(".ended")).to_have_text("The session has ended; thank you for taking part.")
        await expect(page.locator("#live")).to_have_text("The session has ended; thank you for taking part.")


async def test_joining_again_elsewhere_stops_this_page():
    async with running_hub(coded_session()) as hub, chromium() as browser:
        context = await browser.new_context(viewport={"width": 390, "height": 844})
        first, second = await context.new_page(), await context.new_page()  # one storage: one participant
        await join_page(first, hub.url)
        await second.goto(f"http://{hub.url.removeprefix('ws://')}/")
        await expect(second.locator("#link")).to_have_text("Connected")
        await expect(first.get_by_role("alert")).to_contain_text("You joined again from another window")
        await context.close()


async def test_accessibility_axe_core_and_touch_targets():
    async with (
        running_hub(coded_session()) as hub,
        chromium() as browser,
        phone(browser, bypass_csp=True) as page,  # axe-core is injected as a script
    ):
        host = await join_host(hub.url)
        await page.goto(qr_link(hub.url))
        assert await axe_violations(page) == []
        assert await small_targets(page) == []
        await page.get_by_role("button", name="Join").click()
        await expect(page.locator("#link")).to_have_text("Connected")
        for question in (SPECTRUM, COMPLEXITY, GRID):
            await command(host, Action.GOTO, question)
            await expect(page.locator("#step")).to_have_text(f"Question {question + 1} of {len(DECK['questions'])}")
            await page.locator('[data-id="c1"]').click()
            await expect(page.locator("#status")).to_contain_text("Your vote is counted")
            await command(host, Action.LOCK, question)
            await command(host, Action.REVEAL, question)
            await expect(page.get_by_role("region", name="Results")).to_be_visible()
            assert await axe_violations(page) == [], question
            assert await small_targets(page) == [], question


async def test_the_page_survives_a_hub_killed_and_resumed(tmp_path):
    served = await start_serve("--ssh-port", "0", "--no-mdns", "--require-code", data=tmp_path)
    link = re.search(r"on a phone: (\S+)", served.said).group(1)
    token = served.token
    hub_url = "ws://" + link.removeprefix("http://").split("/")[0]
    stopping = None
    try:
        async with chromium() as browser, phone(browser) as page:
            host = await join(hub_url, Hello(host_token=token))
            boards = [
                tuple(q["board"]) if isinstance(q.get("board"), (list, tuple)) else None
                for q in host.welcome.deck["questions"]
            ]
            grid = boards.index(("spectrum", "complexity"))  # in whichever deck `serve` hosts
            await command(host, Action.GOTO, grid)
            await page.goto(link)
            await page.get_by_role("button", name="Join").click()
            await expect(page.locator("#link")).to_have_text("Connected")
            await page.get_by_role("button", name="participation, complicated", exact=True).tap()
            await expect(page.locator("#status")).to_have_text("✔ Your vote is counted: participation, complicated")

            await served.stop(signal.SIGKILL)  # the hub's laptop dies mid-workshop
            await expect(page.locator("#link")).to_have_text("Connection lost: trying again…")
            await page.get_by_role("button", name="participation, complex", exact=True).tap()
            await expect(page.locator("#status")).to_have_text(
                "✖ Not counted: not connected, so nothing was sent; try again once connected."
            )
            served = await start_serve(
                "--ssh-port", "0", "--no-mdns", "--require-code", "--resume", data=tmp_path, port=served.port
            )

            # Back by itself, as the same participant, with the vote it had.
            await expect(page.locator("#link")).to_have_text("Connected", timeout=15_000)
            await expect(page.locator("#status")).to_have_text("✔ Your vote is counted: participation, complicated")
            host = await join(hub_url, Hello(host_token=token))
            await host.until(lambda p: p.tally is not None and p.tally.question == grid)
            assert sum(host.tally.counts) == 1 and host.tally.counts[1 * 6 + 4] == 1
            await page.get_by_role("button", name="participation, complex", exact=True).tap()
            await host.until(lambda p: p.tally.counts[2 * 6 + 4] == 1 and sum(p.tally.counts) == 1)

            stopping = asyncio.create_task(served.stop())  # the facilitator stops the hub: the session has ended
            await expect(page.locator(".ended")).to_have_text("The session has ended; thank you for taking part.")
    finally:
        await (stopping or served.stop())


def workshop_session() -> Session:
    from coproterm.core.deck import WORKSHOP, builtin_deck

    return Session(builtin_deck(WORKSHOP), HOST_TOKEN, counting_tokens(), join_code=CODE)


def workshop_question(**wanted: object) -> int:
    from coproterm.core.deck import WORKSHOP, builtin_deck

    questions = deck_to_data(builtin_deck(WORKSHOP))["questions"]
    return next(i for i, q in enumerate(questions) if all(q.get(k) == v for k, v in wanted.items()))


async def test_choose_several_on_a_phone():
    values = workshop_question(board="values", pick=2)
    async with running_hub(workshop_session()) as hub, chromium() as browser, phone(browser) as page:
        host = await join_host(hub.url)
        await join_page(page, hub.url)
        await command(host, Action.GOTO, values)
        await expect(page.locator(".section")).to_have_text("WHAT?")  # the deck's section, carried forward
        await expect(page.locator("#status")).to_have_text(
            "Tap up to 2 choices. You can change them until voting is locked."
        )
        first = page.get_by_role("button", name="1. Value all participants, and build on their strengths")
        second = page.get_by_role("button", name="2. Develop networks across silos")
        third = page.locator('[data-id="c2"]')
        await first.tap()
        await expect(first).to_have_attribute("aria-pressed", "true")
        await second.tap()
        await expect(page.locator("#status")).to_have_text(
            "✔ Your vote is counted: Value all participants, and build on their strengths; Develop networks across silos"
        )
        await host.until(
            lambda p: p.tally is not None and p.tally.question == values and p.tally.counts[:3] == (1, 1, 0)
        )
        await third.tap()  # a third is one too many: said, not sent
        await expect(page.locator("#status")).to_have_text(
            "You can choose 2 at most: tap one of yours to take it off first."
        )
        await first.tap()  # take one off, then the third fits
        await third.tap()
        await host.until(lambda p: p.tally.counts[:3] == (0, 1, 1))
        await command(host, Action.LOCK, values)
        await command(host, Action.REVEAL, values)
        results = page.get_by_role("region", name="Results")
        await expect(results).to_contain_text("1 person voted")
        await expect(results).to_contain_text("1 vote (100%)")


async def test_written_answers_on_a_phone():
    text = workshop_question(answers="text")
    async with (
        running_hub(workshop_session()) as hub,
        chromium() as browser,
        phone(browser) as page,
        phone(browser) as other,
    ):
        host = await join_host(hub.url)
        await command(host, Action.GOTO, text)
        await join_page(page, hub.url)
        await join_page(other, hub.url, "Aled")
        await expect(page.locator("#status")).to_have_text(
            "Write up to 3 short answers. You can change them until the question is locked."
        )
        await page.get_by_label("Your answer 1").fill("Sharing power <b>and</b> responsibility")
        await page.get_by_role("button", name="Send").tap()
        await expect(page.locator("#live")).to_have_text("answer sent")
        await expect(page.get_by_label("Your answer 2")).to_be_visible()
        await page.get_by_label("Your answer 2").fill("Equal, reciprocal and caring relationships")
        await page.get_by_role("button", name="Send").nth(1).tap()
        await expect(page.locator("#status")).to_contain_text("Your 2 answers are in")
        await other.get_by_label("Your answer 1").fill("Doing with, not doing to")
        await other.get_by_role("button", name="Send").tap()
        await expect(other.locator("#live")).to_have_text("answer sent")
        await page.get_by_role("button", name="Take back").nth(1).tap()
        await expect(page.locator("#live")).to_have_text("answer taken back")

        await page.reload()  # the page comes back as the same person, with their answer
        await expect(page.get_by_label("Your answer 1")).to_have_value("Sharing power <b>and</b> responsibility")

        await command(host, Action.LOCK, text)
        await command(host, Action.REVEAL, text)
        wall = page.get_by_role("region", name="The room's answers (2)")
        await expect(wall).to_contain_text("Sharing power <b>and</b> responsibility")  # text, never markup
        await expect(wall).to_contain_text("Doing with, not doing to")
        await expect(wall.locator("b")).to_have_count(0)
        await expect(wall.get_by_role("listitem").filter(has_text="power: 1")).to_have_count(1)  # the top words
        await expect(page.locator("#status")).to_have_text("■ The question is locked: no more answers.")
        await expect(page.get_by_label("Your answer 1")).to_have_attribute("readonly", "")


async def test_accessibility_of_written_answers_and_choose_several():
    text, values = workshop_question(answers="text"), workshop_question(board="values", pick=2)
    async with (
        running_hub(workshop_session()) as hub,
        chromium() as browser,
        phone(browser, bypass_csp=True) as page,
    ):
        host = await join_host(hub.url)
        await join_page(page, hub.url)
        await command(host, Action.GOTO, text)
        await page.get_by_label("Your answer 1").fill("Equal power")
        await page.get_by_role("button", name="Send").tap()
        await expect(page.locator("#live")).to_have_text("answer sent")
        assert await axe_violations(page) == []
        assert await small_targets(page) == []
        await command(host, Action.REVEAL, text)
        await expect(page.get_by_role("region", name="The room's answers (1)")).to_contain_text("Equal power")
        assert await axe_violations(page) == []
        await command(host, Action.GOTO, values)
        await expect(page.locator("#status")).to_contain_text("Tap up to 2 choices")
        await page.locator('[data-id="c0"]').tap()
        await page.locator('[data-id="c3"]').tap()
        await command(host, Action.REVEAL, values)
        await expect(page.get_by_role("region", name="Results")).to_contain_text("1 person voted")
        assert await axe_violations(page) == []
        assert await small_targets(page) == []


async def test_the_wifi_dropping_and_coming_back():
    async with running_hub(coded_session()) as hub, chromium() as browser, phone(browser) as page:
        host = await join_host(hub.url)
        await command(host, Action.GOTO, SPECTRUM)
        await join_page(page, hub.url)
        await page.locator('[data-id="c4"]').tap()
        await host.until(lambda p: p.tally is not None and p.tally.counts == (0, 0, 0, 0, 1, 0))
        for socket in list(hub.hub._sockets.values()):  # the room's Wi-Fi resets every connection
            socket.transport.abort()
        await expect(page.locator("#link")).to_have_text("Connection lost: trying again…")
        await expect(page.locator("#link")).to_have_text("Connected", timeout=15_000)
        await expect(page.locator("#status")).to_have_text("✔ Your vote is counted: participation")
        host = await join_host(hub.url)
        opened = repr(hub.hub._ids)  # count(N): the next connection's number
        await page.context.set_offline(True)  # the phone's own network goes and comes back
        await page.context.set_offline(False)
        async with asyncio.timeout(10):
            while repr(hub.hub._ids) == opened:  # a fresh connection, not trusting the old one
                await asyncio.sleep(0.05)
        await expect(page.locator("#link")).to_have_text("Connected")
        await expect(page.locator("#status")).to_have_text("✔ Your vote is counted: participation")
        await page.locator('[data-id="c5"]').tap()  # the same person: the vote moves, no second one appears
        await host.until(lambda p: p.tally is not None and p.tally.counts == (0, 0, 0, 0, 0, 1))
        assert len(hub.session.participants) == 1


async def test_large_text_and_reduced_motion():
    async with (
        running_hub(coded_session()) as hub,
        chromium() as browser,
        phone(browser, bypass_csp=True, reduced_motion="reduce") as page,
    ):
        host = await join_host(hub.url)
        await command(host, Action.GOTO, SPECTRUM)
        await page.goto(qr_link(hub.url))
        await page.add_style_tag(content="html { font-size: 200%; }")  # the phone's largest text setting
        await page.get_by_role("button", name="Join").click()
        await page.locator('[data-id="c3"]').click()
        await command(host, Action.REVEAL, SPECTRUM)
        await expect(page.get_by_role("region", name="Results")).to_be_visible()
        wide = await page.evaluate("() => document.documentElement.scrollWidth")
        assert wide <= 390, "text twice as large still reflows into the phone's width"
        label = await page.evaluate("() => parseFloat(getComputedStyle(document.querySelector('.lab')).fontSize)")
        assert label >= 32
        motion = await page.evaluate("() => getComputedStyle(document.querySelector('.fill')).transitionDuration")
        assert motion == "0s"
        await command(host, Action.GOTO, GRID)
        await expect(page.locator("table")).to_be_visible()
        assert await page.evaluate("() => document.documentElement.scrollWidth") <= 390, "the grid scrolls in its box"


async def test_a_small_phone_360_by_640():
    async with running_hub(coded_session()) as hub, chromium() as browser:
        context = await browser.new_context(viewport={"width": 360, "height": 640}, has_touch=True, is_mobile=True)
        page = await context.new_page()
        host = await join_host(hub.url)
        await join_page(page, hub.url)
        for question in (SPECTRUM, COMPLEXITY, GRID):
            await command(host, Action.GOTO, question)
            await expect(page.locator("#step")).to_have_text(f"Question {question + 1} of {len(DECK['questions'])}")
            await page.locator('[data-id="c2"]').tap()
            await expect(page.locator("#status")).to_contain_text("Your vote is counted")
            await command(host, Action.REVEAL, question)
            await expect(page.get_by_role("region", name="Results")).to_be_visible()
            assert await page.evaluate("() => document.documentElement.scrollWidth") <= 360, question
            assert await small_targets(page) == [], question
        await context.close()


async def test_before_and_after_shows_ones_own_move():
    from coproterm.core.deck import WORKSHOP, builtin_deck

    questions = deck_to_data(builtin_deck(WORKSHOP))["questions"]
    after = next(i for i, q in enumerate(questions) if q.get("compare"))
    before = next(i for i, q in enumerate(questions) if q.get("id") == questions[after]["compare"])
    async with running_hub(workshop_session()) as hub, chromium() as browser, phone(browser) as page:
        host = await join_host(hub.url)
        await join_page(page, hub.url)
        for question, cell in ((before, 3), (after, 5)):
            await command(host, Action.GOTO, question)
            await expect(page.locator("#step")).to_have_text(f"Question {question + 1} of {len(questions)}")
            await page.locator(f'[data-id="c{cell}"]').tap()
            await expect(page.locator("#status")).to_contain_text("Your vote is counted")
        await command(host, Action.REVEAL, after)
        await expect(page.locator("#move")).to_have_text(
            "Your move: consultation → co-production / involvement: 2 steps towards ‘doing with’"
        )
