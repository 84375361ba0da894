"""Plain mode over SSH: the line-by-line participant app on a channel, instead of the Textual one.

The gateway sends a session here when its terminal is TERM=dumb, or its user name ends in
``+plain`` (``ssh -p 2222 dai+plain@HOST``; then a session without a terminal is welcome
too, as from Emacs' shell). Lines are only ever appended; with a terminal (whose client is
in raw mode) what the person types is echoed and edited here (backspace), as a line
discipline would, and arrow keys' escape sequences are left out, never echoed.
The same identities, limits and farewells as the full app: the gateway's own.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING

import asyncssh

from coproterm.plain.app import MAX_LINE, PlainApp
from coproterm.server.ssh.gateway_words import ENDED, FAILED, LEFT, REPLACED, TOO_SLOW
from coproterm.server.ssh.live import GENERIC_USERS, GatewayServices, Live, clean_user
from coproterm.server.ssh.terminal import MAX_OUTPUT, ChannelTerminal

if TYPE_CHECKING:
    from coproterm.core.gateway_rules import Admission

log = logging.getLogger("coproterm.ssh")

PLAIN_SUFFIX = "+plain"
GATHER = 0.05
"""Seconds output waits for what follows it, to go out in one packet."""
ERASE = "\b \b"
"""Takes back the last character echoed: backspace, space, backspace (no escape sequence)."""


def wants_plain(username: str, term: str | None) -> bool:
    """Whether this session gets plain mode: TERM=dumb, or a user name ending in ``+plain``."""
    return username.lower().endswith(PLAIN_SUFFIX) or (term or "").lower() == "dumb"


def without_suffix(username: str) -> str:
    """The user name as the person's name (``dai+plain`` is dai, with dai's votes)."""
    return username[: -len(PLAIN_SUFFIX)] if username.lower().endswith(PLAIN_SUFFIX) else username


class PlainChannel:
    """One SSH session in plain mode: the app's lines out, the person's keys in, as lines."""

    def __init__(self, terminal: ChannelTerminal, *, echo: bool) -> None:
        self.terminal = terminal
        self.echo = echo
        """The client has a terminal in raw mode: nothing shows what is typed unless it is sent back."""
        self.newline = "\r\n" if echo else "\n"
        self.app: PlainApp | None = None
        self._line = ""
        self._escape = ""
        self._after_cr = False
        self._dropped = False
        self._pending: list[str] = []
        self._scheduled: asyncio.TimerHandle | None = None

    def write(self, text: str) -> None:
        """Send text soon: what follows within :data:`GATHER` (a key's echo, then the hub's answer; an
        announcement, then the question) goes in the same packet, each of which costs ~150 bytes of the
        person's link in SSH and TCP; a client that stopped reading is dropped."""
        if self._dropped:
            return
        self._pending.append(text)
        if self._scheduled is None:
            self._scheduled = asyncio.get_running_loop().call_later(GATHER, self.flush)

    def flush(self) -> None:
        """Send what is pending now."""
        if self._scheduled is not None:
            self._scheduled.cancel()
            self._scheduled = None
        text, self._pending = "".join(self._pending), []
        if not text or self._dropped:
            return
        with contextlib.suppress(OSError, asyncssh.Error):
            self.terminal.channel.write(
                text.replace("\n", self.newline) if self.newline != "\n" else text, ascii=self.terminal.caps.ascii
            )
        if self.terminal.unsent > MAX_OUTPUT:
            self._dropped = True
            if self.terminal.overflowed is not None:
                self.terminal.overflowed()

    def width(self) -> int:
        """The width lines are wrapped to: the terminal's less one (some terminals add a line at the last column)."""
        return max(1, self.terminal.size[0] - 1)

    def feed(self, data: str) -> None:
        """Keys from the client: echoed and edited into lines, each line given to the app."""
        echoed: list[str] = []
        for ch in data:
            if self._escape == "\x1b" and ch not in "[O":
                self._escape = ""  # a lone Esc (or Alt with a key): the key is typed as itself
            if self._escape or ch == "\x1b":
                self._escape += ch
                if len(self._escape) > 1 and (ch.isalpha() or ch == "~" or len(self._escape) > 16):
                    self._escape = ""  # an arrow or function key's sequence: left out whole
                continue
            if ch == "\n" and self._after_cr:
                self._after_cr = False
                continue
            self._after_cr = ch == "\r"
            if ch in "\r\n":
                line, self._line = self._line, ""
                if self.echo:
                    echoed.append("\n")  # written as the line end (\r\n), as every line is
                self._flush(echoed)
                if self.app is not None:
                    self.app.typed(line)
            elif ch in "\x7f\b":
                if self._line:
                    self._line = self._line[:-1]
                    echoed.append(ERASE)
            elif ch in "\x03\x04":  # Ctrl-C, Ctrl-D: leave, as the full app's q does
                self._flush(echoed)
                if self.terminal.leave is not None:
                    self.terminal.leave()
                return
            elif ch.isprintable() and len(self._line) < MAX_LINE:
                self._line += ch
                echoed.append(ch)
        self._flush(echoed)

    def _flush(self, echoed: list[str]) -> None:
        if echoed and self.echo:
            self.write("".join(echoed))
        echoed.clear()


