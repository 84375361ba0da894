"""What an SSH gateway may take from a client, how it proves itself to the hub, and what the hub makes of
the proof (:class:`Vouching`: the one place that names the headers and checks the secret).

Pure policy: the shells (``server/ssh``, ``server/hub.py``) carry it out. Every
call that depends on time is given ``now``; every random value (a gateway
instance's name) is given by the caller.

The proof: a gateway never sends the hub's gateway secret. For each websocket
connection it sends ``v1:<instance>:<counter>:<mac>`` in :data:`GATEWAY_HEADER`,
where the MAC is HMAC-SHA256 under the secret of the instance, the counter and
the participant's address (sent in :data:`CLIENT_HEADER`). The instance is a
random name each gateway process picks at start, and the counter goes up by one
per connection, so the hub refuses a proof it has seen (a replay window per
instance, as IPsec keeps one): a sniffed header vouches for nothing more, and
it names one address only. The secret itself is new at every hub start.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import re
from collections import OrderedDict
from dataclasses import dataclass, field
from enum import Enum
from typing import Protocol

from coproterm.core.limits import AddressLimit, KeyedLimit, exempt

GATEWAY_HEADER = "X-Coproterm-Gateway"
"""An SSH gateway's proof that it holds the hub's gateway secret (never the secret itself)…"""
CLIENT_HEADER = "X-Coproterm-Client"
"""… and the address of the participant it speaks for."""

# -- the environment an SSH client may set ---------------------------------------

ENV_NAMES = frozenset({"LANG", "LANGUAGE", "TERM", "NO_COLOR", "COLORTERM"})
"""The variables the app reads (with LC_*): the language, the terminal and its colours."""
_LC_NAME = re.compile(rb"LC_[A-Z]{1,16}")
ENV_VALUE_MOST = 64
"""Bytes a variable's value may hold (``cy_GB.UTF-8``, ``xterm-256color``, ``truecolor``)."""
ENV_MOST = 24
"""Variables one session may set: every LC_* category and the rest, with room to spare."""


def env_accepted(name: bytes, value: bytes, held: int) -> bool:
    """Whether a client's ``env`` request may be kept, ``held`` being how many this session keeps already.

    Anything else is refused before it is stored (asyncssh would keep every one,
    of any size: 3,000 variables of 32 KB grew a worker by 186 MB).
    """
    if held >= ENV_MOST or len(value) > ENV_VALUE_MOST:
        return False
    try:
        text = name.decode("ascii")
    except UnicodeDecodeError:
        return False
    return text in ENV_NAMES or _LC_NAME.fullmatch(name) is not None


# -- connections before authentication ---------------------------------------------

UNAUTHENTICATED_PER_ADDRESS = 16
"""SSH connections one address may hold in one worker before they have logged in (a person needs one;
a room behind one NAT logs in within seconds). Past it, a new one is closed at once, before key exchange."""


def unauthenticated_limit(limit: int = UNAUTHENTICATED_PER_ADDRESS) -> AddressLimit:
    """Counts an SSH worker's connections per address from the accept until they log in."""
    return AddressLimit(limit)


# -- the gateway's proof -------------------------------------------------------------

PROOF_VERSION = "v1"
REPLAY_WINDOW = 4096
"""Counters of one instance the hub remembers: an older or repeated one is refused."""
INSTANCES_KEPT = 256
"""Gateway instances (worker processes) the hub keeps a window for; the least recently seen goes first."""
_INSTANCE = re.compile(r"[0-9a-f]{16,64}")


def _mac(secret: str, instance: str, counter: int, address: str) -> str:
    message = f"coproterm-gateway {PROOF_VERSION}\0{instance}\0{counter}\0{address}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def gateway_proof(secret: str, instance: str, counter: int, address: str) -> str:
    """The header value a gateway sends for one connection on behalf of ``address``."""
    return f"{PROOF_VERSION}:{instance}:{counter}:{_mac(secret, instance, counter, address)}"


def vouchable(address: str) -> str | None:
    """The address a gateway may speak for (normalised), or None.

    Never the hub's own addresses (exempt from every per-address limit), an
    unspecified or multicast address, or anything that is not an IP address.
    """
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    text = str(ip)
    if exempt(text) or ip.is_unspecified or ip.is_multicast:
        return None
    return text


@dataclass
class _Window:
    highest: int = -1
    seen: set[int] = field(default_factory=set)

    def fresh(self, counter: int) -> bool:
        if counter <= self.highest - REPLAY_WINDOW or counter in self.seen:
            return False
        self.seen.add(counter)
        if counter > self.highest:
            self.highest = counter
            floor = counter - REPLAY_WINDOW
            if len(self.seen) > 2 * REPLAY_WINDOW:
                self.seen = {c for c in self.seen if c > floor}
        return True


@dataclass
class GatewayProofs:
    """The hub's side: checks each proof once (a replay is refused)."""

    secret: str
    _windows: OrderedDict[str, _Window] = field(default_factory=OrderedDict)

    def check(self, proof: str, address: str) -> bool:
        """Whether ``proof`` is a fresh proof of the secret for ``address`` (seen now, so never again)."""
        parts = proof.strip().split(":")
        if len(parts) != 4 or parts[0] != PROOF_VERSION or _INSTANCE.fullmatch(parts[1]) is None:
            return False
        _, instance, count, mac = parts
        if not count.isdigit() or len(count) > 18:
            return False
        counter = int(count)
        if not hmac.compare_digest(mac.encode(), _mac(self.secret, instance, counter, address).encode()):
            return False
        window = self._windows.get(instance)
        if window is None:
            if len(self._windows) >= INSTANCES_KEPT:
                self._windows.popitem(last=False)
            window = self._windows[instance] = _Window()
        self._windows.move_to_end(instance)
        return window.fresh(counter)


