"""Choosing a session: the ones heard of on the network, or an address typed in."""

from __future__ import annotations

from rich.text import Text
from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from coproterm.client.discovery import DiscoveryUnavailable, Found, browse
from coproterm.client.link import AddressError, hub_url
from coproterm.core.collation import welsh_key
from coproterm.tui.language import lang_of
from coproterm.tui.widgets.keybar import KeyBar
from coproterm.tui.widgets.quiet import QuietInput

LISTEN = 120.0
"""How long to keep listening for sessions (they may start after we do)."""
QUIET = 4.0
"""After this long with nothing heard, say that the network may be blocking discovery."""


class FindScreen(Screen[None]):
    """Lists sessions as they are heard of; the address box always works."""

    CSS_PATH = "find_screen.tcss"
    BINDINGS = [Binding("escape", "app.quit", "leave")]

    class SessionChosen(Message):
        """The participant picked a session (from the list, or by its address)."""

        def __init__(self, url: str) -> None:
            super().__init__()
            self.url = url
            """The hub's ws:// address."""

    def __init__(
        self,
        *,
        discover: bool = True,
        interfaces: list[str] | None = None,
        address: str = "",
        problem: str = "",
    ) -> None:
        super().__init__()
        self.discover = discover
        self.interfaces = interfaces
        self.address = address
        """The address tried last, to correct (empty the first time)."""
        self.problem = problem
        """Why that address did not work."""
        self.found: dict[str, Found] = {}

    def compose(self) -> ComposeResult:
        t = lang_of(self).t
        with Vertical(id="find"):
            yield Static(t("Join a session"), id="title")
            yield Static(id="finding")
            yield OptionList(id="sessions")
            yield Static(t("Or type the address the facilitator shows (for example 192.168.1.20):"), id="ask")
            example = t("address, e.g. 192.168.1.20 or 192.168.1.20:8765")
            yield AddressBox(self.address, placeholder=example, id="address")
            # ``problem`` comes worded in this screen's language (LinkStatus.words).
            yield Static(Text(f"✖ {self.address}: {self.problem}" if self.problem else ""), id="problem")
        yield KeyBar()

    def on_mount(self) -> None:
        sessions = self.query_one("#sessions", OptionList)
        sessions.display = False
        if self.discover:
            self.query_one("#finding", Static).update(lang_of(self).t("Looking for sessions on this network…"))
            self.listen()
            self.set_timer(QUIET, self._quiet)
        else:
            self.query_one("#finding", Static).display = False
        self.query_one("#address", Input).focus()

    @work(exclusive=True, group="discovery")
    async def listen(self) -> None:
        try:
            await browse(self._heard, seconds=LISTEN, interfaces=self.interfaces)
        except DiscoveryUnavailable as error:
            self.query_one("#finding", Static).update(
                Text(
                    lang_of(self).t(
                        "Sessions cannot be found by themselves here ({problem}). Type the address instead.",
                        problem=error.strerror,  # the errno's name (ENODEV…): no English sentence
                    )
                )
            )

    def _heard(self, found: Found) -> None:
        self.found[found.name] = found
        sessions = self.query_one("#sessions", OptionList)
        highlighted = sessions.highlighted
        sessions.clear_options()
        # Sessions by title, in Welsh alphabetical order on a Welsh screen (ch after c, ll after l…).
        order = welsh_key if lang_of(self).welsh else str.casefold
        for name, entry in sorted(self.found.items(), key=lambda item: order(item[1].title)):
            t = lang_of(self).t
            here = t("{count} here", count=entry.participants)
            people = here + (t(", join code needed") if entry.code_required else "")
            # The title comes off the network: Text, never markup, and cleaned of escapes by discovery.
            sessions.add_option(Option(Text.assemble((entry.title, "bold"), f"  {entry.address}  ({people})"), id=name))
        sessions.display = True
        if highlighted is None:
            sessions.highlighted = 0
            sessions.focus()
        self.query_one("#finding", Static).update(lang_of(self).t("Sessions on this network (Enter to join):"))

    def _quiet(self) -> None:
        if not self.found and self.discover:
            self.query_one("#finding", Static).update(
                lang_of(self).t(
                    "No sessions heard of yet. Venue Wi-Fi often blocks this: type the address instead (still listening)."
                )
            )

    def on_key(self, event: events.Key) -> None:
        if event.character == "q":  # the address box is empty, or not focused: q leaves, as everywhere
            event.stop()
            self.app.exit()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        found = self.found.get(event.option.id or "")
        if found is not None:
            self.post_message(self.SessionChosen(hub_url(found.address)))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        try:
            url = hub_url(event.value)
        except AddressError as error:
            self.query_one("#problem", Static).update(Text(f"✖ {error.words(lang_of(self))}"))
            return
        self.post_message(self.SessionChosen(url))


class AddressBox(QuietInput):
    """The address box; ``q`` typed into it while it is empty leaves (as ``q`` does everywhere else)."""

    async def on_key(self, event: events.Key) -> None:
        # Textual calls Input's own handler after this one (it walks the MRO), unless prevented.
        if event.character == "q" and not self.value:
            event.prevent_default()  # not typed: the screen hears it and leaves
