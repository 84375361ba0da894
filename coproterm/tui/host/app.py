"""`coproterm host`: the facilitator's dashboard."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path

from textual.app import SystemCommand
from textual.screen import Screen

from coproterm.core.wire import Hello
from coproterm.tui.host.dashboard import COMMANDS, Dashboard
from coproterm.tui.hub_app import HubApp


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
    ) -> None:
        super().__init__(url)
        self.token = token
        self.join_targets = join_targets or []
        self.session_id = session_id
        """The session's id in the store, when the hub runs in this process."""
        self.exporter = exporter
        """Writes the session's report files and returns their paths (hub in this process only)."""
        self.ssh = ssh
        """The ssh command to join, and the host key's fingerprint, when the SSH gateway is on."""

    def hello(self) -> Hello:
        return Hello(host_token=self.token)

    def on_mount(self) -> None:
        self.push_screen(Dashboard())
        self.connect()

    async def action_quit(self) -> None:
        await self.screen.run_action("leave")

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        if isinstance(screen, Dashboard):
            for action, title, help_text in COMMANDS:
                yield SystemCommand(title, help_text, partial(screen.run_action, action))
