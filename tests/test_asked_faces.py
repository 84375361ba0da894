"""A question asked on the spot, on the faces: typed on the dashboard (a key, the palette), answered in the app."""

from __future__ import annotations

import re

import pytest
from textual.geometry import Size
from textual.widgets import Input, Label, RadioSet, Select

from coproterm.core import read_models
from coproterm.core.client_messages import AddQuestion, Command
from coproterm.core.deck import default_deck
from coproterm.core.hub_messages import Ack
from coproterm.core.i18n import language
from coproterm.core.session import Session
from coproterm.core.wire_terms import Action, AskKind
from coproterm.server.hub_runner import HubRunner, SSHOptions
from coproterm.tui.host.app import HostApp
from coproterm.tui.host.ask_screen import AskScreen
from coproterm.tui.participant.app import ParticipantApp
from coproterm.tui.widgets.answer_box import AnswerBox
from coproterm.tui.widgets.board import BoardPicker
from coproterm.tui.widgets.tally import TallyChart
from tests.conftest import HOST_TOKEN, counting_tokens
from tests.facekit import text_of, until
from tests.hubkit import join_host, running_hub
from tests.plainkit import Listener, PlainJoin, assert_plain
from tests.screenkit import all_in, screen_text
from tests.sshkit import SSHClient, ssh_binary
from tests.textualkit import notifications_of

ADDED = 6
"""The built-in short deck has six questions: the first asked on the spot at the end is the seventh."""
SPECTRUM = 1
INSERTED = 1
"""A question asked on the first question goes in after it: the second."""


async def type_into(pilot, selector: str, text: str) -> None:
    box = pilot.app.screen.query_one(selector, Input)
    box.focus()
    await pilot.pause()
    for ch in text:
        await pilot.press(ch if ch != " " else "space")


def hub_votes(hub, question):
    return read_models.tally(hub.session, question).counts


def shown(app, kind):
    return [w for w in app.screen.query(kind) if all(node.display for node in w.ancestors_with_self)]


def chart_counts(app):
    (chart,) = app.screen.query(TallyChart)
    return chart.counts


async def test_the_facilitator_types_a_question_with_options_and_both_languages_answer_it():
    async with running_hub() as hub:
        host = HostApp(hub.url, HOST_TOKEN)
        ann, bryn = ParticipantApp(hub.url, "Ann"), ParticipantApp(hub.url, "Bryn", lang="cy")
        async with (
            host.run_test(size=(100, 40)) as hp,
            ann.run_test(size=(80, 24)) as ap,
            bryn.run_test(size=(80, 24)) as bp,
        ):
            await until(hp, lambda: host.view.turnout is not None and host.view.turnout.connected == 2)
            await hp.press("plus")
            await until(hp, lambda: isinstance(host.screen, AskScreen))
            await type_into(hp, "#prompt", "Tea or coffee?")
            await type_into(hp, "#prompt-cy", "Te neu goffi?")
            await hp.click("#kind-one")
            await type_into(hp, "#options", "Tea; Coffee")
            await type_into(hp, "#options-cy", "Te; Coffi")
            await hp.press("ctrl+s")
            # The hub adds it after the current question (the first), and the dashboard (Go to it now) goes to it.
            await until(hp, lambda: host.view.state.current == INSERTED, timeout=10)
            assert "Tea or coffee?" in text_of(host, "#question")
            await until(ap, lambda: ann.view.state.current == INSERTED and shown(ann, BoardPicker))
            await until(bp, lambda: bryn.view.state.current == INSERTED and shown(bryn, BoardPicker))
            await until(ap, lambda: "Tea or coffee?" in text_of(ann, "#prompt"))
            await until(bp, lambda: "Te neu goffi?" in text_of(bryn, "#prompt"))
            await until(ap, lambda: "Coffee" in text_of(ann, "BoardPicker"))
            await until(bp, lambda: "Coffi" in text_of(bryn, "BoardPicker"))
            await ap.press("2", "enter")
            await bp.press("2", "enter")
            await until(hp, lambda: chart_counts(host) == (0, 2))
            await until(bp, lambda: "Coffi" in text_of(bryn, "#feedback"))
            assert hub.session.deck.questions[INSERTED].added


