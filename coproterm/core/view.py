"""What a client knows of a session: the hub's messages folded into one view.

Both faces (the participant app and the host dashboard) keep a
:class:`SessionView` and redraw from it; it does no I/O. Only the app that owns
a view changes it (with :meth:`SessionView.apply`, :meth:`SessionView.sent` and
:meth:`SessionView.unsent`); screens read it.

Every text that arrives from the hub is cleaned here, once, before anything can
draw it: a rogue hub's deck must not reach the terminal with escapes in it.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any

from coproterm.core.answer_view import AnswerView, clean_answer
from coproterm.core.boards import Deck, Question
from coproterm.core.client_messages import Mark, Marking
from coproterm.core.countdown import Countdown
from coproterm.core.deck import DeckError, deck_from_data, localise
from coproterm.core.hub_messages import (
    Ack,
    Added,
    Agreement,
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
from coproterm.core.i18n import ENGLISH, N_, Language, language
from coproterm.core.movement import Movement
from coproterm.core.wire import Message
from coproterm.core.wire_checks import ProtocolError
from coproterm.core.wire_terms import LANGUAGE_CODES, MAX_MARKS, Role, Stance

RESET_NOTICE = N_("the facilitator cleared the votes on this question")

MARKS_WAIT = 10.0
"""Seconds a participant's marks may wait here for more before the app sends them (:meth:`SessionView.mark`)."""


@dataclass(frozen=True, slots=True)
class Offer:
    """In an agreement round: the one answer this participant is to mark now, as every face shows it."""

    question: int
    open: bool
    """False: the round closed."""
    answer: int
    """The answer's id; 0 (``text`` empty): none is left to mark (for now)."""
    text: str
    left: int
    """Answers still to mark, this one among them."""


def clean_text(text: str, *, lines: bool = True) -> str:
    """``text`` with nothing a terminal would act on: no escapes, control, format or bidi characters.

    Line breaks survive where ``lines`` (a deck's notes have paragraphs); every other
    space-like character becomes a plain space.
    """
    if text.isprintable() or (lines and all(line.isprintable() for line in text.split("\n"))):
        return text  # nothing to take out (printable: no control, format or separator but the space)
    kept = []
    for ch in text:
        if ch == "\n" and lines:
            kept.append(ch)
        elif ch.isspace():
            kept.append(" ")
        elif unicodedata.category(ch)[0] != "C":
            kept.append(ch)
    return "".join(kept)


def _hub_deck(data: Mapping[str, Any]) -> Deck:
    """The deck a welcome (or a translation) carries, cleaned (:func:`_cleaned`): checked here, once, as a deck
    file is (the codec only sees a map); :class:`ProtocolError` if it does not check out."""
    try:
        return deck_from_data(data, "<the hub's deck>")
    except (DeckError, ValueError, TypeError, KeyError, IndexError, AttributeError) as error:
        raise ProtocolError(f"the hub's deck is not valid: {error}") from None


def _cleaned(data: Any) -> Any:
    """Every string in a decoded structure, cleaned (keys included)."""
    if isinstance(data, str):
        return clean_text(data)
    if isinstance(data, dict):
        return {_cleaned(key): _cleaned(value) for key, value in data.items()}
    if isinstance(data, (list, tuple)):
        return type(data)(_cleaned(item) for item in data)
    return data


