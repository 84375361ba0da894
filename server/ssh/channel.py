"""One SSH session on a connection: a terminal with the app in it (full or plain), or a polite refusal.

What it may open is narrow: a terminal session with a pty (or a ``+plain`` user); no exec,
subsystem (sftp, scp), agent, X11 or port forwarding. Whether it is let in (newcomers and live
sessions per address) is :class:`coproterm.core.gateway_rules.GatewayRules`'s answer, said here in
the person's language.
"""

from __future__ import annotations

import codecs
import contextlib
import time
from typing import TYPE_CHECKING

import asyncssh

from coproterm.core.gateway_rules import Admission, GatewayRefusal
from coproterm.core.i18n import from_locale, language
from coproterm.server.ssh.gateway_words import NEEDS_TERMINAL, REFUSAL, SAME_NAME, TOO_MANY_NEWCOMERS, TOO_MANY_SESSIONS
from coproterm.server.ssh.plain import PlainChannel, run_plain, wants_plain, without_suffix
from coproterm.server.ssh.terminal import ChannelTerminal, capabilities, clamp

if TYPE_CHECKING:
    from coproterm.server.ssh.live import GatewayServices

REFUSED = {GatewayRefusal.TOO_MANY_NEWCOMERS: TOO_MANY_NEWCOMERS, GatewayRefusal.TOO_MANY_SESSIONS: TOO_MANY_SESSIONS}
"""What the person reads when the rules refuse their session."""
EARLY_MOST = 64
"""Reads kept while the app is not chosen yet (a client without a terminal types at once)."""


