"""The participant's one screen: the question, the board, and what happened to their vote."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, TypeVar, cast

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.css.query import NoMatches
from textual.geometry import Region
from textual.message import Message
from textual.reactive import Reactive
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Input

from coproterm.client.link import Phase
from coproterm.core.boards import Kind, Question
from coproterm.core.i18n import N_
from coproterm.core.movement import own_move
from coproterm.core.view import SessionView
from coproterm.core.wire_terms import ErrorCode
from coproterm.tui.hub_app import LANGUAGE_KEY, LANGUAGE_LABEL, HubScreen, describe_link
from coproterm.tui.participant.vote_words import LOCKED, cell_help, vote_feedback
from coproterm.tui.textual_private import focus_that_repaints_nothing, style_before_mounting
from coproterm.tui.widgets.answer_box import AnswerBox, MineList
from coproterm.tui.widgets.background_only import BackgroundColumn, BackgroundScroll, blank_lines
from coproterm.tui.widgets.countdown import countdown_line
from coproterm.tui.widgets.keybar import KeyBar
from coproterm.tui.widgets.quiet import QuietInput, QuietStatic

if TYPE_CHECKING:  # made when a question first needs them: a start whose first question has none never loads them
    from coproterm.tui.widgets.board import BoardPicker
    from coproterm.tui.widgets.marking import MarkPanel
    from coproterm.tui.widgets.tally import TallyChart

STOPPED_HINT = N_("Press r to try again, or q to leave.")
ENDED_HINT = N_("The session has ended; thank you for taking part. Press q to leave.")
FEEDBACK_LINES = 2
"""The lines the feedback has (its max-height in vote_screen.tcss)."""
PICKER, ANSWER_BOX, CHART, MARKING = "picker", "answer-box", "results-chart", "marking"
"""The ids of the screen's parts made when a question first needs them (one of each, reused)."""
Part = TypeVar("Part", bound=Widget)
TICK = 0.25
"""Seconds between looks at a running countdown: the header's time is at most this late."""


