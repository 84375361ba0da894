"""The wire: typed messages, one :func:`encode` and one :func:`decode`.

Every frame is a msgpack array whose first item is the message's type code and
whose other items are its fields, in order. This is the only module that
imports msgpack; docs/protocol.md describes the same format byte by byte.

:func:`decode` treats its input as hostile: extension types are refused, sizes
are capped, and every field is checked for type and range. Anything that is not
exactly a known message raises :class:`ProtocolError`.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from dataclasses import Field, dataclass, field, fields
from enum import IntEnum
from typing import Annotated, Any, ClassVar, get_args

import msgpack

DEFAULT_PORT = 8765
"""Where a hub listens, and where a client looks, when no port is given."""
PROTOCOL_VERSION = 4
"""Bumped whenever a message changes shape; a hello of a version the hub does not speak is refused."""

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


class ProtocolError(ValueError):
    """Bytes that are not a valid message of this protocol."""


class VersionMismatch(ProtocolError):
    """A hello that speaks another protocol version."""

    def __init__(self, version: int) -> None:
        super().__init__(f"this hub speaks protocol version {PROTOCOL_VERSION}, not {version}")
        self.version = version


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


# -- what a field may hold ------------------------------------------------------
#
# Each message's fields name their check beside their type (``Annotated[type, check]``):
# :func:`decode` runs them in field order. They are read from the dataclass itself, once
# per message type and only when a frame of that type first arrives (:func:`field_checks`).

_U16 = 0xFFFF
_U32 = 0xFFFF_FFFF

Check = Callable[[Any], Any]


def _fail(problem: str) -> Any:
    raise ProtocolError(problem)


def _uint(limit: int) -> Check:
    def check(value: Any) -> int:
        if type(value) is not int or not 0 <= value <= limit:
            _fail(f"expected a whole number from 0 to {limit}, not {value!r:.40}")
        return int(value)

    return check


def _text(limit: int) -> Check:
    def check(value: Any) -> str:
        if type(value) is not str or len(value) > limit:
            _fail(f"expected text of at most {limit} characters")
        return str(value)

    return check


def _bytes(size: int) -> Check:
    def check(value: Any) -> bytes:
        if type(value) is not bytes or len(value) != size:
            _fail(f"expected {size} bytes")
        return bytes(value)

    return check


def _optional(inner: Check) -> Check:
    def check(value: Any) -> Any:
        return None if value is None else inner(value)

    return check


def _boolean(value: Any) -> bool:
    if type(value) is not bool:
        _fail("expected true or false")
    return bool(value)


def _enum(kind: type[IntEnum]) -> Check:
    def check(value: Any) -> IntEnum:
        number = _uint(255)(value)
        if number not in kind._value2member_map_:
            _fail(f"unknown {kind.__name__} {number}")
        return kind(number)

    return check


def _array(item: Check, limit: int) -> Check:
    def check(value: Any) -> tuple[Any, ...]:
        if type(value) is not tuple or len(value) > limit:
            _fail(f"expected an array of at most {limit} items")
        return tuple(item(v) for v in value)

    return check


def _pair(first: Check, second: Check) -> Check:
    def check(value: Any) -> tuple[Any, Any]:
        if type(value) is not tuple or len(value) != 2:
            _fail("expected a pair")
        return first(value[0]), second(value[1])

    return check


def _record(kind: type[Any]) -> Check:
    """A record inside a message (an :class:`AnswerItem`): the array of its fields, each checked as it names."""

    def check(value: Any) -> Any:
        checks = field_checks(kind)
        if type(value) is not tuple or len(value) != len(checks):
            _fail(f"expected an array of {len(checks)} items")
        return kind(*(c(v) for c, v in zip(checks, value, strict=True)))

    return check


def _agreement_item(value: Any) -> AgreementItem:
    """An answer's marks in an :class:`Agreement`: four whole numbers."""
    if type(value) is not tuple or len(value) != 4:
        _fail("expected an array of 4 items")
    number = _uint(_U32)
    return number(value[0]), number(value[1]), number(value[2]), number(value[3])


def _one_of(choices: tuple[str, ...]) -> Check:
    def check(value: Any) -> str:
        if not isinstance(value, str) or value not in choices:
            _fail(f"expected one of {', '.join(choices)}, not {value!r:.20}")
        return str(value)

    return check


