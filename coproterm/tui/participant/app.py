"""`coproterm join`: the participant app."""

from __future__ import annotations

from coproterm.core.wire import Hello
from coproterm.tui.hub_app import HubApp
from coproterm.tui.participant.find_screen import FindScreen
from coproterm.tui.participant.vote_screen import VoteScreen


class ParticipantApp(HubApp):
    """Join a session and place your work on the board."""

    TITLE = "coproterm"

    def __init__(
        self,
        url: str | None,
        name: str = "",
        code: str | None = None,
        *,
        discover: bool = True,
        discovery_interfaces: list[str] | None = None,
    ) -> None:
        super().__init__(url or "")
        self.display_name = name
        self.code = code
        """The join code to give, if the session needs one (typed on the command line or asked for)."""
        self._discover = discover
        self._discovery_interfaces = discovery_interfaces

    def hello(self) -> Hello:
        return Hello(name=self.display_name or None, resume=self.view.resume, code=self.code)

    def on_mount(self) -> None:
        if self.url:
            self.push_screen(VoteScreen())
            self.connect()
        else:
            self.push_screen(FindScreen(discover=self._discover, interfaces=self._discovery_interfaces))

    def on_find_screen_chosen(self, event: FindScreen.Chosen) -> None:
        self.url = self.link.url = event.url
        self.switch_screen(VoteScreen())
        self.connect()

    def on_vote_screen_code_given(self, event: VoteScreen.CodeGiven) -> None:
        self.code = event.code
        self.connect()
