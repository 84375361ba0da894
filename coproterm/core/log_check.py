"""Which rows of a session's log can be replayed, and why the others cannot.

A damaged row (a vote by someone who never joined, a cell the board does not have) is
left out and named as a :class:`Flaw`, so one bad row costs that row, not the session;
:class:`LogCheck` tells them apart in log order, for the report (core/report.py) and for
a session resumed from its log (server/hub_runner.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from coproterm.core.answers import clean_answer, looks_blank
from coproterm.core.ballots import picks_refusal
from coproterm.core.boards import Deck
from coproterm.core.events import (
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
from coproterm.core.i18n import ENGLISH, N_, Language, language
from coproterm.core.problems import Words, said

Logged = tuple[int, float, Event]
"""A row of a session's log: its number, when it was accepted (Unix time), and its event."""


FLAW = N_("row {row}: {problem}")
"""A damaged row as a reader is told it: which row, and why it was left out."""


@dataclass(frozen=True, slots=True)
class Flaw:
    """A row of a log that cannot be replayed, and why (catalog words, worded in the reader's language)."""

    row: int
    said: Words

    @property
    def problem(self) -> str:
        """Why, in English (for logs and tests)."""
        return str(self.said)

    def words(self, lang: Language) -> str:
        """The row and why, in ``lang``: "rhes 6: …"."""
        return lang.t(FLAW, row=self.row, problem=self.said.words(lang))

    def __str__(self) -> str:
        return self.words(language(ENGLISH))


