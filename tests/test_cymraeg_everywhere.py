"""Every face in Welsh, through every refusal and every question of both decks, shows no English sentence.

Every refusal of core/refusals.py that a participant can meet is provoked on the Welsh app's own screen (Pilot),
with its Welsh words in sight, and those the phone page can meet by what a person does on it in Chromium; the
host's own on the dashboard; the rest are listed with the reason no face here meets them.

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
import sqlite3
import subprocess
import sys

import pytest

from coproterm.client.link import Phase
from coproterm.commands.sessions import render
from coproterm.core.alerts import Alert
from coproterm.core.alerts import words as alert_words
from coproterm.core.client_messages import Answer, Choose, Command, Hello, Mark, Moderate, Vote
from coproterm.core.deck import BUILTIN_DECKS, builtin_deck, deck_to_data
from coproterm.core.events import Commanded, Joined, Voted
from coproterm.core.hub_messages import Ack
from coproterm.core.i18n import WELSH, language
from coproterm.core.refusals import WORDS, Refusal, words
from coproterm.core.session import Session
from coproterm.core.wire_terms import Action, CloseCode, Stance
from coproterm.server.store import SessionStore
from coproterm.tui.host.app import HostApp
from coproterm.tui.participant.app import ParticipantApp
from coproterm.web.page_words import page_words
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
    from coproterm.server.hub_runner import HubRunner, SSHOptions
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
    from coproterm.server.hub_runner import HubRunner, SSHOptions
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


# -- every refusal a participant can meet, provoked on the Welsh app's own screen ----------------------

WORKSHOP = builtin_deck("workshop")
TEXT, SEVERAL, ONE, DISCUSSION = 0, 1, 3, 13
"""The workshop deck's open question, pick-two question (5 positions), one-choice question and discussion."""

NOT_ON_A_PARTICIPANTS_FACE = {
    Refusal.TEXT_FRAME: "the faces send binary frames only",
    Refusal.HELLO_FIRST: "every face says hello first",
    Refusal.NO_HELLO_IN_TIME: "every face says hello at once",
    Refusal.WRONG_TOKEN: "a host's: test_the_hosts_refusals_on_the_welsh_dashboard",
    Refusal.HOSTS_DO_NOT_VOTE: "a host's: test_the_hosts_refusals_on_the_welsh_dashboard",
    Refusal.HOSTS_DO_NOT_ANSWER: "a host's: test_the_hosts_refusals_on_the_welsh_dashboard",
    Refusal.NO_SUCH_ANSWER: "a host's: the dashboard's walk through the decks provokes it",
    Refusal.TOO_MANY_CONNECTIONS: "this machine's own addresses are exempt (tests/netkit.py's namespaces would be needed)",
    Refusal.TOO_MANY_NEWCOMERS: "this machine's own addresses are exempt (tests/netkit.py's namespaces would be needed)",
    Refusal.WALL_FULL: "5,000 answers on one question",
    Refusal.BAD_TIMER: "a host's: the dashboard offers only lengths the hub takes (tests/test_timer.py sends one)",
    Refusal.NOT_MODERATED_HERE: "a host's: tests/test_moderation_faces.py shows it on the Welsh dashboard (m on a board)",
    Refusal.NOT_FOR_AGREEMENT: "a host's: the dashboard says why itself (tests/test_agreement_faces.py); tests/test_agreement.py"
    " words it in both languages",
    Refusal.HOSTS_DO_NOT_MARK: "a host's: the dashboard has no way to mark; tests/test_agreement.py words it in both languages",
    **{
        refusal: "a host's: a question asked on the spot (tests/test_asked.py words each in both languages,"
        " tests/test_asked_faces.py shows one on the Welsh dashboard)"
        for refusal in (
            Refusal.DECK_FULL,
            Refusal.NO_PROMPT,
            Refusal.PROMPT_TOO_LONG,
            Refusal.OPTIONS_COUNT,
            Refusal.OPTION_WORDS,
            Refusal.SAME_OPTIONS,
            Refusal.NO_OPTIONS_HERE,
            Refusal.WELSH_OPTIONS,
            Refusal.NO_SUCH_SCALE,
            Refusal.NO_SCALE_HERE,
        )
    },
}
"""Refusals no participant's face meets here, and why (each is still worded in Welsh: the first test above)."""

SILENT = {Refusal.NOT_CURRENT, Refusal.NOTHING_TO_CAST}
"""Refusals the app does not show (the question moved on; a discussion question shows the discussion): the screen
must still have no English."""

