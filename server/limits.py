"""Limits that keep one client from spoiling the session for everyone else."""

from __future__ import annotations

import ipaddress
from collections import Counter
from dataclasses import dataclass, field

RATE = 10.0
"""Messages per second a connection may send, sustained (a person votes far slower)."""
BURST = 30
"""Messages a connection may send at once after a quiet spell."""
FLOOD = 150
"""Refused messages in :data:`FLOOD_WINDOW` seconds after which the connection is closed."""
FLOOD_WINDOW = 10.0
PER_ADDRESS = 32
"""Connections one address may hold (loopback is exempt: the SSH gateway and local dashboards)."""
NEWCOMERS = 20
"""New participants one address may bring at once (a shared laptop, a few mistyped join codes)."""
NEWCOMER_EVERY = 30.0
"""Seconds in which an address earns one more newcomer once those are spent."""
TRACKED_ADDRESSES = 4096
"""Addresses whose newcomers are counted before the ones back to a full allowance are forgotten."""


@dataclass(slots=True)
class RateLimit:
    """A token bucket for one connection; ``now`` comes from the caller's clock."""

    rate: float = RATE
    burst: int = BURST
    tokens: float = BURST
    updated: float | None = None
    refused: list[float] = field(default_factory=list)

    def allow(self, now: float) -> bool:
        """Whether one more message may pass now."""
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


@dataclass
class AddressLimit:
    """Counts connections per remote address."""

    limit: int = PER_ADDRESS
    exempt_loopback: bool = True
    counts: Counter[str] = field(default_factory=Counter)

    def admit(self, address: str) -> bool:
        """Count a new connection from ``address``; False (and not counted) if it is one too many."""
        exempt = self.exempt_loopback and _loopback(address)
        if self.limit > 0 and not exempt and self.counts[address] >= self.limit:
            return False
        self.counts[address] += 1
        return True

    def release(self, address: str) -> None:
        self.counts[address] -= 1
        if self.counts[address] <= 0:
            del self.counts[address]


@dataclass
class NewcomerLimit:
    """New participants per remote address: a token bucket each (loopback exempt, as above).

    Every newcomer is a record the session keeps for good. Unchecked, one machine could
    add a thousand a second (measured: about 2 GB of hub memory an hour, and as many log
    rows), or try join codes until one fits. Returning participants are never counted.
    """

    burst: int = NEWCOMERS
    every: float = NEWCOMER_EVERY
    exempt_loopback: bool = True
    buckets: dict[str, RateLimit] = field(default_factory=dict)

    def allow(self, address: str, now: float) -> bool:
        """Count one newcomer from ``address``; False if it has no allowance left."""
        if self.exempt_loopback and _loopback(address):
            return True
        bucket = self.buckets.get(address)
        if bucket is None:
            if len(self.buckets) >= TRACKED_ADDRESSES:
                self._forget_full(now)
            bucket = self.buckets[address] = RateLimit(rate=1 / self.every, burst=self.burst, tokens=self.burst)
        return bucket.allow(now)

    def _forget_full(self, now: float) -> None:
        """Drop addresses whose allowance has grown back whole: forgetting them changes nothing."""
        for address, bucket in list(self.buckets.items()):
            if bucket.updated is None or bucket.tokens + (now - bucket.updated) * bucket.rate >= bucket.burst:
                del self.buckets[address]


def _loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False