def _plain_map(value: Any) -> dict[str, Any]:
    """A part of a deck in its plain form: a map with text keys (its fields are checked with the deck it joins)."""
    if type(value) is not dict or not all(type(key) is str for key in value):
        _fail("expected a map with text keys")
    return dict(value)


_SEQ = _uint(_U32)
"""A message's number, chosen by its sender and echoed in the answer."""
_QUESTION = _uint(MAX_QUESTIONS)
"""A question's index in the deck."""
_COUNT = _uint(_U32)
"""A count, or an answer's or participant's number."""


# -- messages a client sends ----------------------------------------------------


@dataclass(frozen=True, slots=True)
class Hello:
    """First message of every connection: who is joining, and as what."""

    TYPE: ClassVar[int] = 1
    version: Annotated[int, _uint(_U16)] = PROTOCOL_VERSION
    name: Annotated[str | None, _optional(_text(MAX_NAME * 4))] = None
    """A participant's display name; optional."""
    resume: Annotated[bytes | None, _optional(_bytes(RESUME_TOKEN_BYTES))] = None
    """The resume token from an earlier welcome, to come back as the same participant."""
    host_token: Annotated[str | None, _optional(_text(MAX_TOKEN))] = None
    """The session's host token; joins as the host."""
    code: Annotated[str | None, _optional(_text(MAX_CODE))] = None
    """The session's join code, where the hub requires one of newcomers."""
    language: Annotated[str | None, _optional(_one_of(LANGUAGE_CODES))] = None
    """The language a participant reads (``"cy"`` or ``"en"``): the welcome's deck then carries
    only its words. None (bilingual readers, hosts, older clients): the deck in both languages."""


@dataclass(frozen=True, slots=True)
class Vote:
    """Cast, change (the same message again) or clear (``choice=None``) a vote."""

    TYPE: ClassVar[int] = 2
    seq: Annotated[int, _SEQ]
    """Chosen by the client; echoed in the ack or error."""
    question: Annotated[int, _QUESTION]
    choice: Annotated[int | None, _optional(_uint(_U16))]
    """A cell index of the question's board, or None to clear the vote."""


@dataclass(frozen=True, slots=True)
class Command:
    """A host's command about one question."""

    TYPE: ClassVar[int] = 3
    seq: Annotated[int, _SEQ]
    action: Annotated[Action, _enum(Action)]
    question: Annotated[int, _QUESTION]
    seconds: Annotated[int, _uint(_U16)] = 0
    """The countdown's length, for ``TIMER`` and ``TIMER_ONLY`` (left off the wire when 0)."""


# -- messages the hub sends -----------------------------------------------------


@dataclass(frozen=True, slots=True)
class Welcome:
    """The answer to a hello: the role, the deck, and the participant's own votes."""

    TYPE: ClassVar[int] = 16
    version: Annotated[int, _uint(_U16)]
    role: Annotated[Role, _enum(Role)]
    resume: Annotated[bytes | None, _optional(_bytes(RESUME_TOKEN_BYTES))]
    """Keep it to come back as the same participant (None for a host)."""
    deck: Annotated[Mapping[str, Any], _plain_map] = field(hash=False)
    """The deck in its plain form (``coproterm.core.deck.deck_to_data``)."""
    votes: Annotated[tuple[int | None, ...], _array(_optional(_uint(_U16)), MAX_QUESTIONS)]
    """This participant's vote on each question, None where there is none."""
    code: Annotated[str | None, _optional(_text(MAX_CODE))] = None
    """The session's join code, for a host to show the room (None to participants)."""
    code_required: Annotated[bool, _boolean] = False
    """Whether newcomers must give the code (hosts are told; participants find out)."""


@dataclass(frozen=True, slots=True)
class State:
    """Where the session is: the current question and its status (sent to everyone)."""

    TYPE: ClassVar[int] = 17
    current: Annotated[int, _QUESTION]
    open: Annotated[bool, _boolean]
    revealed: Annotated[bool, _boolean]
    alert: Annotated[int | None, _optional(_uint(255))] = None
    """Trouble at the hub that everyone should know of (votes cannot be saved): an ``Alert`` number
    (``coproterm.core.alerts``), worded by each face; None when all is well."""
    alert_values: Annotated[tuple[int, ...], _array(_COUNT, MAX_REFUSAL_VALUES)] = ()
    """The numbers the alert's words need (none for the alerts of version 3)."""