# Each refusal: the current question (locked or not), what the session and hub are given, and what Gwen's app sends.
RECIPES: dict[Refusal, dict] = {
    Refusal.MALFORMED: {"send": lambda: Vote(99, 250, 0)},  # question 251 is past the protocol's limit
    Refusal.HUB_ONLY: {"send": lambda: Ack(5)},
    Refusal.OTHER_VERSION: {"version": 99},
    Refusal.SECOND_HELLO: {"send": lambda: Hello(name="Gwen")},
    Refusal.CODE_MISSING: {"session": {"join_code": "KXPT", "require_code": True}},
    Refusal.WRONG_CODE: {"session": {"join_code": "KXPT", "require_code": True}, "code": "ZZZZ"},
    Refusal.FULL: {"session": {"max_participants": 1}, "before": 1},
    Refusal.KEPT_ALL: {"session": {"max_records": 1}, "before": 1},
    Refusal.TOO_FAST: {"hub": {"rate": 0.01, "burst": 2}, "send": lambda: Vote(99, ONE, 1), "times": 3},
    Refusal.FLOODING: {"hub": {"rate": 0.01, "burst": 2}, "send": lambda: Vote(99, ONE, 1), "times": 160},
    Refusal.HOST_ONLY: {"send": lambda: Command(99, Action.LOCK, ONE)},
    Refusal.NO_SUCH_QUESTION: {"send": lambda: Vote(99, 150, 0)},
    Refusal.NOT_CURRENT: {"send": lambda: Vote(99, ONE + 1, 0)},
    Refusal.NOTHING_TO_CAST: {"current": DISCUSSION, "send": lambda: Vote(99, DISCUSSION, 0)},
    Refusal.WRITTEN_NOT_VOTES: {"current": TEXT, "send": lambda: Vote(99, TEXT, 0)},
    Refusal.NO_SUCH_CELL: {"send": lambda: Vote(99, ONE, 50)},
    Refusal.SEVERAL_IN_ONE_CHOOSE: {"current": SEVERAL, "send": lambda: Vote(99, SEVERAL, 0)},
    Refusal.ONE_POSITION: {"send": lambda: Choose(99, ONE, 0b11)},
    Refusal.NO_SUCH_POSITION: {"current": SEVERAL, "send": lambda: Choose(99, SEVERAL, 1 << 9)},
    Refusal.TOO_MANY_PICKS: {"current": SEVERAL, "send": lambda: Choose(99, SEVERAL, 0b111)},
    Refusal.LOCKED: {"locked": True, "send": lambda: Vote(99, ONE, 0)},
    Refusal.ANSWERS_LOCKED: {"current": TEXT, "locked": True, "send": lambda: Answer(99, TEXT, 0, "rhannu grym")},
    # the app shows the alert that comes with it, which says why (core/alerts.py)
    Refusal.NOT_SAVED: {"store": "after", "send": lambda: Vote(99, ONE, 2), "shows": alert_words(CY, Alert.LOG_LOCKED)},
    Refusal.JOINING_NOT_SAVED: {"store": "before"},
    Refusal.ENDED: {"end": True},
    Refusal.NOT_WRITTEN: {"send": lambda: Answer(99, ONE, 0, "rhannu grym")},
    Refusal.NO_SUCH_SLOT: {"current": TEXT, "send": lambda: Answer(99, TEXT, 5, "rhannu grym")},
    Refusal.EMPTY_ANSWER: {"current": TEXT, "send": lambda: Answer(99, TEXT, 0, "   ")},
    Refusal.ANSWER_TOO_LONG: {"current": TEXT, "send": lambda: Answer(99, TEXT, 0, "gair " * 60)},
    Refusal.NOT_AGREEING: {"current": TEXT, "send": lambda: Mark(99, TEXT, ((1, Stance.AGREE),))},
    Refusal.NO_ANSWER_TO_MARK: {"current": TEXT, "agree": True, "send": lambda: Mark(99, TEXT, ((77, Stance.AGREE),))},
    Refusal.OWN_ANSWER: {
        "current": TEXT,
        "agree": True,
        "first": lambda: Answer(98, TEXT, 0, "rhannu grym"),  # answer 1, her own
        "send": lambda: Mark(99, TEXT, ((1, Stance.AGREE),)),
    },
}


def test_every_refusal_is_walked_or_said_why_not():
    assert set(RECIPES) | set(NOT_ON_A_PARTICIPANTS_FACE) == set(Refusal)
    assert not set(RECIPES) & set(NOT_ON_A_PARTICIPANTS_FACE)


def _flat(screen: str) -> str:
    """A screen's words in one line: borders and the breaks of wrapped lines taken out."""
    return " ".join(re.sub(r"[│┃║▌▐╭╮╰╯─━┌┐└┘]", " ", screen).split())


