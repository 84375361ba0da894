"""Lines drawn once per process (coproterm/tui/widgets/shared.py) are the lines each screen would draw.

Several participant apps run in one event loop, as an SSH worker runs them, in different
states (sizes, languages, a vote cast, a cursor moved); the host walks them through every
kind of board. At each step, every shared widget's lines, as the screen gets them, are
compared with the lines the widget draws for itself, from nothing.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import App, ComposeResult
from textual.content import Content
from textual.geometry import Region
from textual.widget import Widget
from textual.widgets import Input

from coproterm.core.wire import Action, Command
from coproterm.tui.participant.app import ParticipantApp
from coproterm.tui.widgets.board import BoardPicker
from coproterm.tui.widgets.shared import SharedLines, forget_drawn
from coproterm.tui.widgets.steady import Steady, SteadyInput
from tests.hubkit import join_host, running_hub
from tests.test_faces import until

STRUCTURAL = {"first-of-type", "last-of-type", "first-child", "last-child", "odd", "even", "empty"}
"""Pseudo-classes the shared key leaves out: where a widget stands among its siblings."""
SPECTRUM, NEXT_BOARD, COMPLEXITY, GRID, OPEN_ANSWER = 1, 2, 3, 4, 5


def drawn(widget: Widget) -> list[list[tuple[str, object]]]:
    """The widget's lines as the screen gets them (shared when another screen drew them first)."""
    return [[(text, style) for text, style, _ in strip] for strip in widget.render_lines(_whole(widget))]


def drawn_alone(widget: Widget) -> list[list[tuple[str, object]]]:
    """The widget's lines drawn by itself, from nothing, as Textual would without the shared cache."""
    widget._set_dirty()
    widget._styles_cache.clear()
    lines = Widget.render_lines(widget, _whole(widget))
    return [[(text, style) for text, style, _ in strip] for strip in lines]


def _whole(widget: Widget) -> Region:
    return Region(0, 0, *widget.size)


def shared_widgets(app: ParticipantApp) -> list[Widget]:
    return [w for w in app.screen.walk_children(Widget) if isinstance(w, SharedLines) and w.size and w.display]


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
            compared = shared_across_apps = 0
            boards: list[int] = []
            boxes = 0  # the ids of the boards the screens showed
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
                seen: dict[int, int] = {}  # the id of a list of lines: the app that got it
                for number, (app, _) in enumerate(apps):
                    for widget in shared_widgets(app):
                        got = widget.render_lines(_whole(widget))
                        if seen.setdefault(id(got), number) != number:
                            shared_across_apps += 1
                        assert drawn(widget) == drawn_alone(widget), f"{app.display_name}: {widget!r}"
                        compared += 1
                        if isinstance(widget, BoardPicker):  # boards too are drawn once per process
                            board = widget._draw(widget.size.width)
                            alone = Content.from_rich_text(widget._draw_board(widget.size.width))
                            assert (board.content.plain, board.content.spans) == (alone.plain, alone.spans)
                            boards.append(id(board))
                    for box in app.screen.query(SteadyInput):  # an empty box's placeholder, drawn once
                        if box.size and all(node.display for node in box.ancestors_with_self):
                            for y in range(box.size.height):
                                got = [(text, style) for text, style, _ in box.render_line(y)]
                                alone = [(text, style) for text, style, _ in Input.render_line(box, y)]
                                assert got == alone, f"{app.display_name}: the answer box, line {y}"
                                boxes += 1
            assert compared > 100
            assert boxes >= 4  # every screen's answer box was compared
            assert shared_across_apps > 10  # the cache was in use between screens, not only within one
            assert len(set(boards)) < len(boards)  # and so was the boards' cache

            # Different states drew differently: Cat's words are Welsh, Dai's screen is narrower.
            prompts = {app.display_name: drawn(app.screen.query_one("#prompt")) for app, _ in apps}
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

            # The board does not restyle itself when focused (its cursor shows it): no rule may style it so.
            focused_board_rules = [
                rule.css
                for rule in ann.stylesheet.rules
                for selector_set in rule.selector_set
                if any(s.name == "BoardPicker" and "focus" in s.pseudo_classes for s in selector_set.selectors)
            ]
            assert not focused_board_rules


class Words(App[None]):
    """One line of words, as a shared widget shows them; ``look`` says how."""

    CSS = ".quiet { color: $text-muted; }"

    def __init__(self, look: str) -> None:
        super().__init__()
        self.look = look

    def compose(self) -> ComposeResult:
        yield Steady(id="words")

    def on_mount(self) -> None:
        words = self.query_one(Steady)
        words.show(Text("the same words", "italic" if self.look == "styled" else ""))
        if self.look == "classed":
            words.add_class("quiet")
        if self.look == "styled in code":
            words.styles.background = "darkred"


async def test_screens_share_lines_only_when_everything_that_decides_them_is_the_same():
    forget_drawn()
    looks = ["plain", "plain", "styled", "classed", "styled in code"]
    apps = [Words(look) for look in looks]
    lines = {}
    async with (
        apps[0].run_test(size=(30, 3)) as p0,
        apps[1].run_test(size=(30, 3)) as p1,
        apps[2].run_test(size=(30, 3)) as p2,
        apps[3].run_test(size=(30, 3)) as p3,
        apps[4].run_test(size=(30, 3)) as p4,
    ):
        for pilot in (p0, p1, p2, p3, p4):
            await pilot.pause(0.05)
        for number, app in enumerate(apps):
            widget = app.query_one(Steady)
            lines[number] = widget.render_lines(_whole(widget))
            assert drawn(widget) == drawn_alone(widget), looks[number]
    assert lines[0] is lines[1]  # the same words, the same look: drawn once
    drawings = [[[(text, style) for text, style, _ in strip] for strip in lines[n]] for n in (0, 2, 3, 4)]
    assert all(a != b for i, a in enumerate(drawings) for b in drawings[i + 1 :])  # each look its own lines
