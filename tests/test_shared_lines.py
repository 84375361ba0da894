"""Lines drawn once per process (coproterm/tui/widgets/shared.py) are the lines each screen would draw.

Several participant apps run in one event loop, as an SSH worker runs them, in different
states (sizes, languages, a vote cast, a cursor moved); the host walks them through every
kind of board. At each step, every shared widget's lines, as the screen gets them, are
compared with the lines the widget draws for itself, from nothing.
"""

from __future__ import annotations

import contextlib

from rich.color import ColorSystem
from rich.text import Text
from textual.app import App, ComposeResult
from textual.content import Content
from textual.filter import NoColor
from textual.geometry import Region
from textual.widget import Widget
from textual.widgets import Input

from coproterm.core.client_messages import Command
from coproterm.core.wire_terms import Action
from coproterm.tui.participant.app import ParticipantApp
from coproterm.tui.textual_private import add_line_filter, set_color_system
from coproterm.tui.widgets.background_only import ScrollBarLaidOutOnce
from coproterm.tui.widgets.board import BoardPicker
from coproterm.tui.widgets.quiet import QuietInput, QuietStatic
from coproterm.tui.widgets.shared import SharedLines, forget_drawn
from tests.facekit import until
from tests.hubkit import join_host, running_hub
from tests.textualkit import as_the_app, css_type_names, draw_afresh

STRUCTURAL = {"first-of-type", "last-of-type", "first-child", "last-child", "odd", "even", "empty", "focus-within"}
"""Pseudo-classes the shared key leaves out: where a widget stands among its siblings, and what inside it has focus."""
SPECTRUM, NEXT_BOARD, COMPLEXITY, GRID, OPEN_ANSWER = 1, 2, 3, 4, 5


def drawn(widget: Widget) -> list[list[tuple[str, object]]]:
    """The widget's lines as the screen gets them (shared when another screen drew them first)."""
    return [[(text, style) for text, style, _ in strip] for strip in widget.render_lines(_whole(widget))]


def drawn_alone(widget: Widget) -> list[list[tuple[str, object]]]:
    """The widget's lines drawn by itself, from nothing, as Textual would without the shared cache."""
    draw_afresh(widget)
    lines = Widget.render_lines(widget, _whole(widget))
    return [[(text, style) for text, style, _ in strip] for strip in lines]


def _whole(widget: Widget) -> Region:
    return Region(0, 0, *widget.size)


def shared_widgets(app: ParticipantApp) -> list[Widget]:
    """Every widget drawn once per process on the screen, the body's scrollbar among them."""
    widgets = [w for w in app.screen.walk_children(Widget) if isinstance(w, SharedLines) and w.size and w.display]
    bar = app.screen.query_one("#body").vertical_scrollbar
    return [*widgets, bar] if bar.size and bar.display else widgets


async def test_every_screen_draws_what_it_would_draw_alone():
    forget_drawn()
    async with running_hub() as hub:
        apps = [
            (ParticipantApp(hub.url, "Ann"), (80, 24)),
            (ParticipantApp(hub.url, "Bob"), (80, 24)),
            (ParticipantApp(hub.url, "Cat", lang="cy"), (80, 24)),
            (ParticipantApp(hub.url, "Dai"), (40, 12)),
        ]
        host = await join_host(hub.url)
        (ann, a_size), (bob, b_size), (cat, c_size), (dai, d_size) = apps
        async with (
            ann.run_test(size=a_size) as ap,
            bob.run_test(size=b_size) as bp,
            cat.run_test(size=c_size) as cp,
            dai.run_test(size=d_size) as dp,
        ):
            pilots = [ap, bp, cp, dp]
            compared = boxes = bars = 0
            shared_across_apps: list[str] = []  # widgets whose lines came from another screen's drawing
            boards_shared: list[str] = []  # boards drawn for one screen and shown by another
            for question, moves in (
                (SPECTRUM, {bp: ["right", "right"]}),
                (NEXT_BOARD, {bp: ["enter"], dp: ["right"]}),
                (GRID, {bp: ["down", "enter"]}),
                (OPEN_ANSWER, {bp: ["escape"], dp: ["h", "i"]}),
                (COMPLEXITY, {bp: ["left"]}),
                (SPECTRUM, {}),
            ):
                await host.request(lambda seq, q=question: Command(seq, Action.GOTO, q))
                for pilot, (app, _) in zip(pilots, apps, strict=True):
                    await until(
                        pilot, lambda app=app, q=question: app.view.state is not None and app.view.state.current == q
                    )
                for pilot, keys in moves.items():
                    await pilot.press(*keys)
                for pilot in pilots:
                    await pilot.pause(0.1)
                lines_seen: dict[int, tuple[int, object]] = {}  # id of a list of lines: (the app, the list)
                boards_seen: dict[int, tuple[int, object]] = {}
                for number, (app, _) in enumerate(apps):
                    with as_the_app(app):  # as the app itself draws: its language, its console, its filters
                        for widget in shared_widgets(app):
                            got = widget.render_lines(_whole(widget))
                            if lines_seen.setdefault(id(got), (number, got))[0] != number:
                                shared_across_apps.append(f"{app.display_name} {widget!r}")
                            assert drawn(widget) == drawn_alone(widget), f"{app.display_name}: {widget!r}"
                            compared += 1
                            bars += isinstance(widget, ScrollBarLaidOutOnce)
                            if isinstance(widget, BoardPicker):  # boards too are drawn once per process
                                board = widget._draw(widget.size.width)
                                alone = Content.from_rich_text(widget._draw_board(widget.size.width))
                                assert (board.content.plain, board.content.spans) == (alone.plain, alone.spans)
                                if boards_seen.setdefault(id(board), (number, board))[0] != number:
                                    boards_shared.append(app.display_name)
                        for box in app.screen.query(QuietInput):  # an empty box's placeholder, drawn once
                            if box.size and all(node.display for node in box.ancestors_with_self):
                                for y in range(box.size.height):
                                    got_line = [(text, style) for text, style, _ in box.render_line(y)]
                                    alone_line = [(text, style) for text, style, _ in Input.render_line(box, y)]
                                    assert got_line == alone_line, f"{app.display_name}: the answer box, line {y}"
                                    boxes += 1
            assert compared > 100
            assert boxes >= 4  # every screen's answer box was compared
            assert bars >= 4 * 6  # and every screen's scrollbar, at every step
            assert len(shared_across_apps) > 10  # the cache was in use between screens, not only within one
            assert "Bob" in boards_shared or "Dai" in boards_shared  # and so was the boards' (Ann drew first)
            assert "Cat" not in boards_shared  # a Welsh board is Cat's alone

            # Different states drew differently: Cat's words are Welsh, Dai's screen is narrower.
            prompts = {}
            for app, _ in apps:
                with as_the_app(app):
                    prompts[app.display_name] = drawn(app.screen.query_one("#prompt"))
            assert prompts["Ann"] == prompts["Bob"]
            assert prompts["Cat"] != prompts["Ann"]
            assert prompts["Dai"] != prompts["Ann"]

            # The shared key leaves out :first-child and its kind: no rule the screens use may need them.
            used = {
                name
                for rule in ann.stylesheet.rules
                for selector_set in rule.selector_set
                for selector in selector_set.selectors
                for name in selector.pseudo_classes
            }
            assert "focus" in used  # the stylesheet was read
            assert not used & STRUCTURAL, used & STRUCTURAL

            # The board does not restyle itself when focused (its cursor shows it): no rule may style it so,
            # by its type, its id, its class or none.
            board_names = {*css_type_names(BoardPicker), "*", "", "picker", "-locked"}
            focused_board_rules = [
                rule.css
                for rule in ann.stylesheet.rules
                for selector_set in rule.selector_set
                if any(s.name in board_names and s.pseudo_classes & {"focus", "blur"} for s in selector_set.selectors)
            ]
            assert not focused_board_rules


