"""The facilitator's dashboard: join instructions, the question, live results, the controls."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widget import Widget
from textual.widgets import Static

from coproterm.client.link import Phase
from coproterm.core.alerts import words as alert_words
from coproterm.core.boards import Kind
from coproterm.core.hub_messages import Turnout
from coproterm.core.i18n import N_
from coproterm.core.view import SessionView
from coproterm.tui.host.dashboard_keys import DashboardKeys
from coproterm.tui.host.joining import Joining
from coproterm.tui.host.panel_text import agreement_text, here_text, question_note, turnout_text
from coproterm.tui.hub_app import LANGUAGE_KEY, LANGUAGE_LABEL, describe_link
from coproterm.tui.widgets.countdown import countdown_panel
from coproterm.tui.widgets.keybar import KeyBar
from coproterm.tui.widgets.movement import MovementChart
from coproterm.tui.widgets.quiet import QuietStatic
from coproterm.tui.widgets.tally import TallyChart
from coproterm.tui.widgets.wall import AnswerWall

COMMANDS = [
    ("next", N_("Next question"), N_("Move everyone to the next question")),
    ("previous", N_("Previous question"), N_("Move everyone back one question")),
    ("toggle_lock", N_("Lock or open voting"), N_("Stop (or start again) taking votes on this question")),
    (
        "toggle_reveal",
        N_("Reveal or hide results"),
        N_("Show (or hide) the results on participants' screens"),
    ),
    ("reset", N_("Reset this question"), N_("Clear every vote on this question")),
    (
        "toggle_moderation",
        N_("Moderate answers on or off"),
        N_("Written answers to this question wait for your approval before the room sees them (or no longer wait)"),
    ),
    (
        "show_queue",
        N_("Answers waiting for approval"),
        N_("Read the answers waiting for your approval, and approve or hide each one"),
    ),
    (
        "approve_all",
        N_("Approve every waiting answer"),
        N_("Let every answer waiting for approval through to the room"),
    ),
    ("timer", N_("Timer…"), N_("Start a countdown on this question (or stop the one running)")),
    ("start_timer(60)", N_("Timer: 1 minute"), N_("Start a one-minute countdown on this question")),
    ("start_timer(180)", N_("Timer: 3 minutes"), N_("Start a three-minute countdown on this question")),
    ("start_timer(300)", N_("Timer: 5 minutes"), N_("Start a five-minute countdown on this question")),
    ("stop_timer", N_("Stop the timer"), N_("Stop the countdown running now (voting stays as it is)")),
    (
        "toggle_agreement",
        N_("Open or close answers for agreement"),
        N_("Each participant marks the others' answers agree, disagree or pass (a question with written answers)"),
    ),
    (
        "ask",
        N_("Ask a question on the spot"),
        N_("Type a new question (open, yes / no, options or a scale); it goes in after the current one, or at the end"),
    ),
    (
        "toggle_presenter",
        N_("Presenter mode on or off"),
        N_("Keep the live tallies off the big screen until results are revealed"),
    ),
    ("export", N_("Export the results"), N_("Write the session's results as HTML, CSV and JSON files")),
    ("show_qr", N_("Show the join QR code"), N_("A QR code of how to join, large enough for phones to scan")),
    (
        "next_address",
        N_("Show another address"),
        N_("Put another of this machine's addresses in the join lines and the QR code"),
    ),
    (
        "end_session",
        N_("End the session for everyone"),
        N_("Close every participant's connection: the session is over"),
    ),
    ("leave", N_("Close the dashboard"), N_("Close this dashboard (it says first what happens to the session)")),
]


TICK = 0.25
"""Seconds between looks at a running countdown: the projector's digits are at most this late."""


