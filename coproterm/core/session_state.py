"""What the session's message handlers read of the session they are handed.

:mod:`coproterm.core.voting`, :mod:`coproterm.core.answering` and
:mod:`coproterm.core.commanding` are plain functions that :class:`coproterm.core.session.Session`
calls with itself and its one ``_apply`` path; they know it as :class:`SessionState`, so none of
them imports session.py back (tests/test_import_circles.py).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol

from coproterm.core.agreement import Round
from coproterm.core.answers import AnswerBook
from coproterm.core.ballots import QuestionState
from coproterm.core.boards import Deck
from coproterm.core.events import Event, Timed
from coproterm.core.roster import Participant, Roster


class SessionState(Protocol):
    """The workshop as its handlers read it (:class:`coproterm.core.session.Session`)."""

    deck: Deck
    current: int
    questions: list[QuestionState]
    roster: Roster
    answers: list[AnswerBook]
    last_answer: int
    timer: Timed | None
    rounds: dict[int, Round]

    @property
    def participants(self) -> dict[bytes, Participant]: ...

    @property
    def deck_data(self) -> Mapping[str, Any]: ...

    def timer_running(self) -> bool: ...

    def applied(self, event: Event, undo: Callable[[], None]) -> None:
        """An event was applied (many at once, as approving a queue): journal how to undo it."""
        ...
