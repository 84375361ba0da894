"""Every refusal the hub can make: what follows each, and its words in every language.

A refusal is answered with an ``Error`` naming it (its number, the ``refusal`` field) with
the numbers its words need (``values``), and its error code (the coarse kind a client acts
on); then either the connection stays open (the client may go on) or it is closed with
the close code the table gives. No words travel: each face words the refusal from its own
catalog, in its reader's language (:func:`words`), so a Welsh screen never shows the hub's
English. docs/protocol.md prints this table; ``tests/test_protocol.py`` checks that the
two agree.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Final

from coproterm.core.i18n import N_, Language
from coproterm.core.wire_terms import CloseCode, ErrorCode


class Refusal(IntEnum):
    """Why the hub said no; the numbers are part of the protocol (``Error.refusal``)."""

    TEXT_FRAME = 1
    """A text frame: the protocol is binary msgpack."""
    MALFORMED = 2
    """Bytes that are not a message of this protocol."""
    HUB_ONLY = 3
    """A client sent a message only the hub sends (Welcome, State, Ack…)."""
    OTHER_VERSION = 4
    HELLO_FIRST = 5
    """Anything before the hello."""
    SECOND_HELLO = 6
    NO_HELLO_IN_TIME = 7
    WRONG_TOKEN = 8
    CODE_MISSING = 9
    WRONG_CODE = 10
    FULL = 11
    """As many participants connected as the session allows."""
    KEPT_ALL = 12
    """As many different participants kept as the session can."""
    TOO_MANY_NEWCOMERS = 13
    """Too many new participants from one address."""
    TOO_MANY_CONNECTIONS = 14
    """Too many connections from one address (refused at the accept, before any frame)."""
    TOO_FAST = 15
    FLOODING = 16
    """Kept sending far past the rate limit."""
    HOST_ONLY = 17
    """A participant sent a command."""
    HOSTS_DO_NOT_VOTE = 18
    HOSTS_DO_NOT_ANSWER = 19
    NO_SUCH_QUESTION = 20
    NOT_CURRENT = 21
    NOTHING_TO_CAST = 22
    """A vote on a discussion question."""
    WRITTEN_NOT_VOTES = 23
    """A vote on a question that takes written answers."""
    NO_SUCH_CELL = 24
    """A cell outside the question's board."""
    SEVERAL_IN_ONE_CHOOSE = 25
    """A ``Vote`` on a question that takes several positions."""
    ONE_POSITION = 26
    """A ``Choose`` on a question that takes one position."""
    NO_SUCH_POSITION = 27
    """A ``Choose`` naming a position past the board."""
    TOO_MANY_PICKS = 28
    LOCKED = 29
    ANSWERS_LOCKED = 30
    NOT_SAVED = 31
    """The log could not record the change: nothing changed."""
    JOINING_NOT_SAVED = 32
    """The log could not record a newcomer: they must try again."""
    ENDED = 33
    """The host ended the session."""
    NOT_WRITTEN = 34
    """A written answer to a question that takes none."""
    NO_SUCH_SLOT = 35
    """An answer slot past the question's ``max_answers``."""
    NO_SUCH_ANSWER = 36
    """The host named an answer the question does not have."""
    EMPTY_ANSWER = 37
    """An answer that is empty once cleaned."""
    ANSWER_TOO_LONG = 38
    """An answer longer than the question's ``max_length`` once cleaned."""
    WALL_FULL = 39
    """The question holds as many answers as it can (5,000)."""
    BAD_TIMER = 45
    """A countdown of no seconds or longer than an hour."""
    DECK_FULL = 50
    """A question asked on the spot when the deck holds as many as it can."""
    NO_PROMPT = 51
    """A question asked on the spot with no words."""
    PROMPT_TOO_LONG = 52
    OPTIONS_COUNT = 53
    """Too few or too many typed options for a choose question."""
    OPTION_WORDS = 54
    """A typed option that is empty or too long."""
    SAME_OPTIONS = 55
    NO_OPTIONS_HERE = 56
    """Typed options for a kind of question that takes none."""
    WELSH_OPTIONS = 57
    """Welsh for some options but not all."""
    NO_SUCH_SCALE = 58
    """A scale question naming no scale, more than two, or one the deck lacks."""
    NO_SCALE_HERE = 59
    """A scale named for a kind of question that takes none."""
    NOT_MODERATED_HERE = 60
    """Moderation turned on or off, or answers approved, on a question that takes no written answers."""
    NOT_AGREEING = 65
    """A mark on a question whose answers are not open for agreement."""
    NO_ANSWER_TO_MARK = 66
    """A mark on an answer the question does not have, or that the room is not shown."""
    OWN_ANSWER = 67
    """A mark on the participant's own answer."""
    NOT_FOR_AGREEMENT = 68
    """The host opened a question for agreement that takes no written answers."""
    HOSTS_DO_NOT_MARK = 69

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
    Refusal.NO_HELLO_IN_TIME: (ErrorCode.NOT_JOINED, CloseCode.POLICY),
    Refusal.WRONG_TOKEN: (ErrorCode.BAD_TOKEN, CloseCode.POLICY),
    Refusal.CODE_MISSING: (ErrorCode.CODE_REQUIRED, CloseCode.POLICY),
    Refusal.WRONG_CODE: (ErrorCode.BAD_CODE, CloseCode.POLICY),
    Refusal.FULL: (ErrorCode.FULL, CloseCode.POLICY),
    Refusal.KEPT_ALL: (ErrorCode.FULL, CloseCode.POLICY),
    Refusal.TOO_MANY_NEWCOMERS: (ErrorCode.RATE_LIMITED, CloseCode.POLICY),
    Refusal.TOO_MANY_CONNECTIONS: (ErrorCode.RATE_LIMITED, CloseCode.POLICY),
    Refusal.TOO_FAST: (ErrorCode.RATE_LIMITED, KEEP_OPEN),
    Refusal.FLOODING: (ErrorCode.RATE_LIMITED, CloseCode.POLICY),
    Refusal.HOST_ONLY: (ErrorCode.NOT_HOST, KEEP_OPEN),
    Refusal.HOSTS_DO_NOT_VOTE: (ErrorCode.NOT_HOST, KEEP_OPEN),
    Refusal.HOSTS_DO_NOT_ANSWER: (ErrorCode.NOT_HOST, KEEP_OPEN),
    Refusal.NO_SUCH_QUESTION: (ErrorCode.UNKNOWN_QUESTION, KEEP_OPEN),
    Refusal.NOT_CURRENT: (ErrorCode.NOT_CURRENT, KEEP_OPEN),
    Refusal.NOTHING_TO_CAST: (ErrorCode.NO_BOARD, KEEP_OPEN),
    Refusal.WRITTEN_NOT_VOTES: (ErrorCode.NO_BOARD, KEEP_OPEN),
    Refusal.NO_SUCH_CELL: (ErrorCode.BAD_CHOICE, KEEP_OPEN),
    Refusal.SEVERAL_IN_ONE_CHOOSE: (ErrorCode.BAD_CHOICE, KEEP_OPEN),
    Refusal.ONE_POSITION: (ErrorCode.BAD_CHOICE, KEEP_OPEN),
    Refusal.NO_SUCH_POSITION: (ErrorCode.BAD_CHOICE, KEEP_OPEN),
    Refusal.TOO_MANY_PICKS: (ErrorCode.BAD_CHOICE, KEEP_OPEN),
    Refusal.LOCKED: (ErrorCode.LOCKED, KEEP_OPEN),
    Refusal.ANSWERS_LOCKED: (ErrorCode.LOCKED, KEEP_OPEN),
    Refusal.NOT_SAVED: (ErrorCode.UNAVAILABLE, KEEP_OPEN),
    Refusal.JOINING_NOT_SAVED: (ErrorCode.UNAVAILABLE, CloseCode.INTERNAL),
    Refusal.ENDED: (None, CloseCode.ENDED),
    Refusal.NOT_WRITTEN: (ErrorCode.NO_BOARD, KEEP_OPEN),
    Refusal.NO_SUCH_SLOT: (ErrorCode.BAD_CHOICE, KEEP_OPEN),
    Refusal.NO_SUCH_ANSWER: (ErrorCode.BAD_CHOICE, KEEP_OPEN),
    Refusal.EMPTY_ANSWER: (ErrorCode.BAD_TEXT, KEEP_OPEN),
    Refusal.ANSWER_TOO_LONG: (ErrorCode.BAD_TEXT, KEEP_OPEN),
    Refusal.WALL_FULL: (ErrorCode.WALL_FULL, KEEP_OPEN),
    Refusal.BAD_TIMER: (ErrorCode.BAD_TIMER, KEEP_OPEN),
    Refusal.DECK_FULL: (ErrorCode.DECK_FULL, KEEP_OPEN),
    Refusal.NO_PROMPT: (ErrorCode.BAD_QUESTION, KEEP_OPEN),
    Refusal.PROMPT_TOO_LONG: (ErrorCode.BAD_QUESTION, KEEP_OPEN),
    Refusal.OPTIONS_COUNT: (ErrorCode.BAD_QUESTION, KEEP_OPEN),
    Refusal.OPTION_WORDS: (ErrorCode.BAD_QUESTION, KEEP_OPEN),
    Refusal.SAME_OPTIONS: (ErrorCode.BAD_QUESTION, KEEP_OPEN),
    Refusal.NO_OPTIONS_HERE: (ErrorCode.BAD_QUESTION, KEEP_OPEN),
    Refusal.WELSH_OPTIONS: (ErrorCode.BAD_QUESTION, KEEP_OPEN),
    Refusal.NO_SUCH_SCALE: (ErrorCode.BAD_QUESTION, KEEP_OPEN),
    Refusal.NO_SCALE_HERE: (ErrorCode.BAD_QUESTION, KEEP_OPEN),
    Refusal.NOT_MODERATED_HERE: (ErrorCode.NOT_MODERATED, KEEP_OPEN),
    Refusal.NOT_AGREEING: (ErrorCode.NOT_AGREEING, KEEP_OPEN),
    Refusal.NO_ANSWER_TO_MARK: (ErrorCode.BAD_MARK, KEEP_OPEN),
    Refusal.OWN_ANSWER: (ErrorCode.BAD_MARK, KEEP_OPEN),
    Refusal.NOT_FOR_AGREEMENT: (ErrorCode.NOT_AGREEING, KEEP_OPEN),
    Refusal.HOSTS_DO_NOT_MARK: (ErrorCode.NOT_HOST, KEEP_OPEN),
}
"""Each refusal: the error code sent (None: none), and the close that follows (KEEP_OPEN: none)."""

