"""The protocol's numbers and names: its version, the limits every message is checked against,
and the enums both ends share (close codes, roles, commands, error codes, stances).

Every module of the wire and every rule of the session reads them from here; docs/protocol.md
prints the same numbers.
"""

from __future__ import annotations

from enum import IntEnum

DEFAULT_PORT = 8765
"""Where a hub listens, and where a client looks, when no port is given."""


PROTOCOL_VERSION = 5
"""Bumped whenever a message changes shape; a hello of a version the hub does not speak is refused."""


MAX_MARKS = 8
"""Answers a ``ToMark`` offers at once, and marks a ``Mark`` carries at most."""

RESUME_TOKEN_BYTES = 16


MAX_NAME = 40
"""Longest display name, in characters."""


MAX_TOKEN = 64


MAX_CODE = 16


MAX_REFUSAL_VALUES = 4
"""Most values a refusal carries (``Error.values``)."""


MAX_CELLS = 144


MAX_QUESTIONS = 200


MAX_PARTICIPANTS = 5000
"""How many may be connected at once unless the host says otherwise (at most 65,535: the tally budget)."""


MAX_ANSWER_TEXT = 500
"""Longest written answer on the wire, in characters (a deck's ``max_length`` is at most this)."""


MAX_ANSWER_SLOTS = 10
"""Most answers one person may give to one question (a deck's ``max_answers`` is at most this)."""


MAX_WORD = 60


class CloseCode(IntEnum):
    """Why the hub closed a connection: the websocket close codes of this protocol."""

    NORMAL = 1000
    GOING_AWAY = 1001
    """The hub is stopping unexpectedly; it may come back (clients try again)."""
    UNSUPPORTED = 1003
    """A text frame: this protocol is binary msgpack only."""
    INVALID = 1007
    """A frame that is not a message of this protocol."""
    POLICY = 1008
    """Refused for good: wrong token, version, code, a full session, limits."""
    TOO_BIG = 1009
    INTERNAL = 1011
    """The hub failed (the log could not record your joining); try again."""
    REPLACED = 4000
    """The same participant joined again from another connection."""
    ENDED = 4001
    """The host ended the session; there is nothing to come back to."""


FINAL_CLOSES = frozenset(
    {CloseCode.UNSUPPORTED, CloseCode.INVALID, CloseCode.POLICY, CloseCode.TOO_BIG, CloseCode.REPLACED, CloseCode.ENDED}
)
"""Closes after which connecting again would be refused the same way (or find nothing)."""


class Role(IntEnum):
    """Who a connection is, once welcomed."""

    PARTICIPANT = 0
    HOST = 1


class Action(IntEnum):
    """What a host command does to a question."""

    GOTO = 0
    """Make the question the current one for everyone."""
    OPEN = 1
    """Accept votes."""
    LOCK = 2
    """Refuse votes; the votes cast so far stay."""
    REVEAL = 3
    """Show the results to participants."""
    HIDE = 4
    """Hide the results from participants again."""
    RESET = 5
    """Clear every vote on the question."""
    TIMER = 6
    """Start a countdown of ``Command.seconds`` on the question; voting locks when it ends."""
    TIMER_ONLY = 7
    """Start a countdown of ``Command.seconds`` on the question; when it ends only the timer stops."""
    STOP_TIMER = 8
    """Stop the running countdown (voting stays as it is)."""
    MODERATE = 9
    """Written answers to the question wait for the host's approval before the room sees them (from now on)."""
    UNMODERATE = 10
    """New written answers to the question reach the room at once again (those waiting still wait)."""
    AGREE = 11
    """Open the question's written answers for agreement: each participant marks the others' answers."""
    END_AGREE = 12
    """Close the question's agreement round (its marks stay)."""


class ErrorCode(IntEnum):
    """Why a message was refused; the numbers are part of the protocol."""

    BAD_MESSAGE = 1
    VERSION = 2
    NOT_JOINED = 3
    ALREADY_JOINED = 4
    NOT_HOST = 5
    BAD_TOKEN = 6
    UNKNOWN_QUESTION = 7
    NOT_CURRENT = 8
    BAD_CHOICE = 9
    LOCKED = 10
    NO_BOARD = 11
    FULL = 12
    UNAVAILABLE = 13
    RATE_LIMITED = 14
    CODE_REQUIRED = 15
    BAD_CODE = 16
    BAD_TEXT = 23
    """A written answer that is empty or too long once cleaned."""
    WALL_FULL = 24
    """The question holds as many answers as it can."""
    BAD_TIMER = 30
    """A countdown of no seconds, or longer than the longest (``MAX_TIMER``)."""
    BAD_QUESTION = 33
    """A question asked on the spot that cannot be asked as it is (its words, options or scales)."""
    DECK_FULL = 34
    """The deck holds as many questions as it can (:data:`MAX_QUESTIONS`)."""
    NOT_MODERATED = 35
    """Moderation asked of a question that takes no written answers."""
    NOT_AGREEING = 37
    """No agreement round is open on the question (or it takes no written answers)."""
    BAD_MARK = 38
    """A mark on an answer this participant cannot mark (no such answer, not shown to the room, their own)."""


APPROVE_ALL = 0
"""``Moderate.answer`` with ``approve``: every answer waiting on the question (answer ids start at 1)."""


LANGUAGE_CODES = ("cy", "en")
"""The languages a participant may choose (ISO 639-1), Welsh first."""


MAX_TIMER = 3600
"""Longest countdown, in seconds (an hour)."""


class AskKind(IntEnum):
    """What a question asked on the spot asks of the room."""

    OPEN = 0
    """Written answers (a wall and its words)."""
    YES_NO = 1
    """Yes / no / not sure: one position of three."""
    ONE = 2
    """One of a few options the host types."""
    SEVERAL = 3
    """Any of a few options the host types."""
    SCALE = 4
    """One of the deck's scales (``board``: one scale's name, or two for a grid)."""


MAX_ASK_TEXT = 1000
"""Longest prompt or option a frame may carry, in characters (the session asks far less: core/asked.py)."""


MAX_ASK_OPTIONS = 16
"""Most options a frame may carry (the session takes fewer: core/asked.py)."""


class Stance(IntEnum):
    """A participant's mark on another's answer in an agreement round."""

    PASS = 0
    AGREE = 1
    DISAGREE = 2
