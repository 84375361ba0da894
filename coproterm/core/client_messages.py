"""The messages a client sends the hub: a participant's (hello, vote, choose, answer, speak, mark)
and a host's (command, moderate, add a question).

Each is one frozen dataclass whose fields name their checks (:mod:`coproterm.core.wire_checks`);
:mod:`coproterm.core.wire` encodes and decodes them. ``TYPE`` is the frame's first item.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, ClassVar

from coproterm.core.wire_checks import (
    _COUNT,
    _QUESTION,
    _SEQ,
    _U16,
    _array,
    _boolean,
    _bytes,
    _enum,
    _fail,
    _one_of,
    _optional,
    _pair,
    _text,
    _uint,
)
from coproterm.core.wire_terms import (
    LANGUAGE_CODES,
    MAX_ANSWER_SLOTS,
    MAX_ANSWER_TEXT,
    MAX_ASK_OPTIONS,
    MAX_ASK_TEXT,
    MAX_CODE,
    MAX_MARKS,
    MAX_NAME,
    MAX_TOKEN,
    PROTOCOL_VERSION,
    RESUME_TOKEN_BYTES,
    Action,
    AskKind,
    Stance,
)


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


@dataclass(frozen=True, slots=True)
class Answer:
    """Write (or edit: the same ``slot`` again) an answer to the current text question; ``text`` None takes it back."""

    TYPE: ClassVar[int] = 4
    seq: Annotated[int, _SEQ]
    question: Annotated[int, _QUESTION]
    slot: Annotated[int, _uint(MAX_ANSWER_SLOTS - 1)]
    """Which of this participant's answers, from 0 to the question's ``max_answers`` - 1."""
    text: Annotated[str | None, _optional(_text(MAX_ANSWER_TEXT))]


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
class ChooseLanguage:
    """A participant chose the language they read (``"cy"`` or ``"en"``); the hub remembers it with them."""

    TYPE: ClassVar[int] = 7
    language: Annotated[str, _one_of(LANGUAGE_CODES)]


@dataclass(frozen=True, slots=True)
class Choose:
    """Cast, change or clear (``picks=0``) a vote on a question that takes several positions (``pick > 1``)."""

    TYPE: ClassVar[int] = 6
    seq: Annotated[int, _SEQ]
    question: Annotated[int, _QUESTION]
    picks: Annotated[int, _uint(_U16)]
    """The positions chosen, as a bitmask: bit ``i`` set for position ``i`` (up to 16 positions)."""


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


Marking = tuple[int, Stance]
"""(answer id, the mark) in a :class:`Mark`."""


def _marks(value: Any) -> tuple[Marking, ...]:
    """A :class:`Mark`'s marks: 1 to :data:`MAX_MARKS` pairs of an answer id and a stance, no answer twice."""
    marks: tuple[Marking, ...] = _array(_pair(_COUNT, _enum(Stance)), MAX_MARKS)(value)
    if not marks:
        _fail("expected at least one mark")
    if len({answer for answer, _ in marks}) != len(marks):
        _fail("an answer marked twice in one frame")
    return marks


@dataclass(frozen=True, slots=True)
class Mark:
    """Participants: agree with, disagree with or pass on some of the others' answers, in the order marked
    (the same answer again, in a later frame, changes its mark)."""

    TYPE: ClassVar[int] = 9
    seq: Annotated[int, _SEQ]
    question: Annotated[int, _QUESTION]
    marks: Annotated[tuple[Marking, ...], _marks]
    """(answer id, as ``ToMark`` named it; the mark): 1 to :data:`MAX_MARKS`, each answer once."""
