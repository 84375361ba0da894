"""Open answers: what the room writes to a text question, its moderation, and what each audience sees.

Pure bookkeeping for :class:`~coproterm.core.session.Session`. Each text
question has an :class:`AnswerBook`: every answer by its id (numbers from 1,
never reused in a session), each participant's answers by *slot* (0 to the
question's ``max_answers`` - 1: sending to a slot again edits that answer), the
word counts of the answers participants may see (neither hidden, removed nor
waiting for approval: :attr:`HeldAnswer.visible`, the one place that decides),
and a change stamp per answer, so a host is sent only what changed since its
last frame (:meth:`AnswerBook.changes_since`) and participants the latest
:data:`WALL_ANSWERS` visible answers and the top :data:`WALL_WORDS` words
(:meth:`AnswerBook.wall`).

Every change comes from an event (:class:`~coproterm.core.events.Answered`,
:class:`~coproterm.core.events.Moderated`, :class:`~coproterm.core.events.Approved`) applied by
:meth:`AnswerBook.apply`,
which returns how to undo exactly that change.
"""

from __future__ import annotations

import unicodedata
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from coproterm.core.boards import Question
from coproterm.core.client_messages import Answer as AnswerMessage
from coproterm.core.events import Answered, Approved, Moderated
from coproterm.core.refusals import Refusal
from coproterm.core.word_counts import WordCounts, words_of

MAX_WALL = 5000
"""Answers a question keeps at once (hidden ones count; removed ones do not): past it, new ones are refused."""
WALL_ANSWERS = 100
"""The latest visible answers a participant is sent: a big room cannot flood a phone."""
WALL_WORDS = 30
"""The most used words a participant is sent."""
HOST_PAGE = 200
"""Answers in one frame to a host; a longer backlog follows in the next frames."""

_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
BLANK_LOOKING = frozenset("\u115f\u1160\u17b4\u17b5\u180e\u2800\u3164\uffa0")
"""Letters and symbols a screen draws as nothing (Hangul fillers, the blank Braille pattern, Khmer
inherent vowels): an answer of only these (and combining marks, which need a letter to sit on) is empty."""


def looks_blank(text: str) -> bool:
    """Whether ``text`` (cleaned) would show as nothing: no character but spaces, blank-looking letters and marks."""
    return not any(not ch.isspace() and ch not in BLANK_LOOKING and unicodedata.category(ch)[0] != "M" for ch in text)


def clean_answer(text: str) -> str:
    """An answer safe to store and show: no control, format or bidi characters (escapes among them), spaces folded.

    Length is counted in characters (after cleaning and NFC, so ``ŵ`` typed as ``w`` and a
    combining circumflex is one character); the caller refuses what is too long, never cuts it.
    """
    text = unicodedata.normalize("NFC", text)
    kept = "".join(
        " " if ch.isspace() else ch
        for ch in text
        if ch.isspace() or (ch not in _BIDI and unicodedata.category(ch)[0] != "C")
    )
    return " ".join(kept.split())


def room_sees(*, hidden: bool, waiting: bool, removed: bool = False) -> bool:
    """Whether the room may see an answer: the one rule the hub's wall, every face's view and the exports follow.

    Hidden by the facilitator, taken back by its writer, or waiting for the facilitator's approval
    (a moderated question's) is not seen; anything else is.
    """
    return not (hidden or removed or waiting)


@dataclass(slots=True)
class HeldAnswer:
    """One written answer as the hub holds it."""

    id: int
    participant: int
    slot: int
    text: str
    hidden: bool = False
    """Hidden by the facilitator: kept and logged, never sent to participants nor counted in words."""
    removed: bool = False
    """Taken back by its writer (kept as a marker so hosts hear of it)."""
    stamp: int = 0
    """The book's change count when this answer last changed."""
    waiting: bool = False
    """Written to a moderated question and not approved yet: only the facilitator (and its writer) see it."""

    @property
    def visible(self) -> bool:
        """Whether the room may see it (the wall, its words, participants' results): :func:`room_sees`."""
        return room_sees(hidden=self.hidden, removed=self.removed, waiting=self.waiting)

    @property
    def queued(self) -> bool:
        """In the facilitator's queue: waiting for approval, neither hidden (turned down) nor taken back."""
        return self.waiting and not (self.hidden or self.removed)