@dataclass(frozen=True, slots=True)
class Turnout:
    """How many are here and how many have voted (sent to hosts only)."""

    TYPE: ClassVar[int] = 22
    connected: Annotated[int, _COUNT]
    """Participants connected now."""
    voted: Annotated[int, _COUNT]
    """Participants with a vote on the current question (those who have left among them: votes stay)."""
    voted_here: Annotated[int, _COUNT] = 0
    """Participants connected now with a vote on the current question (``connected - voted_here`` have not voted)."""


@dataclass(frozen=True, slots=True)
class Tally:
    """The count of votes on each cell of a question's board."""

    TYPE: ClassVar[int] = 18
    question: Annotated[int, _QUESTION]
    counts: Annotated[tuple[int, ...], _array(_COUNT, MAX_CELLS)]


@dataclass(frozen=True, slots=True)
class Ack:
    """A vote or command was accepted (and logged)."""

    TYPE: ClassVar[int] = 19
    seq: Annotated[int, _SEQ]


@dataclass(frozen=True, slots=True)
class Error:
    """A message was refused; ``seq`` names it where it had one.

    ``refusal`` names the refusal exactly (``coproterm.core.refusals.Refusal``, whose value
    it is) and ``values`` are the numbers its words need, in the order the table names
    them: each face words it in its reader's language (:func:`coproterm.core.refusals.words`).
    A number this client does not know (a newer hub) is worded by ``code``.
    """

    TYPE: ClassVar[int] = 20
    seq: Annotated[int | None, _optional(_SEQ)]
    code: Annotated[ErrorCode, _enum(ErrorCode)]
    refusal: Annotated[int, _uint(255)]
    values: Annotated[tuple[int, ...], _array(_COUNT, MAX_REFUSAL_VALUES)] = ()


@dataclass(frozen=True, slots=True)
class Ballot:
    """The hub changed this participant's own vote (a host reset the question)."""

    TYPE: ClassVar[int] = 21
    question: Annotated[int, _QUESTION]
    choice: Annotated[int | None, _optional(_uint(_U16))]


@dataclass(frozen=True, slots=True)
class Attendance:
    """How many people have joined the session, away or not (sent to hosts only).

    With :class:`Turnout` it lets a dashboard say "12 of 20 have voted" (voted of
    joined) apart from who is connected now: ``voted`` counts people who left.
    """

    TYPE: ClassVar[int] = 26
    joined: Annotated[int, _COUNT]
    """Participants who have joined since the session began (never fewer than Turnout.voted)."""
    over_ssh: Annotated[int, _COUNT] = 0
    """Participants connected now through an SSH gateway that vouched for them."""
    plain: Annotated[int, _COUNT] = 0
    """Participants connected now in plain mode (the line-by-line app, said in the handshake's face header)."""


# -- open answers (written answers to a text question) -----------------------------


@dataclass(frozen=True, slots=True)
class Answer:
    """Write (or edit: the same ``slot`` again) an answer to the current text question; ``text`` None takes it back."""

    TYPE: ClassVar[int] = 4
    seq: Annotated[int, _SEQ]
    question: Annotated[int, _QUESTION]
    slot: Annotated[int, _uint(MAX_ANSWER_SLOTS - 1)]
    """Which of this participant's answers, from 0 to the question's ``max_answers`` - 1."""
    text: Annotated[str | None, _optional(_text(MAX_ANSWER_TEXT))]


APPROVE_ALL = 0
"""``Moderate.answer`` with ``approve``: every answer waiting on the question (answer ids start at 1)."""


@dataclass(frozen=True, slots=True)
class Moderate:
    """Host only: hide an answer from the room (``hidden``), or show it again; with ``approve``, approve it too.

    ``approve`` lets a waiting answer (a moderated question's) reach the room; with ``answer``
    :data:`APPROVE_ALL`, every answer waiting on the question (``hidden`` is then ignored).
    """

    TYPE: ClassVar[int] = 5
    seq: Annotated[int, _SEQ]
    question: Annotated[int, _QUESTION]
    answer: Annotated[int, _COUNT]
    """The answer's id, as :class:`Answers` names it (or :data:`APPROVE_ALL`)."""
    hidden: Annotated[bool, _boolean]
    approve: Annotated[bool, _boolean] = False
    """Approve the answer (left off the wire when False: hiding keeps the bytes it always had)."""


