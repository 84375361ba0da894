"""What keeps one SSH client from costing a gateway worker more than its share, and how the worker proves
itself to the hub (the rules are :mod:`coproterm.core.vouching`'s; this carries them out on asyncssh)."""

from __future__ import annotations

import asyncio
import gc
import itertools
import secrets
import time
from collections.abc import Callable, Mapping
from typing import Any

import asyncssh

from coproterm.core.vouching import CLIENT_HEADER, GATEWAY_HEADER, env_accepted, gateway_proof

COLLECT_EVERY = 5.0
"""Seconds between full collections after sessions end: a finished Textual app is a web of cycles the
workers' collector settings (gc.freeze, a 50,000 threshold) leave for a long time (about 50 piled up,
12 MB a minute, under churn); a full pass after a burst of endings frees them all."""
COLLECT_FOR = 20.0
"""Seconds after the last session ended during which those collections go on (an app is held a few
seconds past its end, by its link's closing and its last timers)."""


def _trim() -> None:
    """Hand the C heap's free pages back to the system (glibc keeps them otherwise: asyncssh's buffers
    and a finished app's leave holes that the next sessions' allocations do not fit)."""
    try:
        import ctypes

        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: nothing to hand back this way
        pass


class Collector:
    """Full collections after sessions end (one for a burst of them), freeing finished apps."""

    def __init__(self) -> None:
        self._timer: asyncio.TimerHandle | None = None
        self._ended_at = 0.0

    def ended(self) -> None:
        """A session ended: collect every COLLECT_EVERY until COLLECT_FOR seconds pass with no other ending."""
        self._ended_at = time.monotonic()
        if self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(COLLECT_EVERY, self._collect)

    def _collect(self) -> None:
        self._timer = None
        gc.collect()
        _trim()
        if time.monotonic() - self._ended_at < COLLECT_FOR:
            self._timer = asyncio.get_running_loop().call_later(COLLECT_EVERY, self._collect)

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None


class Prover:
    """A gateway process's proofs of the hub's secret: a fresh one per websocket handshake."""

    def __init__(self, secret: str) -> None:
        self._secret = secret
        self.instance = secrets.token_hex(8)
        """This process's name in its proofs (the hub keeps a replay window for each)."""
        self._made = itertools.count()

    def headers(self, address: str) -> dict[str, str]:
        """The handshake headers of one connection for a participant at ``address``."""
        proof = gateway_proof(self._secret, self.instance, next(self._made), address)
        return {GATEWAY_HEADER: proof, CLIENT_HEADER: address}


class ProofHeaders(dict[str, str]):
    """Handshake headers whose proof is made afresh each time it is read (once per handshake): an app's
    link sends the same headers at every reconnection, and the hub refuses a proof it has seen."""

    def __init__(self, prover: Prover, address: str, others: Mapping[str, str] | None = None) -> None:
        super().__init__({**(others or {}), **prover.headers(address)})
        self.prover = prover
        self.address = address

    def __getitem__(self, name: str) -> str:
        if name == GATEWAY_HEADER:
            return self.prover.headers(self.address)[GATEWAY_HEADER]
        return super().__getitem__(name)


def bounded_env(channel: asyncssh.SSHServerChannel) -> Callable[[Any], bool]:  # type: ignore[type-arg]
    """The channel's handler of ``env`` requests, keeping only what the app reads (core.vouching.env_accepted).

    asyncssh keeps every variable a client sends, of any size and number, and has no
    setting to refuse them; this is its own handler with the check in front.
    """
    store: dict[bytes, bytes] = channel._env

    def process(packet: Any) -> bool:
        name = packet.get_string()
        value = packet.get_string()
        packet.check_end()
        if not env_accepted(name, value, len(store) - (name in store)):
            return False  # refused: the client hears "failure" if it asked for an answer, and nothing is kept
        store[name] = value
        return True

    return process
