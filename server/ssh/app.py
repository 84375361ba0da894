"""The participant app on an SSH channel: drawn for the client's terminal, with no animation, its sends
paced, its join-code tries asked of the gateway's rules (:class:`coproterm.core.gateway_rules.GatewayRules`)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from rich.color import ColorSystem

from coproterm.core.client_messages import ChooseLanguage
from coproterm.core.gateway_rules import Admission
from coproterm.core.wire_terms import LANGUAGE_CODES, Role
from coproterm.server.ssh.driver import SSHDriver
from coproterm.server.ssh.gateway_words import TOO_MANY_CODES
from coproterm.server.ssh.guards import ProofHeaders
from coproterm.server.ssh.pacing import Pacer
from coproterm.server.ssh.terminal import ChannelTerminal
from coproterm.tui.participant.app import ParticipantApp, load_every_part
from coproterm.tui.textual_private import add_line_filter, set_color_system

if TYPE_CHECKING:
    from coproterm.server.ssh.live import GatewayServices

load_every_part()  # a worker draws many screens: no SSH viewer's question change waits for an import

UNREACHABLE_RETRY = 2.0
"""Seconds before an SSH participant's app tries again a hub it has not reached yet."""


class SSHParticipantApp(ParticipantApp):
    """The participant app, on an SSH channel, drawn for the client's terminal, with no animation."""

    ADDRESS_BOX = False  # the gateway chose the hub's address: a person over SSH cannot correct it, only wait
    REMEMBERS = False  # the gateway keeps SSH identities (user name and key), not this machine's files

    def __init__(
        self, url: str, name: str, terminal: ChannelTerminal, gateway: GatewayServices, entry: Admission
    ) -> None:
        super().__init__(url, name, discover=False, lang=terminal.caps.language or gateway.language)
        self.terminal = terminal
        self.gateway = gateway
        self.entry = entry
        """This session as the gateway's rules count it (its address, its join-code tries)."""
        self.address = entry.address
        self.driver_class = SSHDriver
        self.animation_level = "none"
        caps = terminal.caps
        set_color_system(self.console, caps.color_system or ColorSystem.STANDARD)  # per app; Rich reads it
        if caps.color_system is None or caps.no_color:
            from textual.filter import NoColor

            # Textual would still send colours with no colour system: drop them from every line
            # (what is left are attributes, and "default colour" codes any terminal ignores).
            self.no_color = True
            add_line_filter(self, NoColor())
        self.ascii_only = caps.ascii
        """The person's locale is not UTF-8: the faces may choose plain-text symbols (the gateway maps the rest)."""
        if gateway.secret:
            # ParticipantApp takes no headers of its own yet; its link sends these with every handshake,
            # and each handshake needs a proof of its own (the hub refuses one it has seen).
            self.link._headers = ProofHeaders(gateway.prover(), entry.address)
        self.on_welcome: Callable[[bytes], None] | None = None
        """Told the resume token once the hub welcomes this participant."""
        self.pacer = Pacer(self._send_now, self._not_sent)
        """Keeps a held key (30 presses a second) under the hub's rate: only the latest of each kind goes."""

    async def send(self, message: Any, seq: int) -> bool:
        return await self.pacer.send(message, seq)

    async def action_language(self) -> None:
        # As every face does, but the hub hears only the latest of a run of switches (a held `i`).
        self.speak(self.lang.other())
        self._chosen = self.lang.code
        if self.view.role is Role.PARTICIPANT and self.lang.code in LANGUAGE_CODES:
            await self.pacer.send(ChooseLanguage(self.lang.code), None)

    async def _send_now(self, message: Any, seq: int | None) -> bool:
        if seq is None:
            return await self.link.send(message)
        return await super().send(message, seq)

    def _not_sent(self, message: Any, seq: int | None) -> None:
        """A message that a newer one of its kind replaced, or that could not go: not waited for."""
        if seq is None:
            return
        self._answered(seq)
        self.view.unsent(seq)
        self.view.written.refused(seq)
        self.view.marks_unsent(seq)  # a frame of marks that could not go: held again, not lost
        self.revision += 1

    @property
    def ended(self) -> bool:
        """The hub said the session is over (the link stopped for good with that reason)."""
        status = self.link_status
        return bool(getattr(status, "ended", False))

    told = ""
    """A line to show first (who the person joins as, when someone else is live under their name)."""

    def on_mount(self) -> None:
        # ParticipantApp's own on_mount runs too: Textual calls the handler of every class in the MRO.
        self.watch(self, "revision", self._remember)
        if self.told:
            self.notify(self.told.removeprefix("coproterm: "), timeout=20)

    def _remember(self) -> None:
        if self.view.resume is not None and self.on_welcome is not None:
            self.on_welcome(self.view.resume)

    def on_vote_screen_code_given(self, event: Any) -> None:
        # (ParticipantApp's handler runs after this one unless prevented: Textual walks the MRO.)
        if not self.gateway.rules.code_try(self.entry, time.monotonic()):
            event.prevent_default()
            self.gateway.say_at_end(self, TOO_MANY_CODES)
            self.exit()

    def action_keep(self) -> None:
        """A file written here would be on the hub, not the person's computer: print the record as they leave."""
        self.keep_at_end = True
        self.notify(self.t("Your answers will be printed in this terminal when you leave (q)."), timeout=12)

    def watch_link_status(self) -> None:
        if self.ended:  # nothing to come back to: let the person read it, then close
            self.set_timer(3, self.exit)
        elif self.link_status.phase.name == "STOPPED" and getattr(self.link_status, "unreachable", False):
            # The link gives up on a hub it never reached (a mistyped address, for `join`); here the
            # gateway chose the address and the hub is only busy or restarting: keep trying.
            self.set_timer(UNREACHABLE_RETRY, self.connect)
