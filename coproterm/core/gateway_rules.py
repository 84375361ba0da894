"""Who the SSH gateway lets in, and how often: passcode tries, sessions and newcomers per address,
join-code tries.

Pure policy, one :class:`GatewayRules` per worker process: the shell (``server/ssh``) asks it at
each step of a connection and carries out the answer (closes, refuses with words, logs). Every
call that depends on time is given ``now`` (the worker's steady clock). The buckets are
:mod:`coproterm.core.limits`'s; what is new here is when each is asked, and in what order.

A connection's life, and the question the shell asks at each step:

1. accepted: :meth:`GatewayRules.accepted` (connections per address not logged in yet), then
   :meth:`GatewayRules.locked_out` (said at once, before any prompt);
2. a passcode typed: :meth:`GatewayRules.passcode`; logged in (or gone before):
   :meth:`GatewayRules.logged_in`;
3. a session asked for: :meth:`GatewayRules.enter` (newcomers, then live sessions per address),
   which returns the session's :class:`Admission`; and :meth:`GatewayRules.another_person` when the
   gateway finds it is a newcomer after all (someone else under a live name);
4. a join code typed in the app: :meth:`GatewayRules.code_try`;
5. the session over: :meth:`GatewayRules.left` (once, however many ways it ends).
"""

from __future__ import annotations

import hmac
from collections import deque
from dataclasses import dataclass, field
from enum import Enum

from coproterm.core.limits import TRACKED, AddressLimit, KeyedLimit, NewcomerLimit
from coproterm.core.vouching import unauthenticated_limit

FAILURES_ALLOWED = 5
FAILURE_WINDOW = 600.0
"""Wrong passcodes one address may type in this many seconds; then it is refused, even the right passcode,
until the oldest of them is older than the window."""
SESSIONS_PER_ADDRESS = 32
"""Live SSH sessions one address may hold (as the hub allows websocket connections); 0: no bound."""
CODES_PER_SESSION = 5
"""Join codes one SSH session may try before it is closed."""
CODES_PER_ADDRESS = 10
CODE_EVERY = 60.0
"""Seconds in which an address earns one more join-code try once its :data:`CODES_PER_ADDRESS` are spent."""


class Passcode(Enum):
    """What a typed passcode gets."""

    RIGHT = "right"
    WRONG = "wrong"
    """Counted against the address."""
    LOCKED_OUT = "locked out"
    """Not even compared: the address typed too many wrong ones lately."""


class GatewayRefusal(Enum):
    """Why a session is not let in (the shell says it in the person's language)."""

    TOO_MANY_NEWCOMERS = "too many newcomers"
    TOO_MANY_SESSIONS = "too many sessions"


@dataclass
class Admission:
    """One SSH session let in: its address counted among the live ones until :meth:`GatewayRules.left`."""

    address: str
    codes_tried: int = 0
    """Join codes tried in this session."""
    gone: bool = False


@dataclass
class PasscodeTries:
    """Wrong passcodes per address in a sliding window (the addresses with none lately are forgotten)."""

    allowed: int = FAILURES_ALLOWED
    window: float = FAILURE_WINDOW
    failures: dict[str, deque[float]] = field(default_factory=dict)

    def locked_out(self, address: str, now: float) -> bool:
        failures = self.failures.get(address)
        if failures is None:
            return False
        while failures and failures[0] < now - self.window:
            failures.popleft()
        if not failures:
            del self.failures[address]
            return False
        return len(failures) >= self.allowed

    def failed(self, address: str, now: float) -> None:
        """One more wrong passcode from ``address``. The addresses are kept in the order of their last
        failure, so those whose failures are all old are found at the front, and each call costs the
        same however many addresses are known (a scan of them all let many addresses slow every try)."""
        failures = self.failures.pop(address, None)
        if failures is None:
            while self.failures:  # forgetting an address whose failures are all old changes nothing
                oldest = next(iter(self.failures))
                if self.failures[oldest][-1] >= now - self.window:
                    break
                del self.failures[oldest]
            while len(self.failures) >= TRACKED:  # still full (many fresh addresses): the least recent goes
                del self.failures[next(iter(self.failures))]
            failures = deque()
        failures.append(now)
        self.failures[address] = failures  # last: the most recent failure


def _codes() -> KeyedLimit:
    return KeyedLimit(rate=1 / CODE_EVERY, burst=CODES_PER_ADDRESS)