def run_plain(
    gateway: GatewayServices,
    terminal: ChannelTerminal,
    username: str,
    identity: tuple[str, str],
    entry: Admission,
    *,
    echo: bool,
    lang: str = "",
) -> PlainChannel:
    """Start plain mode for one SSH session let in by the gateway's rules (``entry``): the app is ready for the
    first keys at once (a client without a terminal sends its input straight away), and runs in a task.
    ``lang``: the language the person chose in the full app, when they come from it."""
    plain = PlainChannel(terminal, echo=echo)
    name = without_suffix(username)
    name = "" if name.lower() in GENERIC_USERS else clean_user(name)
    app = plain.app = PlainApp(
        gateway.hub_url,
        plain.write,
        plain.width,
        name=name,
        lang=lang or terminal.caps.language or gateway.language,
        ascii_only=terminal.caps.ascii,
        resume=gateway.identities.get(identity),
        keep_trying=True,
    )
    if gateway.secret:  # a fresh proof of the gateway secret with each handshake (server/ssh/guards.py)
        from coproterm.server.ssh.guards import ProofHeaders

        app.link._headers = ProofHeaders(gateway.prover(), entry.address, app.link._headers)
    app.on_welcome = lambda token: gateway._known(identity, token)
    live = Live(app, terminal, entry)
    older = gateway._live.get(identity)
    if older is not None:  # one app per identity: the newer window wins
        older.farewell = REPLACED
        older.app.exit()
    gateway.hold(identity, live)

    def leave() -> None:
        plain.flush()  # the client sent its end: what is said so far goes before the channel closes
        gateway._end(live, LEFT)

    terminal.leave = leave

    def overflowed() -> None:
        log.info("an SSH client at %s stopped reading; dropped", entry.address)
        live.farewell = TOO_SLOW
        app.exit()
        terminal.channel.drop()

    terminal.overflowed = overflowed
    gateway._active += 1
    gateway.in_background(_run(gateway, plain, app, live, identity))
    return plain


async def _run(
    gateway: GatewayServices, plain: PlainChannel, app: PlainApp, live: Live, identity: tuple[str, str]
) -> None:
    try:
        await app.run()
    except Exception:  # one person's crash must not take anyone else down
        log.exception("an SSH session's plain app failed")
        live.farewell = live.farewell or FAILED
    finally:
        gateway._active -= 1
        gateway.rules.left(live.entry)
        gateway.let_go(identity, live)
        farewell = live.farewell or app.farewell or (ENDED if (gateway._stopping or app.ended) else LEFT)
        if live.farewell != TOO_SLOW and not (app.ended and not live.farewell):  # an ended session was said
            app.say(app.t(farewell))
        plain.flush()
        plain._dropped = True
        with contextlib.suppress(OSError, asyncssh.Error):
            live.terminal.channel.exit(0)
