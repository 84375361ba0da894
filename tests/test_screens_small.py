"""The smallest terminal (40 x 12: `join`, SSH, a phone's SSH app): every choice, every sentence, every key in sight.

Each test drives the real participant app (Pilot) on a real hub holding the whole workshop deck, in both languages.
"""

from __future__ import annotations

import pytest
from textual.geometry import Size
from textual.widgets import Static

from coproterm.core.client_messages import Command
from coproterm.core.wire_terms import Action
from coproterm.tui.participant.app import ParticipantApp
from coproterm.tui.widgets.board import BoardPicker
from coproterm.tui.widgets.keybar import KeyBar
from coproterm.tui.widgets.tally import TallyChart
from tests.hubkit import join_host, running_hub
from tests.screenkit import WORKSHOP, check, screen_text, settled, squeezed, until, workshop_session

SMALL = (40, 12)


async def goto(host, question: int) -> None:
    await host.request(lambda seq: Command(seq, Action.GOTO, question))


async def command(host, action: Action, question: int) -> None:
    await host.request(lambda seq: Command(seq, action, question))


def cut_texts(app) -> list[str]:
    """Texts on screen cut by their widget's height (outside a scrolling body nothing reaches them)."""
    cut = []
    for widget in app.screen.query(Static):
        if not widget.display or widget.region.height == 0 or widget.styles.overflow_y == "scroll":
            continue
        if any(getattr(a, "id", None) == "body" for a in widget.ancestors):
            continue  # in the body: scrolled to (PgDn, v)
        needed = widget.get_content_height(Size(0, 0), Size(0, 0), widget.content_region.width)
        if needed > widget.content_region.height:
            cut.append(str(widget.render()))
    return cut


def cursor_in_sight(app) -> bool:
    """The board's cursor (▶) and the highlighted position's label are on the screen."""
    picker = app.screen.query_one(BoardPicker)
    question = picker.question
    shown = screen_text(app.export_screenshot())
    label = question.x.positions[question.coordinates(picker.cursor)[0]].label
    return "▶" in shown and label.split()[0] in shown


@pytest.mark.parametrize("lang", ["en", "cy"])
async def test_a_new_question_opens_at_its_top_with_the_cursor_in_sight(lang):
    async with running_hub(workshop_session()) as hub:
        host = await join_host(hub.url)
        await goto(host, 3)  # Arnstein's eight rungs: more than 12 rows
        app = ParticipantApp(hub.url, "Gwen", lang=lang)
        async with app.run_test(size=SMALL) as pilot:
            await until(pilot, lambda: app.screen.query(BoardPicker))
            await pilot.press(*["down"] * 7)
            await settled(pilot, app)
            assert cursor_in_sight(app), screen_text(app.export_screenshot())
            await goto(host, 4)
            await until(pilot, lambda: app.view.state.current == 4)
            await settled(pilot, app)
            assert app.screen.query_one("#body").scroll_y == 0
            assert app.screen.query_one(BoardPicker).cursor == 0
            assert cursor_in_sight(app), screen_text(app.export_screenshot())
            for _ in range(7):
                await pilot.press("down")
                await pilot.pause(0.1)
                assert cursor_in_sight(app), screen_text(app.export_screenshot())


@pytest.mark.parametrize("lang", ["en", "cy"])
async def test_the_highlighted_value_is_whole(lang):
    async with running_hub(workshop_session()) as hub:
        host = await join_host(hub.url)
        await goto(host, 1)
        app = ParticipantApp(hub.url, "Gwen", lang=lang)
        async with app.run_test(size=SMALL) as pilot:
            await until(pilot, lambda: app.screen.query(BoardPicker))
            for cell in range(5):
                await settled(pilot, app)
                label = app.view.deck.questions[1].x.positions[cell].label
                shown = screen_text(app.export_screenshot()).translate({ord(c): None for c in "▁▂▃▄▅▆▇█"})  # scrollbar
                assert label in squeezed(shown), shown
                await pilot.press("down")