@dataclass(frozen=True, slots=True)
class WallSnapshot:
    """What participants are shown of a revealed question: its latest visible answers and top words."""

    answers: tuple[tuple[int, int, str], ...]
    """(id, stamp, text), newest first."""
    words: tuple[tuple[str, int], ...]
    total: int
    """Visible answers in all (the wall shows at most :data:`WALL_ANSWERS`)."""


@dataclass(slots=True)
class AnswerBook:
    """Every answer to one question, kept incrementally."""

    answers: OrderedDict[int, HeldAnswer] = field(default_factory=OrderedDict)
    """By id, in the order they last changed (oldest first), removed ones included."""
    slots: dict[tuple[int, int], int] = field(default_factory=dict)
    """(participant, slot) to the id of the answer in it."""
    _by_writer: dict[int, dict[int, int]] = field(default_factory=dict)
    """The same, by participant: slot to the id of the answer in it."""
    words: WordCounts = field(default_factory=WordCounts)
    stamp: int = 0
    live: int = 0
    """Answers not removed (hidden ones included): what :data:`MAX_WALL` counts."""
    visible: int = 0
    queued: int = 0
    """Answers in the facilitator's queue (:attr:`HeldAnswer.queued`)."""
    hidden_slots: dict[tuple[int, int], int] = field(default_factory=dict)
    """(participant, slot) to a hidden answer its writer took back: writing to the slot again brings that
    answer back, still hidden (hiding follows the slot until the facilitator shows it again)."""
    _hidden_texts: dict[tuple[int, str], int] = field(default_factory=dict)
    """(participant, folded text) to how many of their hidden answers say it: the same words in another
    slot are hidden too."""
    _word_cache: dict[int, tuple[str, frozenset[str]]] = field(default_factory=dict)
    """Each answer not taken back: (its text, that text's words), worked out when the text is written, so
    approving a queue (or showing a hidden answer) only counts words it already has."""
    _wall: WallSnapshot | None = None

    # -- reading ---------------------------------------------------------------------

    def of(self, participant: int) -> dict[int, HeldAnswer]:
        """A participant's answers by slot."""
        # Kept by writer, not found by walking every slot of the room: approving a queue of 5,000 tells each of
        # 5,000 writers (a walk each took 4.3 s in all; a look at each of MAX_ANSWER_SLOTS slots, 0.1 s).
        return {slot: self.answers[answer] for slot, answer in self._by_writer.get(participant, {}).items()}

    def in_slot(self, participant: int, slot: int) -> HeldAnswer | None:
        answer = self.slots.get((participant, slot))
        return None if answer is None else self.answers[answer]

    def current(self) -> list[HeldAnswer]:
        """The answers not removed, oldest first (by id)."""
        return sorted((a for a in self.answers.values() if not a.removed), key=lambda a: a.id)

    def hides(self, participant: int, text: str) -> bool:
        """Whether one of this participant's hidden answers says ``text`` (case and spacing aside)."""
        return self._hidden_texts.get((participant, _folded(text)), 0) > 0

    def changes_since(self, stamp: int, limit: int = HOST_PAGE) -> tuple[list[HeldAnswer], int]:
        """Answers changed after ``stamp`` (oldest change first, at most ``limit``), and the stamp to ask from next."""
        changed: list[HeldAnswer] = []
        for answer in reversed(self.answers.values()):
            if answer.stamp <= stamp:
                break
            changed.append(answer)
        changed.reverse()
        page = changed[:limit]
        return page, (page[-1].stamp if len(changed) > limit else self.stamp)

    def wall(self) -> WallSnapshot:
        """The latest visible answers and the top words (kept until the next change)."""
        if self._wall is None:
            latest: list[tuple[int, int, str]] = []
            for answer in sorted(self.answers.values(), key=lambda a: -a.id):
                if answer.visible:
                    latest.append((answer.id, answer.stamp, answer.text))
                    if len(latest) == WALL_ANSWERS:
                        break
            self._wall = WallSnapshot(tuple(latest), tuple(self.words.top(WALL_WORDS)), self.visible)
        return self._wall

    # -- changing --------------------------------------------------------------------

    def _words_of(self, answer: int, text: str) -> frozenset[str]:
        """The words of an answer's text, from the cache while the text is the same."""
        cached = self._word_cache.get(answer)
        if cached is not None and cached[0] == text:
            return cached[1]
        words = words_of(text)
        self._word_cache[answer] = (text, words)
        return words

    def waiting_ids(self) -> list[int]:
        """The answers in the facilitator's queue, oldest first (by id)."""
        return sorted(a.id for a in self.answers.values() if a.queued)

    def approve(self, events: Sequence[Approved]) -> list[Callable[[], None]]:
        """Approve many answers in one pass (the facilitator's "approve all"); how to undo each, in order.

        A queued answer becomes visible: its words (worked out when it was written) are counted, it is
        stamped as changed, and nothing else about it moves; any other goes the long way (:meth:`apply`).
        """
        undos: list[Callable[[], None]] = []
        counted: list[frozenset[str]] = []
        for event in events:
            answer = self.answers.get(event.answer)
            if answer is None or not answer.queued:
                undos.append(self.apply(event))
                continue
            answer.waiting = False
            counted.append(self._words_of(answer.id, answer.text))
            self.stamp += 1
            answer.stamp = self.stamp
            self.answers.move_to_end(answer.id)
            undos.append(self._waits_again(answer))
        self.queued -= len(counted)
        self.visible += len(counted)
        self.words.add_all(counted)
        self._wall = None
        return undos

    def _waits_again(self, answer: HeldAnswer) -> Callable[[], None]:
        def undo() -> None:
            self._set(answer, answer.text, answer.hidden, answer.removed, True)

        return undo

    def apply(self, event: Answered | Moderated | Approved) -> Callable[[], None]:
        """Apply one event; return how to undo exactly it."""
        if isinstance(event, Moderated | Approved):
            moderated = self.answers.get(event.answer)
            if moderated is None:  # a damaged log's row: moderating no answer changes nothing
                return lambda: None
            before = (moderated.hidden, moderated.waiting)

            def unhide() -> None:
                self._set(moderated, moderated.text, before[0], moderated.removed, before[1])

            if isinstance(event, Approved):
                self._set(moderated, moderated.text, moderated.hidden, moderated.removed, False)
            else:
                self._set(moderated, moderated.text, event.hidden, moderated.removed, moderated.waiting)
            return unhide
        found = self.answers.get(event.answer)
        answer = (
            found if found is not None else HeldAnswer(event.answer, event.participant, event.slot, "", removed=True)
        )
        if found is None:
            answer = HeldAnswer(event.answer, event.participant, event.slot, "", removed=True)
            self.answers[answer.id] = answer
        was = (answer.text, answer.hidden, answer.removed, answer.waiting)
        if event.text is None:
            self._set(answer, answer.text, answer.hidden, True, answer.waiting)
        else:
            # A hidden answer written again stays hidden; on a moderated question, an edit waits again.
            self._set(answer, event.text, answer.hidden, False, event.waiting)

        def undo() -> None:
            self._set(answer, *was)

        return undo

    def _set(self, answer: HeldAnswer, text: str, hidden: bool, removed: bool, waiting: bool) -> None:
        """Change one answer, keeping the slots, counts, words and stamps in step."""
        where = (answer.participant, answer.slot)
        self.queued -= answer.queued
        if answer.visible:
            self.words.remove(self._words_of(answer.id, answer.text))
            self.visible -= 1
        if not answer.removed:
            self.live -= 1
            self.slots.pop(where, None)
            own = self._by_writer.get(answer.participant)
            if own is not None:
                own.pop(answer.slot, None)
                if not own:
                    del self._by_writer[answer.participant]
        if answer.hidden:
            said = (answer.participant, _folded(answer.text))
            self._hidden_texts[said] -= 1
            if not self._hidden_texts[said]:
                del self._hidden_texts[said]
        if self.hidden_slots.get(where) == answer.id:
            del self.hidden_slots[where]
        answer.text, answer.hidden, answer.removed, answer.waiting = text, hidden, removed, waiting
        self.queued += answer.queued
        if not removed:
            self.live += 1
            self.slots[where] = answer.id
            self._by_writer.setdefault(answer.participant, {})[answer.slot] = answer.id
        if hidden:
            said = (answer.participant, _folded(text))
            self._hidden_texts[said] = self._hidden_texts.get(said, 0) + 1
            if removed:
                self.hidden_slots[where] = answer.id
        if removed:
            self._word_cache.pop(answer.id, None)
        else:
            words = self._words_of(answer.id, text)
            if answer.visible:
                self.words.add(words)
                self.visible += 1
        self.stamp += 1
        answer.stamp = self.stamp
        self.answers.move_to_end(answer.id)
        self._wall = None


