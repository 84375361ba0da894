"""The projector: the dashboard at 100 x 30 and 80 x 24 reads from the back of the room, in both languages.

Each test drives the real dashboard (Pilot) on a real hub holding the whole workshop deck.
"""

from __future__ import annotations

import asyncio

import pytest
from rich.style import Style

from coproterm.core import read_models
from coproterm.core.client_messages import Command, Hello, Vote
from coproterm.core.wire_terms import Action
from coproterm.tui.host.app import NOTICE_SECONDS, HostApp
from coproterm.tui.hub_app import NOTICE_FLOOR
from coproterm.tui.widgets.movement import MovementChart
from coproterm.tui.widgets.tally import TallyChart
from coproterm.tui.widgets.wall import word_cloud
from tests.conftest import HOST_TOKEN
from tests.hubkit import join, running_hub
from tests.screenkit import all_in, check, room, screen_text, settled, squeezed, until, workshop_session

WORK, OPPORTUNITY = 7, 8
BEFORE = [1, 1, 1, 3, 3, 3, 5, 5]
AFTER = [3, 3, 3, 4, 4, 4, 0, 0]


async def test_i_relabels_the_board_and_the_move():
    """On question 9 (a before-and-after) the bars' rows and the move's summary change language with the headings."""
    async with running_hub(workshop_session()) as hub:
        await room(hub.url, {WORK: BEFORE, OPPORTUNITY: AFTER})
        app = HostApp(hub.url, HOST_TOKEN)
        async with app.run_test(size=(100, 30)) as pilot:
            await until(pilot, lambda: app.screen.query(TallyChart) and sum(app.screen.query_one(TallyChart).counts))
            await until(pilot, lambda: "moved towards" in str(app.screen.query_one(MovementChart).render()))
            await pilot.press("i")
            await until(pilot, lambda: "Cwestiwn 9" in str(app.screen.query_one("#question").render()))
            await pilot.pause(0.2)
            bars, move = (
                str(app.screen.query_one(TallyChart).render()),
                str(app.screen.query_one(MovementChart).render()),
            )
            assert "gwneud i" in bars and "doing to" not in bars, bars
            assert "gorfodaeth" in bars and "coercion" not in bars, bars
            assert "O'r 8" in move and "Of 8" not in move, move
            await pilot.press("i", "i")  # both, then English again
            await until(pilot, lambda: "Question 9" in str(app.screen.query_one("#question").render()))
            await pilot.pause(0.2)
            bars, move = (
                str(app.screen.query_one(TallyChart).render()),
                str(app.screen.query_one(MovementChart).render()),
            )
            assert "doing to" in bars and "gwneud i" not in bars, bars
            assert "Of 8" in move and "O'r" not in move, move


async def test_i_relabels_presenter_mode():
    async with running_hub(workshop_session()) as hub:
        await room(hub.url, {WORK: BEFORE})
        app = HostApp(hub.url, HOST_TOKEN, presenter=True)
        async with app.run_test(size=(100, 30)) as pilot:
            await until(pilot, lambda: "8 of 8 here" in squeezed(screen_text(app.export_screenshot())))
            await pilot.press("i")
            await until(pilot, lambda: "Cwestiwn 8" in screen_text(app.export_screenshot()))
            await pilot.pause(0.3)
            shown = squeezed(screen_text(app.export_screenshot()))
            assert "here have voted" not in shown and "Results are hidden" not in shown, shown


@pytest.mark.parametrize("lang", ["en", "cy"])
@pytest.mark.parametrize("presenter", [False, True], ids=["live", "presenter"])
async def test_the_ladders_are_told_apart_by_their_board_and_note(lang, presenter):
    """Questions 4 and 5 ask in the same words: the board's title and the note say which ladder."""
    async with running_hub(workshop_session()) as hub:
        host, _ = await room(hub.url, {3: [0, 1, 2], 4: [0, 1, 2]}, people=3)
        app = HostApp(hub.url, HOST_TOKEN, ["192.168.1.20:8765"], lang=lang, presenter=presenter)
        seen = []
        async with app.run_test(size=(100, 30)) as pilot:
            for question in (3, 4):
                await host.request(lambda seq, q=question: Command(seq, Action.GOTO, q))
                await until(pilot, lambda q=question: app.view.state is not None and app.view.state.current == q)
                await settled(pilot, app)
                shown = screen_text(app.export_screenshot())
                question_ = app.view.deck.questions[question]
                assert not all_in(shown, [question_.x.title, question_.note]), shown
                seen.append(shown)
                if question == 3 and not presenter:
                    check(f"dashboard_{lang}_ladder_note_100x30", app.export_screenshot())
        assert seen[0] != seen[1]


@pytest.mark.parametrize("lang", ["en", "cy"])
@pytest.mark.parametrize("size", [(100, 30), (80, 24)], ids=["100x30", "80x24"])
async def test_the_move_is_on_the_first_screen(lang, size):
    """The sentence that matters, and at 100 x 30 the whole from → to table, without PgDn."""
    async with running_hub(workshop_session()) as hub:
        await room(hub.url, {WORK: BEFORE, OPPORTUNITY: AFTER})
        app = HostApp(hub.url, HOST_TOKEN, ["192.168.1.20:8765"], lang=lang)
        async with app.run_test(size=size) as pilot:
            await until(pilot, lambda: app.screen.query(MovementChart) and app.screen.query_one(MovementChart).movement)
            await settled(pilot, app)
            shown = screen_text(app.export_screenshot())
            if lang == "en":
                summary = "Of 8 who answered both: 6 moved towards doing with, 0 stayed, 2 moved away"
                table = ["before ↓ after →", "6 co-production", "right of the diagonal"]
            else:
                summary = "O'r 8 a atebodd y ddau"
                table = ["cyn ↓ ar ôl →", "6 cydgynhyrchu / cynnwys"]
            assert not all_in(shown, [summary]), shown
            if size == (100, 30):
                assert not all_in(shown, table), shown
                check(f"dashboard_{lang}_movement_100x30", app.export_screenshot())


