"""The wire: one :func:`encode` and one :func:`decode` for every message.

Every frame is a msgpack array whose first item is the message's type code and
whose other items are its fields, in order. This is the only module that
imports msgpack; docs/protocol.md describes the same format byte by byte.

:func:`decode` treats its input as hostile: extension types are refused, sizes
are capped, and every field is checked for type and range
(:mod:`coproterm.core.wire_checks`). Anything that is not exactly a known message
raises :class:`~coproterm.core.wire_checks.ProtocolError`. The messages themselves
are in :mod:`coproterm.core.client_messages` (what clients send) and
:mod:`coproterm.core.hub_messages` (what the hub sends); the numbers and enums they
share in :mod:`coproterm.core.wire_terms`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields
from enum import IntEnum
from typing import Any, get_args

import msgpack

from coproterm.core.client_messages import (
    AddQuestion,
    Answer,
    Choose,
    ChooseLanguage,
    Command,
    Hello,
    Mark,
    Moderate,
    Vote,
)
from coproterm.core.hub_messages import (
    Ack,
    Added,
    Agreement,
    AnswerItem,
    Answers,
    Attendance,
    Ballot,
    ChosenLanguage,
    Error,
    Moderation,
    Moves,
    State,
    Tally,
    Timer,
    ToMark,
    Translated,
    Turnout,
    VoterCount,
    Wall,
    Welcome,
    YourAnswers,
)
from coproterm.core.wire_checks import ProtocolError, VersionMismatch, field_checks
from coproterm.core.wire_terms import PROTOCOL_VERSION

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
    | VoterCount
    | Moves
    | Answer
    | Moderate
    | Answers
    | Wall
    | YourAnswers
    | ChooseLanguage
    | ChosenLanguage
    | Translated
    | Timer
    | AddQuestion
    | Added
    | Moderation
    | Mark
    | ToMark
    | Agreement
)


def encode(message: Message) -> bytes:
    """The frame for a message."""
    items: list[Any] = [message.TYPE]
    names = _field_names(type(message))
    if isinstance(message, Command) and not message.seconds:
        names = names[:-1]  # a command without a countdown keeps the bytes it always had
    if isinstance(message, Moderate) and not message.approve:
        names = names[:-1]  # hiding and showing keep the bytes they always had
    if isinstance(message, State) and not message.moderated:
        names = names[:-1]  # a question that is not moderated keeps the bytes it always had
    for name in names:
        value = getattr(message, name)
        if type(value) in _AS_THEY_ARE:
            pass  # most fields: no ABC check (approving 5,000 answers encodes 5,000 writers' YourAnswers)
        elif isinstance(value, IntEnum):
            value = int(value)
        elif isinstance(value, Mapping):
            value = dict(value)  # the deck, sent as it is (astuple() would deep-copy it)
        items.append(value)
    return msgpack.packb(items, use_bin_type=True, default=_record_items)  # type: ignore[no-any-return]


_AS_THEY_ARE = frozenset({int, str, bool, float, bytes, tuple, type(None)})
"""The types a field's value is packed as it is."""


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


_KINDS: dict[int, type[Any]] = {kind.TYPE: kind for kind in get_args(Message)}
"""Each message's class by its type code."""


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
    if kind is State and len(values) == len(checks) - 1:
        values = (*values, False)  # not moderated
    if len(values) != len(checks):
        raise ProtocolError(f"{kind.__name__} has {len(checks)} fields, not {len(values)}")
    try:
        fields = [check(value) for check, value in zip(checks, values, strict=True)]
    except ProtocolError as error:
        raise ProtocolError(f"{kind.__name__}: {error}") from None
    return kind(*fields)  # type: ignore[no-any-return]