class LogCheck:
    """Tells which logged events a fresh session can replay, in order (so a damaged row can be skipped)."""

    def __init__(self, deck: Deck) -> None:
        self.deck = deck
        self.known: set[int] = set()
        self.tokens: dict[bytes, int] = {}
        self.answers: dict[tuple[int, int], tuple[int, int]] = {}
        """(question, answer id) to the (participant, slot) that wrote it."""
        self.rounds: set[int] = set()
        """Questions opened for agreement."""

    def problem(self, event: Event) -> Words | None:
        """Why ``event`` cannot be replayed after those already checked; None if it can (and is counted)."""
        questions = self.deck.questions
        match event:
            case Joined(participant=number):
                if not isinstance(number, int) or number < 1:
                    return said(N_("a participant joined with the number {number}"), number=repr(number))
                if not isinstance(event.token, bytes) or not isinstance(event.name, str):
                    return said(N_("participant {number} joined with no usable token or name"), number=number)
                if self.tokens.setdefault(event.token, number) != number:
                    return said(
                        N_("participant {number} joined with the token of participant {other}"),
                        number=number,
                        other=self.tokens[event.token],
                    )
                self.known.add(number)
            case Voted(participant=number, question=index, choice=choice):
                if number not in self.known:
                    return said(N_("a vote by participant {number}, who never joined"), number=repr(number))
                if not isinstance(index, int) or not 0 <= index < len(questions):
                    return said(
                        N_("a vote on question {question}, which the deck does not have"), question=_human(index)
                    )
                cells = questions[index].cells
                if questions[index].several:
                    if choice is not None and (not isinstance(choice, int) or picks_refusal(questions[index], choice)):
                        return said(
                            N_("a choice of positions {choice} of question {question}, which has {cells} positions"),
                            choice=repr(choice),
                            question=index + 1,
                            cells=cells,
                        )
                elif choice is not None and (not isinstance(choice, int) or not 0 <= choice < cells):
                    return said(
                        N_("a vote for cell {choice} of question {question}, which has {cells} cells"),
                        choice=repr(choice),
                        question=index + 1,
                        cells=cells,
                    )
            case Commanded(question=index):
                if not isinstance(index, int) or not 0 <= index < len(questions):
                    return said(
                        N_("a command on question {question}, which the deck does not have"), question=_human(index)
                    )
            case Answered() | Moderated() | Approved():
                return self._answer_problem(event)
            case Spoke(participant=number):
                if number not in self.known:
                    return said(N_("a language chosen by participant {number}, who never joined"), number=repr(number))
            case Timed(question=index):
                if not isinstance(index, int) or not 0 <= index < len(questions):
                    return said(
                        N_("a timer on question {question}, which the deck does not have"), question=_human(index)
                    )
            case Agreeing(question=index):
                if not isinstance(index, int) or not 0 <= index < len(questions) or questions[index].answers is None:
                    return said(
                        N_("an agreement round on question {question}, which takes no written answers"),
                        question=_human(index),
                    )
                self.rounds.add(index)
            case Marked(participant=number, question=index, answer=answer):
                if number not in self.known:
                    return said(N_("a mark by participant {number}, who never joined"), number=repr(number))
                if index not in self.rounds:
                    return said(
                        N_("a mark on question {question}, which was never opened for agreement"),
                        question=_human(index),
                    )
                if (index, answer) not in self.answers or self.answers[(index, answer)][0] == number:
                    return said(
                        N_(
                            "a mark on answer {answer} of question {question}, which was never written or is the marker's own"
                        ),
                        answer=repr(answer),
                        question=_human(index),
                    )
            case _:
                return said(N_("an event of an unknown kind ({kind})"), kind=type(event).__name__)
        return None

    def _answer_problem(self, event: Answered | Moderated | Approved) -> Words | None:
        """Why a written answer's event cannot be replayed, or None."""
        questions = self.deck.questions
        index = event.question
        if not isinstance(index, int) or not 0 <= index < len(questions) or questions[index].answers is None:
            return said(N_("an answer to question {question}, which takes no written answers"), question=_human(index))
        if not isinstance(event.answer, int) or event.answer < 1:
            return said(N_("an answer numbered {answer}"), answer=repr(event.answer))
        if isinstance(event, Moderated | Approved):
            if (index, event.answer) not in self.answers:
                return said(
                    N_("moderating answer {answer} of question {question}, which was never written"),
                    answer=event.answer,
                    question=index + 1,
                )
            return None
        limit = questions[index].answers
        assert limit is not None
        if event.participant not in self.known:
            return said(N_("an answer by participant {number}, who never joined"), number=repr(event.participant))
        if not isinstance(event.slot, int) or not 0 <= event.slot < limit.max_answers:
            return said(
                N_("an answer in slot {slot} of question {question}, which takes {most}"),
                slot=repr(event.slot),
                question=index + 1,
                most=limit.max_answers,
            )
        text = event.text
        if text is not None:
            # The same checks as a live answer: a row the hub would have refused is never sent on.
            if not isinstance(text, str):
                return said(
                    N_("answer {answer} of question {question} whose text is {kind}"),
                    answer=event.answer,
                    question=index + 1,
                    kind=type(text).__name__,
                )
            if clean_answer(text) != text or looks_blank(text):
                return said(
                    N_("answer {answer} of question {question} with text no live answer could have: {text}"),
                    answer=event.answer,
                    question=index + 1,
                    text=f"{text!r:.40}",
                )
            if len(text) > limit.max_length:
                return said(
                    N_("answer {answer} of question {question} of {length} characters (the question takes {most})"),
                    answer=event.answer,
                    question=index + 1,
                    length=len(text),
                    most=limit.max_length,
                )
        owner = self.answers.setdefault((index, event.answer), (event.participant, event.slot))
        if owner != (event.participant, event.slot):
            return said(
                N_("answer {answer} of question {question} claimed by another participant or slot"),
                answer=event.answer,
                question=index + 1,
            )
        return None

    def sound(self, logged: Iterable[Logged], flaws: list[Flaw]) -> Iterator[Logged]:
        """The rows that can be replayed; each one that cannot goes into ``flaws``."""
        for row, at, event in logged:
            problem = self.problem(event)
            if problem is None:
                yield row, at, event
            else:
                flaws.append(Flaw(row, problem))


def _human(index: object) -> str:
    return str(index + 1) if isinstance(index, int) else repr(index)