@dataclass
class GatewayRules:
    """Every rule of who one SSH worker lets in and how often; the shell asks, and carries out the answer."""

    passcode_set: str | None = None
    """The session's passcode (``--ssh-passcode``); None: anyone may log in."""
    sessions_per_address: int = SESSIONS_PER_ADDRESS
    unauthenticated: AddressLimit = field(default_factory=unauthenticated_limit)
    """Connections per address not logged in yet (counted from the accept)."""
    newcomers: NewcomerLimit = field(default_factory=NewcomerLimit)
    """New participants per SSH client address (the hub may not know them apart without the secret)."""
    passcodes: PasscodeTries = field(default_factory=PasscodeTries)
    codes: KeyedLimit = field(default_factory=_codes)
    """Join-code tries per address: :data:`CODES_PER_ADDRESS`, then one each :data:`CODE_EVERY` seconds."""
    sessions: AddressLimit = field(default_factory=lambda: AddressLimit(0, exempt_own=False))
    """Live sessions per address; the machine's own address counts too (a person at its console)."""

    def __post_init__(self) -> None:
        self.sessions.limit = self.sessions_per_address

    def set_sessions_per_address(self, limit: int) -> None:
        """Live sessions one address may hold from now on (0: no bound)."""
        self.sessions_per_address = self.sessions.limit = limit

    # -- before logging in ---------------------------------------------------------

    def accepted(self, address: str) -> bool:
        """A TCP connection from ``address`` was accepted: False to close it at once, before key exchange
        (one address cannot hold a worker's file descriptors with connections that never log in).
        When True, :meth:`logged_in` must follow once it logs in or goes."""
        return self.unauthenticated.admit(address)

    def logged_in(self, address: str) -> None:
        """A connection counted by :meth:`accepted` logged in or went: it no longer counts as waiting."""
        self.unauthenticated.release(address)

    def locked_out(self, address: str, now: float) -> bool:
        """Whether ``address`` typed too many wrong passcodes lately (told so before it is asked one)."""
        return self.passcode_set is not None and self.passcodes.locked_out(address, now)

    @property
    def asks_passcode(self) -> bool:
        return self.passcode_set is not None

    def passcode(self, address: str, typed: str, now: float) -> Passcode:
        """A passcode typed from ``address`` (any answer is right when none is set); compared in constant time."""
        if self.passcode_set is None:
            return Passcode.RIGHT
        if self.passcodes.locked_out(address, now):
            return Passcode.LOCKED_OUT
        if hmac.compare_digest(typed.strip().encode(), self.passcode_set.encode()):
            return Passcode.RIGHT
        self.passcodes.failed(address, now)
        return Passcode.WRONG

    # -- sessions ------------------------------------------------------------------

    def enter(self, address: str, *, newcomer: bool, now: float) -> Admission | GatewayRefusal:
        """A session from ``address`` asks to start (``newcomer``: as no identity this gateway knows):
        its :class:`Admission`, counted until :meth:`left`; or why not (a newcomer past the address's allowance
        first, then an address with as many live sessions as it may hold)."""
        if newcomer and not self.newcomers.allow(address, now):
            return GatewayRefusal.TOO_MANY_NEWCOMERS
        if not self.sessions.admit(address):
            return GatewayRefusal.TOO_MANY_SESSIONS
        return Admission(address)

    def another_person(self, entry: Admission, now: float) -> GatewayRefusal | None:
        """The session of ``entry`` turned out to be a newcomer (someone else under a live name): None if it
        may go on; else it is refused, and no longer counted."""
        if self.newcomers.allow(entry.address, now):
            return None
        self.left(entry)
        return GatewayRefusal.TOO_MANY_NEWCOMERS

    def code_try(self, entry: Admission, now: float) -> bool:
        """One join code typed in ``entry``'s session: False once the session's or its address's tries are
        spent (the session is then closed: guessing is bounded per session and per address, as the hub
        bounds it per connection)."""
        entry.codes_tried += 1
        if entry.codes_tried > CODES_PER_SESSION:
            return False
        return self.codes.allow(entry.address, now)

    def left(self, entry: Admission) -> None:
        """``entry``'s session is over (counted once, however many ways it ends)."""
        if not entry.gone:
            entry.gone = True
            self.sessions.release(entry.address)

    def live(self, address: str) -> int:
        """Sessions ``address`` holds now."""
        return self.sessions.counts.get(address, 0)
