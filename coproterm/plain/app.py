"""The plain participant app: the hub's messages in, appended lines out, typed lines in.

:class:`PlainApp` owns a :class:`~coproterm.client.link.Link` and a
:class:`~coproterm.core.view.SessionView`, as the Textual app does, and nothing that
draws: whoever runs it (a local terminal, an SSH channel) gives it a ``write`` for text
and a ``width``, feeds it each line the person types, and awaits :meth:`PlainApp.run`.
What it prints is decided by :mod:`coproterm.plain.announce` and :mod:`coproterm.plain.paragraphs`.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
from collections.abc import Callable, Coroutine, Mapping
from datetime import datetime

from coproterm.client.leaving import marks_counted
from coproterm.client.link import Link, LinkStatus, Phase
from coproterm.core.asked import renumbered
from coproterm.core.boards import Kind
from coproterm.core.client_messages import Answer, Choose, ChooseLanguage, Hello, Mark, Vote
from coproterm.core.countdown import clock_text
from coproterm.core.hub_messages import (
    Ack,
    Added,
    ChosenLanguage,
    Error,
    State,
    Tally,
    Timer,
    ToMark,
    Translated,
    Wall,
    Welcome,
    YourAnswers,
)
from coproterm.core.i18n import ENGLISH, LANGUAGES, N_, Language, language
from coproterm.core.limits import RateLimit
from coproterm.core.refusals import words as refusal_words
from coproterm.core.takehome import record_text
from coproterm.core.view import MARKS_WAIT, SessionView
from coproterm.core.wire import Message
from coproterm.core.wire_terms import LANGUAGE_CODES, ErrorCode, Stance
from coproterm.plain import announce
from coproterm.plain.commands import TypedCommand, parse
from coproterm.plain.paragraphs import (
    NOTHING_TO_MARK,
    ON_THEIR_WAY,
    Paragraph,
    details_lines,
    help_lines,
    marking_line,
    mine_lines,
    question_block,
    results_lines,
)
from coproterm.plain.text import wrap

FACE_HEADER = "X-Coproterm-Face"
"""Tells the hub this participant reads in plain mode (its dashboard counts them); see docs/protocol.md."""
MAX_LINE = 600
"""Characters of one typed line that count (an answer is at most 500); the rest is left out."""
LINES_RATE, LINES_BURST = 3.0, 10
"""Typed lines that send something, per second and at once: a paste of many lines is cut short with a word."""
NOT_SENT_VOTE = N_("Not connected: your vote was not sent. It will be possible again once reconnected.")
NOT_SENT_ANSWER = N_("Not connected: your answer was not sent. It will be possible again once reconnected.")
TOO_FAST = N_("Too many lines at once: some were left out.")
TICK = 0.25
"""Seconds between looks at a running countdown: a moment of it is said at most this late."""


class PlainApp:
    """One participant in plain mode: connected to a hub, saying what changes, doing what is typed."""

    def __init__(
        self,
        url: str,
        write: Callable[[str], None],
        width: Callable[[], int],
        *,
        name: str = "",
        code: str | None = None,
        lang: str = ENGLISH,
        ascii_only: bool = False,
        newline: str = "\n",
        headers: Mapping[str, str] | None = None,
        resume: bytes | None = None,
        keep_trying: bool = False,
    ) -> None:
        self.name = name
        self.code = code
        self._write = write
        self._width = width
        self.ascii_only = ascii_only
        self._newline = newline
        self._keep_trying = keep_trying
        """Try again a hub never reached (over SSH the gateway chose the address: it is busy, not wrong)."""
        self.lang: Language = language(lang)
        self.view = SessionView()
        self.view.speak(self.lang)
        self.view.resume = resume
        self.on_welcome: Callable[[bytes], None] | None = None
        """Told the resume token each time the hub welcomes this participant."""
        self.status = LinkStatus(Phase.CONNECTING)
        self.ended = False
        """The hub said the session is over."""
        self.farewell = ""
        """The last line, said when the app stops (why it stopped), in the person's language."""
        self._chosen: str | None = None
        self._seq = itertools.count(1)
        self._marks_timer: asyncio.TimerHandle | None = None
        self._heard = asyncio.Event()
        """Set on each message and change of link status: what leaving waits on (the marks' Ack)."""
        self._sent: dict[int, tuple[str, int, int | None]] = {}
        self._tasks: set[asyncio.Task[object]] = set()
        self._stop = asyncio.Event()
        self._wants_code = False
        self._lines = RateLimit(rate=LINES_RATE, burst=LINES_BURST, tokens=LINES_BURST)
        self._told_too_fast = False
        self._results_wanted = False
        """Results were asked for before they arrived: said once they do."""
        self.watch = announce.Watcher(self)
        self.link = Link(
            url, self._hello, self._take_message, self._on_status, headers={FACE_HEADER: "plain", **(headers or {})}
        )
        self._link_task: asyncio.Task[None] | None = None

    # -- running -------------------------------------------------------------------

    async def run(self) -> None:
        """Take part until the person quits, the session ends, or the hub refuses us for good."""
        self._connect()
        self._spawn(self._count_down())
        try:
            await self._stop.wait()
        finally:
            await self._marks_before_leaving()
            await self.link.close()
            for task in [self._link_task, *self._tasks]:
                if task is not None:
                    task.cancel()
            for task in [self._link_task, *self._tasks]:
                if task is not None:
                    with contextlib.suppress(asyncio.CancelledError, Exception):
                        await task

    def stop(self, farewell: str = "") -> None:
        """End the app (its last line, if any, is said by whoever runs it, or by :meth:`run`'s caller)."""
        self.farewell = self.farewell or farewell
        self._stop.set()

    exit = stop
    """What a gateway calls to end a session's app, as it ends the Textual one."""

    def _connect(self) -> None:
        if self._link_task is not None and not self._link_task.done():
            self._link_task.cancel()
        self._link_task = asyncio.get_running_loop().create_task(self.link.run())

    # -- saying --------------------------------------------------------------------

    def say(self, *paragraphs: Paragraph | str) -> None:
        """Append lines: each paragraph wrapped to the width, never wider, never an escape."""
        width = self._width()
        out: list[str] = []
        for paragraph in paragraphs:
            text, indent = (paragraph, "") if isinstance(paragraph, str) else paragraph
            out.extend(wrap(text, width, indent=indent, ascii_only=self.ascii_only) or ([""] if not text else []))
        if out:
            self._write(self._newline.join(out) + self._newline)

    def t(self, message: str, /, **values: object) -> str:
        return self.lang.t(message, **values)

    def show_question(self) -> None:
        if self.view.question is not None:
            self.say(*question_block(self.view, self.lang))
            marking = marking_line(self.view, self.lang)
            if marking is not None:
                self.say(marking)
            left = self.view.time_left(time.monotonic())
            if left:  # asked again mid-countdown: how long is left, as the start said it
                countdown = self.view.countdown
                locks = countdown is not None and countdown.timer.locks
                self.say(self.t(announce.TIMER_LOCKS if locks else announce.TIMER_ONLY, time=clock_text(left)))

    # -- from the hub --------------------------------------------------------------

    def _hello(self) -> Hello:
        return Hello(
            name=self.name or None, resume=self.view.resume, code=self.code, language=self.view.hello_language()
        )

    def _take_message(self, message: Message) -> None:
        if isinstance(message, ChosenLanguage) and self._chosen is not None:
            return  # chosen here since this app began: newer than what the hub remembers
        was = self.view.language
        held = len(self.view.hub_deck.questions) if self.view.hub_deck is not None else 0
        self.view.apply(message)
        self._heard.set()
        self.view.arrived(time.monotonic())
        if isinstance(message, Welcome):
            if self.view.resume is not None and self.on_welcome is not None:
                self.on_welcome(self.view.resume)
            if self._chosen in LANGUAGE_CODES:
                self._spawn(self.link.send(ChooseLanguage(self._chosen)))
        if isinstance(message, ChosenLanguage) and self.view.language != was:
            self.lang = self.view.language
            self.watch.language_changed()
        if isinstance(message, Added) and self.view.hub_deck is not None and len(self.view.hub_deck.questions) > held:
            # The view renumbered: what awaits its Ack names its question by the new numbers too.
            at = message.question
            self._sent = {seq: (kind, renumbered(q, at), c) for seq, (kind, q, c) in self._sent.items()}
            self.watch.renumber(at)
        if isinstance(message, Translated):
            self.watch.translated()
        if isinstance(message, State):
            self.watch.state_changed()
        if isinstance(message, (Timer, State)):
            self.watch.countdown(time.monotonic())
        if isinstance(message, (ToMark, State)):
            self.watch.to_mark()
        if isinstance(message, ToMark) and self.view.marks_due:
            self._send_marks()  # held marks that could not go before, now that there is an offer
        if isinstance(message, Ack):
            self._acked(message.seq)
        if isinstance(message, YourAnswers):
            self.watch.mine_changed(message.question)
        if isinstance(message, Error) and message.seq is not None:
            self._sent.pop(message.seq, None)
            refusal = self.view.refusal
            reason = refusal_words(self.lang, refusal.refusal, refusal.values) if refusal is not None else ""
            self.say(self.t("Not accepted: {reason}", reason=reason))
        self.watch.notice()
        if isinstance(message, State):
            self._results_wanted = self._results_wanted and message.revealed
        elif (
            self._results_wanted
            and isinstance(message, (Tally, Wall))
            and self.view.state is not None
            and message.question == self.view.state.current
        ):
            self._results()

    def _acked(self, seq: int) -> None:
        sent = self._sent.pop(seq, None)
        if sent is None:
            return
        kind, question, choice = sent
        self.watch.acked(kind, question, choice)

    def _on_status(self, status: LinkStatus) -> None:
        self.status = status
        self._heard.set()
        self.watch.link_changed(status)
        if status.phase is not Phase.STOPPED:
            return
        if status.ended:
            self.ended = True
            self.stop()
        elif status.refusal in (ErrorCode.CODE_REQUIRED, ErrorCode.BAD_CODE):
            self._wants_code = True
            self.say(self.t("This session needs its join code: type it and press Enter."))
        elif status.unreachable and self._keep_trying:
            asyncio.get_running_loop().call_later(2.0, self._connect)
        else:
            self.stop()  # why is said already

    # -- from the person -----------------------------------------------------------

    def typed(self, line: str) -> None:
        """One line the person typed (without its line end)."""
        line = line[:MAX_LINE].strip()
        if not line:
            return
        if self._wants_code:
            self._wants_code = False
            self.code = line
            self._connect()
            return
        command = parse(line, self.view.question)
        if command.sends and not self._lines.allow(time.monotonic()):
            if not self._told_too_fast:
                self._told_too_fast = True
                self.say(self.t(TOO_FAST))
            return
        self._told_too_fast = False
        self._carry_out(command)

    def _carry_out(self, command: TypedCommand) -> None:
        view = self.view
        match command.word:
            case "help":
                self.say(*help_lines(self.lang))
            case "again":
                if view.question is None:
                    self.say(self.t("Waiting for the hub…"))
                else:
                    self.show_question()
            case "details" if view.question is not None:
                self.say(*details_lines(view, self.lang))
            case "results" if view.question is not None:
                self._results()
            case "mine" if view.question is not None:
                self.say(*mine_lines(view, self.lang))
            case "keep" if view.deck is not None:
                self.say(*record_text(view, f"{datetime.now():%Y-%m-%d %H:%M}").splitlines())
            case "language":
                self._switch_language()
            case "quit":
                self.stop(N_("You have left the session; your votes are kept. Thank you."))
            case "vote" if view.state is not None:
                self._spawn(self._vote(view.state.current, command.choice))
            case "answer" if view.state is not None:
                self._spawn(self._answer(view.state.current, command.text))
            case "agree" | "disagree" | "pass":
                self._mark(command.word)
            case "edit" | "remove" if view.state is not None:
                self._spawn(self._rewrite(view.state.current, command.choice or 0, command.text or None))
            case "problem":
                self.say(self.t(command.text, **command.values))
            case _:
                self.say(self.t("Waiting for the hub…"))

    def _mark(self, word: str) -> None:
        """Mark the answer shown to mark (agree, disagree, pass), or say there is none."""
        to_mark = self.view.current_to_mark
        if to_mark is None or not to_mark.open or not to_mark.answer:
            self.say(self.t(NOTHING_TO_MARK))
            return
        stance = {"agree": Stance.AGREE, "disagree": Stance.DISAGREE}.get(word, Stance.PASS)
        self.view.mark(to_mark.answer, stance)
        self.watch.to_mark()  # the next answer at once; the marks go a few at a time
        if self._marks_timer is not None:
            self._marks_timer.cancel()
            self._marks_timer = None
        if self.view.marks_due:
            self._send_marks()
        else:
            self._marks_timer = asyncio.get_running_loop().call_later(MARKS_WAIT, self._send_marks)

    async def _marks_before_leaving(self) -> None:
        """Every way out (quit, the end of input, Ctrl+C, the gateway ending the app): the marks held here go
        now, and the hub's Ack is waited for a moment (:func:`~coproterm.client.leaving.marks_counted`)."""
        if self._marks_timer is not None:
            self._marks_timer.cancel()
            self._marks_timer = None
        while self.view.marks_held:
            message = self.view.send_marks(next(self._seq))
            if message is None:
                break  # no offer since the last welcome: nothing could count them
            if not await self.link.send(message):
                self.view.marks_unsent(message.seq)
                break
        await marks_counted(self.view, self._heard, lambda: self.link.connected)

    def _send_marks(self) -> None:
        """Send the marks held here as one frame (unsent, they wait for the next welcome: none is lost)."""
        self._marks_timer = None
        seq = next(self._seq)
        message = self.view.send_marks(seq)
        if message is not None:
            self._spawn(self._send_held(message))

    async def _send_held(self, message: Mark) -> None:
        if not await self.link.send(message):
            self.view.marks_unsent(message.seq)

    def _results(self) -> None:
        """Say the results; if they are on their way, say them when they come."""
        lines = results_lines(self.view, self.lang)
        self._results_wanted = lines == [(self.t(ON_THEIR_WAY), "")]
        self.say(*lines)

    def _switch_language(self) -> None:
        chosen = language(LANGUAGES[1] if self.lang.welsh else LANGUAGES[0])
        self.lang = chosen
        self.view.speak(chosen)
        self._chosen = chosen.code
        self.watch.language_changed()
        if self.view.role is not None:
            self._spawn(self.link.send(ChooseLanguage(chosen.code)))

    async def _vote(self, question: int, choice: int | None) -> None:
        asked = self.view.deck.questions[question] if self.view.deck is not None else None
        several = asked is not None and asked.several
        seq = next(self._seq)
        self.view.sent(seq, question, choice)
        self._sent[seq] = ("vote", question, choice)
        message = Choose(seq, question, choice or 0) if several else Vote(seq, question, choice)
        if not await self.link.send(message):
            self.view.unsent(seq)
            self._sent.pop(seq, None)
            self.say(self.t(NOT_SENT_VOTE))

    async def _answer(self, question: int, text: str) -> None:
        asked = self.view.question
        if asked is None or asked.answers is None or asked.kind is not Kind.TEXT:
            return
        slot = self.view.written.free_slot(question, asked.answers.max_answers)
        if slot is None:
            self.say(
                self.lang.tn(
                    "You have given {count} answer, the most this question takes.",
                    "You have given {count} answers, the most this question takes.",
                    asked.answers.max_answers,
                )
            )
            return
        await self._send_answer(question, slot, text)

    async def _rewrite(self, question: int, slot: int, text: str | None) -> None:
        """Change one of the person's answers (``text``), or take it back (None)."""
        if slot not in self.view.written.mine.get(question, {}):
            self.say(self.t("You have no answer {number} here: type mine to see yours.", number=slot + 1))
            return
        await self._send_answer(question, slot, text)

    async def _send_answer(self, question: int, slot: int, text: str | None) -> None:
        seq = next(self._seq)
        self.view.written.sent(seq, question, slot, text)
        self._sent[seq] = ("answer" if text is not None else "removed", question, slot)
        if not await self.link.send(Answer(seq, question, slot, text)):
            self.view.written.refused(seq)
            self._sent.pop(seq, None)
            self.say(self.t(NOT_SENT_ANSWER))

    async def _count_down(self) -> None:
        """Look at the countdown a few times a second: its moments are said as they pass."""
        while True:
            await asyncio.sleep(TICK)
            if self.view.countdown is not None:
                self.watch.countdown(time.monotonic())

    def _spawn(self, job: Coroutine[object, object, object]) -> None:
        task: asyncio.Task[object] = asyncio.get_running_loop().create_task(job)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