class Dashboard(DashboardKeys):
    """Everything the facilitator needs on one (projected) screen."""

    CSS_PATH = "dashboard.tcss"
    BINDINGS = [
        Binding("n,right", "next", "next"),
        Binding("p,left", "previous", "back"),
        Binding("l", "toggle_lock", "lock"),
        Binding("r", "toggle_reveal", "reveal"),
        Binding("v", "toggle_presenter", "presenter"),  # before the rarer keys: a narrow key bar keeps it
        Binding("t", "timer", "timer"),
        Binding("x", "reset", "reset"),
        Binding("m", "toggle_moderation", "moderate", show=False),
        # t: type a question (k is the wall's up); off the key bar, which keeps the keys of every question
        Binding("plus", "ask", "ask", show=False),
        Binding("g", "toggle_agreement", "agreement", show=False),
        # A short screen scrolls as a whole (the body, too short to scroll, passes the keys on).
        Binding("pagedown", "page(1)", "page down", show=False),
        Binding("pageup", "page(-1)", "page up", show=False),
        Binding("e", "export", "export"),
        Binding("c", "show_qr", "QR"),
        Binding("a", "next_address", "address", show=False),
        Binding("s", "end_session", "end session"),
        Binding("q", "leave", "close"),
        Binding(LANGUAGE_KEY, "app.language", LANGUAGE_LABEL),
    ]

    def __init__(
        self,
        joining: Joining,
        *,
        session_id: str | None = None,
        exporter: Callable[[], list[Path]] | None = None,
        presenter: bool = False,
        runs_hub: bool = False,
    ) -> None:
        super().__init__(joining, runs_hub=runs_hub)
        self.presenter = presenter
        """Keep the tallies off the (projected) screen until the question is revealed."""
        self.session_id = session_id
        """The session's id in the store, for the export hint."""
        self.exporter = exporter
        """Writes the report files (None when the hub runs elsewhere)."""

    def compose(self) -> ComposeResult:
        yield QuietStatic(id="title")
        with Horizontal(id="join"):
            yield QuietStatic(id="join-how")
            yield QuietStatic(id="people")
        yield QuietStatic(id="alert")
        yield QuietStatic(id="question")
        yield QuietStatic(id="note")  # outside the body: presenter mode keeps it in sight too
        yield QuietStatic(id="state")
        yield QuietStatic(id="timer")  # large, under the question's state: the room reads it from the back
        with VerticalScroll(id="body"):
            # The results first: a case's points come after them, where the room can scroll to them.
            yield QuietStatic(id="progress")
            yield QuietStatic(id="agreement")
            yield Vertical(id="chart")
            yield QuietStatic(id="details")
        yield QuietStatic(id="more")
        yield QuietStatic(id="link")
        yield KeyBar()

    def on_mount(self) -> None:
        self._ticked: int | None = None
        self._ticking = False
        """The countdown's ticks run from the first countdown on (a session without one runs no timer)."""
        self._charted: int | None = None
        self._heading_to: int | None = None
        body = self.query_one("#body", VerticalScroll)
        for name in ("scroll_y", "virtual_size", "size"):
            # Once laid out: a size and the content's size change one after the other.
            self.watch(body, name, self._show_more_soon, init=False)
            self.watch(self, name, self._show_more_soon, init=False)  # a short screen scrolls as a whole

    def _tick(self) -> None:
        """While a countdown shows, its digits follow it (drawn again only when the second changes)."""
        left = self.hub.view.time_left(time.monotonic())
        if left != self._ticked:
            self._ticked = left
            self._show_timer(self.hub.view)

    def _show_timer(self, view: SessionView) -> None:
        timer = self.query_one("#timer", QuietStatic)
        left = view.time_left(time.monotonic())
        timer.display = left is not None
        if left is not None and view.countdown is not None:
            timer.show(countdown_panel(left, self.hub.lang, locks=view.countdown.timer.locks))

    def action_page(self, direction: int) -> None:
        """A page down (1) or up (-1): of the whole screen when it is short, else of the body."""
        scroller: Widget = self if self.has_class("-short") else self.query_one("#body", VerticalScroll)
        if direction > 0:
            scroller.scroll_page_down(animate=False)
        else:
            scroller.scroll_page_up(animate=False)

    def _show_more_soon(self) -> None:
        self.call_after_refresh(self._show_more)

    def _show_more(self) -> None:
        """Say when the body (on a short screen, the screen) holds more than it shows, and how to reach it."""
        body = self.query_one("#body", VerticalScroll)
        more = self.query_one("#more", QuietStatic)
        more.show(Text(self.hub.t("↓ more below: PgDn"), "dim"))
        scroller: Widget = self if self.has_class("-short") else body
        more.display = scroller.scroll_y < scroller.max_scroll_y

    # -- state down --------------------------------------------------------------

    def redraw(self) -> None:
        view = self.hub.view
        if view.countdown is not None and not self._ticking:
            self._ticking = True
            self.set_interval(TICK, self._tick)
        folded = bool(view.joined)  # once people are in, the chart needs the room more than the instructions
        self.query_one("#join").set_class(folded, "-folded")
        self.query_one("#join-how", QuietStatic).show(self._join_line() if folded else self._join_text())
        link = self.query_one("#link", QuietStatic)
        link.show(Text(describe_link(self.hub.link_status, self.hub.url, lang=self.hub.lang)))
        link.display = self.hub.link_status.phase is not Phase.OPEN
        if view.deck is None or view.state is None or view.question is None:
            return
        state, question = view.state, view.question
        alert = self.query_one("#alert", QuietStatic)
        said = alert_words(self.hub.lang, state.alert, state.alert_values) if state.alert is not None else ""
        alert.show(Text(f"⚠ {said}") if said else "")
        alert.display = bool(said)
        turnout = view.turnout or Turnout(0, 0)
        self.query_one("#title", QuietStatic).show(Text(view.deck.title, "bold"))
        t = self.hub.t
        connected = t("{count} connected now", count=turnout.connected)
        if view.over_ssh:
            connected += " · " + t("{count} over SSH", count=view.over_ssh)
        if view.plain:
            connected += " · " + t("{count} in plain mode", count=view.plain)
        self.query_one("#people", QuietStatic).show(Text(connected, "bold"))
        count = len(view.deck.questions)
        numbered = t("Question {number} of {count}", number=state.current + 1, count=count)
        self.query_one("#question", QuietStatic).show(
            Text.assemble(
                (f"{question.section}  " if question.section else "", "bold reverse"),
                (f"{numbered}  ", "dim"),
                (question.prompt, "bold"),
            )
        )
        note = self.query_one("#note", QuietStatic)
        noted = question_note(view)
        note.show(noted)
        note.display = bool(noted.plain)
        details = self.query_one("#details", QuietStatic)
        details.show(Text("\n".join(f"• {line}" for line in question.details), "dim"))
        details.display = bool(question.details)
        self.query_one("#state", QuietStatic).show(self._state_text(view))
        self._show_timer(view)
        if self._charted != state.current:
            self._charted = state.current
            chart = self.query_one("#chart", Vertical)
            chart.remove_children()
            if question.kind is Kind.TEXT:
                wall = AnswerWall(state.current)
                chart.mount(wall)
                wall.focus()
            elif question.kind is Kind.DISCUSSION:
                if not question.note:  # a note is said above, under the question
                    chart.mount(Static(Text(t("A question to talk through: nothing to vote on."))))
            else:
                if question.compare is not None and question.x is not None:
                    # The move is what a before-and-after asks about: its summary first, on the first screen.
                    chart.mount(MovementChart(question.x, view.deck.questions[question.compare].prompt))
                chart.mount(TallyChart(question))
                self.call_after_refresh(self.on_resize)
        for wall_widget in self.query(AnswerWall):
            wall_widget.show(state.current, view.written)
        tally = view.current_tally
        if tally is not None:
            for chart_widget in self.query(TallyChart):
                chart_widget.counts = tally.counts
                chart_widget.people = view.current_people
        self._show_presenter(view)
        self._show_agreement(view)

    def _show_agreement(self, view: SessionView) -> None:
        """An agreement round on the current question: its marks, the answers most agreed on and most split."""
        panel = self.query_one("#agreement", QuietStatic)
        agreement = view.current_agreement
        panel.display = agreement is not None and not self.answers_hidden()
        if agreement is not None:
            panel.show(agreement_text(agreement, view, self.hub.lang))

    def relabel(self) -> None:
        """The board's words too (the chart holds the question as it was drawn): drawn again in the new language."""
        question = self.hub.view.question
        if question is not None and question.kind is not Kind.TEXT:
            self._charted = None  # a wall keeps its cursor and its view: it draws its words in the new language
        for wall in self.query(AnswerWall):
            wall.refresh(layout=True)
        super().relabel()

    def bars_hidden(self) -> bool:
        """Whether the tallies are kept off the screen now (presenter mode, results not yet revealed)."""
        state, question = self.hub.view.state, self.hub.view.question
        if state is None or question is None or not question.cells:
            return False  # a discussion, or written answers: no tally to keep back
        return self.presenter and not state.revealed

    def _show_presenter(self, view: SessionView) -> None:
        hidden = self.bars_hidden()
        for chart_widget in self.query(TallyChart):
            chart_widget.display = not hidden
        for movement_widget in self.query(MovementChart):
            movement_widget.display = not hidden
            movement_widget.movement = view.current_movement
        answers_hidden = self.answers_hidden()
        for wall_widget in self.query(AnswerWall):
            wall_widget.display = not answers_hidden
        progress = self.query_one("#progress", QuietStatic)
        progress.display = hidden or answers_hidden
        if answers_hidden:
            count = view.written.host_total
            progress.show(
                Text.assemble(
                    (self.hub.lang.tn("{count} answer", "{count} answers", count), "bold"),
                    "\n",
                    (self.hub.t("The answers are hidden until they are revealed (r)."), "dim"),
                )
            )
        elif hidden:
            progress.show(turnout_text(view, self.size.width - 6, self.hub.t))

    def answers_hidden(self) -> bool:
        """Whether a text question's answers are kept off the (projected) screen: presenter mode, not revealed.

        Nobody in the room reads an answer the facilitator has not had the chance to hide.
        """
        state, question = self.hub.view.state, self.hub.view.question
        if state is None or question is None or question.answers is None:
            return False
        return self.presenter and not state.revealed

    def _own_view(self) -> bool:
        """Whether the wall shows the facilitator their hidden answers (not what the room should see)."""
        return any(wall.show_hidden for wall in self.query(AnswerWall))

    def on_answer_wall_viewing(self) -> None:
        self.redraw()

    def _state_text(self, view: SessionView) -> Text:
        state, question = view.state, view.question
        assert state is not None and question is not None
        turnout = view.turnout or Turnout(0, 0)
        t = self.hub.t
        if question.kind is Kind.DISCUSSION:
            return Text(t("Discussion: no voting on this question"), "dim")
        revealed = t("◉ REVEALED to participants") if state.revealed else t("◌ hidden from participants")
        if question.kind is Kind.TEXT:
            # Counted as the wall counts them: a hidden answer is not one the room sees.
            written = view.written
            hidden = (
                sum(a.hidden for a in written.host_answers.values()) if written.host_question == state.current else 0
            )
            queued = written.host_queued if written.host_question == state.current else 0
            moderation = written.moderation
            if moderation is not None and moderation.question != state.current:
                moderation = None  # the hub's word on the question before: the next frame names this one
            waiting = moderation.waiting if moderation is not None else 0
            if moderation is not None and moderation.on:
                moderated = t("⏸ MODERATED: {count} waiting (A)", count=waiting)
            elif waiting:
                moderated = t("{count} still waiting for approval (A)", count=waiting)
            else:
                moderated = ""
            return Text.assemble(
                (t("● OPEN: taking answers") if state.open else t("■ LOCKED: no more answers"), "bold"),
                "    ",
                (revealed, "bold"),
                "    ",
                (t("answers: {count}", count=view.written.host_total - hidden - queued), "bold"),
                # Projected, nothing says an answer was hidden: only the facilitator's own view of them (H) counts them.
                ("  " + t("({count} hidden)", count=hidden) if hidden and self._own_view() else "", "dim"),
                ("    " + moderated if moderated else "", "bold reverse" if waiting else "bold"),
            )
        return Text.assemble(
            (t("● OPEN: taking votes") if state.open else t("■ LOCKED: no more votes"), "bold"),
            "    ",
            (revealed, "bold" if state.revealed else ""),
            "    ",
            here_text(turnout, t),
            ("    " + t("presenter: bars hidden until reveal") if self.bars_hidden() else "", "dim"),
        )

    def on_resize(self) -> None:
        """Bars two rows high when the body has the room for them; a short screen scrolls as a whole."""
        # Under SHORT rows (40 x 12: a phone's SSH app, a small window) the question, its note and its state
        # leave the body no room: the whole screen scrolls instead (PgDn, ↓), so nothing is cut.
        self.set_class(0 < self.size.height < SHORT, "-short")
        body = self.query_one("#body")
        for chart in self.query(TallyChart):
            groups = len(chart.question.x.groups) if chart.question.x else 0
            moving = bool(self.query(MovementChart))  # the move comes first: the bars take no more rows than they need
            chart.tall = not moving and body.size.height >= 2 * chart.question.cells + groups


SHORT = 20
"""Rows under which the dashboard scrolls as a whole rather than only its body."""
