"""What the facilitator's screen does about the room's way in and the session's end.

Which address the room is shown (cycled with a key, followed when the network
changes), closing the dashboard (saying first what that does to the session),
and ending the session for everyone.
"""

from __future__ import annotations

from textual.message import Message

from coproterm.tui.host.joining import Joining
from coproterm.tui.hub_app import HubScreen
from coproterm.tui.widgets.confirm import ConfirmScreen


class FacilitatorScreen(HubScreen):
    """A hub screen for the facilitator: the join addresses, closing, ending."""

    class Left(Message):
        """The facilitator chose to close the dashboard (or to end the session, where the hub runs in it)."""

    class AddressChosen(Message):
        """The join lines and the QR code show another address now: the network advertisement should carry it."""

        def __init__(self, host: str) -> None:
            super().__init__()
            self.host = host

    def __init__(self, joining: Joining, *, runs_hub: bool = False) -> None:
        super().__init__()
        self.joining = joining
        self.runs_hub = runs_hub
        """The hub runs in this process (`host`, `demo`): closing the dashboard ends the session."""

    def action_leave(self) -> None:
        """Close the dashboard, once the facilitator has read what that does to the session."""
        turnout = self.hub.view.turnout
        connected = turnout.connected if turnout is not None else 0
        lang = self.hub.lang
        if not self.runs_hub:  # attached: the hub goes on where it runs
            if connected == 0:
                self.post_message(self.Left())
                return
            question = lang.tn(
                "Close the dashboard? The session goes on for the {count} participant connected;"
                " open it again with coproterm host --attach.",
                "Close the dashboard? The session goes on for the {count} participants connected;"
                " open it again with coproterm host --attach.",
                connected,
            )
            self._confirm(question, lang.t("Close"), self.Left())
            return
        if connected == 0:  # nobody to end it for; the log keeps it, and closing says so on the terminal
            self.post_message(self.Left())
            return
        question = lang.tn(
            "Close the dashboard? The hub runs in it: the session ends for everyone,"
            " {count} participant connected too. Resume it later with --resume.",
            "Close the dashboard? The hub runs in it: the session ends for everyone,"
            " {count} participants connected too. Resume it later with --resume.",
            connected,
        )
        self._confirm(question, lang.t("Close and end"), self.Left())

    def action_end_session(self) -> None:
        """End the session for everyone, once confirmed: every participant hears that it is over."""
        lang = self.hub.lang
        if not self.runs_hub:
            self.notify(
                lang.t(
                    "This dashboard is attached to a hub running elsewhere: end the session there"
                    " (Ctrl-C where coproterm serve runs)."
                ),
                title=lang.t("End the session for everyone"),
                severity="warning",
                timeout=10,
            )
            return
        turnout = self.hub.view.turnout
        question = lang.tn(
            "End the session for everyone? {count} participant is connected; they will read that it has ended.",
            "End the session for everyone? {count} participants are connected; they will read that it has ended.",
            turnout.connected if turnout is not None else 0,
        )
        self._confirm(question, lang.t("End the session"), self.Left())

    def _confirm(self, question: str, yes: str, then: Message) -> None:
        def answered(agreed: bool | None) -> None:
            if agreed:
                self.post_message(then)

        self.app.push_screen(ConfirmScreen(question, yes), answered)

    def action_next_address(self) -> None:
        """Show the room another of this machine's addresses (the QR code too), round again after the last."""
        if len(self.joining.targets) < 2:
            self.notify(self.hub.t("This is the only address this machine has for the room."), timeout=5)
            return
        self.show_joining(self.joining.cycled())
        self.notify(self.hub.t("The room is shown {address} now.", address=self.joining.host), timeout=5)

    def show_joining(self, joining: Joining) -> None:
        """Show ``joining`` from now on; tell the app when the address shown changed."""
        before, self.joining = self.joining.host, joining
        if joining.host != before:
            self.post_message(self.AddressChosen(joining.host))
        self.redraw()

    def addresses_found(self, targets: list[str]) -> None:
        """This machine's addresses as they are now: if the one shown is gone, show the best left and say so."""
        before = self.joining
        after = before.found(targets)
        if after == before:
            return
        if before.target not in after.targets:
            if after.local_only:
                words = self.hub.t(
                    "{address} is no longer an address of this machine, and it has no other the room can reach:"
                    " is the network connected?",
                    address=before.host,
                )
            else:
                words = self.hub.t(
                    "{address} is no longer an address of this machine (did the network change?):"
                    " the join lines and the QR code show {new} now.",
                    address=before.host,
                    new=after.host,
                )
            self.notify(words, title=self.hub.t("Address"), severity="warning", timeout=30)
        self.show_joining(after)
