"""What a field may hold: the checks each message's fields name beside their type.

Each message's fields name their check beside their type (``Annotated[type, check]``):
:func:`coproterm.core.wire.decode` runs them in field order. They are read from the dataclass
itself, once per message type and only when a frame of that type first arrives
(:func:`field_checks`). Anything that is not exactly what a field may hold raises
:class:`ProtocolError`.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import Field, fields
from enum import IntEnum
from typing import Any

from coproterm.core.wire_terms import MAX_QUESTIONS, PROTOCOL_VERSION


class ProtocolError(ValueError):
    """Bytes that are not a valid message of this protocol."""


class VersionMismatch(ProtocolError):
    """A hello that speaks another protocol version."""

    def __init__(self, version: int) -> None:
        super().__init__(f"this hub speaks protocol version {PROTOCOL_VERSION}, not {version}")
        self.version = version


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