@dataclass(frozen=True, slots=True)
class AnswerItem:
    """One answer as a host sees it."""

    id: Annotated[int, _COUNT]
    participant: Annotated[int, _COUNT]
    text: Annotated[str | None, _optional(_text(MAX_ANSWER_TEXT))]
    """None: its writer took it back (drop it)."""
    hidden: Annotated[bool, _boolean]
    waiting: Annotated[bool, _boolean] = False
    """Waiting for the host's approval (a moderated question): the room does not see it yet."""


@dataclass(frozen=True, slots=True)
class Answers:
    """Hosts only: the answers to the current question that changed since the host's last such frame."""

    TYPE: ClassVar[int] = 23
    question: Annotated[int, _QUESTION]
    fresh: Annotated[bool, _boolean]
    """True: forget every answer held for this question first (a new question, or a first look)."""
    total: Annotated[int, _COUNT]
    """Answers the question holds now (hidden ones included, removed ones not)."""
    items: Annotated[
        tuple[AnswerItem, ...],
        _array(
            _record(AnswerItem),
            1000,
        ),
    ]


@dataclass(frozen=True, slots=True)
class Wall:
    """Participants, while a text question is revealed: the room's visible answers and top words, as changes."""

    TYPE: ClassVar[int] = 24
    question: Annotated[int, _QUESTION]
    fresh: Annotated[bool, _boolean]
    """True: forget the wall held for this question first (sent once per reveal)."""
    total: Annotated[int, _COUNT]
    """Visible answers in all (the wall holds at most the latest 100)."""
    added: Annotated[tuple[tuple[int, str], ...], _array(_pair(_COUNT, _text(MAX_ANSWER_TEXT)), 1000)]
    """New or edited answers: (id, text)."""
    dropped: Annotated[tuple[int, ...], _array(_COUNT, 1000)]
    """Ids to take off the wall (hidden, taken back, or older than the latest 100)."""
    words: Annotated[tuple[tuple[str, int], ...], _array(_pair(_text(MAX_WORD), _COUNT), 200)]
    """Changes to the top words: (word, answers using it); a count of 0 takes the word off the top.
    With ``fresh``, the whole top list."""


@dataclass(frozen=True, slots=True)
class Mine:
    """This participant's own answers to a question, by slot (after a welcome: they come back on resume)."""

    TYPE: ClassVar[int] = 25
    question: Annotated[int, _QUESTION]
    answers: Annotated[
        tuple[tuple[int, str], ...],
        _array(_pair(_uint(MAX_ANSWER_SLOTS - 1), _text(MAX_ANSWER_TEXT)), MAX_ANSWER_SLOTS),
    ]
    """(slot, text)."""
    hidden: Annotated[tuple[int, ...], _array(_uint(MAX_ANSWER_SLOTS - 1), MAX_ANSWER_SLOTS)] = ()
    """The slots whose answer the facilitator hid from the room (its writer is told, and still sees it)."""
    waiting: Annotated[tuple[int, ...], _array(_uint(MAX_ANSWER_SLOTS - 1), MAX_ANSWER_SLOTS)] = ()
    """The slots whose answer waits for the facilitator's approval (a moderated question): the room does not see it yet."""


# -- language (Cymraeg / English) ---------------------------------------------------

LANGUAGE_CODES = ("cy", "en")
"""The languages a participant may choose (ISO 639-1), Welsh first."""


@dataclass(frozen=True, slots=True)
class Speak:
    """A participant chose the language they read (``"cy"`` or ``"en"``); the hub remembers it with them."""

    TYPE: ClassVar[int] = 7
    language: Annotated[str, _one_of(LANGUAGE_CODES)]


@dataclass(frozen=True, slots=True)
class Speaks:
    """After a welcome: the language this participant chose before (sent only when they chose one)."""

    TYPE: ClassVar[int] = 29
    language: Annotated[str, _one_of(LANGUAGE_CODES)]


@dataclass(frozen=True, slots=True)
class Translated:
    """The deck again, in the language a participant just chose, when their welcome carried another."""

    TYPE: ClassVar[int] = 32
    language: Annotated[str, _one_of(LANGUAGE_CODES)]
    deck: Annotated[Mapping[str, Any], _plain_map] = field(hash=False)
    """As in :class:`Welcome`: the deck's plain form, here in ``language`` only."""