class VoteScreen(HubScreen):
    """Shows the current question and takes the participant's vote."""

    CSS_PATH = "vote_screen.tcss"
    AUTO_FOCUS = None  # the board takes focus when there is one; never the hidden code box
    focused: Reactive[Widget | None] = focus_that_repaints_nothing()
    """Textual's, without painting the whole screen again on every move of the focus (every question
    for an SSH viewer): what shows focus paints itself (the board's cursor, the text box, a restyled part)."""
    BINDINGS = [
        Binding("q", "app.quit", "leave"),
        Binding("r", "app.retry", "retry", show=False),
        Binding("d", "details", "details"),
        Binding("v", "results", "results"),
        Binding("pagedown", "scroll_body('page_down')", "page down", show=False),
        Binding("pageup", "scroll_body('page_up')", "page up", show=False),
        Binding("end", "scroll_body('scroll_end')", "end", show=False),
        Binding("home", "scroll_body('scroll_home')", "home", show=False),
        Binding("p", "app.plain", "plain mode"),  # before k: a screen reader's way out must be on a narrow bar
        Binding("k", "app.keep", "keep my answers"),
        Binding(LANGUAGE_KEY, "app.language", LANGUAGE_LABEL),
    ]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The key bar offers only what works now: a question's points when it has some, results once shown."""
        if action == "details":
            question = self.hub.view.question
            if question is None or not self._has_details(question) or self.hub.link_status.ended:
                return False
            # Among one's answers the bar's room goes to their keys (remove); Esc comes back to d.
            box = self._part(AnswerBox, ANSWER_BOX)
            return box is None or self.focused is None or box not in self.focused.ancestors_with_self
        if action == "results":
            return self._results_showing()
        return True

    class VoteChosen(Message):
        """The participant cast a vote on the current question, or took it back (``None``)."""

        def __init__(self, choice: int | None, *, toggle: bool = False) -> None:
            super().__init__()
            self.choice = choice
            """The cell voted for; None to clear the vote."""
            self.toggle = toggle
            """Whether the cell is added to a pick-several vote, or taken out of it, rather than being the vote."""

    class CodeGiven(Message):
        """The participant typed the session's join code."""

        def __init__(self, code: str) -> None:
            super().__init__()
            self.code = code
            """What they typed."""

    def render_lines(self, crop: Region) -> list[Strip]:
        return blank_lines(self, crop)  # its own background only, under everything

    def compose(self) -> ComposeResult:
        # The CSS of the parts below, then of a text question's answer box (the built-in deck's first),
        # in the order they mount: one parse of the stylesheet before the first layout, not four.
        style_before_mounting(
            self.app, QuietStatic, QuietInput, BackgroundScroll, KeyBar, BackgroundColumn, AnswerBox, MineList
        )
        yield QuietStatic(id="status")
        yield QuietInput(placeholder=self.hub.t("join code (4 letters)"), id="code", max_length=16, disabled=True)
        yield QuietStatic(id="prompt")  # outside the scrolling body: the question never scrolls out of view
        with BackgroundScroll(id="body"):
            yield QuietStatic(id="note")
            yield QuietStatic(id="details")
            yield BackgroundColumn(id="board")
            yield QuietStatic(id="move")  # right under the board: the person's own before and after, in view first
            yield QuietStatic(id="help")
            yield BackgroundColumn(id="results")
        yield QuietStatic(id="feedback")
        yield KeyBar(first=("results", "details"))  # a narrow bar keeps what is new on this question

    def on_resize(self) -> None:
        self.set_class(self.size.height < 20, "-compact")
        self._fit_note()
        self.refresh_bindings()  # d opens a folded note on a small screen
        view = self.hub.view
        if view.question is not None and view.state is not None and not self.hub.link_status.ended:
            self.query_one("#feedback", QuietStatic).show(
                self._feedback(view.question, view)
            )  # its words for this width

    def _fit_note(self) -> None:
        """The question's note only where it leaves the board or the answer box in view.

        Decided again on every resize: an SSH terminal tells its real size after the first question is drawn.
        """
        question = self.hub.view.question
        self.query_one("#note").display = (
            question is not None and bool(question.note) and not self._note_folded(question)
        )

    def on_mount(self) -> None:
        self._shown: tuple[int, int | None, bool] | None = None
        self._ticked: int | None = None
        self._ticking = False
        """The countdown's ticks run from the first countdown on (a session without one runs no timer)."""
        body = self.query_one("#body", VerticalScroll)
        for name in ("scroll_y", "virtual_size", "size"):
            # Whether the results are in sight changes as the body scrolls or grows: the status says it.
            self.watch(body, name, self._cue_results_soon, init=False)

    def _tick(self) -> None:
        """While a countdown shows, the header follows it (the line is painted only when its words change)."""
        left = self.hub.view.time_left(time.monotonic())
        if left != self._ticked:  # a new second (or none now): the status line is built only then
            self._ticked = left
            self.query_one("#status", QuietStatic).show(Text(self._status_line(self.hub.view)))

    def _cue_results_soon(self) -> None:
        self.call_after_refresh(self._cue_results)

    def _cue_results(self) -> None:
        status = self.query_one("#status", QuietStatic)
        status.show(Text(self._status_line(self.hub.view)))

    def _results_showing(self) -> bool:
        """Revealed results are on this screen (below the board, or the room's words under the answers)."""
        results = self.query_one("#results", Vertical)
        if any(part.display for part in results.children):
            return True
        box = self._part(AnswerBox, ANSWER_BOX)
        return box is not None and box.display and box.wall_showing

    def _results_below(self) -> bool:
        """The results are revealed but out of sight, further down the body."""
        if not self._results_showing():
            return False
        body = self.query_one("#body", VerticalScroll)
        target = self._results_part()
        if target is None or not body.size.height:
            return False
        return self._top_in_body(target) >= body.scroll_y + body.scrollable_content_region.height

    def _top_in_body(self, widget: Widget) -> int:
        """Where ``widget`` starts in the body's content (scrolled or not)."""
        body = self.query_one("#body", VerticalScroll)
        top, node = 0, widget
        while isinstance(node, Widget) and node is not body:
            top += node.virtual_region.y
            node = node.parent  # type: ignore[assignment]
        return top

    def _results_part(self) -> Widget | None:
        results = self.query_one("#results", Vertical)
        if any(part.display for part in results.children):
            return results
        box = self._part(AnswerBox, ANSWER_BOX)
        return box.wall if box is not None and box.display and box.wall_showing else None

    def action_results(self) -> None:
        """Show the revealed results: scrolled to their top (and back to the board when pressed there)."""
        target = self._results_part()
        if target is None:
            return
        body = self.query_one("#body", VerticalScroll)
        top = self._top_in_body(target)
        if body.scroll_y < min(top, body.max_scroll_y):
            body.scroll_to(y=top, animate=False)
            return
        body.scroll_home(animate=False)  # pressed again: back to the board, its cursor in sight
        picker = self._picker()
        if picker is not None and picker.display:
            self.call_after_refresh(picker.keep_cursor_in_view)  # once scrolled: its place is known then

    def action_scroll_body(self, how: str) -> None:
        body = self.query_one("#body", VerticalScroll)
        getattr(body, how)(animate=False)

    def _part(self, kind: type[Part], name: str) -> Part | None:
        """The screen's one ``kind`` of part, if it has been made: found by its id (Textual keeps that
        lookup; a search by type walks the whole screen, several times a redraw, for every SSH viewer)."""
        try:
            return self.query_one(f"#{name}", kind)
        except NoMatches:
            return None

    def _made(self, name: str) -> Widget | None:
        """The part ``name`` whose class is imported when first made (the picker, the chart, the marking
        panel), if it has been: found by its id alone, as its class may not be loaded yet."""
        try:
            return self.query_one(f"#{name}")
        except NoMatches:
            return None

    def _picker(self) -> BoardPicker | None:
        return cast("BoardPicker | None", self._made(PICKER))

    def _chart(self) -> TallyChart | None:
        return cast("TallyChart | None", self._made(CHART))

    def _marking(self) -> MarkPanel | None:
        return cast("MarkPanel | None", self._made(MARKING))

    def relabel(self) -> None:
        self._shown = None  # the question's words are drawn again in the new language
        self.query_one("#code", Input).placeholder = self.hub.t("join code (4 letters)")
        picker = self._picker()
        cursor = picker.cursor if picker is not None else None
        super().relabel()
        if picker is not None and cursor is not None and picker.display:
            picker.cursor = cursor  # the highlighted position stays, its help now in the other language

    # -- state down --------------------------------------------------------------

    def redraw(self) -> None:
        view = self.hub.view
        if view.countdown is not None and not self._ticking:
            self._ticking = True
            self.set_interval(TICK, self._tick)
        t = self.hub.t
        self.query_one("#status", QuietStatic).show(Text(self._status_line(view)))
        question = view.question
        if self._ask_for_code():
            self.query_one("#feedback", QuietStatic).show(
                t("Type the join code the facilitator shows, then press Enter.")
            )
            return
        if self.hub.link_status.ended:
            self._show_ended()
            return
        if question is None or view.state is None:
            self.query_one("#prompt", QuietStatic).show(t("Waiting for the session…"))
            self.query_one("#feedback", QuietStatic).show(self._stopped_hint() or "")
            return
        current = view.state.current
        revealed = view.current_tally is not None
        key = (current, view.my_vote(), revealed)
        if self._shown is None or self._shown[0] != current:
            self._show_question(question, view)
        elif self._shown[2] != revealed:
            self._show_results(question, view)
        if self._shown != key:
            self.refresh_bindings()  # the details, results and vote keys follow the question and its state
            self.set_timer(0.2, self._cue_results)  # once the results are laid out: in sight, or below
        self._shown = key
        box = self._part(AnswerBox, ANSWER_BOX)
        if box is not None and box.display:
            box.update_from(view)
        self._show_marking(question, view)
        picker = self._picker()
        if picker is not None:
            # What was last sent, so a quick second pick shows beside the first; a refusal takes it back.
            picker.chosen = view.latest_vote() if question.several else view.my_vote()
            picker.locked = not view.state.open

        tally = view.current_tally
        chart = self._chart()
        if tally is not None and chart is not None:
            chart.counts = tally.counts
            chart.people = view.current_people
        self._show_own_move(question, view)
        self.query_one("#feedback", QuietStatic).show(self._feedback(question, view))

    def _show_ended(self) -> None:
        """The session is over: its thanks, and nothing left to do but leave (no board, no vote keys)."""
        for widget in (self._picker(), self._part(AnswerBox, ANSWER_BOX)):
            if widget is not None:
                widget.display = False
        self.set_focus(None)
        self.query_one("#feedback", QuietStatic).show(self.hub.t(ENDED_HINT))

    def _stopped_hint(self) -> str | None:
        status = self.hub.link_status
        if status.phase is not Phase.STOPPED:
            return None
        return self.hub.t(ENDED_HINT if status.ended else STOPPED_HINT)

    def _status_line(self, view: SessionView) -> str:
        t = self.hub.t
        link = describe_link(self.hub.link_status, self.hub.url, hub_silent=self.hub.hub_silent, lang=self.hub.lang)
        if view.deck is None or view.state is None or self.hub.link_status.ended:
            return link  # once ended, where the session was (open, results shown) is no longer true
        state = view.state
        count = len(view.deck.questions)
        narrow = self.size.width < 60
        parts = [
            link,
            t("Q{number}/{count}", number=state.current + 1, count=count)
            if narrow
            else t("question {number} of {count}", number=state.current + 1, count=count),
        ]
        if view.question is not None and view.question.section:
            parts.insert(1, view.question.section)
        left = view.time_left(time.monotonic())
        if left is not None:
            parts.insert(1, countdown_line(left, self.hub.lang))  # early in the line: a narrow screen keeps it
        if view.question is not None and view.question.kind is not Kind.DISCUSSION:
            parts.append(t("open") if state.open else t("{lock} locked", lock=LOCKED))
            if state.revealed:
                parts.append(t("↓ results below: v") if self._results_below() else t("results shown"))
        return "  ·  ".join(parts)

    def _show_question(self, question: Question, view: SessionView) -> None:
        # A new question opens at its top, whatever was scrolled to on the last one: its board's first items in sight.
        self.query_one("#body", VerticalScroll).scroll_home(animate=False)
        self.query_one("#prompt", QuietStatic).show(Text(question.prompt))
        self.query_one("#note", QuietStatic).show(Text(question.note))
        self._fit_note()
        details = self.query_one("#details", QuietStatic)
        details.show(Text("\n".join(f"• {line}" for line in question.details)))
        details.display = False  # opened with d: the board comes first
        self.query_one("#help", QuietStatic).show("")
        # One picker and one chart, made once and handed each new question: a new widget
        # costs a restyle and a layout, paid per viewer over SSH.
        picker = self._picker()
        self._show_answer_box(question, view)
        if question.kind in (Kind.DISCUSSION, Kind.TEXT):
            if picker is not None:
                picker.display = False
                if picker.has_focus:
                    self.set_focus(None)
        elif picker is None:
            from coproterm.tui.widgets.board import BoardPicker

            picker = BoardPicker(question, view.my_vote(), id=PICKER)
            self.query_one("#board", Vertical).mount(picker)
            picker.focus()
        else:
            picker.show(question, view.my_vote())
            picker.display = True
            picker.focus()
        if picker is not None and picker.display and question.x is not None:
            # Now, not when the picker's Highlighted arrives: that would be a second layout of the screen.
            self.query_one("#help", QuietStatic).show(cell_help(question, picker.cursor, self.hub.t))
        self._show_results(question, view)

    def _show_answer_box(self, question: Question, view: SessionView) -> None:
        """A text question's box: made once, handed each new text question, hidden for the others
        (:meth:`redraw` then fills it from the view, in the same layout)."""
        box = self._part(AnswerBox, ANSWER_BOX)
        assert view.state is not None
        if question.kind is not Kind.TEXT:
            if box is not None:
                if self.focused is not None and box in self.focused.ancestors_with_self:
                    self.set_focus(None)  # its keys (remove an answer) go with it
                box.display = False
            return
        if box is None:
            box = AnswerBox(view.state.current, question, self.hub.t, id=ANSWER_BOX)
            self.query_one("#board", Vertical).mount(box)
        else:
            box.show(view.state.current, question)
            box.display = True
        to_mark = view.current_to_mark
        if to_mark is not None and to_mark.open:
            return  # the answers are open for agreement: the marking panel takes the keys (Tab reaches the box)
        # Now, in the same layout as the question (after the next refresh would lay the screen out again).
        box.focus_answer()

    def _show_marking(self, question: Question, view: SessionView) -> None:
        """An agreement round on the current question: the answer to mark, above the answer box.

        Made when the first round opens; it takes the focus when a round opens (Tab goes to the box)."""
        to_mark = view.current_to_mark if question.kind is Kind.TEXT else None
        panel = self._marking()
        if to_mark is None:
            if panel is not None and panel.display:
                if panel.has_focus:
                    self.set_focus(None)
                panel.display = False
            return
        opened = panel is None or not panel.display or panel.to_mark is None or not panel.to_mark.open
        if panel is None:
            from coproterm.tui.widgets.marking import MarkPanel

            panel = MarkPanel(self.hub.lang, id=MARKING)
            self.query_one("#board", Vertical).mount(panel, before=0)
        panel.display = True
        panel.show(to_mark, self.hub.lang)
        if opened and to_mark.open:
            panel.focus()

    def _show_own_move(self, question: Question, view: SessionView) -> None:
        """Before and after: once results are revealed, where this person moved from the question compared with."""
        move = self.query_one("#move", QuietStatic)
        mine = view.own_move() if view.current_tally is not None else None
        move.display = mine is not None and question.x is not None
        if mine is not None and question.x is not None:
            move.show(Text.assemble((self.hub.t("Your move: "), "bold"), own_move(question.x, *mine, self.hub.lang)))

    def _show_results(self, question: Question, view: SessionView) -> None:
        tally = view.current_tally
        showing = tally is not None and question.kind not in (Kind.DISCUSSION, Kind.TEXT)
        chart = self._chart()
        if showing:
            assert tally is not None
            if chart is None:
                from coproterm.tui.widgets.tally import TallyChart

                self.query_one("#results", Vertical).mount(
                    QuietStatic(self.hub.t("Results"), id="results-heading", classes="heading"),
                    TallyChart(question, tally.counts, id=CHART),
                )
            else:
                chart.show(question, tally.counts)
                self.query_one("#results-heading", QuietStatic).show(self.hub.t("Results"))  # in today's language
        for part in self.query_one("#results", Vertical).children:
            part.display = showing
        # On a small screen the results take the place of the help text.
        self.query_one("#help").display = not (showing and self.size.height < 34)

    def _feedback(self, question: Question, view: SessionView) -> Text:
        """What happened to the person's vote, whole: where the words take more than the two lines there
        are (a phone's SSH app, Welsh), their shorter form (a vote named by its positions' numbers)."""
        words = self._feedback_words(question, view)
        width = self.size.width - 2  # its padding
        if width > 0 and len(Text(words).wrap(self.app.console, width)) > FEEDBACK_LINES:
            words = self._feedback_words(question, view, short=True)
        return Text(words)

    def _feedback_words(self, question: Question, view: SessionView, *, short: bool = False) -> str:
        stopped = self._stopped_hint()
        if stopped is not None:
            return stopped
        return vote_feedback(question, view, self.hub.lang, silent=self.hub.hub_silent, short=short)

    # -- events up ---------------------------------------------------------------

    def on_board_picker_highlighted(self, event: BoardPicker.Highlighted) -> None:
        question = self.hub.view.question
        if question is not None and question.x is not None:
            self.query_one("#help", QuietStatic).show(cell_help(question, event.cell, self.hub.t))

    def on_board_picker_cast(self, event: BoardPicker.Cast) -> None:
        question = self.hub.view.question
        if question is not None and question.several:
            # Enter adds the highlighted position to the vote, or takes it out; the hub says if it is one too many.
            # The app builds the new set: only it knows the picks still on their way.
            self.post_message(self.VoteChosen(event.cell, toggle=True))
            return
        self.post_message(self.VoteChosen(event.cell))

    def on_board_picker_cleared(self, event: BoardPicker.Cleared) -> None:
        self.post_message(self.VoteChosen(None))

    def action_details(self) -> None:
        """Open (or close) the current question's details: a case study's points, and on a small screen
        the question's note too (kept off it to leave the board in sight)."""
        question = self.hub.view.question
        details, note = self.query_one("#details", QuietStatic), self.query_one("#note", QuietStatic)
        if question is None or not self._has_details(question):
            self.notify(self.hub.t("This question has no details to open."), timeout=2)
            return
        opening = not (details.display or (self._note_folded(question) and note.display))
        details.display = opening and bool(question.details)
        if self._note_folded(question):
            note.display = opening
        if opening:
            self.query_one("#body", VerticalScroll).scroll_home(animate=False)

    def _note_folded(self, question: Question) -> bool:
        """The question has a note this screen keeps folded (opened with d)."""
        # A discussion has no board to keep in sight: its note is what there is to read.
        return bool(question.note) and self.size.height < 20 and question.kind is not Kind.DISCUSSION

    def _has_details(self, question: Question) -> bool:
        return bool(question.details) or self._note_folded(question)

    def _ask_for_code(self) -> bool:
        """Show the code box when the hub wants a join code; whether it is showing."""
        box = self.query_one("#code", Input)
        status = self.hub.link_status
        wanted = status.phase is Phase.STOPPED and status.refusal in (ErrorCode.CODE_REQUIRED, ErrorCode.BAD_CODE)
        if wanted and not box.display:
            box.display = True
            box.disabled = False
            box.value = ""
            box.focus()
        elif not wanted:
            box.display = False
            box.disabled = True
        return wanted

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "code" and event.value.strip():
            event.input.display = False
            self.post_message(self.CodeGiven(event.value))
