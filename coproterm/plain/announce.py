"""Announcements: each change the room would see on screen, said once, in one short line.

:class:`Watcher` remembers what it last said of the session (the question, whether it
is open, whether its results are shown, the hub's alert, the connection) and says only
what differs, so coming back after a dropped connection, or a burst of the same state,
says nothing twice.
"""

from __future__ import annotations

from typing import Protocol

from coproterm.client.link import Link, LinkStatus, Phase
from coproterm.core.alerts import words as alert_words
from coproterm.core.asked import renumbered, shifted
from coproterm.core.boards import Kind
from coproterm.core.countdown import Cue, clock_text, cues_between
from coproterm.core.i18n import N_, Language
from coproterm.core.view import SessionView
from coproterm.plain.paragraphs import MODERATED, UNMODERATED, Paragraph, choice_words, marking_line

MOVED = N_("The facilitator moved to question {number}.")
LOCKED_NOW = N_("Voting is now locked.")
OPEN_AGAIN = N_("Voting is open again.")
SHOWN_NOW = N_("The results are now shown: type results.")
HIDDEN_NOW = N_("The results are hidden again.")
TIMER_LOCKS = N_("Timer: {time} to go on this question; voting locks when it ends.")
TIMER_ONLY = N_("Timer: {time} to go on this question.")
MINUTE_LEFT = N_("One minute left.")
TEN_LEFT = N_("Ten seconds left.")
TIME_UP = N_("Time is up.")
TIMER_STOPPED = N_("The facilitator stopped the timer.")
HELD = N_("Your answer {number} is waiting for the facilitator: the room sees it once it is approved.")
APPROVED = N_("The facilitator approved your answer {number}: the room can see it now.")
LANGUAGE_NOW = N_("Language: English. Type iaith for Cymraeg.")
"""Said in the language chosen (its Welsh names English as the other language)."""


class Speaker(Protocol):
    """What a watcher speaks through: plain mode's app (:class:`coproterm.plain.app.PlainApp`)."""

    lang: Language
    view: SessionView
    link: Link

    def say(self, *paragraphs: Paragraph | str) -> None: ...

    def t(self, message: str, /, **values: object) -> str: ...

    def show_question(self) -> None: ...


