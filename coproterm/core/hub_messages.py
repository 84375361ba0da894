"""The messages the hub sends: to everyone (state, tally, timer...), to participants (welcome,
ballot, their own answers, the next answer to mark) and to hosts (turnout, answers, agreement...).

Each is one frozen dataclass whose fields name their checks (:mod:`coproterm.core.wire_checks`);
:mod:`coproterm.core.wire` encodes and decodes them. ``TYPE`` is the frame's first item.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any, ClassVar

from coproterm.core.wire_checks import (
    _COUNT,
    _QUESTION,
    _SEQ,
    _U16,
    _U32,
    _array,
    _boolean,
    _bytes,
    _enum,
    _fail,
    _one_of,
    _optional,
    _pair,
    _plain_map,
    _record,
    _text,
    _uint,
)
from coproterm.core.wire_terms import (
    LANGUAGE_CODES,
    MAX_ANSWER_SLOTS,
    MAX_ANSWER_TEXT,
    MAX_CELLS,
    MAX_CODE,
    MAX_MARKS,
    MAX_QUESTIONS,
    MAX_REFUSAL_VALUES,
    MAX_TIMER,
    MAX_WORD,
    RESUME_TOKEN_BYTES,
    ErrorCode,
    Role,
)


def _agreement_item(value: Any) -> AgreementItem:
    """An answer's marks in an :class:`Agreement`: four whole numbers."""
    if type(value) is not tuple or len(value) != 4:
        _fail("expected an array of 4 items")
    number = _uint(_U32)
    return number(value[0]), number(value[1]), number(value[2]), number(value[3])


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
    moderated: Annotated[bool, _boolean] = False
    """The current question's written answers wait for the facilitator's approval before the room sees
    them (the deck's ``moderated``, or the facilitator's toggle): faces say so before an answer is written.
    Sent only when true (a state without it keeps the bytes it always had)."""


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
class YourAnswers:
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


@dataclass(frozen=True, slots=True)
class ChosenLanguage:
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
class VoterCount:
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


Offered = tuple[int, str]
"""(answer id, its words) in a :class:`ToMark`."""


@dataclass(frozen=True, slots=True)
class ToMark:
    """A participant, while an agreement round runs on the current question: the next answers to mark.

    Sent when the round opens, after their marks, and when the answers waiting change; ``items``
    empty: none is left to mark. ``open`` False: the round closed.
    """

    TYPE: ClassVar[int] = 34
    question: Annotated[int, _QUESTION]
    open: Annotated[bool, _boolean]
    items: Annotated[tuple[Offered, ...] | None, _optional(_array(_pair(_COUNT, _text(MAX_ANSWER_TEXT)), MAX_MARKS))]
    """This participant's next answers to mark, in their own order: (id, words), at most ``MAX_MARKS``;
    None: the same as the offer last sent on this connection (only ``left`` or ``open`` changed)."""
    left: Annotated[int, _COUNT]
    """Answers this participant has still to mark, these among them."""


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
