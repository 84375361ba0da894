"""`coproterm join`: the participant app."""

from __future__ import annotations

from coproterm.core.wire import Hello
from coproterm.tui.hub_app import HubApp
from coproterm.tui.participant.vote_screen import VoteScreen


class ParticipantApp(HubApp):
    """Join a session and place your work on the board."""

    TITLE = "coproterm"

    def __init__(self, url: str, name: str = "") -> None:
        super().__init__(url)
        self.display_name = name

    def hello(self) -> Hello:
        return Hello(name=self.display_name or None, resume=self.view.resume)

    def on_mount(self) -> None:
        self.push_screen(VoteScreen())
        super().on_mount()
