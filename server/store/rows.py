"""One row of the ``events`` table per logged event: its time, its kind and its fields (a JSON array).

The fields are the event's own, in its own order (bytes as hex; :data:`FIELDS` names them), so a
row reads as what happened (``voted [3,1,4]``) when a damage report names it. A row
that cannot be turned back into its event comes back as a :class:`~coproterm.core.report.Flaw`
naming it, in the reader's language; the rest of the log still reads.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from coproterm.core.events import (
    Added,
    Agreeing,
    Answered,
    Approved,
    Commanded,
    Event,
    Joined,
    Marked,
    Moderated,
    Spoke,
    Timed,
    Voted,
)
from coproterm.core.i18n import N_
from coproterm.core.log_check import Flaw
from coproterm.core.problems import said
from coproterm.core.wire_terms import LANGUAGE_CODES, Action, Stance


@dataclass(frozen=True, slots=True)
class Entry:
    """One logged event and when it was accepted (Unix time)."""

    at: float
    event: Event
    row: int = 0
    """Its row in the log (to name it if it turns out to be damaged); 0 until written."""


ANSWER_KINDS = frozenset({"answered", "unanswered", "waiting"})
"""The kinds of row that are versions of a written answer (the log keeps its first and latest few)."""
MODERATION_KINDS = {"hidden": True, "shown": False}

NOT_A_TIME = N_("its time is {at}, not a number")
"""A row whose time cannot be read."""
UNREADABLE = N_("the fields of a {kind} entry cannot be read")


FIELDS: dict[str, tuple[str, ...]] = {
    "joined": ("participant", "token", "name"),
    "voted": ("participant", "question", "choice"),
    "commanded": ("action", "question"),
    **dict.fromkeys(("answered", "waiting"), ("participant", "question", "slot", "answer", "text", "waiting")),
    "unanswered": ("participant", "question", "slot", "answer", "text", "waiting"),
    **dict.fromkeys(("hidden", "shown"), ("question", "answer", "hidden")),
    "approved": ("question", "answer"),
    "spoke": ("participant", "language"),
    "timed": ("question", "seconds", "deadline", "locks", "ended"),
    "added": ("question", "scale", "position"),
    **dict.fromkeys(("opened", "closed"), ("question", "open", "seed")),
    "marked": ("participant", "question", "answer", "stance"),
}
"""Each kind's fields, in the order its row holds them: the event's own (core/events.py), so a row
``voted [3,1,4]`` reads as participant 3 voted on question 1 for cell 4. (A row may also hold an
object of them by name: a hand-made row reads the same.)"""
KINDS: dict[type, str] = {Joined: "joined", Voted: "voted", Commanded: "commanded", Approved: "approved",
                          Spoke: "spoke", Timed: "timed", Added: "added", Marked: "marked"}  # fmt: skip


def kind_of(event: Event) -> str:
    """The kind of row an event is written as."""
    if isinstance(event, Answered):
        return "unanswered" if event.text is None else "waiting" if event.waiting else "answered"
    if isinstance(event, Moderated):
        return "hidden" if event.hidden else "shown"
    if isinstance(event, Agreeing):
        return "opened" if event.open else "closed"
    return KINDS[type(event)]


def encoded(entry: Entry) -> tuple[float, str, int | None, str]:
    """The row of an entry: its time, kind, answer id (versions of an answer are pruned by it) and fields."""
    event = entry.event
    kind = kind_of(event)
    values = [_plain(getattr(event, name)) for name in FIELDS[kind]]
    answer = event.answer if isinstance(event, Answered | Moderated | Approved) else None
    return entry.at, kind, answer, json.dumps(values, ensure_ascii=False, separators=(",", ":"))


def _plain(value: object) -> object:
    return value.hex() if isinstance(value, bytes) else value


def decoded(seq: int, at: object, kind: object, body: object) -> Entry | Flaw:
    """The entry a row holds, or the flaw that names it (rows of questions asked on the spot come back as
    :class:`Added` entries: :mod:`.reading` folds them into the deck)."""
    if not isinstance(at, int | float):
        return Flaw(seq, said(NOT_A_TIME, at=repr(at)))
    try:
        fields = json.loads(body) if isinstance(body, str | bytes) else None
    except ValueError:
        fields = None
    if isinstance(fields, list) and isinstance(kind, str) and kind in FIELDS:
        fields = dict(zip(FIELDS[kind], fields, strict=False))
    if not isinstance(fields, dict) and kind == "added":
        fields = {}  # a placeholder keeps its place (at the end: where it went is lost with it)
    if not isinstance(fields, dict):
        return Flaw(seq, said(UNREADABLE, kind=f"{kind!r:.20}"))
    event = _event(seq, at, kind, fields)
    return event if isinstance(event, Flaw) else Entry(at, event, seq)


def _hex(value: object) -> bytes | None:
    try:
        return bytes.fromhex(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _event(seq: int, at: float, kind: object, f: dict[str, Any]) -> Event | Flaw:
    def get(key: str) -> Any:  # the row's value as it is: the session's own checks name a wrong one
        return f.get(key)

    if kind == "voted":
        return Voted(get("participant"), get("question"), get("choice"))
    if kind == "joined":
        token, name = _hex(get("token")), get("name")
        if token is None or not isinstance(name, str):
            return Flaw(
                seq,
                said(N_("participant {number} joined with no usable token or name"), number=repr(get("participant"))),
            )
        return Joined(get("participant"), token, name)
    if kind == "commanded":
        try:
            return Commanded(Action(get("action")), get("question"))
        except ValueError:
            return Flaw(seq, said(N_("a command with the unknown action {action}"), action=repr(get("action"))))
    if kind in ("answered", "waiting") and isinstance(get("text"), str):
        return Answered(get("participant"), get("question"), get("slot"), get("answer"), get("text"), kind == "waiting")
    if kind == "unanswered":
        return Answered(get("participant"), get("question"), get("slot"), get("answer"), None)
    if kind == "approved":
        return Approved(get("question"), get("answer"))
    if kind in MODERATION_KINDS:
        return Moderated(get("question"), get("answer"), MODERATION_KINDS[kind])
    if kind in ("answered", "waiting") or "slot" in f:  # an answer's row of a kind no release wrote
        return Flaw(
            seq,
            said(
                N_("an answer of the kind {kind} with the text {text}"),
                kind=repr(kind),
                text=f"{get('text')!r:.40}",
            ),
        )
    if kind == "spoke":
        return _spoke(seq, at, f)
    if kind == "timed":
        return _timed(seq, f)
    if kind in ("opened", "closed", "marked"):
        return _agreement(seq, at, kind, f)
    if kind == "added":
        return _added(seq, f)
    return Flaw(seq, said(N_("an entry of the unknown kind {kind}"), kind=f"{kind!r:.40}"))


def _spoke(seq: int, at: float, f: dict[str, Any]) -> Event | Flaw:
    participant, language = f.get("participant"), f.get("language")
    if language not in LANGUAGE_CODES or not isinstance(participant, int):
        return Flaw(
            seq,
            said(
                N_("a choice of language: participant {number} chose {language} at {at}"),
                number=repr(participant),
                language=f"{language!r:.20}",
                at=repr(at),
            ),
        )
    return Spoke(participant, language)


def _timed(seq: int, f: dict[str, Any]) -> Event | Flaw:
    question, seconds, deadline = f.get("question"), f.get("seconds"), f.get("deadline")
    numbers = (question, seconds, f.get("locks"), f.get("ended"))
    if not isinstance(deadline, int | float) or not all(isinstance(n, int) and n >= 0 for n in numbers):
        return Flaw(
            seq,
            said(
                N_("a timer: question {question}, {seconds} s, ends {deadline}"),
                question=repr(question),
                seconds=repr(seconds),
                deadline=repr(deadline),
            ),
        )
    return Timed(question, seconds, float(deadline), bool(f["locks"]), bool(f["ended"]))  # type: ignore[arg-type]


def _agreement(seq: int, at: float, kind: str, f: dict[str, Any]) -> Event | Flaw:
    question = f.get("question")
    if not isinstance(question, int) or question < 0:
        return Flaw(
            seq,
            said(
                N_("an agreement round: {kind} on question {question} at {at}"),
                kind=f"{kind!r:.20}",
                question=repr(question),
                at=repr(at),
            ),
        )
    if kind in ("opened", "closed"):
        seed = _hex(f.get("seed"))
        if seed is None:
            return Flaw(seq, said(N_("an agreement round with no usable seed")))
        return Agreeing(question, kind == "opened", seed)
    participant, answer, stance = f.get("participant"), f.get("answer"), f.get("stance")
    if isinstance(participant, int) and isinstance(answer, int) and stance in (0, 1, 2):
        return Marked(participant, question, answer, Stance(stance))
    return Flaw(
        seq,
        said(
            N_("a mark in an agreement round: {kind} by participant {number} of answer {answer} as {stance}"),
            kind=f"{kind!r:.20}",
            number=repr(participant),
            answer=repr(answer),
            stance=repr(stance),
        ),
    )


ADDED_UNREADABLE = N_("the question asked on the spot cannot be read; a placeholder keeps its place")


def _added(seq: int, f: dict[str, Any]) -> Event | Flaw:
    question, scale, position = f.get("question"), f.get("scale"), f.get("position")
    placed = position if isinstance(position, int) and position >= 0 else None
    if not isinstance(question, dict):
        return Added({}, None, placed)  # read as damaged where it is folded in: a placeholder keeps its place
    named = (scale[0], scale[1]) if isinstance(scale, list) and len(scale) == 2 else None
    return Added(question, named, placed)
