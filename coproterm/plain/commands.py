"""What a typed line means: a command word, a vote in numbers, an answer, or a problem to explain."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from coproterm.core.boards import Kind, Question
from coproterm.core.i18n import LANGUAGES, N_, language
from coproterm.plain.paragraphs import COMMANDS

SHORT = {"?": "help", "q": "quit", "iaith": "language", "exit": "quit"}
"""Other ways to type a command word (``iaith`` works in every language)."""
NOT_UNDERSTOOD = N_("Not understood: {typed}. Type help for the words you can use.")


@dataclass(frozen=True)
class TypedCommand:
    """A typed line, understood."""

    word: str
    """help, again, details, results, mine, keep, language, quit; vote, answer, edit, remove; agree, disagree,
    pass (an agreement round's marks); problem (``text`` says what)."""
    choice: int | None = None
    """A vote's cell or pick-several mask (None takes the vote back); the answer's slot to edit or remove."""
    text: str = ""
    """An answer's text, or a problem's words (from the catalog, ``values`` filled in)."""
    values: dict[str, object] = field(default_factory=dict)

    @property
    def sends(self) -> bool:
        """Whether carrying it out sends the hub something (then it counts against the person's typing rate)."""
        return self.word in ("vote", "answer", "edit", "remove", "language", "agree", "disagree", "pass")


def _words() -> dict[str, str]:
    known = dict(SHORT)
    for code in LANGUAGES:
        for word, _ in COMMANDS:
            known[language(code).t(word).casefold()] = word
    return known


def _written(line: str) -> TypedCommand:
    """On an open question: ``edit N words``, ``remove N``, or else a new answer."""
    edit = re.fullmatch(r"(\S+)\s+(\d+)(?:\s+(.+))?", line)
    if edit is not None:
        word = _words().get(edit[1].casefold())
        if word == "edit" and edit[3]:
            return TypedCommand("edit", int(edit[2]) - 1, text=edit[3])
        if word == "remove" and not edit[3]:
            return TypedCommand("remove", int(edit[2]) - 1)
    return TypedCommand("answer", text=line)


def parse(line: str, question: Question | None) -> TypedCommand:
    """The command in ``line`` (stripped, not empty) on the current ``question`` (None before the hub says)."""
    word = _words().get(line.casefold())
    if word is not None:
        return TypedCommand(word)
    if question is not None and question.kind is Kind.TEXT:
        return _written(line)
    if not re.fullmatch(r"[\d\s,;]+", line):
        return TypedCommand("problem", text=NOT_UNDERSTOOD, values={"typed": line[:40]})
    if question is None:
        return TypedCommand("wait")
    numbers = [int(n) for n in re.split(r"[\s,;]+", line) if n]
    if question.kind is Kind.DISCUSSION:
        return TypedCommand("problem", text=N_("Nothing to vote on: talk it through in the room."))
    if numbers == [0]:
        return TypedCommand("vote", None)
    if question.kind is Kind.GRID:
        assert question.y is not None
        if len(numbers) != 2 or not (1 <= numbers[0] <= question.width and 1 <= numbers[1] <= question.y.size):
            return TypedCommand(
                "problem",
                text=N_("Type two numbers: across from 1 to {across}, then down from 1 to {down}."),
                values={"across": question.width, "down": question.y.size},
            )
        return TypedCommand("vote", question.cell(numbers[0] - 1, numbers[1] - 1))
    if question.several:
        chosen = set(numbers)
        if not chosen or len(chosen) > question.pick or not all(1 <= n <= question.width for n in chosen):
            return TypedCommand(
                "problem",
                text=N_("Type up to {pick} different numbers from 1 to {count}."),
                values={"pick": question.pick, "count": question.width},
            )
        return TypedCommand("vote", sum(1 << (n - 1) for n in chosen))
    if len(numbers) != 1 or not 1 <= numbers[0] <= question.width:
        return TypedCommand("problem", text=N_("Type one number from 1 to {count}."), values={"count": question.width})
    return TypedCommand("vote", numbers[0] - 1)