@dataclass(frozen=True, slots=True)
class Choose:
    """Cast, change or clear (``picks=0``) a vote on a question that takes several positions (``pick > 1``)."""

    TYPE: ClassVar[int] = 6
    seq: Annotated[int, _SEQ]
    question: Annotated[int, _QUESTION]
    picks: Annotated[int, _uint(_U16)]
    """The positions chosen, as a bitmask: bit ``i`` set for position ``i`` (up to 16 positions)."""


@dataclass(frozen=True, slots=True)
class People:
    """How many people have a vote on a pick-several question (its tally counts positions, not people)."""

    TYPE: ClassVar[int] = 27
    question: Annotated[int, _QUESTION]
    people: Annotated[int, _COUNT]


@dataclass(frozen=True, slots=True)
class Moves:
    """Before and after: how the room moved from an earlier question to this one, on the same scale (hosts only)."""

    TYPE: ClassVar[int] = 28
    question: Annotated[int, _QUESTION]
    compared: Annotated[int, _QUESTION]
    """The earlier question this one is compared with."""
    counts: Annotated[tuple[int, ...], _array(_COUNT, MAX_CELLS)]
    """For everyone who answered both: ``counts[before * size + after]``, size the scale's positions."""


@dataclass(frozen=True, slots=True)
class Moderation:
    """Hosts only: whether a question's written answers wait for approval, and how many wait now.

    Sent on a host's welcome and whenever either changes, for the current question.
    """

    TYPE: ClassVar[int] = 33
    question: Annotated[int, _QUESTION]
    on: Annotated[bool, _boolean]
    """Answers written now wait for approval."""
    waiting: Annotated[int, _COUNT]
    """Answers waiting for approval now (hidden ones not counted)."""


MAX_TIMER = 3600
"""Longest countdown, in seconds (an hour)."""


@dataclass(frozen=True, slots=True)
class Timer:
    """Everyone: the countdown on a question, by the hub's clock (sent when it starts, stops or ends, and on welcome).

    A client counts ``left_ms`` down on its own steady clock from the moment the frame
    arrives: the time left does not depend on the client's wall clock being right.
    """

    TYPE: ClassVar[int] = 30
    question: Annotated[int, _QUESTION]
    seconds: Annotated[int, _uint(MAX_TIMER)]
    """The countdown's length; 0: no countdown (stopped: show none)."""
    left_ms: Annotated[int, _uint(MAX_TIMER * 1000)]
    """Milliseconds left when the hub sent this frame; 0 with ``seconds`` set: it has ended."""
    locks: Annotated[bool, _boolean]
    """Whether voting locks when it ends (False: only the timer stops)."""


# -- a question asked on the spot ------------------------------------------------------


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


@dataclass(frozen=True, slots=True)
class AddQuestion:
    """Host only: ask a new question now; it goes in after the current question (or at the end: ``at_end``)."""

    TYPE: ClassVar[int] = 8
    seq: Annotated[int, _SEQ]
    kind: Annotated[AskKind, _enum(AskKind)]
    prompt: Annotated[str, _text(MAX_ASK_TEXT)]
    prompt_cy: Annotated[str | None, _optional(_text(MAX_ASK_TEXT))] = None
    """The prompt in Welsh too (bilingual), or None."""
    options: Annotated[tuple[str, ...], _array(_text(MAX_ASK_TEXT), MAX_ASK_OPTIONS)] = ()
    """The options of a ONE or SEVERAL question, in order; empty for other kinds."""
    options_cy: Annotated[tuple[str, ...], _array(_text(MAX_ASK_TEXT), MAX_ASK_OPTIONS)] = ()
    """Their Welsh, one for each option, or empty."""
    board: Annotated[tuple[str, ...], _array(_text(40), 2)] = ()
    """A SCALE question's board: one scale's name, or two (x, y) for a grid; empty for other kinds."""
    at_end: Annotated[bool, _boolean] = False
    """Put it at the end of the deck rather than after the question everyone is on."""


