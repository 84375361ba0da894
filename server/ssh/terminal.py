"""The far end of an SSH channel, as a terminal an app can draw on.

Output is batched: everything an app writes between two sends goes out as one
channel write, at most :data:`SENDS_PER_SECOND` times a second, so a burst of
redraws costs a few packets on a slow link.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from server.ssh.driver import SSHDriver

SENDS_PER_SECOND = 10


class ChannelTerminal:
    """Writes to an asyncssh channel; knows the client's window size and terminal type."""

    def __init__(self, channel: Any, width: int, height: int, term: str) -> None:
        self.channel = channel
        self.size = (width, height)
        self.term = term
        self.driver: SSHDriver | None = None
        self.leave: Callable[[], object] | None = None
        """Ends the app on this terminal (the person closed their ssh)."""
        self._pending: list[str] = []
        self._scheduled: asyncio.TimerHandle | None = None
        self._last_send = 0.0

    def write(self, data: str) -> None:
        if data:
            self._pending.append(data)

    def flush(self, *, now: bool = False) -> None:
        """Send what is pending: at once if ``now`` or if the last send was long enough ago."""
        if not self._pending:
            return
        loop = asyncio.get_running_loop()
        wait = self._last_send + 1 / SENDS_PER_SECOND - loop.time()
        if now or wait <= 0:
            self._send()
        elif self._scheduled is None:
            self._scheduled = loop.call_later(wait, self._send)

    def _send(self) -> None:
        self._scheduled = None
        if not self._pending:
            return
        data = "".join(self._pending)
        self._pending.clear()
        self._last_send = asyncio.get_running_loop().time()
        with contextlib.suppress(OSError):  # a channel that is closing takes nothing more (BrokenPipeError)
            self.channel.write(data)

    def close(self) -> None:
        if self._scheduled is not None:
            self._scheduled.cancel()
            self._scheduled = None
