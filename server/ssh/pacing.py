"""What an SSH participant's app sends, kept under the hub's rate: a held key never ends a session.

A terminal repeats a held key about 30 times a second. Each press of ``i``
(Cymraeg / English) or of a number key sends the hub a frame, and the hub allows
10 a second (30 at once, :data:`coproterm.core.limits.RATE`): past that it refuses,
and 150 refusals in 10 s close the connection with 1008 "far too many messages".
The screen follows every press at once; what goes to the hub is paced a little
under the hub's rate, and while it waits, a newer message of the same kind (the
language, the vote on one question, the text in one answer slot) replaces the
one waiting: only the latest is sent.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Hashable

from coproterm.core.client_messages import Answer, Choose, ChooseLanguage, Vote
from coproterm.core.limits import RateLimit
from coproterm.core.wire import Message as WireMessage

PACE_RATE = 8.0
"""Frames a second an SSH app sends at most, sustained (the hub allows 10)."""
PACE_BURST = 20
"""Frames it may send at once (the hub allows 30: the rest is left for a hello and a language)."""


def _kind(message: WireMessage) -> Hashable:
    """What a newer message replaces while it waits: the same language, vote or answer slot."""
    if isinstance(message, ChooseLanguage):
        return ("speak",)
    if isinstance(message, (Vote, Choose)):
        return ("vote", message.question)
    if isinstance(message, Answer):
        return ("answer", message.question, message.slot)
    return ("other", id(message))


class Pacer:
    """Sends through ``send_now`` at most :data:`PACE_RATE` a second; the latest of each kind waits its turn.

    ``send_now(message, seq)`` sends one (False if it could not go); ``dropped(message, seq)``
    is told of a message that a newer one replaced before it went, or that could not go.
    """

    def __init__(
        self,
        send_now: Callable[[WireMessage, int | None], Awaitable[bool]],
        dropped: Callable[[WireMessage, int | None], None],
        rate: float = PACE_RATE,
        burst: int = PACE_BURST,
    ) -> None:
        self._send_now = send_now
        self._dropped = dropped
        self._bucket = RateLimit(rate, burst, burst)
        self._rate = rate
        self._held: dict[Hashable, tuple[WireMessage, int | None]] = {}
        self._draining: asyncio.Task[None] | None = None

    @property
    def waiting(self) -> int:
        """Messages held for their turn."""
        return len(self._held)

    async def send(self, message: WireMessage, seq: int | None) -> bool:
        """Send now if the pace allows and nothing waits; else hold it (replacing one of its kind). True if
        sent or held."""
        if not self._held and self._bucket.allow(time.monotonic()):
            return await self._send_now(message, seq)
        kind = _kind(message)
        older = self._held.pop(kind, None)
        if older is not None:
            self._dropped(*older)
        self._held[kind] = (message, seq)
        if self._draining is None or self._draining.done():
            self._draining = asyncio.create_task(self._drain())
        return True

    async def _drain(self) -> None:
        while self._held:
            await asyncio.sleep(1 / self._rate)
            if not self._bucket.allow(time.monotonic()):
                continue
            kind = next(iter(self._held))
            message, seq = self._held.pop(kind)
            if not await self._send_now(message, seq):
                self._dropped(message, seq)

    def stop(self) -> None:
        """Forget what waits (the app is ending)."""
        self._held.clear()
        if self._draining is not None:
            self._draining.cancel()