@pytest.mark.parametrize("refusal", list(RECIPES), ids=lambda refusal: refusal.name)
async def test_every_refusal_a_participant_can_meet_on_the_welsh_app(refusal, tmp_path, monkeypatch):
    from coproterm.server.hub_runner import HubRunner, prepare

    recipe = RECIPES[refusal]
    current = recipe.get("current", ONE)
    if "store" in recipe:
        prepared = prepare(WORKSHOP, data=tmp_path)
        session, token, store = prepared.session, prepared.host_token, prepared.store
    else:
        session, token, store = (
            Session(WORKSHOP, HOST_TOKEN, counting_tokens(), **recipe.get("session", {})),
            HOST_TOKEN,
            None,
        )
    runner = HubRunner(session, token, "127.0.0.1", 0, store)
    for name, value in recipe.get("hub", {}).items():
        setattr(runner.hub, name, value)
    async with runner as hosted:
        url = hosted.local_url
        host = await join(url, Hello(host_token=token))
        await host.request(lambda s: Command(s, Action.GOTO, current))
        if recipe.get("locked"):
            await host.request(lambda s: Command(s, Action.LOCK, current))
        if recipe.get("agree"):
            await host.request(lambda s: Command(s, Action.AGREE, current))
        for i in range(recipe.get("before", 0)):
            await join(url, Hello(name=f"Ann {i}", code=session.join_code or None))
        held = None
        if recipe.get("store") == "before" or recipe.get("store") == "after":
            held = sqlite3.connect(store.path, isolation_level=None)
        if "version" in recipe:
            import coproterm.core.session as session_module

            monkeypatch.setattr(session_module, "PROTOCOL_VERSION", recipe["version"])
        if recipe.get("store") == "before":
            held.execute("BEGIN EXCLUSIVE")  # another program holds the log as Gwen joins
        gwen = ParticipantApp(url, "Gwen", code=recipe.get("code"), lang="cy")
        try:
            async with gwen.run_test(size=(80, 24)) as pilot:
                if "send" in recipe or "end" in recipe:
                    await until(pilot, lambda: gwen.view.state is not None and gwen.view.state.current == current)
                if recipe.get("store") == "after":
                    held.execute("BEGIN EXCLUSIVE")
                if "first" in recipe:
                    await gwen.link.send(recipe["first"]())
                for _ in range(recipe.get("times", 1) if "send" in recipe else 0):
                    await gwen.link.send(recipe["send"]())
                if recipe.get("end"):
                    await hosted.hub.end()
                values = _values(refusal, session)
                welsh = recipe.get("shows") or words(CY, refusal, values)
                if refusal in SILENT:
                    await until(pilot, lambda: gwen.view.refusal is not None and gwen.view.refusal.refusal == refusal)
                    await pilot.pause(0.1)
                    shown = screen_text(gwen.export_screenshot())
                else:
                    fragment = " ".join(welsh.split()[:4])
                    shown = ""

                    def on_screen() -> bool:
                        nonlocal shown
                        shown = screen_text(gwen.export_screenshot())
                        return fragment in _flat(shown)

                    try:
                        await until(pilot, on_screen)
                    except TimeoutError:
                        raise AssertionError(f"{refusal.name}: {fragment!r} never shown\n{shown}") from None
                    if refusal.close in (CloseCode.POLICY, CloseCode.INVALID):  # closed for good: the last word
                        await until(pilot, lambda: gwen.link_status.phase is Phase.STOPPED)
                        await pilot.pause(0.1)
                        shown = screen_text(gwen.export_screenshot())
                        assert fragment in _flat(shown), f"{refusal.name}: the app stopped saying otherwise\n{shown}"
                assert not english_in(shown), f"{refusal.name}: {english_in(shown)}\n{shown}"
        finally:
            if held is not None:
                held.close()


def _values(refusal: Refusal, session: Session) -> tuple[int, ...]:
    """The values the hub sends with ``refusal`` in these recipes (as docs/protocol.md's table names them)."""
    from coproterm.core.wire_terms import PROTOCOL_VERSION

    return {
        Refusal.OTHER_VERSION: (PROTOCOL_VERSION, 99),
        Refusal.KEPT_ALL: (session.max_records,),
        Refusal.NO_SUCH_QUESTION: (151,),
        Refusal.SEVERAL_IN_ONE_CHOOSE: (2,),
        Refusal.NO_SUCH_POSITION: (5,),
        Refusal.TOO_MANY_PICKS: (2,),
        Refusal.NO_SUCH_SLOT: (3,),
        Refusal.ANSWER_TOO_LONG: (200, 299),
    }.get(refusal, ())


