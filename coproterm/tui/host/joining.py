"""How participants reach the hub: the addresses the dashboard shows, which one is shown first, and the QR code's."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass, replace
from urllib.parse import urlsplit

from coproterm.core.i18n import N_

YOURNAME = N_("YOURNAME")
"""What stands for the person's own name in the SSH line (it becomes their display name): in capitals, one word."""


def is_loopback(target: str) -> bool:
    """Whether ``host:port`` is this machine's own loopback (nobody else can reach it)."""
    host = urlsplit(f"//{target}").hostname or ""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def host_of(target: str) -> str:
    """The host of ``host:port`` (an IPv6 address without its brackets)."""
    return urlsplit(f"//{target}").hostname or target.rsplit(":", 1)[0]


def _ssh_port(command: str | None) -> int | None:
    if command is None:
        return None
    words = command.split()
    try:
        return int(words[words.index("-p") + 1]) if "-p" in words else 22
    except (ValueError, IndexError):
        return 22


@dataclass(frozen=True, slots=True)
class Joining:
    """How participants reach the hub: what the dashboard shows and puts in the QR code."""

    targets: tuple[str, ...]
    """``host:port`` for ``coproterm join``, every address of this machine the room may reach, best first."""
    ssh_command: str | None = None
    """The SSH command the hub gave (its port is what counts: the line shown is built for the chosen address)."""
    ssh_key: str | None = None
    """The SSH host key's fingerprint, for people to check on first connection."""
    web: bool = False
    """The hub serves the phone page on its port (not ``--no-web``)."""
    chosen: int = 0
    """Which of :attr:`targets` the join lines and the QR code show (the facilitator cycles it with a key)."""

    @classmethod
    def of(cls, url: str, targets: list[str], ssh: tuple[str, str | None] | None, *, web: bool = False) -> Joining:
        """From what the caller knows; the hub's own URL only when it gave no targets."""
        found = targets or [url.removeprefix("ws://").removeprefix("wss://")]
        ordered = sorted(found, key=is_loopback)  # stable: the caller's order, loopback last
        command, key = ssh if ssh is not None else (None, None)
        return cls(tuple(ordered), command, key, web)

    @property
    def target(self) -> str:
        """The ``host:port`` shown to the room: the chosen one."""
        return self.targets[self.chosen % len(self.targets)]

    @property
    def host(self) -> str:
        return host_of(self.target)

    @property
    def others(self) -> tuple[str, ...]:
        """The other addresses, in order."""
        return tuple(target for target in self.targets if target != self.target)

    def cycled(self) -> Joining:
        """The same, showing the next address (round again after the last)."""
        return replace(self, chosen=(self.chosen + 1) % len(self.targets))

    def found(self, targets: Sequence[str]) -> Joining:
        """The same with this machine's addresses as they are now: the chosen one kept if it is still there."""
        if not targets or tuple(targets) == self.targets:
            return self
        fresh = tuple(sorted(targets, key=is_loopback))
        chosen = fresh.index(self.target) if self.target in fresh else 0
        return replace(self, targets=fresh, chosen=chosen)

    @property
    def local_only(self) -> bool:
        """Every address is this machine's loopback: nobody else in the room can reach the hub."""
        return all(is_loopback(target) for target in self.targets)

    def command(self, code: str | None) -> str:
        """What a participant types to join."""
        return f"coproterm join {self.target}" + (f" --code {code}" if code else "")

    def web_link(self, code: str | None, lang: str | None = None) -> str | None:
        """The phone page, with the join code filled in (scanning the QR code is joining), in ``lang``.

        ``lang`` (``cy`` or ``en``) is the language the page opens in: the facilitator's.
        """
        if not self.web:
            return None
        query = "&".join(part for part in (f"code={code}" if code else "", f"lang={lang}" if lang else "") if part)
        return f"http://{self.target}/" + (f"?{query}" if query else "")

    def ssh_line(self, yourname: str = YOURNAME) -> str | None:
        """``ssh -p PORT YOURNAME@HOST`` for the chosen address (None: no SSH); the user name is the display name."""
        port = _ssh_port(self.ssh_command)
        if port is None:
            return None
        host = self.host  # OpenSSH takes an IPv6 address after the @ as it is
        return f"ssh -p {port} {yourname}@{host}" if port != 22 else f"ssh {yourname}@{host}"

    def ssh_link(self) -> str | None:
        """An ``ssh://`` link a phone's SSH app opens, on the chosen address."""
        port = _ssh_port(self.ssh_command)
        if port is None:
            return None
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"ssh://{host}:{port}"
