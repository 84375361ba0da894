"""What the session answers a message with: whom to tell what, which connection to close, what to
record before anything acknowledges it, and what was refused (the protocol's table says what follows).

Connections are plain numbers chosen by the shell (:data:`ConnId`).
"""

from __future__ import annotations

from dataclasses import dataclass

from coproterm.core.events import Event
from coproterm.core.refusals import Refusal
from coproterm.core.wire import Message

ConnId = int


@dataclass(frozen=True, slots=True)
class Tell:
    """Tell connection ``to`` this message (the protocol encodes and sends it)."""

    to: ConnId
    message: Message


@dataclass(frozen=True, slots=True)
class Close:
    """Close connection ``conn`` with a websocket close code and a reason."""

    conn: ConnId
    code: int
    reason: str


@dataclass(frozen=True, slots=True)
class Record:
    """Log ``event`` before sending anything that acknowledges it."""

    event: Event


@dataclass(frozen=True, slots=True)
class Refused:
    """A message from ``conn`` was refused; the protocol's table says what follows."""

    conn: ConnId
    seq: int | None
    refusal: Refusal
    values: tuple[int, ...] = ()
    """The numbers the refusal's words need (:data:`coproterm.core.refusals.WORDS` names them)."""


Output = Tell | Close | Record | Refused