@dataclass(frozen=True, slots=True)
class Added:
    """A question was asked on the spot: it is question ``question`` now, and the deck has ``total`` questions.

    ``entry`` is the question and ``scale`` (name, entry) the scale made for its options, in a
    deck's plain form (as in :class:`Welcome`'s deck); a client puts both into the deck it holds
    (:func:`coproterm.core.asked.with_added`) at ``question``, so every question from there on is
    numbered one more (its own votes with them: :func:`coproterm.core.asked.renumbered`), and checks
    the result as it checks a welcome's. A client whose deck has ``total`` questions already (a
    translation brought it first) changes nothing.
    """

    TYPE: ClassVar[int] = 31
    question: Annotated[int, _uint(MAX_QUESTIONS - 1)]
    entry: Annotated[Mapping[str, Any], _plain_map] = field(hash=False)
    scale: Annotated[tuple[str, Mapping[str, Any]] | None, _optional(_pair(_text(40), _plain_map))] = field(
        default=None, hash=False
    )
    total: Annotated[int, _QUESTION] = 0
    """How many questions the deck has with it (the hub always says; a client reads one past ``question`` as none)."""


# -- agreeing with each other ------------------------------------------------------------


class Stance(IntEnum):
    """A participant's mark on another's answer in an agreement round."""

    PASS = 0
    AGREE = 1
    DISAGREE = 2


@dataclass(frozen=True, slots=True)
class Mark:
    """Participants: agree with, disagree with or pass on one of the others' answers (the same answer again changes it)."""

    TYPE: ClassVar[int] = 9
    seq: Annotated[int, _SEQ]
    question: Annotated[int, _QUESTION]
    answer: Annotated[int, _COUNT]
    """The answer's id, as :class:`ToMark` named it."""
    stance: Annotated[Stance, _enum(Stance)]


@dataclass(frozen=True, slots=True)
class ToMark:
    """A participant, while an agreement round runs on the current question: the next answer to mark.

    Sent when the round opens, after each of their marks, and when the answer waiting changes;
    ``answer`` 0 (and ``text`` empty): none is left to mark. ``open`` False: the round closed.
    """

    TYPE: ClassVar[int] = 34
    question: Annotated[int, _QUESTION]
    open: Annotated[bool, _boolean]
    answer: Annotated[int, _COUNT]
    text: Annotated[str, _text(MAX_ANSWER_TEXT)]
    left: Annotated[int, _COUNT]
    """Answers this participant has still to mark, this one among them."""


MAX_AGREEMENT_ITEMS = 5
"""Answers in each of :class:`Agreement`'s lists."""

AgreementItem = tuple[int, int, int, int]
"""(answer id, agree, disagree, pass)."""


@dataclass(frozen=True, slots=True)
class Agreement:
    """Hosts, on a question with an agreement round: its marks so far (the texts are the host's ``Answers``)."""

    TYPE: ClassVar[int] = 35
    question: Annotated[int, _QUESTION]
    open: Annotated[bool, _boolean]
    marks: Annotated[int, _COUNT]
    """Marks in all (agree, disagree and pass)."""
    people: Annotated[int, _COUNT]
    """Participants who have marked at least one answer."""
    agreed: Annotated[tuple[AgreementItem, ...], _array(_agreement_item, MAX_AGREEMENT_ITEMS)]
    """The answers most agreed on, most first."""
    split: Annotated[tuple[AgreementItem, ...], _array(_agreement_item, MAX_AGREEMENT_ITEMS)]
    """The answers the room is most split on, most first."""


Message = (
    Hello
    | Vote
    | Command
    | Welcome
    | State
    | Tally
    | Ack
    | Error
    | Ballot
    | Turnout
    | Attendance
    | Choose
    | People
    | Moves
    | Answer
    | Moderate
    | Answers
    | Wall
    | Mine
    | Speak
    | Speaks
    | Translated
    | Timer
    | AddQuestion
    | Added
    | Moderation
    | Mark
    | ToMark
    | Agreement
)


# -- encoding --------------------------------------------------------------------


def encode(message: Message) -> bytes:
    """The frame for a message."""
    items: list[Any] = [message.TYPE]
    names = _field_names(type(message))
    if isinstance(message, Command) and not message.seconds:
        names = names[:-1]  # a command without a countdown keeps the bytes it always had
    if isinstance(message, Moderate) and not message.approve:
        names = names[:-1]  # hiding and showing keep the bytes they always had
    for name in names:
        value = getattr(message, name)
        if isinstance(value, IntEnum):
            value = int(value)
        elif isinstance(value, Mapping):
            value = dict(value)  # the deck, sent as it is (astuple() would deep-copy it)
        items.append(value)
    return msgpack.packb(items, use_bin_type=True, default=_record_items)  # type: ignore[no-any-return]