PAGE_RECIPES: dict[Refusal, dict] = {
    Refusal.CODE_MISSING: {"session": {"join_code": "KXPT", "require_code": True}},
    Refusal.WRONG_CODE: {"session": {"join_code": "KXPT", "require_code": True}, "code": "ZZZZ"},
    Refusal.FULL: {"session": {"max_participants": 1}, "before": 1},
    Refusal.KEPT_ALL: {"session": {"max_records": 1}, "before": 1},
    Refusal.TOO_FAST: {"hub": {"rate": 0.01, "burst": 2}, "clicks": 4},
    Refusal.NOT_SAVED: {"store": "after", "clicks": 1},
    # the page tries again by itself, saying so, as the refusal asks
    Refusal.JOINING_NOT_SAVED: {"store": "before", "shows": page_words(WELSH)["words"]["reconnecting"]},  # type: ignore[index]
    # the page's own thank-you, in full
    Refusal.ENDED: {"end": True, "shows": page_words(WELSH)["words"]["ended"]},  # type: ignore[index]
}
"""The refusals the phone page can meet by what a person does on it (it never sends a malformed frame, a second
hello or another version: the hub serves it; it offers no cell off the board and no position past it)."""


@pytest.mark.parametrize("refusal", list(PAGE_RECIPES), ids=lambda refusal: refusal.name)
async def test_every_refusal_the_phone_page_can_meet_in_welsh(refusal, tmp_path):
    from playwright.async_api import expect

    from coproterm.server.hub_runner import HubRunner, prepare
    from tests.webkit import chromium, phone

    recipe = PAGE_RECIPES[refusal]
    if "store" in recipe:
        prepared = prepare(WORKSHOP, data=tmp_path)
        session, token, store = prepared.session, prepared.host_token, prepared.store
    else:
        options = recipe.get("session", {})
        session, token, store = Session(WORKSHOP, HOST_TOKEN, counting_tokens(), **options), HOST_TOKEN, None
    runner = HubRunner(session, token, "127.0.0.1", 0, store)
    for name, value in recipe.get("hub", {}).items():
        setattr(runner.hub, name, value)
    held = None
    try:
        async with runner as hosted, chromium() as browser:
            url = hosted.local_url
            if store is not None:
                held = sqlite3.connect(store.path, isolation_level=None)
            host = await join(url, Hello(host_token=token))
            await host.request(lambda s: Command(s, Action.GOTO, ONE))
            if recipe.get("locked"):
                await host.request(lambda s: Command(s, Action.LOCK, ONE))
            for i in range(recipe.get("before", 0)):
                await join(url, Hello(name=f"Ann {i}", code=session.join_code or None))
            if recipe.get("store") == "before":
                held.execute("BEGIN EXCLUSIVE")
            headers = {"Accept-Language": "en-GB;q=0.5,cy"}
            async with phone(browser, extra_http_headers=headers) as page:
                await page.goto(url.replace("ws://", "http://", 1) + "/")
                if "code" in recipe:
                    await page.locator("#code").fill(recipe["code"])
                await page.locator("#go").click()
                if "clicks" in recipe or "end" in recipe:
                    await expect(page.locator("#step")).to_have_text(f"Cwestiwn {ONE + 1} o {len(WORKSHOP.questions)}")
                if recipe.get("store") == "after":
                    held.execute("BEGIN EXCLUSIVE")
                for i in range(recipe.get("clicks", 0)):
                    await page.locator("button.pos").nth(i % 3).dispatch_event("click")
                if recipe.get("end"):
                    await hosted.hub.end()
                welsh = recipe.get("shows") or words(CY, refusal, _values(refusal, session))
                await expect(page.locator("body")).to_contain_text(welsh)
                body = await page.inner_text("body")
                assert not english_in(body), f"{refusal.name}: {english_in(body)}\n{body}"
    finally:
        if held is not None:
            held.close()


