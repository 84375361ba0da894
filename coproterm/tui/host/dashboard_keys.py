"""What the facilitator's keys do on the dashboard: move between questions, lock, reveal, reset,
time, moderate and approve, open a round of agreement, ask a question on the spot, export. Each
becomes a message to the hub's link (:class:`DashboardKeys.CommandChosen`, :class:`DashboardKeys.Asking`);
the dashboard (dashboard.py) draws what comes back."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path

from textual import work
from textual.message import Message

from coproterm.core.deck import localise
from coproterm.core.i18n import N_
from coproterm.core.wire_terms import Action
from coproterm.tui.host.ask_screen import Asked, AskScreen
from coproterm.tui.host.join_panel import JoinPanelScreen
from coproterm.tui.host.timer_screen import TimerChoice, TimerScreen
from coproterm.tui.widgets.confirm import ConfirmScreen
from coproterm.tui.widgets.wall import AnswerWall

NOT_FOR_AGREEMENT = N_("Only a question with written answers can be opened for agreement.")


class DashboardKeys(JoinPanelScreen):
    """The dashboard's key actions (its bindings are the dashboard's own)."""

    presenter: bool
    session_id: str | None
    exporter: Callable[[], list[Path]] | None
    _heading_to: int | None

    # namespace: handled as on_dashboard_command_chosen and on_dashboard_asking, as when they were the dashboard's own
    class CommandChosen(Message, namespace="dashboard"):
        """The facilitator asked the hub to do something to a question."""

        def __init__(self, action: Action, question: int, seconds: int = 0) -> None:
            super().__init__()
            self.action = action
            """What to do."""
            self.question = question
            """To which question."""
            self.seconds = seconds
            """A countdown's length (the timer's actions only)."""

    class Asking(Message, namespace="dashboard"):
        """The facilitator typed a question to ask on the spot."""

        def __init__(self, asked: Asked) -> None:
            super().__init__()
            self.asked = asked
            """What they typed and chose."""

    # -- events up ---------------------------------------------------------------

    async def _command(self, action: Action, question: int | None = None, seconds: int = 0) -> None:
        view = self.hub.view
        if view.state is None:
            self.notify(self.hub.t("Not connected to the hub yet."), severity="warning")
            return
        self.post_message(self.CommandChosen(action, view.state.current if question is None else question, seconds))

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