@pytest.mark.parametrize("lang", ["en", "cy"])
async def test_results_have_a_key_and_a_cue(lang):
    async with running_hub(workshop_session()) as hub:
        host = await join_host(hub.url)
        await goto(host, 7)
        app = ParticipantApp(hub.url, "Gwen", lang=lang)
        async with app.run_test(size=SMALL) as pilot:
            await until(pilot, lambda: app.screen.query(BoardPicker))
            await pilot.press("6", "enter")  # the last position: the board's foot
            await until(pilot, lambda: app.view.my_vote() is not None)
            assert "results" not in app.screen.query_one(KeyBar).shown, "no results to show yet"
            await command(host, Action.REVEAL, 7)
            below = "results below: v" if lang == "en" else "canlyniadau isod: v"
            await until(pilot, lambda: below in screen_text(app.export_screenshot()))
            assert app.screen.query_one(KeyBar).shown[0] == ("results" if lang == "en" else "canlyniadau")
            await until(pilot, lambda: app.screen.query(TallyChart) and app.screen.query_one(TallyChart).size.height)
            await settled(pilot, app)  # the results laid out below: the scrollbar as it stays
            check(f"participant_{lang}_results_below_40x12", app.export_screenshot())
            await pilot.press("v")
            heading = "Results" if lang == "en" else "Canlyniadau"
            await until(pilot, lambda: heading in screen_text(app.export_screenshot()))
            assert below not in screen_text(app.export_screenshot())
            await pilot.press("v")  # back to the board: its cursor in sight
            await until(pilot, lambda: "▶✔6" in screen_text(app.export_screenshot()))


@pytest.mark.parametrize("lang", ["en", "cy"])
async def test_every_sentence_is_whole_through_the_workshop(lang):
    """Every question of the deck, open, voted and locked: no text cut by its place on the screen."""
    async with running_hub(workshop_session()) as hub:
        host = await join_host(hub.url)
        app = ParticipantApp(hub.url, "Gwen", lang=lang)
        async with app.run_test(size=SMALL) as pilot:
            await until(pilot, lambda: app.view.state is not None)
            for index, question in enumerate(WORKSHOP.questions):
                await goto(host, index)
                await until(pilot, lambda i=index: app.view.state.current == i)
                await settled(pilot, app)
                assert not cut_texts(app), (index, cut_texts(app))
                if question.cells:
                    await pilot.press("2", "enter")
                    if question.several:
                        await pilot.press("4", "enter")
                    await until(pilot, lambda: app.view.my_vote() is not None)
                    await settled(pilot, app)
                    assert not cut_texts(app), (index, cut_texts(app))
                await command(host, Action.LOCK, index)
                await until(pilot, lambda: not app.view.state.open)
                await settled(pilot, app)
                assert not cut_texts(app), (index, cut_texts(app))


