"""One SSH connection before its sessions: who it is (authentication) and what it may open.

The rules (connections not logged in per address, passcode tries and lockout) are
:class:`coproterm.core.gateway_rules.GatewayRules`'s: this asks them and carries out the answer on
asyncssh. Authentication asks nothing unless a passcode is set: any user name and any key are welcome,
and the pair (user name, key, or else address) is how a returning participant gets their votes back.
A key counts only once the client has signed with it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

import asyncssh

from coproterm.core.gateway_rules import Passcode
from coproterm.server.ssh.channel import AppChannel
from coproterm.server.ssh.gateway_words import HAS_PASSCODE, LOCKED_OUT, PASSCODE_PROMPT, both
from coproterm.server.ssh.guards import bounded_env
from coproterm.server.ssh.keys import fingerprint

if TYPE_CHECKING:
    from coproterm.server.ssh.live import GatewayServices

log = logging.getLogger("coproterm.ssh")


class GatewayServer(asyncssh.SSHServer):
    """One SSH connection: who it is, and what it may open."""

    def __init__(self, gateway: GatewayServices) -> None:
        self.gateway = gateway
        self.rules = gateway.rules
        self.address = "?"
        self.key_id = ""
        self._offered = ""
        self._by_key = False
        self._unauthenticated = False
        """Counted against its address as not logged in yet."""

    def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
        self.conn = conn
        peer = conn.get_extra_info("peername")
        self.address = peer[0] if peer else "?"
        self.gateway.keep_alive(conn.get_extra_info("socket"))
        if not self.rules.accepted(self.address):
            # Ended before key exchange, as the hub does at its accept.
            asyncio.get_running_loop().call_soon(conn.abort)
            return
        self._unauthenticated = True
        if self.rules.locked_out(self.address, time.monotonic()):
            conn.disconnect(asyncssh.DISC_NO_MORE_AUTH_METHODS_AVAILABLE, both(LOCKED_OUT))

    def connection_lost(self, exc: Exception | None) -> None:
        self._authenticated()

    def _authenticated(self) -> None:
        if self._unauthenticated:
            self._unauthenticated = False
            self.rules.logged_in(self.address)

    def begin_auth(self, username: str) -> bool:
        return True  # always run auth, to learn a key where one is offered

    def auth_completed(self) -> None:
        self._authenticated()
        # Every other way in marks itself below; so a success that follows a key was a signed one
        # (asyncssh verified the signature), and only then may the key stand for the person.
        self.key_id = self._offered if self._by_key else ""

    def public_key_auth_supported(self) -> bool:
        return not self.rules.asks_passcode

    def validate_public_key(self, username: str, key: asyncssh.SSHKey) -> bool:
        # Called for a query (no signature) as well as for the signed request: remember only.
        self._offered = fingerprint(key)
        self._by_key = True
        return True

    def kbdint_auth_supported(self) -> bool:
        return True

    def get_kbdint_challenge(
        self, username: str, lang: str, submethods: str
    ) -> bool | tuple[str, str, str, list[tuple[str, bool]]]:
        self._by_key = False
        if not self.rules.asks_passcode:
            return True  # nothing to ask
        return ("coproterm", both(HAS_PASSCODE), "", [(both(PASSCODE_PROMPT) + ": ", False)])

    def validate_kbdint_response(self, username: str, responses: Sequence[str]) -> bool:
        self._by_key = False
        return self._check(responses[0] if responses else "")

    def password_auth_supported(self) -> bool:
        return self.rules.asks_passcode

    def validate_password(self, username: str, password: str) -> bool:
        self._by_key = False
        return self._check(password)

    def _check(self, typed: str) -> bool:
        answer = self.rules.passcode(self.address, typed, time.monotonic())
        if answer is Passcode.WRONG:
            log.info("wrong passcode from %s", self.address)
        return answer is Passcode.RIGHT

    def server_requested(self, listen_host: str, listen_port: int) -> bool:
        return False  # no remote forwarding

    def connection_requested(self, dest_host: str, dest_port: int, orig_host: str, orig_port: int) -> bool:
        return False  # no local forwarding

    def unix_connection_requested(self, dest_path: str) -> bool:
        return False

    def session_requested(self) -> tuple[asyncssh.SSHServerChannel, asyncssh.SSHServerSession]:  # type: ignore[type-arg]
        identity = (self.conn.get_extra_info("username") or "", self.key_id or self.address)
        channel = self.conn.create_server_channel(encoding=None)
        channel._process_env_request = bounded_env(channel)  # type: ignore[method-assign,assignment]
        return channel, AppChannel(self.gateway, identity, self.address, keyed=bool(self.key_id))
