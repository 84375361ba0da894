"""A countdown as a face shows it: the time left from the hub's ``Timer``, counted on the face's own clock.

Pure: the face says when the frame arrived and what its steady clock says now; nothing here
reads a clock. Every face (the Textual app, SSH, plain mode) words it from these few functions;
the phone page does the same sums in JavaScript (``coproterm/web/page.js``).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from coproterm.core.hub_messages import Timer

MINUTE_LEFT = 60
"""Seconds left when a face says "one minute left" (once)."""
TEN_LEFT = 10
"""Seconds left when a face says "ten seconds left" (once)."""


class Cue(Enum):
    """A moment of a countdown that a face announces once (plain mode's lines, the phone's live region)."""

    STARTED = "started"
    MINUTE = "minute"
    TEN = "ten"
    ENDED = "ended"
    STOPPED = "stopped"


@dataclass(frozen=True, slots=True)
class Countdown:
    """The hub's latest ``Timer`` and when (by the face's steady clock) it arrived."""

    timer: Timer
    arrived: float

    def left_ms(self, now: float) -> int:
        """Milliseconds left at ``now`` (the face's steady clock); 0 once over or stopped."""
        if self.timer.seconds == 0:
            return 0
        return max(self.timer.left_ms - round((now - self.arrived) * 1000), 0)

    def left(self, now: float) -> int:
        """Whole seconds left, rounded up (so "0:00" shows only when it is over)."""
        return -(-self.left_ms(now) // 1000)

    def shows_on(self, current: int) -> bool:
        """Whether the countdown belongs on the screen of question ``current`` (a stopped one shows nowhere)."""
        return self.timer.seconds > 0 and self.timer.question == current

    def ended(self, now: float) -> bool:
        """It has run out (by the hub's word, or by the face's count in the moment before the hub says so)."""
        return self.timer.seconds > 0 and self.left_ms(now) == 0


def clock_text(seconds: int) -> str:
    """Seconds as "m:ss" (or "h:mm:ss" for an hour): how every face shows the time left."""
    hours, rest = divmod(max(seconds, 0), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02}:{secs:02}" if hours else f"{minutes}:{secs:02}"


def cues_between(before: int | None, after: int | None) -> list[Cue]:
    """The moments passed going from ``before`` to ``after`` seconds left (None: no countdown).

    A face calls it with what it showed last and what it shows now, and announces each cue
    once: a countdown that starts under a minute says "started" but not "one minute left".
    """
    if after is None:
        return [Cue.STOPPED] if before is not None and before > 0 else []
    if before is None:
        return [Cue.ENDED] if after == 0 else [Cue.STARTED]
    cues: list[Cue] = []
    if before > MINUTE_LEFT >= after > 0:
        cues.append(Cue.MINUTE)
    if before > TEN_LEFT >= after > 0:
        cues.append(Cue.TEN)
    if before > 0 and after == 0:
        cues.append(Cue.ENDED)
    return cues
