"""The ballots: each question's tally and whether it takes votes, and the rules of a vote.

Tallies are kept incrementally (:func:`set_vote`: a vote moves one count, it never recounts). A vote
is checked in one order (:func:`vote_refusal`, then :func:`picks_refusal` for a pick-several
vote), the order docs/protocol.md lists. Pure: :class:`~coproterm.core.session.Session` holds the
states and applies the events.
"""

from __future__ import annotations

from dataclasses import dataclass

from coproterm.core.boards import Deck, Kind, Question
from coproterm.core.client_messages import Vote
from coproterm.core.refusals import Refusal
from coproterm.core.roster import Participant


@dataclass(slots=True)
class QuestionState:
    """Whether a question takes votes, whether its results show, and its tally."""

    counts: list[int]
    open: bool = True
    revealed: bool = False
    people: int = 0
    """Participants with a vote on the question (a pick-several vote counts once here, once per position in counts)."""
    moderated: bool = False
    """Written answers wait for the facilitator's approval (the deck's ``moderated``, or the host's toggle)."""


def starts_moderated(question: Question) -> bool:
    """Whether a question's written answers wait for approval from the start (the deck says so)."""
    return question.answers is not None and question.answers.moderated


def vote_refusal(
    vote: Vote, current: int, deck: Deck, questions: list[QuestionState]
) -> tuple[Refusal, tuple[int, ...]] | None:
    """Why a vote cannot count, checked in this order (docs/protocol.md lists it), or None."""
    if vote.question >= len(questions):
        return Refusal.NO_SUCH_QUESTION, (vote.question + 1,)
    if vote.question != current:
        return Refusal.NOT_CURRENT, ()
    question = deck.questions[vote.question]
    if question.kind is Kind.DISCUSSION:
        return Refusal.NOTHING_TO_CAST, ()
    if question.kind is Kind.TEXT:
        return Refusal.WRITTEN_NOT_VOTES, ()
    if vote.choice is not None and question.several:
        return Refusal.SEVERAL_IN_ONE_CHOOSE, (question.pick,)
    if vote.choice is not None and vote.choice >= question.cells:
        return Refusal.NO_SUCH_CELL, ()
    if not questions[vote.question].open:
        return Refusal.LOCKED, ()
    return None


def picks_refusal(question: Question, picks: int) -> tuple[Refusal, tuple[int, ...]] | None:
    """Why a pick-several vote's mask cannot count on ``question`` (after the checks every vote has), or None."""
    if not question.several:
        return Refusal.ONE_POSITION, ()
    if picks >> question.cells:
        return Refusal.NO_SUCH_POSITION, (question.cells,)
    if picks.bit_count() > question.pick:
        return Refusal.TOO_MANY_PICKS, (question.pick,)
    return None


def set_vote(status: QuestionState, asked: Question, member: Participant, question: int, choice: int | None) -> None:
    """Cast, move or take back ``member``'s vote on ``question``: one count moves, nothing is recounted."""
    cells_of = asked.chosen  # one cell, or each position of a pick-several mask
    before = member.votes.get(question)
    if before is not None:
        for cell in cells_of(before):
            status.counts[cell] -= 1
        status.people -= 1
    if choice is None:
        member.votes.pop(question, None)
    else:
        for cell in cells_of(choice):
            status.counts[cell] += 1
        status.people += 1
        member.votes[question] = choice