def _record_items(value: Any) -> list[Any]:
    """A record inside a message (an :class:`AnswerItem`) goes as the array of its fields."""
    if isinstance(value, AnswerItem):
        return [getattr(value, name) for name in _field_names(AnswerItem)]
    raise TypeError(f"cannot encode {type(value).__name__}")


_FIELD_NAMES: dict[type[Any], tuple[str, ...]] = {}


def _field_names(kind: type[Any]) -> tuple[str, ...]:
    names = _FIELD_NAMES.get(kind)
    if names is None:
        names = _FIELD_NAMES[kind] = tuple(f.name for f in fields(kind))
    return names


# -- decoding --------------------------------------------------------------------

_KINDS: dict[int, type[Any]] = {kind.TYPE: kind for kind in get_args(Message)}
"""Each message's class by its type code."""
_CHECKS: dict[type[Any], tuple[Check, ...]] = {}


def field_checks(kind: type[Any]) -> tuple[Check, ...]:
    """The checks of a message's (or a record's) fields, in order: read once from its annotations.

    A message's dataclass is its one definition: each field is ``Annotated[type, check]``. The
    annotations are read the first time a frame of that type is decoded (a program that never
    receives a type never reads them)."""
    checks = _CHECKS.get(kind)
    if checks is None:
        checks = _CHECKS[kind] = tuple(_check_of(kind, item) for item in fields(kind))
    return checks


def _check_of(kind: type[Any], item: Field[Any]) -> Check:
    # The annotation as written (``from __future__ import annotations``), read in its module.
    hint = eval(item.type, vars(sys.modules[kind.__module__])) if isinstance(item.type, str) else item.type
    metadata: tuple[Any, ...] = getattr(hint, "__metadata__", ())
    if len(metadata) != 1 or not callable(metadata[0]):
        raise TypeError(f"{kind.__name__}.{item.name} is not Annotated[type, check]")
    check: Check = metadata[0]
    return check


def _refuse_extension(code: int, data: bytes) -> Any:
    raise ProtocolError(f"msgpack extension type {code} is not part of this protocol")


def decode(frame: bytes) -> Message:
    """The message in a frame; :class:`ProtocolError` if it is not exactly one."""
    if not isinstance(frame, (bytes, bytearray, memoryview)):
        raise ProtocolError("expected a binary frame")
    try:
        items = msgpack.unpackb(
            frame,
            use_list=False,
            raw=False,
            ext_hook=_refuse_extension,
            max_str_len=64 * 1024,
            max_bin_len=1024,
            max_array_len=4096,
            max_map_len=1024,
            max_ext_len=16,
        )
    except ProtocolError:
        raise
    except (ValueError, TypeError) as error:  # msgpack's own errors derive from these
        raise ProtocolError(f"not a msgpack frame ({type(error).__name__})") from None
    if type(items) is not tuple or not items or type(items[0]) is not int:
        raise ProtocolError("a frame is an array that starts with a message type")
    code, values = items[0], items[1:]
    kind = _KINDS.get(code)
    if kind is None:
        raise ProtocolError(f"unknown message type {code}")
    checks = field_checks(kind)
    if kind is Hello and values and type(values[0]) is int and values[0] != PROTOCOL_VERSION:
        raise VersionMismatch(values[0])
    if kind is Hello and len(values) == len(checks) - 1:
        values = (*values, None)  # a client from before the welcome's deck came in one language: both
    if kind is Attendance and len(values) == len(checks) - 1:
        values = (*values, 0)  # a hub from before plain mode was counted: none in plain mode
    if kind is Turnout and len(values) == len(checks) - 1 and all(type(v) is int for v in values):
        # A hub from before voted_here was counted: at most everyone here voted (the best it can be read as).
        values = (*values, min(values))
    if kind is Command and len(values) == len(checks) - 1:
        values = (*values, 0)  # no countdown: every command but the timer's
    if kind is Moderate and len(values) == len(checks) - 1:
        values = (*values, False)  # hiding or showing, not approving
    if len(values) != len(checks):
        raise ProtocolError(f"{kind.__name__} has {len(checks)} fields, not {len(values)}")
    try:
        fields = [check(value) for check, value in zip(checks, values, strict=True)]
    except ProtocolError as error:
        raise ProtocolError(f"{kind.__name__}: {error}") from None
    return kind(*fields)  # type: ignore[no-any-return]