async def test_a_notice_goes_at_the_next_key():
    async with running_hub(workshop_session()) as hub:
        said = "picked 2026-12-07-1000, the newest session anyone joined or voted in (10 participants, 88 votes)"
        app = HostApp(hub.url, HOST_TOKEN, notices=[said])
        async with app.run_test(size=(100, 30), notifications=True) as pilot:
            await until(pilot, lambda: "the newest session" in squeezed(screen_text(app.export_screenshot())))
            assert NOTICE_SECONDS <= 10
            await pilot.press("down")  # a key already on its way (a paste, a held key) leaves it to be read
            await pilot.pause(0.3)
            assert "the newest session" in squeezed(screen_text(app.export_screenshot()))
            await asyncio.sleep(NOTICE_FLOOR)
            await pilot.press("down")
            await pilot.pause(0.3)
            assert "the newest session" not in squeezed(screen_text(app.export_screenshot()))


async def test_a_notice_goes_after_a_few_seconds():
    async with running_hub(workshop_session()) as hub:
        app = HostApp(hub.url, HOST_TOKEN, notices=["picked a session"])
        async with app.run_test(size=(100, 30), notifications=True) as pilot:
            await until(pilot, lambda: "picked a session" in screen_text(app.export_screenshot()))
            await until(pilot, lambda: "picked a session" not in screen_text(app.export_screenshot()), timeout=15)


def test_word_sizes_follow_counts_and_ties_read_alike_in_welsh_order():
    words = [("together", 2), ("chyfrifoldeb", 1), ("cymuned", 1), ("dave", 1), ("llais", 1), ("lwc", 1)]
    drawn = word_cloud(words, 200, order="cy")
    plain = drawn.plain
    order = [plain.index(w.upper()) for w in ("cymuned", "chyfrifoldeb", "dave", "lwc", "llais")]
    assert order == sorted(order), plain  # Welsh: c < ch, l < ll
    styles = {}
    for word, _ in words[1:]:
        start = plain.index(word.upper())
        styles[word] = [span.style for span in drawn.spans if span.start <= start < span.end]
    assert len({str(s) for s in styles.values()}) == 1, styles  # the same count, the same size
    assert "T O G E T H E R" in plain  # the top count is the biggest
    english = word_cloud(words, 200, order="en").plain
    assert english.index("CHYFRIFOLDEB") < english.index("CYMUNED")


def test_a_single_count_is_not_drawn_in_a_range_of_sizes():
    words = [(f"word{i}", 1) for i in range(25)]
    drawn = word_cloud(words, 200)
    assert {str(span.style) for span in drawn.spans if span.style != Style(dim=True)} == {
        str(Style(bold=True, color="cyan"))
    }


async def test_who_is_here_and_who_has_not_voted():
    """Ten joined, two left having voted, three here have not voted: the room is counted as it is."""
    async with running_hub(workshop_session()) as hub:
        _host, peers = await room(hub.url, {WORK: [1, 2, 3, 4, 5, 0, 1]}, people=10)
        for peer in peers[:2]:
            await peer.socket.close()
        app = HostApp(hub.url, HOST_TOKEN, lang="en")
        async with app.run_test(size=(100, 30)) as pilot:
            await until(pilot, lambda: app.view.turnout is not None and app.view.turnout.connected == 8, timeout=10)
            await pilot.pause(0.3)
            shown = squeezed(screen_text(app.export_screenshot()))
            assert "5 of 8 here have voted" in shown, shown
            assert "3 yet to vote" in shown, shown
            assert "+2 from people who left" in shown, shown
            assert "of 10 have voted" not in shown
            await pilot.press("i")
            await pilot.pause(0.4)
            shown = squeezed(screen_text(app.export_screenshot()))
            assert "here have voted" not in shown and "yet to vote" not in shown, shown
        newcomer = await join(hub.url, Hello(name="late"))
        await newcomer.request(lambda seq: Vote(seq, WORK, 2))
        assert read_models.turnout(hub.session).voted_here == 6


async def test_i_relabels_the_grid_and_the_words():
    from coproterm.core.client_messages import Answer
    from coproterm.tui.widgets.wall import AnswerWall

    async with running_hub(workshop_session()) as hub:
        host, peers = await room(hub.url, {11: [0, 7, 14]}, people=3)
        app = HostApp(hub.url, HOST_TOKEN)
        async with app.run_test(size=(100, 30)) as pilot:
            await until(pilot, lambda: app.screen.query(TallyChart) and sum(app.screen.query_one(TallyChart).counts))
            await pilot.press("i")
            await until(pilot, lambda: "Cwestiwn 12" in str(app.screen.query_one("#question").render()))
            await pilot.pause(0.2)
            grid = str(app.screen.query_one(TallyChart).render())
            assert "syml" in grid and "simple" not in grid, grid
            await host.request(lambda seq: Command(seq, Action.GOTO, 0))
            await peers[0].request(lambda seq: Answer(seq, 0, 0, "gweithio gyda'n gilydd"))
            await until(pilot, lambda: app.screen.query(AnswerWall) and app.view.written.host_total == 1)
            await pilot.press("w")
            await pilot.pause(0.2)
            await pilot.press("i", "i")  # both, then English
            await until(pilot, lambda: "Question 1" in str(app.screen.query_one("#question").render()))
            await pilot.pause(0.2)
            words = str(app.screen.query_one(AnswerWall).render())
            assert "1 answer" in words and "GWEITHIO" in words, words
