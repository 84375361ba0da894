"""Every refusal the hub can make, and the one table of what follows each.

A refusal is answered with an ``Error`` of its error code (where it has one),
and then either the connection stays open (the client may go on) or it is
closed with the close code the table gives. docs/protocol.md prints this
table; ``tests/test_protocol.py`` checks that the two agree.
"""

from __future__ import annotations

from enum import Enum, auto

from coproterm.core.wire import CloseCode, ErrorCode


class Refusal(Enum):
    """Why the hub said no."""

    TEXT_FRAME = auto()
    """A text frame: the protocol is binary msgpack."""
    MALFORMED = auto()
    """Bytes that are not a message of this protocol."""
    HUB_ONLY = auto()
    """A client sent a message only the hub sends (Welcome, State, Ack…)."""
    OTHER_VERSION = auto()
    HELLO_FIRST = auto()
    """Anything before the hello."""
    SECOND_HELLO = auto()
    NO_HELLO_IN_TIME = auto()
    WRONG_TOKEN = auto()
    CODE_MISSING = auto()
    WRONG_CODE = auto()
    FULL = auto()
    """As many participants connected as the session allows, or as many kept as it can."""
    TOO_MANY_NEWCOMERS = auto()
    """Too many new participants from one address."""
    TOO_MANY_CONNECTIONS = auto()
    """Too many connections from one address (refused at the accept, before any frame)."""
    TOO_FAST = auto()
    FLOODING = auto()
    """Kept sending far past the rate limit."""
    HOST_ONLY = auto()
    """A participant sent a command."""
    HOSTS_DO_NOT_VOTE = auto()
    NO_SUCH_QUESTION = auto()
    NOT_CURRENT = auto()
    NOTHING_TO_CAST = auto()
    NO_SUCH_CELL = auto()
    LOCKED = auto()
    NOT_SAVED = auto()
    """The log could not record the change: nothing changed."""
    JOINING_NOT_SAVED = auto()
    """The log could not record a newcomer: they must try again."""
    ENDED = auto()
    """The host ended the session."""
    NOT_WRITTEN = auto()
    """A written answer to a question that takes none."""
    NO_SUCH_SLOT = auto()
    """An answer slot past the question's ``max_answers``."""
    NO_SUCH_ANSWER = auto()
    """The host named an answer the question does not have."""
    BAD_ANSWER_TEXT = auto()
    """An answer that is empty, or too long, once cleaned."""
    WALL_FULL = auto()
    """The question holds as many answers as it can (5,000)."""

    @property
    def error(self) -> ErrorCode | None:
        """The error code sent with the refusal (None: the connection is closed without one)."""
        return TABLE[self][0]

    @property
    def close(self) -> CloseCode | None:
        """The close that follows, or None: the connection stays open."""
        return TABLE[self][1]


KEEP_OPEN = None
TABLE: dict[Refusal, tuple[ErrorCode | None, CloseCode | None]] = {
    Refusal.TEXT_FRAME: (None, CloseCode.UNSUPPORTED),
    Refusal.MALFORMED: (ErrorCode.BAD_MESSAGE, CloseCode.INVALID),
    Refusal.HUB_ONLY: (ErrorCode.BAD_MESSAGE, CloseCode.INVALID),
    Refusal.OTHER_VERSION: (ErrorCode.VERSION, CloseCode.POLICY),
    Refusal.HELLO_FIRST: (ErrorCode.NOT_JOINED, CloseCode.POLICY),
    Refusal.SECOND_HELLO: (ErrorCode.ALREADY_JOINED, CloseCode.POLICY),
    Refusal.NO_HELLO_IN_TIME: (None, CloseCode.POLICY),
    Refusal.WRONG_TOKEN: (ErrorCode.BAD_TOKEN, CloseCode.POLICY),
    Refusal.CODE_MISSING: (ErrorCode.CODE_REQUIRED, CloseCode.POLICY),
    Refusal.WRONG_CODE: (ErrorCode.BAD_CODE, CloseCode.POLICY),
    Refusal.FULL: (ErrorCode.FULL, CloseCode.POLICY),
    Refusal.TOO_MANY_NEWCOMERS: (ErrorCode.RATE_LIMITED, CloseCode.POLICY),
    Refusal.TOO_MANY_CONNECTIONS: (None, CloseCode.POLICY),
    Refusal.TOO_FAST: (ErrorCode.RATE_LIMITED, KEEP_OPEN),
    Refusal.FLOODING: (ErrorCode.RATE_LIMITED, CloseCode.POLICY),
    Refusal.HOST_ONLY: (ErrorCode.NOT_HOST, KEEP_OPEN),
    Refusal.HOSTS_DO_NOT_VOTE: (ErrorCode.NOT_HOST, KEEP_OPEN),
    Refusal.NO_SUCH_QUESTION: (ErrorCode.UNKNOWN_QUESTION, KEEP_OPEN),
    Refusal.NOT_CURRENT: (ErrorCode.NOT_CURRENT, KEEP_OPEN),
    Refusal.NOTHING_TO_CAST: (ErrorCode.NO_BOARD, KEEP_OPEN),
    Refusal.NO_SUCH_CELL: (ErrorCode.BAD_CHOICE, KEEP_OPEN),
    Refusal.LOCKED: (ErrorCode.LOCKED, KEEP_OPEN),
    Refusal.NOT_SAVED: (ErrorCode.UNAVAILABLE, KEEP_OPEN),
    Refusal.JOINING_NOT_SAVED: (ErrorCode.UNAVAILABLE, CloseCode.INTERNAL),
    Refusal.ENDED: (None, CloseCode.ENDED),
    Refusal.NOT_WRITTEN: (ErrorCode.NO_BOARD, KEEP_OPEN),
    Refusal.NO_SUCH_SLOT: (ErrorCode.BAD_CHOICE, KEEP_OPEN),
    Refusal.NO_SUCH_ANSWER: (ErrorCode.BAD_CHOICE, KEEP_OPEN),
    Refusal.BAD_ANSWER_TEXT: (ErrorCode.BAD_TEXT, KEEP_OPEN),
    Refusal.WALL_FULL: (ErrorCode.WALL_FULL, KEEP_OPEN),
}
"""Each refusal: the error code sent (None: none), and the close that follows (KEEP_OPEN: none)."""
