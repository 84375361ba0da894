"""`coproterm host`: the facilitator's dashboard."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path

from textual.app import SystemCommand
from textual.screen import Screen

from coproterm.core.i18n import BILINGUAL, ENGLISH, WELSH, language
from coproterm.core.wire import Command, Hello, Moderate
from coproterm.tui.host.dashboard import COMMANDS, Dashboard, Joining
from coproterm.tui.hub_app import HubApp
from coproterm.tui.widgets.wall import AnswerWall


class HostApp(HubApp):
    """Pace the questions, lock, reveal and watch the room's answers arrive."""

    TITLE = "coproterm host"

    def __init__(
        self,
        url: str,
        token: str,
        join_targets: list[str] | None = None,
        *,
        session_id: str | None = None,
        exporter: Callable[[], list[Path]] | None = None,
        ssh: tuple[str, str | None] | None = None,
        web: bool = False,
        presenter: bool = False,
        lang: str = ENGLISH,
        notices: list[str] | None = None,
    ) -> None:
        super().__init__(url, lang=lang)
        self.notices = notices or []
        """What the command said before the dashboard covered the terminal (which session it resumed): shown at start."""
        self.token = token
        self.joining = Joining.of(url, join_targets or [], ssh, web=web)
        """How participants join, as the caller (who knows where the hub listens) says."""
        self.session_id = session_id
        """The session's id in the store, when the hub runs in this process."""
        self.exporter = exporter
        """Writes the session's report files and returns their paths (hub in this process only)."""
        self.presenter = presenter
        """Start the dashboard in presenter mode (tallies kept back until reveal)."""

    def hello(self) -> Hello:
        return Hello(host_token=self.token)

    async def action_language(self) -> None:
        """English, Cymraeg, then both (Welsh first) for the projector, and round again."""
        order = (ENGLISH, WELSH, BILINGUAL)
        self.speak(language(order[(order.index(self.lang.code) + 1) % len(order)]))

    def on_mount(self) -> None:
        self.push_screen(
            Dashboard(self.joining, session_id=self.session_id, exporter=self.exporter, presenter=self.presenter)
        )
        self.connect()
        for notice in self.notices:
            self.notify(notice, title=self.t("Session"), timeout=30)

    async def action_quit(self) -> None:
        await self.screen.run_action("leave")

    def on_hub_app_refused(self, event: HubApp.Refused) -> None:
        self.notify(self.t(event.error.message), title=self.t("Refused"), severity="error")

    async def on_dashboard_commanded(self, event: Dashboard.Commanded) -> None:
        if self.view.state is None:
            self.notify(self.t("Not connected to the hub yet."), severity="warning")
            return
        seq = self.next_seq()
        if not await self.send(Command(seq, event.action, event.question), seq):
            self.notify(self.t("Not connected to the hub: nothing was changed."), severity="warning")

    async def on_answer_wall_moderated(self, event: AnswerWall.Moderated) -> None:
        seq = self.next_seq()
        if not await self.send(Moderate(seq, event.question, event.answer, event.hidden), seq):
            self.notify(self.t("Not connected to the hub: nothing was changed."), severity="warning")

    async def on_dashboard_left(self, event: Dashboard.Left) -> None:
        await self.leave()

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        if isinstance(screen, Dashboard):
            for action, title, help_text in COMMANDS:
                yield SystemCommand(self.t(title), self.t(help_text), partial(screen.run_action, action))
