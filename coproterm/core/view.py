"""What a client knows of a session: the hub's messages folded into one view.

Both faces (the participant app and the host dashboard) keep a
:class:`SessionView` and redraw from it; it does no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from coproterm.core.boards import Deck, Question
from coproterm.core.deck import deck_from_data
from coproterm.core.wire import Ack, Ballot, Error, Message, Role, State, Tally, Turnout, Welcome


@dataclass
class SessionView:
    """The latest of everything the hub told this client."""

    deck: Deck | None = None
    role: Role | None = None
    resume: bytes | None = None
    state: State | None = None
    tally: Tally | None = None
    turnout: Turnout | None = None
    """Participants connected and voted (hosts only)."""
    votes: dict[int, int] = field(default_factory=dict)
    """This participant's accepted votes: question index to cell."""
    pending: dict[int, tuple[int, int | None]] = field(default_factory=dict)
    """Votes sent and not yet answered: seq to (question, choice)."""
    last_error: Error | None = None
    join_code: str = ""
    """The session's join code (hosts are told it)."""
    code_required: bool = False

    @property
    def question(self) -> Question | None:
        """The current question, once welcomed."""
        if self.deck is None or self.state is None:
            return None
        return self.deck.questions[self.state.current]

    @property
    def current_tally(self) -> Tally | None:
        """The tally of the current question, if this client may see it now."""
        if self.tally is None or self.state is None or self.tally.question != self.state.current:
            return None
        if self.role is not Role.HOST and not self.state.revealed:
            return None
        return self.tally

    def my_vote(self, question: int | None = None) -> int | None:
        if question is None:
            question = self.state.current if self.state else 0
        return self.votes.get(question)

    def sent(self, seq: int, question: int, choice: int | None) -> None:
        """Remember a vote that was sent, until the hub answers it."""
        self.pending[seq] = (question, choice)

    def is_pending(self, question: int) -> bool:
        return any(q == question for q, _ in self.pending.values())

    def apply(self, message: Message) -> None:
        """Fold one message from the hub into the view."""
        match message:
            case Welcome():
                self.deck = deck_from_data(message.deck, "<the hub's deck>")
                self.role = message.role
                self.resume = message.resume or self.resume
                self.votes = {q: c for q, c in enumerate(message.votes) if c is not None}
                self.join_code = message.code or ""
                self.code_required = message.code_required
                self.pending.clear()
                self.tally = None
            case State():
                self.state = message
            case Tally():
                self.tally = message
            case Turnout():
                self.turnout = message
            case Ack():
                answered = self.pending.pop(message.seq, None)
                if answered is not None:
                    question, choice = answered
                    if choice is None:
                        self.votes.pop(question, None)
                    else:
                        self.votes[question] = choice
                self.last_error = None
            case Error():
                if message.seq is not None:
                    self.pending.pop(message.seq, None)
                self.last_error = message
            case Ballot():
                if message.choice is None:
                    self.votes.pop(message.question, None)
                else:
                    self.votes[message.question] = message.choice
