"""What a client knows of written answers: the hub's answer messages folded, for the faces to draw.

Part of :class:`coproterm.core.view.SessionView` (its ``written``). Every text
from the hub is cleaned here before anything can draw it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from coproterm.core.hub_messages import AnswerItem, Answers, Moderation, Wall, YourAnswers
from coproterm.core.word_counts import WordCounts, words_of


def clean_answer(text: str) -> str:
    """An answer as the hub cleans it (:func:`coproterm.core.answers.clean_answer`), loaded with the first
    answer shown: the hub's rules for answers are not among what a participant's first question waits for."""
    from coproterm.core.answers import clean_answer as cleaned

    return cleaned(text)


@dataclass(slots=True)
class HostAnswer:
    """An answer on the host's wall."""

    id: int
    participant: int
    text: str
    hidden: bool
    waiting: bool = False
    """Waiting for the facilitator's approval (a moderated question): in the queue, not on the wall."""

    @property
    def visible(self) -> bool:
        """Whether the room sees it (the projected wall shows only these): the hub's own rule."""
        from coproterm.core.answers import room_sees  # loaded with the first answer, as clean_answer is

        return room_sees(hidden=self.hidden, waiting=self.waiting)

    @property
    def queued(self) -> bool:
        """In the facilitator's queue: waiting, and not turned down (hidden)."""
        return self.waiting and not self.hidden