@pytest.mark.parametrize("lang", ["en", "cy"])
async def test_the_key_bar_offers_only_what_works(lang):
    async with running_hub(workshop_session()) as hub:
        host = await join_host(hub.url)
        app = ParticipantApp(hub.url, "Gwen", lang=lang)
        t = app.lang.t
        async with app.run_test(size=(80, 24)) as pilot:
            await until(pilot, lambda: app.view.state is not None)
            await settled(pilot, app)
            bar = app.screen.query_one(KeyBar)
            assert t("send") in bar.shown and t("other keys") in bar.shown, bar.shown  # a text box says its keys
            await pilot.press(*"my answer", "enter")
            await until(pilot, lambda: app.view.written.mine.get(0))
            await pilot.press("up")
            await settled(pilot, app)
            assert t("remove") in bar.shown, bar.shown
            await command(host, Action.LOCK, 0)
            await until(pilot, lambda: not app.view.state.open)
            await settled(pilot, app)
            assert t("remove") not in bar.shown, bar.shown
            assert t("{left} characters left · {given} of {most} answers", left=200, given=1, most=3) not in (
                screen_text(app.export_screenshot())
            )
            await goto(host, 13)  # a discussion: nothing to remove, nothing to cast
            await until(pilot, lambda: app.view.state.current == 13)
            await settled(pilot, app)
            assert set(bar.shown) <= {t("leave"), t("plain mode"), t("keep my answers"), "Cymraeg / English"}, bar.shown
            await goto(host, 5)  # a case study: its points have a key; no vote to clear yet
            await until(pilot, lambda: app.view.state.current == 5)
            await settled(pilot, app)
            assert t("details") in bar.shown and t("clear vote") not in bar.shown, bar.shown
            await pilot.press("enter")
            await until(pilot, lambda: app.view.my_vote() is not None)
            await settled(pilot, app)
            assert t("clear vote") in bar.shown, bar.shown
            await command(host, Action.LOCK, 5)
            await until(pilot, lambda: not app.view.state.open)
            await settled(pilot, app)
            assert t("cast vote") not in bar.shown and t("clear vote") not in bar.shown, bar.shown
            await goto(host, 6)
            await until(pilot, lambda: app.view.state.current == 6)
            await settled(pilot, app)
            assert "press d" not in squeezed(screen_text(app.export_screenshot()))
            assert "with d." not in squeezed(screen_text(app.export_screenshot()))


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_results_at_40_columns_cut_no_label(lang):
    from coproterm.core.deck import localise
    from coproterm.core.i18n import language
    from coproterm.tui.widgets.tally import heatmap, scale_bars

    deck = localise(WORKSHOP, language(lang))
    for question in deck.questions:
        if question.x is None:
            continue
        counts = tuple(range(question.cells))
        if question.y is None:
            drawn = scale_bars(question.x, counts, 36).plain
        else:
            total = language(lang).t("total")
            drawn = heatmap(question.x, question.y, counts, 36, total_word=total).plain
            assert total in drawn, drawn
        assert "…" not in drawn, drawn


@pytest.mark.parametrize("lang", ["en", "cy"])
async def test_a_note_kept_off_the_small_screen_opens_with_the_key_the_bar_names(lang):
    async with running_hub(workshop_session()) as hub:
        host = await join_host(hub.url)
        await goto(host, 4)  # TLAP's steps: the note says which ladder this is
        app = ParticipantApp(hub.url, "Gwen", lang=lang)
        async with app.run_test(size=SMALL) as pilot:
            await until(pilot, lambda: app.screen.query(BoardPicker))
            await settled(pilot, app)
            note = app.view.question.note
            words = " ".join(note.split()[:3])
            assert words not in squeezed(screen_text(app.export_screenshot()))
            assert app.screen.query_one(KeyBar).shown[0] == app.lang.t("details")
            await pilot.press("d")
            await settled(pilot, app)
            assert words in squeezed(screen_text(app.export_screenshot())), screen_text(app.export_screenshot())
            await pilot.press("d")
            await settled(pilot, app)
            assert words not in squeezed(screen_text(app.export_screenshot()))


@pytest.mark.parametrize("lang", ["en", "cy"])
async def test_ones_own_answer_is_in_sight_with_its_key_at_40x12(lang):
    async with running_hub(workshop_session()) as hub:
        app = ParticipantApp(hub.url, "Gwen", lang=lang)
        async with app.run_test(size=SMALL) as pilot:
            await until(pilot, lambda: app.view.state is not None)
            await settled(pilot, app)
            await pilot.press(*"gweithio gyda'n gilydd", "enter")
            await until(pilot, lambda: app.view.written.mine.get(0))
            await pilot.press("up")
            await settled(pilot, app)
            shown = screen_text(app.export_screenshot())
            assert "1. gweithio gyda'n gilydd" in shown, shown
            bar = app.screen.query_one(KeyBar)
            assert bar.shown[0] == app.lang.t("remove"), bar.shown
            assert app.lang.t("remove") in str(bar.render()), str(bar.render())