async def test_the_hosts_refusals_on_the_welsh_dashboard():
    """The refusals only a host meets: a wrong host token, and a vote or an answer sent by a host."""
    async with running_hub(Session(WORKSHOP, HOST_TOKEN, counting_tokens())) as hub:
        stranger = HostApp(hub.url, "not-the-token", lang="cy")
        async with stranger.run_test(size=(100, 30)) as pilot:
            welsh = words(CY, Refusal.WRONG_TOKEN)
            await until(pilot, lambda: welsh in _flat(screen_text(stranger.export_screenshot())))
            shown = screen_text(stranger.export_screenshot())
            assert not english_in(shown), shown
        dashboard = HostApp(hub.url, HOST_TOKEN, lang="cy")
        async with dashboard.run_test(size=(100, 30)) as pilot:
            await until(pilot, lambda: dashboard.view.state is not None)
            for refusal, message in (
                (Refusal.HOSTS_DO_NOT_VOTE, Vote(71, 0, 0)),
                (Refusal.HOSTS_DO_NOT_ANSWER, Answer(72, TEXT, 0, "rhannu grym")),
            ):
                await dashboard.link.send(message)
                welsh = words(CY, refusal)
                await until(pilot, lambda w=welsh: any(w in str(n.message) for n in notifications_of(dashboard)))
            for notice in notifications_of(dashboard):
                assert not english_in(f"{notice.title} {notice.message}"), notice


# -- plain mode (a real process) and OpenSSH, in Welsh, past the locked vote ----------------------------------


async def test_plain_mode_in_welsh_meets_the_refusals_a_typist_can_and_says_each_in_welsh(tmp_path):
    from tests.plainkit import Listener, PlainJoin, said

    async with running_hub(Session(WORKSHOP, HOST_TOKEN, counting_tokens(), max_participants=1)) as hub:
        host = await join_host(hub.url)
        gwen = await PlainJoin(hub.url, width=60, name="Gwen", data_dir=str(tmp_path / "gwen"), lang="cy").start()
        bryn = None
        try:
            ear = Listener(gwen)
            await ear.hears("Cwestiwn 1")
            await host.request(lambda s: Command(s, Action.GOTO, ONE))
            await ear.hears(f"Cwestiwn {ONE + 1}")
            await host.request(lambda s: Command(s, Action.LOCK, ONE))
            await ear.hears("ar glo nawr")
            gwen.type("1")
            await ear.hears(words(CY, Refusal.LOCKED))
            await host.request(lambda s: Command(s, Action.GOTO, TEXT))
            await ear.hears(f"Cwestiwn {TEXT + 1}")
            await host.request(lambda s: Command(s, Action.LOCK, TEXT))
            await ear.hears("ar glo nawr")
            gwen.type("rhannu grym")
            await ear.hears(words(CY, Refusal.ANSWERS_LOCKED))
            await host.request(lambda s: Command(s, Action.OPEN, TEXT))
            await ear.hears("ar agor eto")
            gwen.type("gair " * 60)
            await ear.hears(words(CY, Refusal.ANSWER_TOO_LONG, (200, 299)))
            await host.request(lambda s: Command(s, Action.GOTO, SEVERAL))
            await ear.hears("Cwestiwn 2")
            gwen.type("1 2 3")  # more than the two it takes: said before anything is sent, in Welsh
            await ear.hears("2 ar y mwyaf.")
            bryn = await PlainJoin(hub.url, width=60, name="Bryn", data_dir=str(tmp_path / "bryn"), lang="cy").start()
            await Listener(bryn).hears(words(CY, Refusal.FULL))
            await hub.hub.end()
            await ear.hears(words(CY, Refusal.ENDED))
            for person in (gwen, bryn):
                heard = said(bytes(person.output))
                assert not english_in(heard), f"{english_in(heard)}\n{heard}"
        finally:
            gwen.kill()
            if bryn is not None:
                bryn.kill()


async def test_ssh_in_welsh_says_a_full_session_and_its_end_in_welsh(tmp_path):
    from coproterm.server.hub_runner import HubRunner, SSHOptions
    from tests.sshkit import SSHClient, ssh_binary

    ssh_binary()
    session = Session(WORKSHOP, HOST_TOKEN, counting_tokens(), max_participants=1)
    runner = HubRunner(session, HOST_TOKEN, "127.0.0.1", 0, ssh=SSHOptions(port=0, key_dir=tmp_path, workers=0))
    async with runner as hosted:
        welsh = {"LANG": "cy_GB.UTF-8", "LC_ALL": "", "LANGUAGE": ""}
        gwen = await SSHClient(hosted.ssh_port, "gwen", env=welsh, extra=("-o", "SendEnv=LANG")).start()
        await gwen.expect("cwestiwn 1 o", timeout=45)
        bryn = await SSHClient(hosted.ssh_port, "bryn", env=welsh, extra=("-o", "SendEnv=LANG")).start()
        await bryn.expect(words(CY, Refusal.FULL), timeout=45)
        assert not english_in(bryn.text), bryn.text
        await hosted.hub.end()
        await gwen.expect("wedi dod i ben")
        assert not english_in(gwen.text), gwen.text
        for person in (gwen, bryn):
            await person.leave()
