"""The facilitator's dashboard: join instructions, the question, live results, the controls."""

from __future__ import annotations

import asyncio

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Footer, Static

from coproterm.client.link import Phase
from coproterm.core.boards import Kind
from coproterm.core.view import SessionView
from coproterm.core.wire import Action, Command, Turnout
from coproterm.tui.host.qr_screen import QRScreen
from coproterm.tui.hub_app import HubScreen, describe_link
from coproterm.tui.widgets.confirm import ConfirmScreen
from coproterm.tui.widgets.steady import Steady
from coproterm.tui.widgets.tally import TallyChart

COMMANDS = [
    ("next", "Next question", "Move everyone to the next question"),
    ("previous", "Previous question", "Move everyone back one question"),
    ("toggle_lock", "Lock or open voting", "Stop (or start again) taking votes on this question"),
    (
        "toggle_reveal",
        "Reveal or hide results",
        "Show (or hide) the results on participants' screens",
    ),
    ("reset", "Reset this question", "Clear every vote on this question"),
    ("export", "Export the results", "Write the session's results as HTML, CSV and JSON files"),
    ("show_qr", "Show the join QR code", "A QR code of how to join, large enough for phones to scan"),
]


class Dashboard(HubScreen):
    """Everything the facilitator needs on one (projected) screen."""

    CSS_PATH = "dashboard.tcss"
    BINDINGS = [
        Binding("n,right", "next", "next"),
        Binding("p,left", "previous", "back"),
        Binding("l", "toggle_lock", "lock"),
        Binding("r", "toggle_reveal", "reveal"),
        Binding("x", "reset", "reset"),
        Binding("e", "export", "export"),
        Binding("c", "show_qr", "QR"),
        Binding("q", "leave", "quit"),
    ]

    def compose(self) -> ComposeResult:
        with Horizontal(id="join"):
            yield Steady(id="join-how")
            yield Steady(id="people")
        yield Steady(id="alert")
        yield Steady(id="question")
        yield Steady(id="state")
        with VerticalScroll(id="body"):
            yield Vertical(id="chart")
        yield Steady(id="link")
        yield Footer()

    def on_mount(self) -> None:
        self._charted: int | None = None
        self._heading_to: int | None = None

    # -- state down --------------------------------------------------------------

    def redraw(self) -> None:
        view = self.hub.view
        self.query_one("#join-how", Steady).show(self._join_text())
        link = self.query_one("#link", Steady)
        link.show(Text(describe_link(self.hub.link_status, self.hub.url)))
        link.display = self.hub.link_status.phase is not Phase.OPEN
        if view.deck is None or view.state is None or view.question is None:
            return
        state, question = view.state, view.question
        alert = self.query_one("#alert", Steady)
        alert.show(Text(f"⚠ {state.alert}") if state.alert else "")
        alert.display = bool(state.alert)
        turnout = view.turnout or Turnout(0, 0)
        self.query_one("#people", Steady).show(Text.assemble((f"{turnout.connected}", "bold"), " connected"))
        self.query_one("#question", Steady).show(
            Text.assemble(
                (f"Question {state.current + 1} of {len(view.deck.questions)}  ", "dim"),
                (question.prompt, "bold"),
            )
        )
        self.query_one("#state", Steady).show(self._state_text(view))
        if self._charted != state.current:
            self._charted = state.current
            chart = self.query_one("#chart", Vertical)
            chart.remove_children()
            if question.kind is Kind.DISCUSSION:
                chart.mount(Static(Text(question.note or "A question to talk through: nothing to vote on.")))
            else:
                chart.mount(TallyChart(question))
                self.call_after_refresh(self.on_resize)
        tally = view.current_tally
        if tally is not None:
            for chart_widget in self.query(TallyChart):
                chart_widget.counts = tally.counts
        error = view.last_error
        if error is not None and error.seq is not None:
            view.last_error = None
            self.notify(error.message, title="Refused", severity="error")

    def join_command(self) -> str:
        """What a participant types to join (the first LAN address, and the code when it is needed)."""
        targets = getattr(self.hub, "join_targets", [])
        target = targets[0] if targets else self.hub.url.removeprefix("ws://")
        view = self.hub.view
        return f"coproterm join {target}" + (f" --code {view.join_code}" if view.code_required else "")

    def _join_text(self) -> Text:
        targets = getattr(self.hub, "join_targets", [])
        text = Text.assemble(("Join:  ", "bold"), (self.join_command(), "bold reverse"))
        if len(targets) > 1:
            text.append("   or " + ", ".join(targets[1:]), "dim")
        view = self.hub.view
        ssh = getattr(self.hub, "ssh", None)
        if ssh is not None:
            command, key = ssh
            text.append("\nssh:   ", "bold")
            text.append(command, "bold")
            text.append(f"\n       key {key}" if key else "", "dim")
        if view.join_code:
            text.append("\nCode:  ", "bold")
            text.append(" ".join(view.join_code), "bold")
            text.append("  (needed to join)" if view.code_required else "  (c: QR code)", "dim")
        return text

    def action_show_qr(self) -> None:
        ssh = getattr(self.hub, "ssh", None)
        if ssh is not None:  # a phone's SSH app opens an ssh:// link by itself
            command = ssh[0].split()
            host, port = command[-1], command[2] if len(command) == 4 else "22"
            self.app.push_screen(QRScreen(f"ssh://{host}:{port}", caption=f"{ssh[0]}   or   {self.join_command()}"))
        else:
            self.app.push_screen(QRScreen(self.join_command()))

    def _state_text(self, view: SessionView) -> Text:
        state, question = view.state, view.question
        assert state is not None and question is not None
        turnout = view.turnout or Turnout(0, 0)
        if question.kind is Kind.DISCUSSION:
            return Text("Discussion: no voting on this question", "dim")
        return Text.assemble(
            ("● OPEN: taking votes" if state.open else "■ LOCKED: no more votes", "bold"),
            "    ",
            (
                "◉ REVEALED to participants" if state.revealed else "◌ hidden from participants",
                "bold" if state.revealed else "",
            ),
            "    ",
            "voted: ",
            (f"{turnout.voted}", "bold"),
            f" of {turnout.connected}",
        )

    def on_resize(self) -> None:
        """Bars two rows high when the body has the room for them."""
        body = self.query_one("#body")
        for chart in self.query(TallyChart):
            groups = len(chart.question.x.groups) if chart.question.x else 0
            chart.tall = body.size.height >= 2 * chart.question.cells + groups

    # -- events up ---------------------------------------------------------------

    async def _command(self, action: Action, question: int | None = None) -> None:
        view = self.hub.view
        if view.state is None:
            self.notify("Not connected to the hub yet.", severity="warning")
            return
        target = view.state.current if question is None else question
        sent = await self.hub.link.send(Command(self.hub.next_seq(), action, target))
        if not sent:
            self.notify("Not connected to the hub: nothing was changed.", severity="warning")

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

    async def action_toggle_lock(self) -> None:
        state = self.hub.view.state
        if state is not None:
            await self._command(Action.LOCK if state.open else Action.OPEN)

    async def action_toggle_reveal(self) -> None:
        state = self.hub.view.state
        if state is not None:
            await self._command(Action.HIDE if state.revealed else Action.REVEAL)

    def action_reset(self) -> None:
        view = self.hub.view
        if view.state is None or view.question is None:
            return

        async def answered(yes: bool | None) -> None:
            if yes:
                await self._command(Action.RESET)

        self.app.push_screen(
            ConfirmScreen(
                f"Clear all {view.turnout.voted if view.turnout else 0} votes on “{view.question.prompt}”?",
                "Clear votes",
            ),
            answered,
        )

    @work(exclusive=True, group="export")
    async def action_export(self) -> None:
        exporter = getattr(self.hub, "exporter", None)
        session_id = getattr(self.hub, "session_id", None)
        if exporter is None:
            hint = f"coproterm export {session_id}" if session_id else "coproterm export"
            self.notify(f"Export on the machine running the hub: {hint}", title="Export")
            return
        try:
            paths = await asyncio.to_thread(exporter)
        except Exception as error:  # an export must never take the dashboard down
            self.notify(f"Could not export: {error}", title="Export", severity="error")
            return
        self.notify("\n".join(str(path) for path in paths), title="Results written")

    def action_leave(self) -> None:
        turnout = self.hub.view.turnout
        if turnout is None or turnout.connected == 0:
            self.app.exit()
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.app.exit()

        self.app.push_screen(
            ConfirmScreen(f"{turnout.connected} participants are connected. Quit the dashboard?", "Quit"),
            answered,
        )
