"""Leaving with nothing lost: the agreement marks a face holds go to the hub before its link closes.

A participant's marks wait on their machine for a few more (:meth:`coproterm.core.view.SessionView.mark`).
Every way out of every face (q, quit, the end of input, Ctrl+C, an SSH client gone) sends what is
held and waits a moment for the hub's :class:`~coproterm.core.hub_messages.Ack`: at most
:data:`LEAVE_WAIT` seconds, so a hub that has gone quiet never keeps anyone from leaving.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable

from coproterm.core.view import SessionView

LEAVE_WAIT = 2.0
"""Seconds a face leaving waits, at most, for the hub to count the marks it sent last."""


async def marks_counted(view: SessionView, heard: asyncio.Event, linked: Callable[[], bool]) -> bool:
    """Wait until the hub has answered every frame of marks sent (True), the link is down, or
    :data:`LEAVE_WAIT` seconds have passed (False). ``heard`` is set by the face on each message and
    change of link status it takes in."""
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(LEAVE_WAIT):
            while view.marks_sent and linked():
                heard.clear()
                await heard.wait()
    return not view.marks_sent
