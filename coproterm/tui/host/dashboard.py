"""The facilitator's dashboard: join instructions, the question, live results, the controls."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Static

from coproterm.client.link import Phase
from coproterm.core.alerts import words as alert_words
from coproterm.core.boards import Kind
from coproterm.core.deck import localise
from coproterm.core.hub_messages import Agreement, Turnout
from coproterm.core.i18n import ENGLISH, N_, Language, language
from coproterm.core.shares import half_up, percent
from coproterm.core.view import SessionView
from coproterm.core.wire_terms import Action
from coproterm.tui.host.ask_screen import Asked, AskScreen
from coproterm.tui.host.facilitator import FacilitatorScreen
from coproterm.tui.host.joining import YOURNAME, Joining, host_of
from coproterm.tui.host.qr_screen import QRScreen
from coproterm.tui.host.timer_screen import TimerChoice, TimerScreen
from coproterm.tui.hub_app import LANGUAGE_KEY, LANGUAGE_LABEL, describe_link
from coproterm.tui.widgets.confirm import ConfirmScreen
from coproterm.tui.widgets.countdown import countdown_panel
from coproterm.tui.widgets.keybar import KeyBar
from coproterm.tui.widgets.movement import MovementView
from coproterm.tui.widgets.steady import Steady
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


class Dashboard(FacilitatorScreen):
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
        Binding("e", "export", "export"),
        Binding("c", "show_qr", "QR"),
        Binding("a", "next_address", "address", show=False),
        Binding("s", "end_session", "end session"),
        Binding("q", "leave", "close"),
        Binding(LANGUAGE_KEY, "app.language", LANGUAGE_LABEL),
    ]

    class Commanded(Message):
        """The facilitator asked the hub to do something to a question."""

        def __init__(self, action: Action, question: int, seconds: int = 0) -> None:
            super().__init__()
            self.action = action
            """What to do."""
            self.question = question
            """To which question."""
            self.seconds = seconds
            """A countdown's length (the timer's actions only)."""

    class Asking(Message):
        """The facilitator typed a question to ask on the spot."""

        def __init__(self, asked: Asked) -> None:
            super().__init__()
            self.asked = asked
            """What they typed and chose."""

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
        yield Steady(id="title")
        with Horizontal(id="join"):
            yield Steady(id="join-how")
            yield Steady(id="people")
        yield Steady(id="alert")
        yield Steady(id="question")
        yield Steady(id="note")  # outside the body: presenter mode keeps it in sight too
        yield Steady(id="state")
        yield Steady(id="timer")  # large, under the question's state: the room reads it from the back
        with VerticalScroll(id="body"):
            # The results first: a case's points come after them, where the room can scroll to them.
            yield Steady(id="progress")
            yield Steady(id="agreement")
            yield Vertical(id="chart")
            yield Steady(id="details")
        yield Steady(id="more")
        yield Steady(id="link")
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

    def _tick(self) -> None:
        """While a countdown shows, its digits follow it (drawn again only when the second changes)."""
        left = self.hub.view.time_left(time.monotonic())
        if left != self._ticked:
            self._ticked = left
            self._show_timer(self.hub.view)

    def _show_timer(self, view: SessionView) -> None:
        timer = self.query_one("#timer", Steady)
        left = view.time_left(time.monotonic())
        timer.display = left is not None
        if left is not None and view.countdown is not None:
            timer.show(countdown_panel(left, self.hub.lang, locks=view.countdown.timer.locks))

    def _show_more_soon(self) -> None:
        self.call_after_refresh(self._show_more)

    def _show_more(self) -> None:
        """Say when the body holds more than the screen shows, and how to reach it."""
        body = self.query_one("#body", VerticalScroll)
        more = self.query_one("#more", Steady)
        more.show(Text(self.hub.t("↓ more below: PgDn"), "dim"))
        more.display = body.scroll_y < body.max_scroll_y

    # -- state down --------------------------------------------------------------

    def redraw(self) -> None:
        view = self.hub.view
        if view.countdown is not None and not self._ticking:
            self._ticking = True
            self.set_interval(TICK, self._tick)
        folded = bool(view.joined)  # once people are in, the chart needs the room more than the instructions
        self.query_one("#join").set_class(folded, "-folded")
        self.query_one("#join-how", Steady).show(self._join_line() if folded else self._join_text())
        link = self.query_one("#link", Steady)
        link.show(Text(describe_link(self.hub.link_status, self.hub.url, lang=self.hub.lang)))
        link.display = self.hub.link_status.phase is not Phase.OPEN
        if view.deck is None or view.state is None or view.question is None:
            return
        state, question = view.state, view.question
        alert = self.query_one("#alert", Steady)
        said = alert_words(self.hub.lang, state.alert, state.alert_values) if state.alert is not None else ""
        alert.show(Text(f"⚠ {said}") if said else "")
        alert.display = bool(said)
        turnout = view.turnout or Turnout(0, 0)
        self.query_one("#title", Steady).show(Text(view.deck.title, "bold"))
        t = self.hub.t
        connected = t("{count} connected now", count=turnout.connected)
        if view.over_ssh:
            connected += " · " + t("{count} over SSH", count=view.over_ssh)
        if view.plain:
            connected += " · " + t("{count} in plain mode", count=view.plain)
        self.query_one("#people", Steady).show(Text(connected, "bold"))
        count = len(view.deck.questions)
        numbered = t("Question {number} of {count}", number=state.current + 1, count=count)
        self.query_one("#question", Steady).show(
            Text.assemble(
                (f"{question.section}  " if question.section else "", "bold reverse"),
                (f"{numbered}  ", "dim"),
                (question.prompt, "bold"),
            )
        )
        note = self.query_one("#note", Steady)
        noted = question_note(view)
        note.show(noted)
        note.display = bool(noted.plain)
        details = self.query_one("#details", Steady)
        details.show(Text("\n".join(f"• {line}" for line in question.details), "dim"))
        details.display = bool(question.details)
        self.query_one("#state", Steady).show(self._state_text(view))
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
                    chart.mount(MovementView(question.x, view.deck.questions[question.compare].prompt))
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
        panel = self.query_one("#agreement", Steady)
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
        for movement_widget in self.query(MovementView):
            movement_widget.display = not hidden
            movement_widget.movement = view.current_movement
        answers_hidden = self.answers_hidden()
        for wall_widget in self.query(AnswerWall):
            wall_widget.display = not answers_hidden
        progress = self.query_one("#progress", Steady)
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

    def join_command(self) -> str:
        """What a participant types to join (the first address they can reach, and the code when it is needed)."""
        view = self.hub.view
        return self.joining.command(view.join_code if view.code_required else None)

    def _join_line(self) -> Text:
        """The join instructions folded to a line, once people have joined (more lines only where it must wrap).

        Each part stays whole: a command split over two lines is one nobody can type, and the
        SSH key's fingerprint stays in sight for people to check (the README asks them to).
        """
        t = self.hub.t
        parts = [Text.assemble((t("Join: "), "bold"), (self.join_command(), "bold"))]
        if (web := self.joining.web_link(None)) is not None:
            parts.append(Text(web, "bold"))
        if (ssh := self.ssh_line()) is not None:
            parts.append(Text(ssh, "bold"))
        view = self.hub.view
        if view.join_code and not view.code_required:
            parts.append(Text.assemble((t("  ·  code ").strip(" ·") + " ", "dim"), (view.join_code, "bold")))
        if self.joining.ssh_command is not None and self.joining.ssh_key:
            parts.append(Text(t("key {fingerprint}", fingerprint=self.joining.ssh_key), "dim"))
        if others := self.joining.others:
            hosts = ", ".join(host_of(other) for other in others)
            parts.append(Text(t("also {addresses} (a)", addresses=hosts), "dim"))
        room = self.query_one("#join-how").size.width or max(20, self.size.width - 20)
        text = Text()
        line = 0
        for part in parts:
            if text.cell_len:
                if line + 5 + part.cell_len > room:
                    text.append("\n")
                    line = 0
                else:
                    text.append("  ·  ", "dim")
                    line += 5
            text.append_text(part)
            line += part.cell_len
        return text

    def _join_text(self) -> Text:
        t = self.hub.t
        text = Text.assemble((t("Join:  "), "bold"), (self.join_command(), "bold reverse"))
        view = self.hub.view
        web = self.joining.web_link(None)
        if web is not None:
            text.append("\n" + t("Phone: "), "bold")
            text.append(web, "bold")
        if (ssh := self.ssh_line()) is not None:
            text.append("\nssh:   ", "bold")
            text.append(ssh, "bold")
            key = t("key {fingerprint}", fingerprint=self.joining.ssh_key) if self.joining.ssh_key else ""
            text.append(f"\n       {key}" if key else "", "dim")
        if view.join_code:
            text.append("\n" + t("Code:  "), "bold")
            text.append(" ".join(view.join_code), "bold")
            text.append(t("  (needed to join)") if view.code_required else t("  (c: QR code)"), "dim")
        if others := self.joining.others:
            hosts = ", ".join(host_of(other) for other in others)
            text.append(
                "\n" + t("This machine's other addresses: {addresses} (a: show another)", addresses=hosts), "dim"
            )
        return text

    def ssh_line(self) -> str | None:
        """``ssh -p PORT YOURNAME@ADDRESS`` in the dashboard's language, for the address shown (None: no SSH)."""
        return self.joining.ssh_line(self.hub.t(YOURNAME))

    def action_show_qr(self) -> None:
        t = self.hub.t
        warning = (
            t("Only this machine can reach this address: start the hub with --host 0.0.0.0 for the room.")
            if self.joining.local_only
            else None
        )
        web = self.joining.web_link(self.hub.view.join_code or None, self.hub.lang.html_lang)
        if web is not None:  # a phone's camera opens the page: nothing to install
            others = [self.ssh_line(), self.join_command()]
            caption = f"{web}\n" + t("   or   ").join(other for other in others if other)
            if self.joining.ssh_command is not None and self.joining.ssh_key:
                caption += "\n" + t("key {fingerprint}", fingerprint=self.joining.ssh_key)
            self.app.push_screen(QRScreen(web, caption=caption, warning=warning))
            return
        link = self.joining.ssh_link()
        if link is not None:  # a phone's SSH app opens an ssh:// link by itself
            caption = t("   or   ").join([self.ssh_line() or "", self.join_command()])
            if self.joining.ssh_key:
                caption += "\n" + t("key {fingerprint}", fingerprint=self.joining.ssh_key)
            self.app.push_screen(QRScreen(link, caption=caption, warning=warning))
        else:
            self.app.push_screen(QRScreen(self.join_command(), warning=warning))

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
        """Bars two rows high when the body has the room for them."""
        body = self.query_one("#body")
        for chart in self.query(TallyChart):
            groups = len(chart.question.x.groups) if chart.question.x else 0
            moving = bool(self.query(MovementView))  # the move comes first: the bars take no more rows than they need
            chart.tall = not moving and body.size.height >= 2 * chart.question.cells + groups

    # -- events up ---------------------------------------------------------------

    async def _command(self, action: Action, question: int | None = None, seconds: int = 0) -> None:
        view = self.hub.view
        if view.state is None:
            self.notify(self.hub.t("Not connected to the hub yet."), severity="warning")
            return
        self.post_message(self.Commanded(action, view.state.current if question is None else question, seconds))

    def action_timer(self) -> None:
        """Pick a countdown for this question (its deck's length first), or stop the one running."""
        view = self.hub.view
        question = view.question
        if question is None or view.state is None:
            return
        left = view.time_left(time.monotonic())

        async def chosen(choice: TimerChoice | None) -> None:
            if choice is None:
                return
            if choice.seconds == 0:
                await self.action_stop_timer()
            else:
                await self._command(Action.TIMER if choice.locks else Action.TIMER_ONLY, seconds=choice.seconds)

        running = view.countdown is not None and left is not None and left > 0
        self.app.push_screen(TimerScreen(question.timer, question.timer_locks, running), chosen)

    async def action_start_timer(self, seconds: int) -> None:
        """Start a countdown of ``seconds`` on this question; whether it locks is the deck's word for the question."""
        question = self.hub.view.question
        locks = question.timer_locks if question is not None else True
        await self._command(Action.TIMER if locks else Action.TIMER_ONLY, seconds=seconds)

    async def action_stop_timer(self) -> None:
        """Stop the countdown running now, on whichever question it runs."""
        countdown = self.hub.view.countdown
        await self._command(Action.STOP_TIMER, countdown.timer.question if countdown is not None else None)

    async def action_next(self) -> None:
        await self._step(+1)

    async def action_previous(self) -> None:
        await self._step(-1)

    async def _step(self, by: int) -> None:
        """Go forward or back from the question last asked for, so quick presses add up."""
        view = self.hub.view
        if view.state is None or view.deck is None:
            return
        if self._heading_to == view.state.current:
            self._heading_to = None
        start = view.state.current if self._heading_to is None else self._heading_to
        target = start + by
        if 0 <= target < len(view.deck.questions):
            self._heading_to = target
            await self._command(Action.GOTO, target)

    async def action_toggle_agreement(self) -> None:
        """Open the current question's answers for agreement, or close the round running on it."""
        view = self.hub.view
        question = view.question
        if question is None or view.state is None:
            return
        if question.answers is None:
            self.notify(self.hub.t(NOT_FOR_AGREEMENT), severity="warning")
            return
        agreement = view.current_agreement
        await self._command(Action.END_AGREE if agreement is not None and agreement.open else Action.AGREE)

    async def action_toggle_lock(self) -> None:
        state = self.hub.view.state
        if state is not None:
            await self._command(Action.LOCK if state.open else Action.OPEN)

    async def action_toggle_reveal(self) -> None:
        state = self.hub.view.state
        if state is not None:
            await self._command(Action.HIDE if state.revealed else Action.REVEAL)

    def action_toggle_presenter(self) -> None:
        self.presenter = not self.presenter
        t = self.hub.t
        self.notify(
            t("Presenter mode: tallies stay off this screen until you reveal them (r).")
            if self.presenter
            else t("Presenter mode off: live tallies show on this screen."),
            title=t("Presenter"),
        )
        self.redraw()

    def action_reset(self) -> None:
        view = self.hub.view
        if view.state is None or view.question is None:
            return

        async def answered(yes: bool | None) -> None:
            if yes:
                await self._command(Action.RESET)

        if view.question.answers is not None:  # a text question: the reset takes back its answers
            count = view.written.host_total
            prompt = view.question.prompt
            question = self.hub.lang.tn(
                "Clear {count} answer to “{prompt}”?", "Clear {count} answers to “{prompt}”?", count, prompt=prompt
            )
            self.app.push_screen(ConfirmScreen(question, self.hub.t("Clear answers")), answered)
            return
        self.app.push_screen(
            ConfirmScreen(
                self.hub.lang.tn(
                    "Clear {count} vote on “{prompt}”?",
                    "Clear {count} votes on “{prompt}”?",
                    view.turnout.voted if view.turnout else 0,
                    prompt=view.question.prompt,
                ),
                self.hub.t("Clear votes"),
            ),
            answered,
        )

    async def action_toggle_moderation(self) -> None:
        """Answers to the current question wait for approval from now on, or reach the room at once again."""
        view = self.hub.view
        moderation, state = view.written.moderation, view.state
        on = moderation is not None and state is not None and moderation.question == state.current and moderation.on
        await self._command(Action.UNMODERATE if on else Action.MODERATE)

    def _wall(self) -> AnswerWall | None:
        walls = list(self.query(AnswerWall))
        return walls[0] if walls else None

    def action_show_queue(self) -> None:
        """The queue of answers waiting for approval (on a question that takes written answers)."""
        wall = self._wall()
        if wall is None:
            self.notify(self.hub.t("This question takes no written answers."), severity="warning")
            return
        if not wall.queue_view:
            wall.action_toggle_queue()
        wall.focus()

    def action_approve_all(self) -> None:
        """Every answer waiting for approval on the current question reaches the room."""
        wall = self._wall()
        if wall is None:
            self.notify(self.hub.t("This question takes no written answers."), severity="warning")
            return
        wall.action_approve_all()

    def action_ask(self) -> None:
        """The dialog of a question asked on the spot (the hub's deck is the one to choose scales from)."""
        deck = self.hub.view.hub_deck
        if deck is None or self.hub.view.state is None:
            self.notify(self.hub.t("Not connected to the hub yet."), severity="warning")
            return

        def asked(what: Asked | None) -> None:
            if what is not None:
                self.post_message(self.Asking(what))

        self.app.push_screen(AskScreen(localise(deck, self.hub.lang)), asked)

    @work(exclusive=True, group="export")
    async def action_export(self) -> None:
        exporter, session_id = self.exporter, self.session_id
        t = self.hub.t
        if exporter is None:
            hint = f"coproterm export {session_id}" if session_id else "coproterm export"
            self.notify(t("Export on the machine running the hub: {command}", command=hint), title=t("Export"))
            return
        try:
            paths = await asyncio.to_thread(exporter)
        except Exception as error:  # an export must never take the dashboard down
            self.notify(t("Could not export: {problem}", problem=error), title=t("Export"), severity="error")
            return
        # The folder once, then each file by name: a name is never split across lines.
        folders = {str(path.parent) for path in paths}
        names = [path.name if len(folders) == 1 else str(path) for path in paths]
        heading = [f"{folders.pop()}:"] if len(folders) == 1 else []
        self.notify("\n".join([*heading, *names]), title=t("Results written"), markup=False)