class Watcher:
    """What has been said of the session, so each change is said exactly once."""

    def __init__(self, app: Speaker) -> None:
        self.app = app
        self.seen: tuple[int, bool, bool, bool] | None = None
        """(question, open, revealed, moderated) as last said."""
        self.words_awaited = False
        """The language changed and the deck in its words is on its way: the question waits for it."""
        self.alert: tuple[int, tuple[int, ...]] | None = None
        self.noticed: tuple[int, str] | None = None
        self.was_open = False
        """The link has been open: a later loss is announced (once), and its return."""
        self.lost = False
        self.stopped = ""
        """Why the link last stopped, as said (a hub tried again and again is not announced each time)."""
        self.timer: tuple[int, int, bool] | None = None
        """The countdown last spoken of: (question, seconds, locks); None: none runs."""
        self.timer_left: int | None = None
        """Its seconds left as last looked at (each moment between two looks is said once)."""
        self.marking: tuple[int, bool, int] | None = None
        """The agreement round as last said: (question, open, the answer to mark); None: none said."""
        self.held: dict[int, frozenset[int]] = {}
        """Question to the slots of this person's answers last said to wait for the facilitator."""

    def renumber(self, position: int) -> None:
        """A question went in at ``position``: what was said, by question number, moves with its question
        (so nothing is said again, or missed, because its number changed)."""
        self.held = shifted(self.held, position)
        if self.timer is not None:
            self.timer = (renumbered(self.timer[0], position), *self.timer[1:])
        if self.noticed is not None:
            self.noticed = (renumbered(self.noticed[0], position), self.noticed[1])

    def mine_changed(self, question: int) -> None:
        """Say which of this person's answers now wait for the facilitator, and which were approved: each once."""
        app, written = self.app, self.app.view.written
        mine = written.mine.get(question, {})
        hidden = written.mine_hidden.get(question, frozenset())
        now = (written.mine_waiting.get(question, frozenset()) & frozenset(mine)) - hidden
        before = self.held.get(question, frozenset())
        self.held[question] = now
        for slot in sorted(now - before):
            app.say(app.t(HELD, number=slot + 1))
        for slot in sorted(before - now):
            if slot in mine and slot not in hidden:  # taken back or hidden instead: said otherwise, or not news
                app.say(app.t(APPROVED, number=slot + 1))

    def countdown(self, now: float) -> None:
        """Say a countdown's start, its last minute, its last ten seconds and its end: each once.

        Called as the hub's ``Timer`` arrives and a few times a second; ``now`` is the app's steady clock.
        """
        app, view = self.app, self.app.view
        countdown, state = view.countdown, view.state
        if countdown is None or state is None:
            return
        timer = countdown.timer
        if timer.seconds == 0:
            if self.timer is not None and self.timer_left and timer.question == state.current:
                app.say(app.t(TIMER_STOPPED))
            self.timer = self.timer_left = None
            return
        key = (timer.question, timer.seconds, timer.locks)
        left = countdown.left(now)
        before = self.timer_left if key == self.timer else None
        self.timer, self.timer_left = key, left
        if timer.question != state.current:
            return
        for cue in cues_between(before, left):
            if cue is Cue.STARTED:
                app.say(app.t(TIMER_LOCKS if timer.locks else TIMER_ONLY, time=clock_text(left)))
            elif cue is Cue.MINUTE:
                app.say(app.t(MINUTE_LEFT))
            elif cue is Cue.TEN:
                app.say(app.t(TEN_LEFT))
            elif cue is Cue.ENDED and before is not None:  # an end long past is not news to someone joining now
                app.say(app.t(TIME_UP))

    def to_mark(self) -> None:
        """An agreement round's answer to mark, that none is left, or that it closed: each once."""
        app, view = self.app, self.app.view
        to_mark = view.current_to_mark
        now = None if to_mark is None else (to_mark.question, to_mark.open, to_mark.answer)
        if now == self.marking:
            return
        self.marking = now
        line = marking_line(view, app.lang)
        if line is not None:
            app.say(line)

    def state_changed(self) -> None:
        app, view = self.app, self.app.view
        state, question = view.state, view.question
        if state is None or question is None:
            return
        now = (state.current, state.open, state.revealed, state.moderated)
        seen, self.seen = self.seen, now
        if seen is None:
            app.say(app.t("Type help for the words you can use."))
            app.show_question()
        elif seen[0] != now[0]:
            app.say(app.t(MOVED, number=state.current + 1))
            app.show_question()
        elif question.kind is not Kind.DISCUSSION:
            if seen[1] != now[1]:
                app.say(app.t(OPEN_AGAIN if state.open else LOCKED_NOW))
            if seen[2] != now[2]:
                app.say(app.t(SHOWN_NOW if state.revealed else HIDDEN_NOW))
            if seen[3] != now[3] and question.answers is not None:
                app.say(app.t(MODERATED if state.moderated else UNMODERATED))
        alert = (state.alert, state.alert_values) if state.alert is not None else None
        if alert != self.alert:
            self.alert = alert
            if alert is not None:
                app.say(app.t("From the hub: {alert}", alert=alert_words(app.lang, *alert)))

    def language_changed(self) -> None:
        app = self.app
        app.say(app.t(LANGUAGE_NOW))
        self.words_awaited = app.view.deck_language not in (None, app.lang.code)
        if self.seen is not None and not self.words_awaited:
            app.show_question()

    def translated(self) -> None:
        """The deck arrived in the language just chosen: the question again, in its words."""
        if self.words_awaited and self.seen is not None:
            self.app.show_question()
        self.words_awaited = False

    def notice(self) -> None:
        """What the hub did to this person's vote (a facilitator cleared the question), once."""
        view = self.app.view
        notice = view.current_notice
        if notice is not None and view.notice != self.noticed:
            self.noticed = view.notice
            self.app.say(self.app.t(notice))

    def acked(self, kind: str, question: int, choice: int | None) -> None:
        app, view = self.app, self.app.view
        if view.deck is None:
            return
        asked = view.deck.questions[question]
        if kind == "removed":
            app.say(app.t("Your answer {number} is taken back.", number=(choice or 0) + 1))
            return
        if kind == "answer":
            mine = view.written.mine.get(question, {})
            app.say(app.t("Your answer is in: {text}", text=mine.get(choice or 0, "")))
            return
        if choice is None:
            app.say(app.t("Your vote is taken back."))
            return
        app.say(app.t("Your vote is counted: {choice}.", choice=choice_words(asked, choice)))
        move = view.own_move() if view.state is not None and view.state.current == question else None
        if move is not None:
            app.say(
                app.t(
                    "Before: {before}. Now: {after}.",
                    before=choice_words(asked, move[0]),
                    after=choice_words(asked, move[1]),
                )
            )

    def link_changed(self, status: LinkStatus) -> None:
        app = self.app
        match status.phase:
            case Phase.CONNECTING if status.attempt <= 1 and not self.was_open and not self.lost:
                app.say(app.t("Connecting to {address}…", address=app.link.url.removeprefix("ws://")))
            case Phase.OPEN:
                if self.lost:
                    app.say(app.t("Connected again."))
                self.was_open, self.lost = True, False
            case Phase.WAITING if not self.lost:
                self.lost = True
                app.say(app.t("The connection was lost: {problem}. Trying again…", problem=status.words(app.lang)))
            case Phase.STOPPED if status.detail != self.stopped:
                self.stopped = status.detail
                app.say(status.words(app.lang))