def _folded(text: str) -> str:
    """An answer's text as hiding compares it: case and spacing do not make it another answer."""
    return " ".join(text.casefold().split())


def wall_delta(
    before: WallSnapshot | None, after: WallSnapshot
) -> tuple[bool, tuple[tuple[int, str], ...], tuple[int, ...], tuple[tuple[str, int], ...]]:
    """What a participant who was shown ``before`` needs to see ``after``.

    (fresh, added or changed answers as (id, text), ids to drop, the words whose count changed,
    a count of 0 for a word that left the top). With ``before`` None, everything (fresh).
    """
    if before is None:
        return True, tuple((i, text) for i, _, text in after.answers), (), after.words
    had = {i: stamp for i, stamp, _ in before.answers}
    now = {i for i, _, _ in after.answers}
    added = tuple((i, text) for i, stamp, text in after.answers if had.get(i) != stamp)
    dropped = tuple(i for i in had if i not in now)
    counted = dict(before.words)
    top = dict(after.words)
    words = tuple((w, c) for w, c in after.words if counted.get(w) != c) + tuple(
        (w, 0) for w, _ in before.words if w not in top
    )
    return False, added, dropped, words


def answer_refusal(
    index: int,
    current: int,
    question: Question | None,
    is_open: bool,
    book: AnswerBook | None,
    message: AnswerMessage,
    had: HeldAnswer | None,
) -> tuple[Refusal, tuple[int, ...]] | str | None:
    """Why an answer cannot be taken, checked in the order docs/protocol.md lists, as (refusal, its values).

    Otherwise what to keep: the cleaned text, or None to take the slot's answer back.
    """
    if question is None or book is None:
        return Refusal.NO_SUCH_QUESTION, (index + 1,)
    if index != current:
        return Refusal.NOT_CURRENT, ()
    if question.answers is None:
        return Refusal.NOT_WRITTEN, ()
    if message.slot >= question.answers.max_answers:
        return Refusal.NO_SUCH_SLOT, (question.answers.max_answers,)
    if not is_open:
        return Refusal.ANSWERS_LOCKED, ()
    if message.text is None:
        return None
    text = clean_answer(message.text)
    if looks_blank(text):
        return Refusal.EMPTY_ANSWER, ()
    if len(text) > question.answers.max_length:
        return Refusal.ANSWER_TOO_LONG, (question.answers.max_length, len(text))
    if had is None and book.live >= MAX_WALL:
        return Refusal.WALL_FULL, (MAX_WALL,)
    return text