class Words(App[None]):
    """One line of words, as a shared widget shows them; ``look`` says how (as the SSH gateway sets a
    terminal's colours, for the last two)."""

    CSS = ".quiet { color: $text-muted; }"

    def __init__(self, look: str) -> None:
        super().__init__()
        self.look = look
        if look == "256 colours":
            set_color_system(self.console, ColorSystem.EIGHT_BIT)  # a test console has 16
        if look == "no colour":
            self.no_color = True
            add_line_filter(self, NoColor())

    def compose(self) -> ComposeResult:
        yield QuietStatic(id="words")

    def on_mount(self) -> None:
        words = self.query_one(QuietStatic)
        words.show(Text("the same words", "italic" if self.look == "styled" else ""))
        if self.look == "classed":
            words.add_class("quiet")
        if self.look == "styled in code":
            words.styles.background = "darkred"


LOOKS = ["plain", "plain", "styled", "classed", "styled in code", "256 colours", "no colour"]


async def test_screens_share_lines_only_when_everything_that_decides_them_is_the_same():
    forget_drawn()
    apps = [Words(look) for look in LOOKS]
    lines = {}
    sent = {}  # what each screen's terminal is sent for its lines
    async with contextlib.AsyncExitStack() as stack:
        pilots = [await stack.enter_async_context(app.run_test(size=(30, 3))) for app in apps]
        for pilot in pilots:
            await pilot.pause(0.05)
        for number, app in enumerate(apps):  # in order: the plain screen's lines are sent first
            with as_the_app(app):
                widget = app.query_one(QuietStatic)
                lines[number] = widget.render_lines(_whole(widget))
                sent[number] = [strip.render(app.console) for strip in lines[number]]
                assert drawn(widget) == drawn_alone(widget), LOOKS[number]
                draw_afresh(widget)
                alone = [strip.render(app.console) for strip in Widget.render_lines(widget, _whole(widget))]
                assert sent[number] == alone, LOOKS[number]
    assert lines[0] is lines[1]  # the same words, the same look: drawn once
    assert [LOOKS[n] for n in range(2, len(LOOKS)) if lines[n] is lines[0]] == []  # each other look, its own drawing
    assert len({tuple(codes) for codes in sent.values()}) == len(LOOKS) - 1  # and its own codes


async def test_a_widget_removed_from_its_screen_still_draws_the_frame_laid_out_before():
    """The compositor may ask a widget just removed (a board replaced) for the frame it laid out
    before the removal: with no screen to ask about a selection, it draws for itself (as Textual
    would: blank) rather than stopping the app with NoScreen."""
    app = Words(LOOKS[0])
    async with app.run_test(size=(30, 3)) as pilot:
        await pilot.pause(0.05)
        widget = app.query_one(QuietStatic)
        size = widget.size
        with as_the_app(app):
            before = [[text for text, _, _ in strip] for strip in widget.render_lines(Region(0, 0, *size))]
        await widget.remove()
        with as_the_app(app):
            after = [[text for text, _, _ in strip] for strip in widget.render_lines(Region(0, 0, *size))]
    assert "".join(before[0]).strip() == "the same words"
    assert len(after) == len(before)  # a frame of the height asked for, drawn without the screen
