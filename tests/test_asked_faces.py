"""A question asked on the spot, on the faces: typed on the dashboard (a key, the palette), answered in the app."""

from __future__ import annotations

from textual.widgets import Input

from coproterm.tui.host.app import HostApp
from coproterm.tui.host.ask_screen import AskScreen
from coproterm.tui.participant.app import ParticipantApp
from coproterm.tui.widgets.answer_box import AnswerBox
from coproterm.tui.widgets.board import BoardPicker
from coproterm.tui.widgets.tally import TallyChart
from tests.conftest import HOST_TOKEN
from tests.facekit import text_of, until
from tests.hubkit import running_hub

ADDED = 6
"""The built-in short deck has six questions: the first asked on the spot is the seventh."""


async def type_into(pilot, selector: str, text: str) -> None:
    box = pilot.app.screen.query_one(selector, Input)
    box.focus()
    await pilot.pause()
    for ch in text:
        await pilot.press(ch if ch != " " else "space")


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
            await hp.press("t")
            await until(hp, lambda: isinstance(host.screen, AskScreen))
            await type_into(hp, "#prompt", "Tea or coffee?")
            await type_into(hp, "#prompt-cy", "Te neu goffi?")
            await hp.click("#kind-one")
            await type_into(hp, "#options", "Tea; Coffee")
            await type_into(hp, "#options-cy", "Te; Coffi")
            await hp.press("ctrl+s")
            # The hub adds it, and the dashboard (Go to it now) moves everyone to it.
            await until(hp, lambda: host.view.state.current == ADDED, timeout=10)
            assert "Tea or coffee?" in text_of(host, "#question")
            await until(ap, lambda: ann.view.state.current == ADDED and shown(ann, BoardPicker))
            await until(bp, lambda: bryn.view.state.current == ADDED and shown(bryn, BoardPicker))
            await until(ap, lambda: "Tea or coffee?" in text_of(ann, "#prompt"))
            await until(bp, lambda: "Te neu goffi?" in text_of(bryn, "#prompt"))
            await until(ap, lambda: "Coffee" in text_of(ann, "BoardPicker"))
            await until(bp, lambda: "Coffi" in text_of(bryn, "BoardPicker"))
            await ap.press("2", "enter")
            await bp.press("2", "enter")
            await until(hp, lambda: chart_counts(host) == (0, 2))
            await until(bp, lambda: "Coffi" in text_of(bryn, "#feedback"))
            assert hub.session.deck.questions[ADDED].added


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
                hp, lambda: any("mae angen geiriau ar gwestiwn newydd" in str(n.message) for n in host._notifications)
            )
            assert len(hub.session.deck.questions) == ADDED
            await hp.press("t")
            await until(hp, lambda: isinstance(host.screen, AskScreen))
            await type_into(hp, "#prompt", "What surprised you?")
            await hp.press("ctrl+s")
            await until(ap, lambda: ann.view.state.current == ADDED and shown(ann, AnswerBox), timeout=10)
            await type_into(ap, "#answer-text", "the tea")
            await ap.press("enter")
            await until(hp, lambda: host.view.written.host_total == 1)
