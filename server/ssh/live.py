"""What the parts of the SSH gateway share: each running app as the gateway holds it, the user
names that name no one, and what a connection (auth.py), a channel (channel.py), the app on it
(app.py) and plain mode (plain.py) ask of the gateway (gateway.py) that holds them.

The gateway builds on those parts; they know it only as :class:`GatewayServices`, so none of
them imports gateway.py back.
"""

from __future__ import annotations

import socket
import unicodedata
from collections.abc import Coroutine
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from coproterm.core.gateway_rules import Admission, GatewayRules

if TYPE_CHECKING:
    from coproterm.server.ssh.guards import Prover
    from coproterm.server.ssh.terminal import ChannelTerminal

GENERIC_USERS = frozenset(
    {
        "root",
        "admin",
        "administrator",
        "user",
        "guest",
        "pi",
        "ubuntu",
        "debian",
        "participant",
        "anonymous",
        "coproterm",
        "ssh",
        "me",
        "test",
    }
)
"""User names that say nothing about the person: they join without a name."""


def clean_user(name: str) -> str:
    """An SSH user name as a display name: no control or format characters, at most 40 long."""
    kept = "".join(c for c in name if unicodedata.category(c)[0] != "C")
    return kept.strip()[:40]


class RunningApp(Protocol):
    """An app on a channel, as the gateway ends it: the Textual participant app, or plain mode."""

    def exit(self) -> None: ...


@dataclass
class Live:
    """One running app, for replacing it and ending it well."""

    app: RunningApp
    terminal: ChannelTerminal
    entry: Admission
    """The session as the rules count it (released when it ends)."""
    farewell: str = ""

    @property
    def address(self) -> str:
        return self.entry.address


class GatewayServices(Protocol):
    """What a connection, a channel and the app on it ask of the gateway that holds them
    (:class:`coproterm.server.ssh.gateway.Gateway`)."""

    hub_url: str
    port: int
    advertised_host: str
    secret: str | None
    language: str
    identities: dict[tuple[str, str], bytes]
    rules: GatewayRules
    _live: dict[tuple[str, str], Live]
    _active: int
    _stopping: bool

    def prover(self) -> Prover: ...

    def _known(self, identity: tuple[str, str], token: bytes) -> None: ...

    def hold(self, identity: tuple[str, str], live: Live) -> None: ...

    def let_go(self, identity: tuple[str, str], live: Live) -> None: ...

    def say_at_end(self, app: object, farewell: str) -> None: ...

    def keep_alive(self, sock: socket.socket | None) -> None: ...

    def in_background(self, work: Coroutine[Any, Any, None]) -> None: ...

    def contested(self, identity: tuple[str, str]) -> bool: ...

    async def claim(self, identity: tuple[str, str]) -> tuple[tuple[str, str], bool]: ...

    def run_app(
        self, terminal: ChannelTerminal, username: str, identity: tuple[str, str], entry: Admission, *, told: str = ""
    ) -> None: ...

    def _end(self, live: Live, farewell: str) -> None: ...