@dataclass
class AnswerView:
    """A participant's own answers and the room's wall; a host's answers to the current question."""

    mine: dict[int, dict[int, str]] = field(default_factory=dict)
    """This participant's accepted answers: question to slot to text."""
    mine_hidden: dict[int, frozenset[int]] = field(default_factory=dict)
    """Question to the slots of this participant's answers the facilitator hid (shown to them as hidden)."""
    mine_waiting: dict[int, frozenset[int]] = field(default_factory=dict)
    """Question to the slots of this participant's answers that wait for the facilitator's approval."""
    pending: dict[int, tuple[int, int, str | None]] = field(default_factory=dict)
    """Answers sent and not yet answered: seq to (question, slot, text or None to take back)."""
    wall_question: int | None = None
    wall: dict[int, str] = field(default_factory=dict)
    """The revealed wall (participants): id to text."""
    words: tuple[tuple[str, int], ...] = ()
    wall_total: int = 0
    host_question: int | None = None
    host_answers: dict[int, HostAnswer] = field(default_factory=dict)
    """Every answer to the current question (hosts): id to answer."""
    host_total: int = 0
    host_words: WordCounts = field(default_factory=WordCounts)
    """The words of the host's answers that are not hidden, counted as each answer changes (never recounted:
    a wall of 5,000 answers once took 425 ms a change to recount)."""
    host_hidden: int = 0
    """How many of the host's answers are hidden."""
    host_queued: int = 0
    """How many of the host's answers wait for approval (hidden ones not counted): the queue."""
    moderation: Moderation | None = None
    """Whether the current question is moderated, and the hub's count of what waits (hosts only)."""
    host_revision: int = 0
    """Counts the host's answer messages folded: a face redraws only when it moved."""
    _host_counted: dict[int, frozenset[str]] = field(default_factory=dict)
    """The words each answer added to :attr:`host_words` (what to take away when it changes)."""

    def renumber(self, position: int) -> None:
        """A question went in at ``position``: this participant's own answers from there on are numbered one more."""
        from coproterm.core.asked import renumbered, shifted  # here: with a question asked on the spot only

        self.mine = shifted(self.mine, position)
        self.mine_hidden = shifted(self.mine_hidden, position)
        self.mine_waiting = shifted(self.mine_waiting, position)
        self.pending = {
            seq: (renumbered(question, position), slot, text) for seq, (question, slot, text) in self.pending.items()
        }
        # Not the wall's or the host's question: those follow the current question, which the new one is after.

    def apply(self, message: Answers | Wall | YourAnswers | Moderation) -> None:
        """Fold one answer message from the hub."""
        match message:
            case Moderation():
                self.moderation = message
                self.host_revision += 1
            case YourAnswers():
                self.mine[message.question] = {slot: clean_answer(text) for slot, text in message.answers}
                self.mine_hidden[message.question] = frozenset(message.hidden)
                self.mine_waiting[message.question] = frozenset(message.waiting)
            case Wall():
                if message.fresh or self.wall_question != message.question:
                    self.wall.clear()
                    self.words = ()
                self.wall_question = message.question
                for answer in message.dropped:
                    self.wall.pop(answer, None)
                for answer, text in message.added:
                    self.wall[answer] = clean_answer(text)
                if message.words:
                    counts = dict(self.words)
                    for word, count in message.words:
                        if count:
                            counts[clean_answer(word)] = count
                        else:
                            counts.pop(clean_answer(word), None)
                    # The hub's own order: most used first, then alphabetical.
                    self.words = tuple(sorted(counts.items(), key=lambda item: (-item[1], item[0])))
                self.wall_total = message.total
            case Answers():
                if message.fresh or self.host_question != message.question:
                    self.host_answers.clear()
                    self.host_words = WordCounts()
                    self._host_counted.clear()
                    self.host_hidden = 0
                    self.host_queued = 0
                self.host_revision += 1
                self.host_question = message.question
                for item in message.items:
                    self._host_item(item)
                self.host_total = message.total

    def _host_item(self, item: AnswerItem) -> None:
        self.host_words.remove(self._host_counted.pop(item.id, frozenset()))
        was = self.host_answers.get(item.id)
        self.host_hidden -= was is not None and was.hidden
        self.host_queued -= was is not None and was.queued
        if item.text is None:
            self.host_answers.pop(item.id, None)
        else:
            answer = HostAnswer(item.id, item.participant, clean_answer(item.text), item.hidden, item.waiting)
            self.host_answers[item.id] = answer
            self.host_hidden += answer.hidden
            self.host_queued += answer.queued
            if answer.visible:
                words = words_of(answer.text)
                self._host_counted[item.id] = words
                self.host_words.add(words)

    def end_wall(self) -> None:
        """The question moved on or its results were hidden: the wall is gone."""
        self.wall_question = None
        self.wall.clear()
        self.words = ()
        self.wall_total = 0

    def sent(self, seq: int, question: int, slot: int, text: str | None) -> None:
        """Remember an answer that was sent, until the hub answers it."""
        self.pending[seq] = (question, slot, text)

    def acked(self, seq: int) -> bool:
        """The hub took answer ``seq``; False if ``seq`` was not an answer."""
        sent = self.pending.pop(seq, None)
        if sent is None:
            return False
        question, slot, text = sent
        own = self.mine.setdefault(question, {})
        if text is None:
            own.pop(slot, None)
            self.mine_hidden[question] = self.mine_hidden.get(question, frozenset()) - {slot}
            self.mine_waiting[question] = self.mine_waiting.get(question, frozenset()) - {slot}
        else:
            own[slot] = clean_answer(text)
        return True

    def refused(self, seq: int) -> int | None:
        """The hub refused answer ``seq``: forget it; the question it was about (None: not an answer)."""
        sent = self.pending.pop(seq, None)
        return None if sent is None else sent[0]

    def newest_first(self) -> list[tuple[int, str]]:
        """The wall, newest first (ids grow with time)."""
        return sorted(self.wall.items(), key=lambda item: -item[0])

    def host_newest_first(self) -> list[HostAnswer]:
        return sorted(self.host_answers.values(), key=lambda a: -a.id)

    def queue(self) -> list[HostAnswer]:
        """The answers waiting for the facilitator's approval, oldest first (the order they came in)."""
        return sorted((a for a in self.host_answers.values() if a.queued), key=lambda a: a.id)

    def free_slot(self, question: int, most: int) -> int | None:
        """The first slot of ``question`` with no answer (accepted or on its way), None when all are used."""
        used = set(self.mine.get(question, {})) | {s for q, s, _ in self.pending.values() if q == question}
        return next((slot for slot in range(most) if slot not in used), None)