WORDS: Final[dict[Refusal, tuple[str, tuple[str, ...]]]] = {
    Refusal.TEXT_FRAME: (N_("this hub takes binary msgpack frames only"), ()),
    Refusal.MALFORMED: (N_("the hub could not read what this app sent: update coproterm"), ()),
    Refusal.HUB_ONLY: (N_("this app sent a message only a hub sends: update coproterm"), ()),
    Refusal.OTHER_VERSION: (
        N_("this hub speaks protocol version {hub}, not {version}: update coproterm"),
        ("hub", "version"),
    ),
    Refusal.HELLO_FIRST: (N_("send a hello first"), ()),
    Refusal.SECOND_HELLO: (N_("this connection has joined already"), ()),
    Refusal.NO_HELLO_IN_TIME: (N_("no hello in time"), ()),
    Refusal.WRONG_TOKEN: (N_("wrong host token"), ()),
    Refusal.CODE_MISSING: (N_("this session needs its join code"), ()),
    Refusal.WRONG_CODE: (N_("that is not this session's join code"), ()),
    Refusal.FULL: (N_("the session is full"), ()),
    Refusal.KEPT_ALL: (
        N_("this session has had as many participants as it can keep ({count}): the host can start another"),
        ("count",),
    ),
    Refusal.TOO_MANY_NEWCOMERS: (N_("too many new participants from your address: try again in a minute"), ()),
    Refusal.TOO_MANY_CONNECTIONS: (N_("too many connections from your address"), ()),
    Refusal.TOO_FAST: (N_("too many messages too fast: slow down"), ()),
    Refusal.FLOODING: (N_("far too many messages"), ()),
    Refusal.HOST_ONLY: (N_("only the host can do that"), ()),
    Refusal.HOSTS_DO_NOT_VOTE: (N_("a host does not vote; join as a participant"), ()),
    Refusal.HOSTS_DO_NOT_ANSWER: (N_("a host does not answer; join as a participant"), ()),
    Refusal.NO_SUCH_QUESTION: (N_("there is no question {number}"), ("number",)),
    Refusal.NOT_CURRENT: (N_("that question is not the current one"), ()),
    Refusal.NOTHING_TO_CAST: (N_("this question is for talking through; there is nothing to cast"), ()),
    Refusal.WRITTEN_NOT_VOTES: (N_("this question takes written answers, not votes"), ()),
    Refusal.NO_SUCH_CELL: (N_("that choice is not on this question's board"), ()),
    Refusal.SEVERAL_IN_ONE_CHOOSE: (
        N_("this question takes several positions (at most {count}): send them together"),
        ("count",),
    ),
    Refusal.ONE_POSITION: (N_("this question takes one position only"), ()),
    Refusal.NO_SUCH_POSITION: (N_("choose among positions 1 to {count}"), ("count",)),
    Refusal.TOO_MANY_PICKS: (N_("too many positions: the most is {count}"), ("count",)),
    Refusal.LOCKED: (N_("voting on this question is locked"), ()),
    Refusal.ANSWERS_LOCKED: (N_("answers to this question are locked"), ()),
    Refusal.NOT_SAVED: (N_("the hub could not save that, so nothing changed; try again in a moment"), ()),
    Refusal.JOINING_NOT_SAVED: (N_("your joining could not be saved; try again"), ()),
    Refusal.ENDED: (N_("the session has ended; thank you"), ()),
    Refusal.NOT_WRITTEN: (N_("this question takes no written answers"), ()),
    Refusal.NO_SUCH_SLOT: (N_("the most answers one person may give to this question: {count}"), ("count",)),
    Refusal.NO_SUCH_ANSWER: (N_("question {number} has no answer numbered {answer}"), ("number", "answer")),
    Refusal.EMPTY_ANSWER: (N_("an answer needs some words"), ()),
    Refusal.ANSWER_TOO_LONG: (
        N_("an answer may be at most {most} characters long; this one has {length}"),
        ("most", "length"),
    ),
    Refusal.WALL_FULL: (
        N_("this question holds as many answers as it can ({count}): edit one of yours instead"),
        ("count",),
    ),
    Refusal.BAD_TIMER: (N_("a timer runs from 1 second to {most} seconds"), ("most",)),
    Refusal.DECK_FULL: (N_("the deck holds as many questions as it can ({count})"), ("count",)),
    Refusal.NO_PROMPT: (N_("a new question needs some words"), ()),
    Refusal.PROMPT_TOO_LONG: (
        N_("a question may be at most {most} characters long; this one has {length}"),
        ("most", "length"),
    ),
    Refusal.OPTIONS_COUNT: (N_("give from {least} to {most} options"), ("least", "most")),
    Refusal.OPTION_WORDS: (N_("each option needs some words, at most {most} characters"), ("most",)),
    Refusal.SAME_OPTIONS: (N_("two options have the same words"), ()),
    Refusal.NO_OPTIONS_HERE: (N_("this kind of question takes no typed options"), ()),
    Refusal.WELSH_OPTIONS: (N_("give the Welsh of every option, or of none"), ()),
    Refusal.NO_SUCH_SCALE: (N_("choose one of the deck's scales, or two for a grid"), ()),
    Refusal.NO_SCALE_HERE: (N_("only a question on the deck's scales names a scale"), ()),
    Refusal.NOT_MODERATED_HERE: (
        N_("only a question with written answers is moderated (question {number})"),
        ("number",),
    ),
    Refusal.NOT_AGREEING: (N_("this question's answers are not open for agreement now"), ()),
    Refusal.NO_ANSWER_TO_MARK: (N_("that answer is no longer shown to the room"), ()),
    Refusal.OWN_ANSWER: (N_("you cannot mark your own answer"), ()),
    Refusal.NOT_FOR_AGREEMENT: (N_("only a question with written answers can be opened for agreement"), ()),
    Refusal.HOSTS_DO_NOT_MARK: (N_("a host does not mark answers; join as a participant"), ()),
}
"""Each refusal's words (English, the catalog's key) and the names of its values, in wire order."""

UNKNOWN: Final = N_("the hub refused that (refusal {refusal}): update coproterm")
"""A refusal this client does not know (a newer hub), or one whose values do not fit its words."""


def words(lang: Language, refusal: int, values: tuple[int, ...] = ()) -> str:
    """The refusal numbered ``refusal``, with its ``values``, in ``lang``: what a face shows."""
    try:
        known = Refusal(refusal)
    except ValueError:
        return lang.t(UNKNOWN, refusal=refusal)
    message, names = WORDS[known]
    if len(values) != len(names):
        return lang.t(UNKNOWN, refusal=refusal)
    return lang.t(message, **{name: f"{value:,}" for name, value in zip(names, values, strict=True)})


def english(refusal: Refusal, values: tuple[int, ...] = ()) -> str:
    """The refusal in English: the close reason a connection's log or developer tools show."""
    message, names = WORDS[refusal]
    return message.format(**{name: f"{value:,}" for name, value in zip(names, values, strict=True)})
