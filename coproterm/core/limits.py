"""Limits that keep one client from spoiling the session for everyone else.

Pure bookkeeping: every call is given ``now`` by its caller. The connection
protocol (:mod:`coproterm.core.protocol`) decides when each applies.
"""

from __future__ import annotations

import ipaddress
from collections import Counter
from collections.abc import Hashable
from dataclasses import dataclass, field

RATE = 10.0
"""Frames per second a participant may send, sustained (a person votes far slower)."""
BURST = 30
"""Frames a participant may send at once after a quiet spell."""
FLOOD = 150
"""Refused frames in :data:`FLOOD_WINDOW` seconds after which the connection is closed."""
FLOOD_WINDOW = 10.0
PER_ADDRESS = 32
"""Connections one address may hold, counted from the TCP accept (the hub's own addresses are exempt)."""
NEWCOMERS = 20
"""New participants one address may bring at once (a shared laptop, a few mistyped join codes)."""
NEWCOMER_EVERY = 30.0
"""Seconds in which an address earns one more newcomer once those are spent."""
TRACKED = 4096
"""Buckets kept before the ones back to a full allowance are forgotten (forgetting them changes nothing)."""
OWN_ADDRESSES = frozenset({"127.0.0.1", "::1", "::ffff:127.0.0.1"})
"""The hub's own machine as its own processes reach it (the dashboard, a local SSH gateway): never limited.
Other loopback addresses (127.0.0.2 …) count like any address, which lets tests play other machines."""


def exempt(address: str) -> bool:
    """Whether ``address`` is this machine's own (no per-address limit applies)."""
    return address in OWN_ADDRESSES


@dataclass(slots=True)
class RateLimit:
    """A token bucket; ``now`` comes from the caller's clock."""

    rate: float = RATE
    burst: int = BURST
    tokens: float = BURST
    updated: float | None = None
    refused: list[float] = field(default_factory=list)

    def allow(self, now: float) -> bool:
        """Whether one more frame may pass now."""
        if self.rate <= 0:
            return True
        if self.updated is not None:
            self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        self.refused = [t for t in self.refused if t > now - FLOOD_WINDOW]
        self.refused.append(now)
        return False

    @property
    def flooding(self) -> bool:
        """Refused so often lately that the connection should be closed."""
        return len(self.refused) >= FLOOD

    def full(self, now: float) -> bool:
        """Whether the allowance has grown back whole (forgetting the bucket changes nothing)."""
        if self.updated is None:
            return True
        recent = any(t > now - FLOOD_WINDOW for t in self.refused)
        return not recent and self.tokens + (now - self.updated) * self.rate >= self.burst


INFLOW_RATE = 16 * 1024
"""Bytes a second a connection may send, sustained: a person's votes are a few bytes a second."""
INFLOW_BURST = 64 * 1024


@dataclass(slots=True)
class Inflow:
    """Bytes received on one connection: past the allowance, reading pauses until it is earned back.

    WebSocket pings are answered by the library before any rule of ours sees them;
    pausing the socket lets TCP slow a flooder down at no cost to anyone else.
    """

    rate: float = INFLOW_RATE
    burst: float = INFLOW_BURST
    tokens: float = INFLOW_BURST
    updated: float | None = None

    def pause_for(self, size: int, now: float) -> float:
        """Count ``size`` bytes received at ``now``; seconds to stop reading (0: read on)."""
        if self.updated is not None:
            self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        self.tokens -= size
        return 0.0 if self.tokens >= 0 else -self.tokens / self.rate


@dataclass
class KeyedLimit:
    """One token bucket per key (a participant, an address), forgetting the ones that are full."""

    rate: float = RATE
    burst: int = BURST
    buckets: dict[Hashable, RateLimit] = field(default_factory=dict)

    def bucket(self, key: Hashable, now: float) -> RateLimit:
        """``key``'s bucket. The buckets are kept in the order they were last used, so the ones likely
        full are at the front and a new key costs the same however many are known (a scan of them all,
        once the table was full, let many keys slow every new one)."""
        found = self.buckets.pop(key, None)
        if found is None:
            if len(self.buckets) >= TRACKED:
                self._forget_full(now)
                while len(self.buckets) >= TRACKED:  # none full (many keys at once): the least recent goes
                    del self.buckets[next(iter(self.buckets))]
            found = RateLimit(self.rate, self.burst, self.burst)
        self.buckets[key] = found  # last: the most recently used
        return found

    def allow(self, key: Hashable, now: float) -> bool:
        """Count one frame under ``key``; False if it has no allowance left."""
        return self.bucket(key, now).allow(now)

    def _forget_full(self, now: float) -> None:
        """Forget the least recently used buckets while they are full (forgetting one changes nothing)."""
        while self.buckets:
            oldest = next(iter(self.buckets))
            if not self.buckets[oldest].full(now):
                return
            del self.buckets[oldest]


@dataclass
class AddressLimit:
    """Counts connections per remote address (0: no bound)."""

    limit: int = PER_ADDRESS
    counts: Counter[str] = field(default_factory=Counter)
    exempt_own: bool = True
    """The machine's own addresses are not bounded (the hub's dashboard and local gateway)."""

    def admit(self, address: str) -> bool:
        """Count a new connection from ``address``; False (and not counted) if it is one too many."""
        if self.limit > 0 and not (self.exempt_own and exempt(address)) and self.counts[address] >= self.limit:
            return False
        self.counts[address] += 1
        return True

    def release(self, address: str) -> None:
        self.counts[address] -= 1
        if self.counts[address] <= 0:
            del self.counts[address]


@dataclass
class NewcomerLimit:
    """New participants per remote address: a token bucket each (the hub's own addresses exempt).

    Every newcomer is a record the session keeps for good. Unchecked, one machine could
    add a thousand a second (measured: about 2 GB of hub memory an hour, and as many log
    rows), or try join codes until one fits. Returning participants are never counted.
    """

    burst: int = NEWCOMERS
    every: float = NEWCOMER_EVERY
    _buckets: KeyedLimit | None = None

    def allow(self, address: str, now: float) -> bool:
        """Count one newcomer from ``address``; False if it has no allowance left."""
        if exempt(address):
            return True
        if self._buckets is None:
            self._buckets = KeyedLimit(rate=1 / self.every, burst=self.burst)
        return self._buckets.allow(address, now)

    @property
    def tracked(self) -> int:
        """How many addresses are being counted now."""
        return 0 if self._buckets is None else len(self._buckets.buckets)


def _is_ip(address: str) -> bool:
    try:
        ipaddress.ip_address(address)
    except ValueError:
        return False
    return True


def plausible_address(address: str) -> str | None:
    """An address a gateway passed on, if it is one (else None: not to be trusted)."""
    address = address.strip()
    return address if _is_ip(address) else None
