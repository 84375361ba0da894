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


def _loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False