# -- what one gateway may vouch for ---------------------------------------------------

VOUCHED_PER_GATEWAY = 512
"""Connections one gateway (one address) may hold while naming other addresses: a large room's SSH side."""
VOUCHES_BURST = 256
VOUCHES_EVERY = 1.0
"""Past :data:`VOUCHES_BURST` vouches at once, one gateway earns one more each this many seconds."""


@dataclass
class GatewayLimit:
    """Bounds what one gateway vouches for: past it, a connection counts at the gateway's own address."""

    live: int = VOUCHED_PER_GATEWAY
    burst: int = VOUCHES_BURST
    every: float = VOUCHES_EVERY
    counts: dict[str, int] = field(default_factory=dict)
    _rates: KeyedLimit | None = None

    def admit(self, gateway: str, now: float) -> bool:
        """Count one more connection vouched for by the gateway at ``gateway``; False past its bound."""
        if self._rates is None:
            self._rates = KeyedLimit(rate=1 / self.every, burst=self.burst)
        if self.counts.get(gateway, 0) >= self.live or not self._rates.allow(gateway, now):
            return False
        self.counts[gateway] = self.counts.get(gateway, 0) + 1
        return True

    def release(self, gateway: str) -> None:
        left = self.counts.get(gateway, 0) - 1
        if left > 0:
            self.counts[gateway] = left
        else:
            self.counts.pop(gateway, None)


# -- the hub's one question: where does this connection count? -----------------------

PAST_BOUND_SAID_EVERY = 60.0
"""Seconds over which connections past a gateway's bound are counted before the hub's log says so, in one line."""


class HeaderValues(Protocol):
    """A handshake's headers as the websocket library gives them (every value of one name)."""

    def get_all(self, key: str) -> list[str]: ...


class Vouched(Enum):
    """What a handshake's gateway headers came to."""

    NOT_ASKED = "not asked"
    """No gateway header, or a hub with no secret: the connection counts at its own address."""
    WRONG_PROOF = "wrong proof"
    """A proof that is wrong, replayed, or sent twice: the connection counts at its own address."""
    NOT_VOUCHABLE = "not vouchable"
    """Proven, naming the hub's own address or no address: counted at the gateway's own."""
    PAST_BOUND = "past the bound"
    """Proven, but the gateway vouches for as much as it may: counted at the gateway's own address."""
    VOUCHED = "vouched"
    """Counted at the address the gateway names, and against what that gateway may vouch for."""


@dataclass(frozen=True, slots=True)
class Vouch:
    outcome: Vouched
    address: str | None = None
    """Where the connection counts, when the gateway proved itself (None: where it came from, as anyone)."""
    gateway: str | None = None
    """The gateway whose bound it counts against until it closes (:meth:`Vouching.closed`)."""


@dataclass
class Vouching:
    """The hub's side of the gateway secret, in one place: the headers' names, the proof, what a gateway may
    vouch for, and the count of what went past that (for one line in the hub's log a minute)."""

    secret: str
    limit: GatewayLimit = field(default_factory=GatewayLimit)
    past_bound: dict[str, int] = field(default_factory=dict)
    """Connections past each gateway's bound not yet said in the log."""
    _proofs: GatewayProofs | None = None

    def vouch(self, headers: HeaderValues, gateway: str, now: float) -> Vouch:
        """Where a connection from ``gateway`` (its peer address) counts, given its handshake's ``headers``."""
        proofs = headers.get_all(GATEWAY_HEADER)
        if not proofs:
            return Vouch(Vouched.NOT_ASKED)
        named = headers.get_all(CLIENT_HEADER)
        if self._proofs is None:
            self._proofs = GatewayProofs(self.secret)
        if len(proofs) != 1 or len(named) != 1 or not self._proofs.check(proofs[0], named[0].strip()):
            return Vouch(Vouched.WRONG_PROOF)
        address = vouchable(named[0])
        if address is None:  # the hub's own address (someone on this machine), or no address to count
            return Vouch(Vouched.NOT_VOUCHABLE, gateway)
        if not self.limit.admit(gateway, now):
            self.past_bound[gateway] = self.past_bound.get(gateway, 0) + 1
            return Vouch(Vouched.PAST_BOUND, gateway)
        return Vouch(Vouched.VOUCHED, address, gateway)

    def closed(self, vouch: Vouch) -> None:
        """A connection vouched for has closed: its gateway may vouch for one more."""
        if vouch.outcome is Vouched.VOUCHED and vouch.gateway is not None:
            self.limit.release(vouch.gateway)

    def past_bound_to_say(self) -> dict[str, int]:
        """The connections past each gateway's bound since this was last asked (then forgotten): the shell
        asks every :data:`PAST_BOUND_SAID_EVERY` seconds while there are any, and writes one line each."""
        said, self.past_bound = self.past_bound, {}
        return said