async def test_the_palette_asks_an_open_question_and_a_refusal_is_worded_in_welsh():
    async with running_hub() as hub:
        host, ann = HostApp(hub.url, HOST_TOKEN, lang="cy"), ParticipantApp(hub.url, "Ann")
        async with host.run_test(size=(100, 40)) as hp, ann.run_test(size=(80, 24)) as ap:
            await until(hp, lambda: host.view.turnout is not None and host.view.turnout.connected == 1)
            await hp.press("ctrl+p")
            await until(hp, lambda: type(host.screen).__name__ == "CommandPalette")
            await hp.press(*"Gofyn cwestiwn")
            await hp.pause(0.3)
            await hp.press("enter")
            await until(hp, lambda: isinstance(host.screen, AskScreen))
            # Nothing typed: the hub refuses, in the facilitator's language.
            await hp.press("ctrl+s")
            await until(
                hp,
                lambda: any("mae angen geiriau ar gwestiwn newydd" in str(n.message) for n in notifications_of(host)),
            )
            assert len(hub.session.deck.questions) == ADDED
            await hp.press("plus")
            await until(hp, lambda: isinstance(host.screen, AskScreen))
            await type_into(hp, "#prompt", "What surprised you?")
            await hp.press("ctrl+s")
            await until(ap, lambda: ann.view.state.current == INSERTED and shown(ann, AnswerBox), timeout=10)
            notices = [str(n.message) for n in notifications_of(host)]
            assert "Gofynnwyd cwestiwn 2: What surprised you?" in notices, notices
            await type_into(ap, "#answer-text", "the tea")
            await ap.press("enter")
            await until(hp, lambda: host.view.written.host_total == 1)


# -- the plain face (a real process) and the SSH face (real OpenSSH) -------------------------------


async def test_a_plain_participant_hears_the_question_asked_in_its_place_and_keeps_their_vote(tmp_path):
    async with running_hub() as hub:
        host = await join_host(hub.url)
        person = await PlainJoin(hub.url, width=60, data_dir=str(tmp_path)).start()
        try:
            ear = Listener(person)
            await ear.hears("Question 1 of 6")
            await host.request(lambda s: Command(s, Action.GOTO, SPECTRUM))
            await ear.hears("Question 2 of 6")
            person.type("3\n")
            await ear.hears("Your vote is counted: information.")
            await host.request(lambda s: Command(s, Action.GOTO, 0))
            await ear.hears("Question 1 of 6")
            reply = await host.request(  # after the current question: it is question 2, the spectrum 3
                lambda s: AddQuestion(s, AskKind.YES_NO, "Shall we take a break?", "Gawn ni egwyl?")
            )
            assert reply == Ack(host.seq)
            await host.request(lambda s: Command(s, Action.GOTO, 1))
            await ear.hears("Question 2 of 7: Shall we take a break?", "1. Yes", "3. Not sure")
            person.type("1\n")
            await ear.hears("Your vote is counted: Yes.")
            await host.until(lambda p: p.tally is not None and p.tally.question == 1 and p.tally.counts == (1, 0, 0))
            person.type("iaith\n")
            await ear.hears("Iaith: Cymraeg.", "Gawn ni egwyl?")
            person.type("language\n")
            await ear.hears("Language: English.")
            await host.request(lambda s: Command(s, Action.GOTO, SPECTRUM + 1))
            await ear.hears("Question 3 of 7")
            person.type("mine\n")
            await ear.hears("Your vote: information.")
            person.type("quit\n")
            assert await person.wait() == 0
        finally:
            person.kill()
        assert_plain(bytes(person.output), 59)


async def test_an_ssh_participant_sees_the_question_asked_and_votes_on_it(tmp_path):
    ssh_binary()
    session = Session(default_deck(), HOST_TOKEN, counting_tokens())
    options = SSHOptions(port=0, key_dir=tmp_path, workers=0)
    async with HubRunner(session, HOST_TOKEN, "127.0.0.1", 0, ssh=options) as hosted:
        assert hosted.ssh_port, hosted.ssh_problem
        host = await join_host(hosted.local_url)
        ann = await SSHClient(hosted.ssh_port, "ann").start()
        await ann.expect("What does co-production mean to you")
        await host.request(lambda s: Command(s, Action.GOTO, SPECTRUM))
        await ann.expect("question 2 of 6")
        ann.type("4\r")
        await host.until(lambda p: p.tally is not None and p.tally.question == SPECTRUM and sum(p.tally.counts) == 1)
        options_asked = ("Tuesday", "Thursday", "Saturday")
        reply = await host.request(  # after the current question: it is question 3, every later one moves up
            lambda s: AddQuestion(s, AskKind.SEVERAL, "When can you meet next?", None, options_asked)
        )
        assert reply == Ack(host.seq)
        await host.request(lambda s: Command(s, Action.GOTO, SPECTRUM + 1))
        await ann.expect("When can you meet next")
        await ann.expect("Saturday")
        await ann.expect("question 3 of 7")
        ann.type("1\r3\r")
        await host.until(lambda p: p.tally is not None and p.tally.question == 2 and p.tally.counts == (1, 0, 1))
        ann.mark()
        await host.request(lambda s: Command(s, Action.GOTO, SPECTRUM))  # their own vote, where it was
        await ann.expect("question 2 of 7")
        await ann.expect("Your vote is counted")
        assert hub_votes(hosted.hub, SPECTRUM) == (0, 0, 0, 1, 0, 0)
        await ann.leave()
        assert await ann.wait() == 0


