"""`coproterm host`: the facilitator's dashboard."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path

from textual import work
from textual.app import SystemCommand
from textual.command import CommandPalette
from textual.screen import Screen

from coproterm.core.client_messages import AddQuestion, Command, Hello, Moderate
from coproterm.core.hub_messages import Added, Welcome
from coproterm.core.i18n import BILINGUAL, ENGLISH, N_, WELSH, language
from coproterm.core.refusals import words as refusal_words
from coproterm.core.wire import Message as WireMessage
from coproterm.core.wire_terms import Action
from coproterm.tui.host.dashboard import COMMANDS, Dashboard
from coproterm.tui.host.facilitator import FacilitatorScreen
from coproterm.tui.host.joining import Joining
from coproterm.tui.hub_app import HubApp
from coproterm.tui.widgets.wall import AnswerWall

ADDRESS_CHECK = 5.0
"""Seconds between looks at this machine's addresses: one that disappears (the Wi-Fi changed) is noticed."""
PALETTE_PLACEHOLDER = N_("Search for commands…")
LANGUAGE_COMMAND = (N_("Cymraeg / English"), N_("Switch the dashboard's language: English, Cymraeg, both"))
NOTICE_SECONDS = 8
"""How long the session's opening notice stays (any key takes it away sooner): it covers the board."""


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
        runs_hub: bool = False,
        find_addresses: Callable[[], list[str]] | None = None,
        show_address: Callable[[str], None] | None = None,
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
        self.runs_hub = runs_hub
        """The hub runs in this process: closing the dashboard ends the session."""
        self.find_addresses = find_addresses
        """This machine's ``host:port``s for the room now, best first (looked at every ADDRESS_CHECK seconds)."""
        self.show_address = show_address
        """Told the host the facilitator chose to show the room (the network advertisement carries it)."""
        self._asking: tuple[int, bool] | None = None
        """A question asked on the spot, awaited from the hub: the deck's size before it, and whether to go to it."""
        self._asked_at: int | None = None
        """Where the hub put the question awaited (from its ``Added``, the one that grew the deck by it)."""

    def hello(self) -> Hello:
        return Hello(host_token=self.token)

    async def action_language(self) -> None:
        """English, Cymraeg, then both (Welsh first) for the projector, and round again."""
        order = (ENGLISH, WELSH, BILINGUAL)
        self.speak(language(order[(order.index(self.lang.code) + 1) % len(order)]))

    def on_mount(self) -> None:
        self.push_screen(
            Dashboard(
                self.joining,
                session_id=self.session_id,
                exporter=self.exporter,
                presenter=self.presenter,
                runs_hub=self.runs_hub,
            )
        )
        self.connect()
        if self.find_addresses is not None:
            self.set_interval(ADDRESS_CHECK, self.look_at_addresses)
        for notice in self.notices:
            self.notify(notice, title=self.t("Session"), timeout=NOTICE_SECONDS)

    async def action_quit(self) -> None:
        await self.screen.run_action("leave")

    def on_hub_app_hub_refused(self, event: HubApp.HubRefused) -> None:
        self._asking = None  # a question refused is not there to go to
        words = refusal_words(self.lang, event.error.refusal, event.error.values)
        self.notify(words, title=self.t("Refused"), severity="error")

    async def on_dashboard_command_chosen(self, event: Dashboard.CommandChosen) -> None:
        if self.view.state is None:
            self.notify(self.t("Not connected to the hub yet."), severity="warning")
            return
        seq = self.next_seq()
        if not await self.send(Command(seq, event.action, event.question, event.seconds), seq):
            self.notify(self.t("Not connected to the hub: nothing was changed."), severity="warning")

    async def on_dashboard_asking(self, event: Dashboard.Asking) -> None:
        asked = event.asked
        deck = self.view.hub_deck
        if self.view.state is None or deck is None:
            self.notify(self.t("Not connected to the hub yet."), severity="warning")
            return
        seq = self.next_seq()
        message = AddQuestion(
            seq, asked.kind, asked.prompt, asked.prompt_cy, asked.options, asked.options_cy, asked.board, asked.at_end
        )
        self._asking, self._asked_at = (len(deck.questions), asked.go), None
        if not await self.send(message, seq):
            self._asking = None
            self.notify(self.t("Not connected to the hub: nothing was changed."), severity="warning")

    def _take_message(self, message: WireMessage) -> None:
        super()._take_message(message)
        if isinstance(message, Welcome):
            # A new connection: a question asked before it is in the deck the welcome carried, or was never
            # saved; either way no Added will say where it went, and going by a guess could move the room.
            self._asking = self._asked_at = None
        elif isinstance(message, Added) and self._asking is not None and message.total == self._asking[0] + 1:
            self._asked_at = message.question

    def on_hub_app_changed(self, event: HubApp.Changed) -> None:
        # (HubApp's own handler runs too: Textual calls the handler of every class in the MRO.)
        deck, asking, index = self.view.deck, self._asking, self._asked_at
        if asking is None or index is None or deck is None or index >= len(deck.questions):
            return
        self._asking = self._asked_at = None
        go = asking[1]
        prompt = deck.questions[index].prompt
        self.notify(self.t("Question {number} asked: {prompt}", number=index + 1, prompt=prompt), markup=False)
        if go:
            seq = self.next_seq()
            self.run_worker(self.send(Command(seq, Action.GOTO, index), seq), group="ask")

    async def on_answer_wall_moderation_chosen(self, event: AnswerWall.ModerationChosen) -> None:
        seq = self.next_seq()
        if not await self.send(Moderate(seq, event.question, event.answer, event.hidden, event.approve), seq):
            self.notify(self.t("Not connected to the hub: nothing was changed."), severity="warning")

    async def on_facilitator_screen_left(self, event: FacilitatorScreen.Left) -> None:
        await self.leave()

    def on_facilitator_screen_address_chosen(self, event: FacilitatorScreen.AddressChosen) -> None:
        if self.show_address is not None:
            self.show_address(event.host)

    @work(exclusive=True, group="addresses", thread=True)
    def look_at_addresses(self) -> None:
        """Enumerate this machine's addresses (off the event loop: it may take a moment), and tell the dashboard."""
        assert self.find_addresses is not None
        found = self.find_addresses()
        self.call_from_thread(self._addresses_found, found)

    def _addresses_found(self, found: list[str]) -> None:
        for screen in self.screen_stack:
            if isinstance(screen, FacilitatorScreen):
                screen.addresses_found(found)

    def action_command_palette(self) -> None:
        """The command palette, asking in the dashboard's language."""
        if self.use_command_palette and not CommandPalette.is_open(self):  # type: ignore[arg-type]  # App is invariant
            self.push_screen(CommandPalette(id="--command-palette", placeholder=self.t(PALETTE_PLACEHOLDER)))

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """Only what a facilitator needs, in the dashboard's language (none of Textual's own commands)."""
        if isinstance(screen, Dashboard):
            for action, title, help_text in COMMANDS:
                yield SystemCommand(self.t(title), self.t(help_text), partial(screen.run_action, action))
            yield SystemCommand(self.t(LANGUAGE_COMMAND[0]), self.t(LANGUAGE_COMMAND[1]), self.action_language)
