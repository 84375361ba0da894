"""A question asked on the spot: the host's message checked, the deck entry it becomes, and where it goes.

The host types a prompt (and its Welsh, if they like) and picks what the room does:
write answers, say yes / no / not sure, choose one or several of a few typed options, or
place their work on one of the deck's scales (two for a grid). :func:`ask` checks the
message, refusing with the first problem in the order docs/protocol.md lists, and
returns the :class:`~coproterm.core.events.Added` event the session logs and applies;
:func:`with_added` is the one place an event becomes part of a deck's plain form (the
session applies it live, the store folds logged ones into the deck it resumes with).

It goes in after the question everyone is on (or at the end, the host's choice): every question
after it is numbered one more from then on. :func:`renumbered` and :func:`shifted` are the one
rule every holder of question numbers applies (the session, each face's view, the log's reader).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any, TypeVar

from coproterm.core.answers import clean_answer, looks_blank
from coproterm.core.client_messages import AddQuestion
from coproterm.core.events import Added
from coproterm.core.i18n import N_, WELSH, language
from coproterm.core.refusals import Refusal
from coproterm.core.wire_terms import MAX_QUESTIONS, AskKind

MAX_PROMPT = 300
"""Longest prompt (in each language), in characters once cleaned."""
MAX_OPTION = 60
"""Longest typed option, in characters once cleaned."""
LEAST_OPTIONS = 2
MOST_OPTIONS = 8
"""How many options a choose question takes: a board must fit a phone and a 40-column terminal."""
YES_NO = (N_("Yes"), N_("No"), N_("Not sure"))
"""The positions of a yes / no / not sure question (English; the Welsh from the catalog)."""

Refused = tuple[Refusal, tuple[int, ...]]
T = TypeVar("T")


def ask(message: AddQuestion, deck: Mapping[str, Any]) -> Added | Refused:
    """The event for a host's question asked on the spot, or the refusal (and its values) of the first problem."""
    count = len(deck.get("questions", ()))
    if count >= MAX_QUESTIONS:
        return Refusal.DECK_FULL, (MAX_QUESTIONS,)
    prompt = clean_answer(message.prompt)
    prompt_cy = clean_answer(message.prompt_cy or "")
    if looks_blank(prompt):
        return Refusal.NO_PROMPT, ()
    for text in (prompt, prompt_cy):
        if len(text) > MAX_PROMPT:
            return Refusal.PROMPT_TOO_LONG, (MAX_PROMPT, len(text))
    choosing = message.kind in (AskKind.ONE, AskKind.SEVERAL)
    if (message.options and not choosing) or (message.options_cy and not message.options):
        return Refusal.NO_OPTIONS_HERE, ()
    if message.board and message.kind is not AskKind.SCALE:
        return Refusal.NO_SCALE_HERE, ()
    item: dict[str, Any] = {"prompt": prompt, "added": True}
    if prompt_cy:
        item["prompt_cy"] = prompt_cy
    scale: tuple[str, dict[str, Any]] | None = None
    if message.kind is AskKind.OPEN:
        item["answers"] = "text"
    elif message.kind is AskKind.SCALE:
        scales = deck.get("scales", {})
        if not 1 <= len(message.board) <= 2 or any(name not in scales for name in message.board):
            return Refusal.NO_SUCH_SCALE, ()
        item["board"] = message.board[0] if len(message.board) == 1 else list(message.board)
    else:
        if message.kind is AskKind.YES_NO:
            welsh = language(WELSH)
            labels: list[tuple[str, str]] = [(label, welsh.t(label)) for label in YES_NO]
        else:
            made = _options(message)
            if not isinstance(made, list):
                return made
            labels = made
        key = _free_key(deck, count)
        positions = [_position(number, label, label_cy) for number, (label, label_cy) in enumerate(labels, 1)]
        entry: dict[str, Any] = {"title": prompt, "positions": positions}
        if prompt_cy:
            entry["title_cy"] = prompt_cy
        scale = (key, entry)
        item["board"] = key
        if message.kind is AskKind.SEVERAL:
            item["pick"] = len(labels)
    return Added(item, scale)


def place(added: Added, count: int) -> int:
    """Where a question asked on the spot goes in a deck of ``count`` questions (at the end when it says no place)."""
    return count if added.position is None else min(added.position, count)


def renumbered(question: int, position: int) -> int:
    """A question's number once a question has gone in at ``position``: those from there on move up one."""
    return question + 1 if question >= position else question


def shifted(by_question: Mapping[int, T], position: int) -> dict[int, T]:
    """Something kept by question number, renumbered after a question went in at ``position``."""
    return {renumbered(question, position): value for question, value in by_question.items()}


def _options(message: AddQuestion) -> list[tuple[str, str]] | Refused:
    """The typed options, cleaned and checked, each with its Welsh ("" where none was given)."""
    if not LEAST_OPTIONS <= len(message.options) <= MOST_OPTIONS:
        return Refusal.OPTIONS_COUNT, (LEAST_OPTIONS, MOST_OPTIONS)
    if message.options_cy and len(message.options_cy) != len(message.options):
        return Refusal.WELSH_OPTIONS, ()
    english = [clean_answer(text) for text in message.options]
    welsh = [clean_answer(text) for text in message.options_cy] or [""] * len(english)
    for text in english:
        if looks_blank(text) or len(text) > MAX_OPTION:
            return Refusal.OPTION_WORDS, (MAX_OPTION,)
    for text in welsh:
        if (message.options_cy and looks_blank(text)) or len(text) > MAX_OPTION:
            return Refusal.OPTION_WORDS, (MAX_OPTION,)
    if len({text.casefold() for text in english}) != len(english):
        return Refusal.SAME_OPTIONS, ()
    return list(zip(english, welsh, strict=True))


def _position(number: int, label: str, label_cy: str) -> dict[str, Any]:
    position = {"label": label, "key": str(number)}
    if label_cy and label_cy != label:
        position["label_cy"] = label_cy
    return position


def _free_key(deck: Mapping[str, Any], count: int) -> str:
    """A name for the new question's scale that the deck does not use yet."""
    scales = deck.get("scales", {})
    number = count + 1
    while f"asked-{number}" in scales:
        number += 1
    return f"asked-{number}"


def with_added(deck: Mapping[str, Any], added: Added) -> dict[str, Any]:
    """A deck's plain form with the question asked on the spot in its place (the original is left as it was)."""
    grown = dict(deck)
    questions = list(deck.get("questions", ()))
    questions.insert(place(added, len(questions)), copy.deepcopy(added.question))
    grown["questions"] = questions
    if added.scale is not None:
        name, entry = added.scale
        grown["scales"] = {**deck.get("scales", {}), name: copy.deepcopy(entry)}
    return grown