# -- the phone page, in Chromium, with axe-core ---------------------------------------------------


async def test_a_phone_answers_a_question_asked_on_the_spot_with_no_axe_violations():
    from playwright.async_api import expect

    from tests.webkit import axe_violations, chromium, coded_session, join_page, phone, small_targets

    async with (
        running_hub(coded_session()) as hub,
        chromium() as browser,
        phone(browser, bypass_csp=True) as page,
    ):
        host = await join_host(hub.url)
        await join_page(page, hub.url)
        await host.request(lambda s: Command(s, Action.GOTO, SPECTRUM))
        await page.get_by_role("button", name="3. information").tap()
        await expect(page.locator("#status")).to_have_text(re.compile("Your vote is counted"))
        await host.request(lambda s: Command(s, Action.GOTO, 0))
        reply = await host.request(  # after the current question: question 2, the spectrum now 3
            lambda s: AddQuestion(s, AskKind.ONE, "Tea or coffee?", "Te neu goffi?", ("Tea", "Coffee"), ("Te", "Coffi"))
        )
        assert reply == Ack(host.seq)
        await host.request(lambda s: Command(s, Action.GOTO, INSERTED))
        await expect(page.get_by_role("heading", level=2)).to_have_text("Tea or coffee?")
        coffee = page.get_by_role("button", name="2. Coffee")
        await coffee.tap()
        await expect(page.locator("#status")).to_have_text("✔ Your vote is counted: Coffee")
        await host.until(lambda p: p.tally is not None and p.tally.question == INSERTED and p.tally.counts == (0, 1))
        assert await axe_violations(page) == []
        assert await small_targets(page) == []
        await page.locator("#lang").tap()  # Cymraeg: the facilitator's Welsh, prompt and options
        await expect(page.get_by_role("heading", level=2)).to_have_text("Te neu goffi?")
        await expect(page.get_by_role("button", name="2. Coffi")).to_have_attribute("aria-pressed", "true")
        assert await axe_violations(page) == []
        await page.locator("#lang").tap()
        await expect(page.get_by_role("heading", level=2)).to_have_text("Tea or coffee?")
        await host.request(lambda s: Command(s, Action.GOTO, SPECTRUM + 1))  # their own vote moved with its question
        await expect(page.get_by_role("button", name="3. information")).to_have_attribute("aria-pressed", "true")
        assert await axe_violations(page) == []
        await host.request(lambda s: AddQuestion(s, AskKind.OPEN, "What surprised you?", at_end=True))
        await host.request(lambda s: Command(s, Action.GOTO, ADDED + 1))
        await expect(page.get_by_role("heading", level=2)).to_have_text("What surprised you?")
        await page.get_by_label("Your answer 1").fill("The tea")
        await page.get_by_role("button", name="Send").tap()
        await expect(page.locator("#live")).to_have_text("answer sent")
        assert await axe_violations(page) == []
        assert [a.text for a in hub.session.answers[ADDED + 1].current()] == ["The tea"]


async def test_a_participant_app_of_protocol_version_2_is_told_to_update(monkeypatch):
    """The app as version 2 spoke (its hello says 2): refused cleanly at its hello, in Welsh, and never crashed."""
    from coproterm.client.link import Phase
    from coproterm.core.client_messages import Hello
    from coproterm.core.wire_terms import PROTOCOL_VERSION

    monkeypatch.setattr(ParticipantApp, "hello", lambda self: Hello(version=2, name="Old", resume=self.view.resume))
    async with running_hub() as hub:
        old = ParticipantApp(hub.url, "Old", lang="cy")
        async with old.run_test(size=(80, 24)) as op:
            await until(op, lambda: old.link_status.phase is Phase.STOPPED)
            await until(
                op,
                lambda: (
                    f"yn siarad fersiwn {PROTOCOL_VERSION} o'r protocol, nid fersiwn 2: diweddarwch coproterm"
                    in text_of(old, "#status")
                ),
            )
            assert old.is_running
            assert hub.session.connected == 0