@dataclass
class SessionView:
    """The latest of everything the hub told this client."""

    deck: Deck | None = None
    """The hub's deck as :attr:`language` reads it (:meth:`speak` changes both)."""
    role: Role | None = None
    resume: bytes | None = None
    state: State | None = None
    tally: Tally | None = None
    people: VoterCount | None = None
    moves: Moves | None = None
    """Before and after on the current question, if it is compared with an earlier one (hosts only)."""
    """How many people chose on a pick-several question (its tally counts positions)."""
    turnout: Turnout | None = None
    """Participants connected and voted (hosts only)."""
    joined: int | None = None
    """Participants who have joined, away or not (hosts only; from Attendance)."""
    over_ssh: int = 0
    """Participants connected now over SSH (hosts only; from Attendance)."""
    plain: int = 0
    """Participants connected now in plain mode (hosts only; from Attendance)."""
    votes: dict[int, int] = field(default_factory=dict)
    """This participant's accepted votes: question index to cell."""
    pending: dict[int, tuple[int, int | None]] = field(default_factory=dict)
    """Votes sent and not yet answered: seq to (question, choice)."""
    answered: dict[int, int] = field(default_factory=dict)
    """The latest seq the hub accepted a vote of, by question: an older answer arriving late changes nothing."""
    refusal: Error | None = None
    """The hub's latest refusal of something this client sent; gone once it no longer applies."""
    refused_question: int | None = None
    """The question the refusal was about (None when it was about no question)."""
    notice: tuple[int, str] | None = None
    """Something the hub did to this participant's vote, and the question it did it on."""
    join_code: str = ""
    """The session's join code (hosts are told it)."""
    language: Language = field(default_factory=lambda: language(ENGLISH))
    """The language this client reads the deck in."""
    hub_deck: Deck | None = None
    """The deck as the hub sent it: in both languages, or in :attr:`deck_language`'s words only."""
    deck_language: str | None = None
    """The one language the hub sent the deck in (None: both); another needs its :class:`Translated`."""
    _asked: str | None = None
    """The language the last hello asked the deck in."""
    hub_data: dict[str, Any] = field(default_factory=dict)
    """The same deck in its plain form (cleaned), to add a question asked on the spot to."""
    code_required: bool = False
    written: AnswerView = field(default_factory=AnswerView)
    """Written answers: this participant's own and the room's wall, or a host's answers."""
    seen: dict[int, tuple[int, ...]] = field(default_factory=dict)
    """Each question's tally as this client last saw it revealed (what a take-home record may show of the room)."""
    seen_people: dict[int, int] = field(default_factory=dict)
    """On a pick-several question, how many people had chosen when its tally was last seen revealed."""
    seen_words: dict[int, tuple[tuple[str, int], ...]] = field(default_factory=dict)
    """Each open question's most used words as this client last saw the wall revealed."""
    added_at: int | None = None
    """Where the latest question asked on the spot went (its index), as the hub said."""
    to_mark: ToMark | None = None
    """In an agreement round: the answers this participant is to mark next, as the hub last said (texts cleaned)."""
    marks_held: list[Marking] = field(default_factory=list)
    """Marks made here and not yet sent (they go together: :meth:`marks_due`, :meth:`send_marks`)."""
    marks_sent: dict[int, tuple[Marking, ...]] = field(default_factory=dict)
    """Marks sent and not yet acknowledged, by ``seq``."""
    marks_again: bool = False
    """The held marks include some that could not go, or went unacknowledged: they go with the next offer."""
    agreement: Agreement | None = None
    """Hosts: the marks of the current question's agreement round, as the hub last said."""
    countdown: Countdown | None = None
    """The hub's latest countdown and when it arrived (set by :meth:`arrived`: the view reads no clock)."""
    _timer: Timer | None = field(default=None, init=False, repr=False)

    def arrived(self, now: float) -> None:
        """The app's steady clock when the message just applied arrived: a countdown counts from it."""
        if self._timer is not None:
            self.countdown = Countdown(self._timer, now)
            self._timer = None

    def time_left(self, now: float) -> int | None:
        """Whole seconds left on the current question's countdown at ``now`` (the app's steady clock); None: none."""
        countdown, state = self.countdown, self.state
        if countdown is None or state is None or not countdown.shows_on(state.current):
            return None
        return countdown.left(now)

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

    @property
    def current_to_mark(self) -> Offer | None:
        """The agreement round on the current question as this participant sees it (None: no round on it): the
        first answer of the hub's latest offer not yet marked here."""
        offered = self.to_mark
        if offered is None or self.state is None or offered.question != self.state.current:
            return None
        if not offered.open:
            return Offer(offered.question, False, 0, "", 0)
        done = self._marked_here()
        items = offered.items or ()
        waiting = [item for item in items if item[0] not in done]
        left = max(offered.left - (len(items) - len(waiting)), 0)
        if not waiting:
            return Offer(offered.question, True, 0, "", left)
        return Offer(offered.question, True, waiting[0][0], waiting[0][1], left)

    def _marked_here(self) -> set[int]:
        """Answers marked here that the hub may not have counted yet."""
        done = {answer for answer, _ in self.marks_held}
        for marks in self.marks_sent.values():
            done.update(answer for answer, _ in marks)
        return done

    def mark(self, answer: int, stance: Stance) -> None:
        """The participant marked the answer offered (:attr:`current_to_mark`): held here until :meth:`marks_due`
        (the next answer shows at once). The app sends what is held when it is due, and at the latest
        :data:`MARKS_WAIT` seconds after the last mark."""
        self.marks_held = [held for held in self.marks_held if held[0] != answer] + [(answer, stance)]

    @property
    def marks_due(self) -> bool:
        """Whether the held marks should go now: the offer on the current question is running low (one answer or
        none unmarked), as many are held as a frame carries, or they could not go before (the link dropped)."""
        offer = self.current_to_mark
        if not self.marks_held or offer is None or self.to_mark is None or not offer.open:
            return False
        if self.marks_again or len(self.marks_held) >= MAX_MARKS:
            return True
        done = self._marked_here()
        return sum(1 for item in self.to_mark.items or () if item[0] not in done) <= 1

    def send_marks(self, seq: int) -> Mark | None:
        """The held marks as one frame numbered ``seq``, counted as sent from now on; None: none held, or no offer
        yet since a new welcome (they wait for it)."""
        offered = self.to_mark
        if not self.marks_held or offered is None or self.state is None:
            return None
        if offered.question != self.state.current or not offered.open:
            self.marks_held = []  # the round closed or the room moved on: nothing could count them now
            return None
        held, self.marks_held = self.marks_held[:MAX_MARKS], self.marks_held[MAX_MARKS:]
        self.marks_sent[seq] = tuple(held)
        self.marks_again = bool(self.marks_held)
        return Mark(seq, offered.question, tuple(held))

    def marks_unsent(self, seq: int) -> None:
        """The frame ``seq`` could not go (no connection): its marks are held again, to go once there is one."""
        self.marks_held = [*self.marks_sent.pop(seq, ()), *self.marks_held]
        self.marks_again = True

    @property
    def current_agreement(self) -> Agreement | None:
        """Hosts: the current question's agreement round (None: none was opened on it)."""
        if self.agreement is None or self.state is None or self.agreement.question != self.state.current:
            return None
        return self.agreement

    @property
    def current_people(self) -> int | None:
        """On a pick-several question, how many people chose (None on other questions, or before the hub said)."""
        question, state, people = self.question, self.state, self.people
        if question is None or state is None or people is None or not question.several:
            return None
        return people.people if people.question == state.current else None

    @property
    def current_movement(self) -> Movement | None:
        """The room's move on the current question, if it is compared with an earlier one and the hub said."""
        question, state, moves = self.question, self.state, self.moves
        if question is None or state is None or moves is None or question.x is None or moves.question != state.current:
            return None
        if len(moves.counts) != question.x.size**2:
            return None
        return Movement(question.x.size, moves.counts)

    def own_move(self) -> tuple[int, int] | None:
        """This participant's (before, after) on the current question, if it is compared and they answered both."""
        question = self.question
        if question is None or question.compare is None or self.state is None:
            return None
        before, after = self.votes.get(question.compare), self.votes.get(self.state.current)
        return None if before is None or after is None else (before, after)

    @property
    def current_notice(self) -> str | None:
        """What the hub did to this participant's vote on the current question, if anything."""
        if self.notice is None or self.state is None or self.notice[0] != self.state.current:
            return None
        return self.notice[1]

    def my_vote(self, question: int | None = None) -> int | None:
        """This participant's accepted vote on ``question`` (the current one by default)."""
        if question is None:
            question = self.state.current if self.state else 0
        return self.votes.get(question)

    def latest_vote(self, question: int | None = None) -> int | None:
        """The vote on ``question`` as this client last sent it, else as the hub accepted it.

        A pick-several vote is a whole set of positions: the next one must build on the
        set still on its way, or a quick second pick would undo the first.
        """
        if question is None:
            question = self.state.current if self.state else 0
        for seq in sorted(self.pending, reverse=True):
            asked, choice = self.pending[seq]
            if asked == question:
                return choice
        return self.my_vote(question)

    def sent(self, seq: int, question: int, choice: int | None) -> None:
        """Remember a vote that was sent, until the hub answers it."""
        self.pending[seq] = (question, choice)
        self.notice = None

    def unsent(self, seq: int) -> None:
        """Forget a vote that could not be sent after all."""
        self.pending.pop(seq, None)

    def is_pending(self, question: int) -> bool:
        """Whether a vote on ``question`` is on its way and not answered yet."""
        return any(q == question for q, _ in self.pending.values())

    def hello_language(self) -> str | None:
        """The language to ask the hub's deck in (None: both, for one reading both), remembered."""
        self._asked = self.language.code if self.language.code in LANGUAGE_CODES else None
        return self._asked

    def speak(self, chosen: Language) -> None:
        """Read the deck (and so every question, label and help) in another language."""
        self.language = chosen
        if self.hub_deck is not None:
            self.deck = localise(self.hub_deck, chosen)

    def _saw(self) -> None:
        """Remember the current question's tally if the room's results are revealed to this participant now."""
        tally, state = self.current_tally, self.state
        if tally is None or state is None or not state.revealed:
            return
        self.seen[tally.question] = tally.counts
        people = self.current_people
        if people is not None:
            self.seen_people[tally.question] = people

    def _take_deck(self, data: dict[str, Any]) -> None:
        """Hold the hub's deck (a welcome's, or grown by a question asked on the spot), checked as a deck file is."""
        deck = _hub_deck(data)
        self.hub_data = data
        self.hub_deck = deck
        self.deck = localise(deck, self.language)

    def _renumber(self, position: int) -> None:
        """A question went in at ``position``: what this view kept by question number moves with its question
        (its own ballots and answers, what it showed, what it sent and the countdown's question)."""
        from coproterm.core.asked import renumbered, shifted  # here: with a question asked on the spot only

        moved = partial(renumbered, position=position)
        self.votes = shifted(self.votes, position)
        self.answered = shifted(self.answered, position)
        self.pending = {seq: (moved(question), choice) for seq, (question, choice) in self.pending.items()}
        self.seen = shifted(self.seen, position)
        self.seen_people = shifted(self.seen_people, position)
        self.seen_words = shifted(self.seen_words, position)
        if self.refused_question is not None:
            self.refused_question = moved(self.refused_question)
        if self.notice is not None:
            self.notice = (moved(self.notice[0]), self.notice[1])
        # Not the state, tally, people, moves or wall: the hub's latest of those is what it means now (the current
        # question is before the new one, and a frame the same as the last one sent is not sent again).
        if self._timer is not None:
            self._timer = replace(self._timer, question=moved(self._timer.question))
        if self.countdown is not None:
            timer = self.countdown.timer
            self.countdown = replace(self.countdown, timer=replace(timer, question=moved(timer.question)))
        self.written.renumber(position)

    def apply(self, message: Message) -> None:
        """Fold one message from the hub into the view.

        :class:`ProtocolError` if the message makes no sense to this client (a deck
        that does not validate): the hub is not one this app can talk to.
        """
        match message:
            case Welcome():
                self._take_deck(_cleaned(dict(message.deck)))
                self.deck_language = self._asked
                self.role = message.role
                self.resume = message.resume or self.resume
                self.votes = {q: c for q, c in enumerate(message.votes) if c is not None}
                self.join_code = clean_text(message.code or "", lines=False)
                self.code_required = message.code_required
                self.pending.clear()
                self.answered.clear()
                self.tally = None
                self.written = AnswerView()
                self.added_at = None  # a new connection: the deck the welcome carried is numbered as it is now
                self.to_mark = self.agreement = None  # the hub says them again after a welcome
                # Marks that went unacknowledged go again (a mark sent twice counts once).
                self.marks_held = [m for marks in self.marks_sent.values() for m in marks] + self.marks_held
                self.marks_sent = {}
                self.marks_again = bool(self.marks_held)
            case Added():
                count = len(self.hub_deck.questions) if self.hub_deck is not None else -1
                if count >= message.total > 0:
                    return  # had already: a translation of the deck brought it first
                if count < 0 or message.total != count + 1 or not 0 <= message.question <= count:
                    raise ProtocolError(f"the hub added question {message.question + 1} to a deck this app lacks")
                # Here, not at the top: a question asked on the spot is rare, and an app's first question comes sooner
                # without the hub's event records.
                from coproterm.core.asked import with_added
                from coproterm.core.events import Added as AddedEvent

                scale = message.scale
                added = AddedEvent(
                    _cleaned(dict(message.entry)),
                    (_cleaned(scale[0]), _cleaned(dict(scale[1]))) if scale else None,
                    message.question,
                )
                self._take_deck(with_added(self.hub_data, added))
                self._renumber(message.question)
                self.added_at = message.question
            case State():
                if self.deck is not None and not 0 <= message.current < len(self.deck.questions):
                    raise ProtocolError(f"the hub moved to question {message.current + 1}, which its deck lacks")
                before = self.state
                self.state = message
                if not message.revealed or (before is not None and before.current != message.current):
                    self.written.end_wall()
                if before is None or (before.current, before.open) != (message.current, message.open):
                    self.refusal = self.refused_question = None  # a refusal of a locked vote ends with the lock
                self._saw()
            case Tally():
                self.tally = message
                self._saw()
            case VoterCount():
                self.people = message
                self._saw()
            case Moves():
                self.moves = message
            case Turnout():
                self.turnout = message
            case Attendance():
                self.joined = message.joined
                self.over_ssh = message.over_ssh
                self.plain = message.plain
            case Answers() | Wall() | YourAnswers() | Moderation():
                self.written.apply(message)
                if isinstance(message, Wall) and self.written.words:
                    self.seen_words[message.question] = self.written.words
            case ChosenLanguage():
                self.speak(language(message.language))
            case Translated():
                data = _cleaned(dict(message.deck))
                deck = _hub_deck(data)
                # The hub sends a question's Added before any Translated that holds it: renumbering is the Added's.
                if self.hub_deck is not None and len(deck.questions) < len(self.hub_deck.questions):
                    raise ProtocolError("the hub's deck in another language has other questions")
                self.hub_data = data
                self.hub_deck = deck
                self.deck_language = message.language
                self.deck = localise(deck, self.language)
            case ToMark():
                if not message.open or (self.to_mark is not None and self.to_mark.question != message.question):
                    self.marks_held = []  # the round closed, or another opened: nothing could count them now
                if message.items is not None:
                    self.to_mark = replace(message, items=tuple((a, clean_answer(t)) for a, t in message.items))
                elif self.to_mark is not None and self.to_mark.question == message.question:
                    self.to_mark = replace(self.to_mark, open=message.open, left=message.left)  # the same offer
                else:
                    raise ProtocolError("a count of answers to mark with no offer held")
            case Agreement():
                self.agreement = message
            case Timer():
                if self.deck is not None and message.question >= len(self.deck.questions):
                    raise ProtocolError(f"a countdown on question {message.question + 1}, which the deck lacks")
                self._timer = message  # counted from when it arrived: the app says (arrived)
            case Ack():
                self.written.acked(message.seq)
                self.marks_sent.pop(message.seq, None)
                answered = self.pending.pop(message.seq, None)
                if answered is not None:
                    question, choice = answered
                    if message.seq < self.answered.get(question, -1):
                        pass  # a later vote on this question was answered first: it is the one that stands
                    elif choice is None:
                        self.votes.pop(question, None)
                    else:
                        self.votes[question] = choice
                    self.answered[question] = max(message.seq, self.answered.get(question, -1))
                self.refusal = self.refused_question = None
            case Error():
                if message.seq is not None:
                    self.marks_sent.pop(message.seq, None)
                refused = self.pending.pop(message.seq, None) if message.seq is not None else None
                unwritten = self.written.refused(message.seq) if message.seq is not None else None
                self.refusal = message  # worded by the face: no words travel
                self.refused_question = refused[0] if refused is not None else unwritten
            case Ballot():
                had = self.votes.get(message.question)
                if message.choice is None:
                    self.votes.pop(message.question, None)
                    if had is not None:
                        self.notice = (message.question, RESET_NOTICE)
                else:
                    self.votes[message.question] = message.choice