class AppChannel(asyncssh.SSHServerSession):  # type: ignore[type-arg]
    """One SSH session: a terminal with the app in it, or a polite refusal."""

    def __init__(
        self, gateway: GatewayServices, identity: tuple[str, str], address: str, *, keyed: bool = False
    ) -> None:
        self.gateway = gateway
        self.identity = identity
        self.address = address
        self.terminal: ChannelTerminal | None = None
        self.plain: PlainChannel | None = None
        self.refusal: str | None = None
        self.keyed = keyed
        """The identity is a key the client signed with (else the user name and address)."""
        self.wants_plain = False
        self.entry: Admission | None = None
        """Let in by the rules: the address counts this session until it ends."""
        self._early: list[str] | None = None
        self._decoder = codecs.getincrementaldecoder("utf-8")("replace")

    def connection_made(self, channel: asyncssh.SSHServerChannel) -> None:  # type: ignore[type-arg]
        self.channel = channel

    def _words(self, text: str) -> str:
        """One of the gateway's messages in the language the client's LANG / LC_* ask for."""
        return language(from_locale(self.channel.get_environment())).t(text)

    def pty_requested(self, term_type: str, term_size: tuple[int, int, int, int], term_modes: object) -> bool:
        return True

    def shell_requested(self) -> bool:
        username = self.channel.get_extra_info("username") or ""
        if self.channel.get_terminal_type() is None and not username.lower().endswith("+plain"):  # plain needs none
            self.refusal = self._words(NEEDS_TERMINAL)
        return True

    def exec_requested(self, command: str) -> bool:
        self.refusal = self._words(REFUSAL).format(port=self.gateway.port, host=self.gateway.advertised_host)
        return True

    def subsystem_requested(self, subsystem: str) -> bool:
        return False  # no sftp, no scp

    def session_started(self) -> None:
        username = self.channel.get_extra_info("username") or ""
        self.wants_plain = wants_plain(username, self.channel.get_terminal_type())
        if self.wants_plain:  # dai+plain is dai, with dai's votes
            self.identity = (without_suffix(self.identity[0]), self.identity[1])
        if self.refusal is None:
            known = self.identity in self.gateway.identities
            entry = self.gateway.rules.enter(self.address, newcomer=not known, now=time.monotonic())
            if isinstance(entry, GatewayRefusal):
                self.refusal = self._words(REFUSED[entry])
            else:
                self.entry = entry
        if self.refusal is not None:
            self._refuse(self.refusal)
            return
        width, height, _, _ = self.channel.get_terminal_size()
        term = self.channel.get_terminal_type() or "xterm"
        caps = capabilities(term, self.channel.get_environment())
        width, height = clamp(width, height)
        self.terminal = ChannelTerminal(TextChannel(self.channel), width, height, term, caps)
        if self.keyed or not self.gateway.contested(self.identity):
            self._start()
            return
        # Someone is live as this (user name, address): the same person back after a pulled cable, or
        # another person behind the same NAT. Which is found by asking the live one's client.
        self._early = []
        self.gateway.in_background(self._claim())

    async def _claim(self) -> None:
        assert self.entry is not None
        identity, another = await self.gateway.claim(self.identity)
        if self.channel.is_closing():
            self.gateway.rules.left(self.entry)  # gone while we asked
            return
        if another and identity not in self.gateway.identities:
            refused = self.gateway.rules.another_person(self.entry, time.monotonic())
            if refused is not None:
                self._refuse(self._words(REFUSED[refused]))
                return
        self.identity = identity
        self._start(self._words(SAME_NAME) if another else "")

    def _refuse(self, refusal: str) -> None:
        with contextlib.suppress(OSError, asyncssh.Error):
            self.channel.write_stderr(refusal.encode())
            self.channel.exit(1)

    def _start(self, told: str = "") -> None:
        """The app for this session, as ``self.identity``; ``told``: a line said first (who they join as)."""
        assert self.terminal is not None and self.entry is not None
        early, self._early = self._early, None
        if self.wants_plain:  # lines only: screen readers, TERM=dumb
            self._plain(told=told)
            if early and self.plain is not None:
                self.plain.feed("".join(early))
            return
        self.terminal.go_plain = self._plain
        username = self.channel.get_extra_info("username") or ""
        self.gateway.run_app(self.terminal, username, self.identity, self.entry, told=told)

    def _plain(self, lang: str = "", *, told: str = "") -> None:
        """Plain mode on this channel: from the start, or once the person pressed p in the full app."""
        assert self.terminal is not None and self.entry is not None
        username = self.channel.get_extra_info("username") or ""
        identity = (without_suffix(self.identity[0]), self.identity[1])
        echo = self.channel.get_terminal_type() is not None
        self.plain = run_plain(self.gateway, self.terminal, username, identity, self.entry, echo=echo, lang=lang)
        if told:
            self.plain.write(told + "\n")

    def data_received(self, data: bytes, datatype: object) -> None:
        if self._early is not None:  # the app is not chosen yet: kept for it
            if len(self._early) < EARLY_MOST:
                self._early.append(self._decoder.decode(data))
        elif self.plain is not None:
            self.plain.feed(self._decoder.decode(data))
        elif self.terminal is not None and self.terminal.driver is not None:
            self.terminal.driver.feed(self._decoder.decode(data))

    def terminal_size_changed(self, width: int, height: int, pixwidth: int, pixheight: int) -> None:
        if self.terminal is not None:
            self.terminal.resize(width, height)
            if self.terminal.driver is not None:
                self.terminal.driver.resized(width, height)

    def eof_received(self) -> bool:
        self._leave()
        return False

    def break_received(self, msec: int) -> bool:
        self._leave()
        return True

    def connection_lost(self, exc: Exception | None) -> None:
        self._leave()

    def _leave(self) -> None:
        if self.terminal is not None and self.terminal.leave is not None:
            self.terminal.leave()


class TextChannel:
    """The channel, taking text (the server runs with no encoding so input stays bytes)."""

    def __init__(self, channel: asyncssh.SSHServerChannel) -> None:  # type: ignore[type-arg]
        self.channel = channel

    def write(self, data: str, *, ascii: bool = False) -> None:
        self.channel.write(data.encode("ascii" if ascii else "utf-8", "replace"))

    def get_write_buffer_size(self) -> int:
        return int(self.channel.get_write_buffer_size())

    def drop(self) -> None:
        """End the whole connection at once: its client reads nothing, so no goodbye would arrive."""
        connection = self.channel.get_extra_info("connection")
        with contextlib.suppress(Exception):
            connection.abort()

    def exit(self, status: int) -> None:
        self.channel.exit(status)