NOT_FOR_AGREEMENT = N_("Only a question with written answers can be opened for agreement.")
AGREEMENT_ITEMS = 3
"""Answers the dashboard lists as most agreed on, and as most split (the hub sends up to five)."""


def agreement_text(agreement: Agreement, view: SessionView, lang: Language) -> Text:
    """The round in a few lines: open or closed, the count of marks, and the answers most agreed on and most split."""
    t = lang.t
    texts = {a.id: a.text for a in view.written.host_answers.values()}
    marks = lang.tn("{count} mark", "{count} marks", agreement.marks)
    by = lang.tn("{marks} by {count} participant", "{marks} by {count} participants", agreement.people, marks=marks)
    state = t("open for agreement (g closes)") if agreement.open else t("agreement closed (g opens again)")
    lines = Text.assemble((t("Agreeing with each other"), "bold"), f" · {state} · {by}")
    for title, items in ((t("Most agreed on"), agreement.agreed), (t("The room is split on"), agreement.split)):
        if not items:
            continue
        lines.append("\n" + title + "\n", "bold")
        for answer, agree, disagree, passed in items[:AGREEMENT_ITEMS]:
            counts = t(
                "{agree} agree, {disagree} disagree, {passed} passed", agree=agree, disagree=disagree, passed=passed
            )
            lines.append(f"  • {texts.get(answer, '…')}")
            lines.append(f"  ({counts})\n", "dim")
    return lines