async def test_the_dialog_works_on_a_small_dashboard_and_a_scale_of_the_deck_is_chosen():
    async with running_hub() as hub:
        host = HostApp(hub.url, HOST_TOKEN)
        async with host.run_test(size=(80, 24)) as hp:
            await until(hp, lambda: host.view.state is not None)
            await hp.press("plus")
            await until(hp, lambda: isinstance(host.screen, AskScreen))
            await type_into(hp, "#prompt", "Where is your work now?")
            await hp.click("#kind-scale")
            board = host.screen.query_one("#board")
            board.focus()
            await hp.pause()
            await hp.press("enter", "down", "enter")  # open the list; the first scale of the deck: the spectrum
            await until(hp, lambda: board.value == "spectrum")
            await hp.press("ctrl+s")
            await until(hp, lambda: host.view.state.current == INSERTED, timeout=10)
            asked = hub.session.deck.questions[INSERTED]
            assert asked.x is not None and asked.x.key == "spectrum" and asked.added


def cut_in_dialog(screen) -> list[str]:
    """What the dialog draws cut short: words wider than their widget, or wrapped past its height."""
    cut = []
    for widget in screen.query("Label, Input, RadioButton, Select, Checkbox, Button"):
        if not widget.display:
            continue
        width = widget.content_region.width
        if isinstance(widget, Label):
            if widget.get_content_height(Size(0, 0), Size(0, 0), width) > widget.content_region.height:
                cut.append(str(widget.render()))
        elif widget.get_content_width(Size(0, 0), Size(0, 0)) > width and not isinstance(widget, Input | Select):
            cut.append(str(widget.render()))
    return cut


@pytest.mark.parametrize("lang", ["en", "cy"])
async def test_the_dialog_at_40_by_12_reaches_every_field_by_keys_and_cuts_no_words(lang):
    async with running_hub() as hub:
        host = HostApp(hub.url, HOST_TOKEN, lang=lang)
        async with host.run_test(size=(40, 12)) as hp:
            await until(hp, lambda: host.view.state is not None)
            await hp.press("plus")
            await until(hp, lambda: isinstance(host.screen, AskScreen))
            dialog = host.screen
            await hp.pause(0.2)
            assert cut_in_dialog(dialog) == []
            # Tab walks every field in order, and each one focused is whole on the 12 rows.
            seen = []
            for _ in range(14):
                focused = dialog.focused
                assert focused is not None
                if focused.id == "ask":
                    break  # the scrolling frame itself: the walk is round
                await hp.pause(0.1)
                top, bottom = focused.region.y, focused.region.bottom
                assert top >= 0 and bottom <= 12, (focused.id, focused.region)
                assert focused.region.right <= 40, (focused.id, focused.region)
                seen.append(focused.id)
                await hp.press("tab")
            assert seen == [
                "prompt", "prompt-cy", "kind", "options", "options-cy", "board", "place", "go", "cancel", "ask-it"
            ]  # fmt: skip
            every_word = screen_text(host.export_screenshot())
            assert all_in(every_word, [language(lang).t("Ask (Ctrl+S)")]) == []
            # Typed, chosen and sent with the keys alone.
            dialog.query_one("#prompt", Input).focus()
            await hp.pause()
            await hp.press(*"Where now?")
            await hp.press("tab", "tab")  # to the kinds
            await hp.press(*["down"] * 4, "enter")  # the fifth: a scale of the deck
            await until(hp, lambda: dialog.query_one("#kind", RadioSet).pressed_index == 4)
            await hp.press("tab", "tab", "tab")  # past the options to the scale
            assert dialog.focused.id == "board"
            await hp.press("enter", "down", "enter")
            await until(hp, lambda: dialog.query_one("#board").value == "spectrum")
            await hp.press("tab", "down", "enter")  # where: at the end
            await until(hp, lambda: dialog.query_one("#place", RadioSet).pressed_index == 1)
            await hp.press("tab", "tab", "tab")  # go to it now, cancel, ask
            assert dialog.focused.id == "ask-it"
            await hp.press("enter")
            await until(hp, lambda: host.view.state.current == ADDED, timeout=10)
            asked = hub.session.deck.questions[ADDED]
            assert asked.prompt == "Where now?" and asked.x is not None and asked.x.key == "spectrum"