def turnout_text(view: SessionView, width: int, t: Callable[..., str] | None = None) -> Text:
    """The turnout ("12 of 20 have voted") and a progress bar: what the room sees while the tallies are kept back."""
    t = t or language(ENGLISH).t
    turnout = view.turnout or Turnout(0, 0)
    voted, here = turnout.voted_here, turnout.connected
    cells = max(10, min(60, width))
    filled = cells * voted // here if here else 0
    return Text.assemble(
        here_text(turnout, t),
        "\n",
        ("█" * filled, "bold cyan"),
        ("░" * (cells - filled), "dim"),
        f" {percent(half_up(voted, here) if here else None)}",
        "\n",
        (t("Results are hidden until they are revealed (r)."), "dim"),
    )


def here_text(turnout: Turnout, t: Callable[..., str]) -> Text:
    """Who is here, who of them has voted, and how many of them have not yet.

    Those who left keep their votes (the tally counts them) but are not waited for: the
    facilitator paces the room by the people in it.
    """
    waiting = max(0, turnout.connected - turnout.voted_here)
    text = Text.assemble(
        (t("{voted} of {here} here have voted", voted=turnout.voted_here, here=turnout.connected), "bold"),
        ("  ·  " + t("{count} yet to vote", count=waiting), "bold" if waiting else "dim"),
    )
    gone = turnout.voted - turnout.voted_here
    if gone > 0:
        text.append("  ·  " + t("+{count} from people who left", count=gone), "dim")
    return text


def question_note(view: SessionView) -> Text:
    """The board's title and the question's note, under the question: questions on different boards
    (Arnstein's ladder, TLAP's steps) ask in the same words."""
    question = view.question
    if question is None:
        return Text()
    boards = " × ".join(scale.title for scale in (question.x, question.y) if scale is not None and scale.title)
    return Text.assemble((boards, "bold"), ("  " if boards and question.note else "", ""), (question.note, ""))
