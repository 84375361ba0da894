"""A participant's written answers: a text box, their own answers, and (after the reveal) the room's.

Enter sends what is typed (a new answer, or the one being edited). Under the
box, the person's own answers: ↑ moves into them, Enter edits the highlighted
one, Delete (or Backspace) removes it, while the question is open. Esc leaves
the box (then q leaves the session, as on every screen; Ctrl+Q always does). A counter
says how many characters are left and how many answers are given. Once the
facilitator reveals the question, the room's words (largest first) and answers
follow. The box posts :class:`AnswerBox.Written`; the app sends it.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Input, OptionList
from textual.widgets.option_list import Option

from coproterm.core.boards import Question
from coproterm.core.i18n import N_
from coproterm.core.view import SessionView
from coproterm.tui.language import lang_of
from coproterm.tui.widgets.background_only import BackgroundColumn
from coproterm.tui.widgets.quiet import QuietInput, QuietStatic

WALL_LINES = 30
"""Answers of the room listed at most (the newest)."""
MODERATED = N_("Answers are shown after the facilitator approves them.")
"""Said under the box of a moderated question before anything is written."""


class AnswerInput(QuietInput):
    """The answer's box: the key bar says that Enter sends it (the keys a box does not type are few)."""

    BINDINGS = [Binding("enter", "submit", "send")]


class MineList(OptionList):
    """This person's own answers; Enter edits one, Delete removes it."""

    BINDINGS = [
        Binding("delete,backspace", "remove", "remove"),
        Binding("escape", "back", "back to typing", show=False),
    ]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """No removing once answers are locked: the key bar does not offer it."""
        if action == "remove":
            box = next((a for a in self.ancestors if isinstance(a, AnswerBox)), None)
            return box is None or box.is_open
        return True

    class Remove(Message):
        """Take back the highlighted answer."""

        def __init__(self, slot: int) -> None:
            super().__init__()
            self.slot = slot
            """Which of the person's answers."""

    def action_remove(self) -> None:
        if self.highlighted is not None:
            option = self.get_option_at_index(self.highlighted)
            if option.id is not None:
                self.post_message(self.Remove(int(option.id)))

    def action_back(self) -> None:
        self.screen.query_one("#answer-text", Input).focus()


class AnswerBox(BackgroundColumn):
    """Writing, editing and removing one's answers to a text question, and seeing the room's."""

    DEFAULT_CSS = """
    AnswerBox { height: auto; }
    AnswerBox #answer-text { margin: 0; }
    AnswerBox #answer-count { color: $text-muted; height: 1; }
    AnswerBox MineList { height: auto; max-height: 6; border: none; padding: 0; }
    AnswerBox MineList:focus { border: none; }  /* a border's rows would take the answer's place on a small screen */
    AnswerBox #answer-wall { height: auto; margin: 1 0 0 0; }
    """
    BINDINGS = [
        Binding("up", "to_mine", "my answers"),
        # Typing takes every letter, the screen's keys (i, q) among them: Esc leaves the box, and says so.
        Binding("escape", "leave_box", "other keys"),
    ]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "to_mine":
            return bool(self._mine) and not self.query_one(MineList).has_focus
        if action == "leave_box":
            return self.query_one("#answer-text", Input).has_focus
        return True

    @property
    def is_open(self) -> bool:
        """The question takes answers now (not locked)."""
        return self._open

    @property
    def wall(self) -> QuietStatic:
        """The room's words and answers, once revealed."""
        return self.query_one("#answer-wall", QuietStatic)

    @property
    def wall_showing(self) -> bool:
        return self._ready and self.wall.display

    class Written(Message):
        """The person wrote (``text``) or took back (None) the answer in ``slot`` of ``question``."""

        def __init__(self, question: int, slot: int, text: str | None) -> None:
            super().__init__()
            self.question = question
            """The question answered."""
            self.slot = slot
            """Which of the person's answers."""
            self.text = text
            """What they wrote; None to take the answer back."""

    def __init__(self, question_index: int, question: Question, t: Callable[..., str], **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.question_index = question_index
        self.question = question
        self.t = t
        self.editing: int | None = None
        """The slot being edited, None while writing a new answer."""
        self._open = True
        self._mine: dict[int, str] = {}
        self._hidden: frozenset[int] = frozenset()
        """The slots of this person's answers the facilitator hid: said beside them."""
        self._held: frozenset[int] = frozenset()
        """The slots of this person's answers waiting for the facilitator's approval: said beside them and above."""
        self._ready = False
        self._focus_when_ready = False
        self._waiting: SessionView | None = None
        """The latest view handed over: drawn once the box is mounted, and again when it changes width."""

    @property
    def limits(self) -> tuple[int, int]:
        """(answers per person, characters per answer)."""
        assert self.question.answers is not None
        return self.question.answers.max_answers, self.question.answers.max_length

    def compose(self) -> ComposeResult:
        length = self.limits[1]
        yield AnswerInput(placeholder=self._hint(), max_length=length, id="answer-text")
        # Under the box, where a 40 x 12 screen still shows it: the list of one's answers may be below the fold.
        yield QuietStatic(id="answer-held")
        yield QuietStatic(id="answer-count")
        yield MineList(id="answer-mine")
        yield QuietStatic(id="answer-wall")

    def _hint(self) -> str:
        """What the empty box says: shorter where the long words would be cut (a phone's SSH app)."""
        hint = self.t("Write your answer, then press Enter")
        room = self.size.width - 4  # the box's border and padding (unknown, 0, before the first layout)
        return hint if room <= 0 or len(hint) <= room else self.t("Your answer, then Enter")

    def on_resize(self) -> None:
        if self._open:
            self.query_one("#answer-text", Input).placeholder = self._hint()
        wall = self.query_one("#answer-wall", QuietStatic)
        if wall.display and self._waiting is not None:
            # The room's words are laid out for a width: drawn again for the new one (a scrollbar
            # appearing narrows the box with no word from the hub), or a count wraps away from its word.
            wall.show(self._wall(self._waiting))

    def on_mount(self) -> None:
        self._ready = True
        if self._focus_when_ready:
            self.focus_answer()
        self._count()
        if self._waiting is not None:
            self.update_from(self._waiting)

    # -- state down ------------------------------------------------------------------

    def show(self, question_index: int, question: Question) -> None:
        """Take another text question (cheaper than mounting a new box)."""
        if question_index != self.question_index:
            self.question_index, self.question = question_index, question
            self.editing = None
            self._mine, self._hidden, self._held = {}, frozenset(), frozenset()
            if not self._ready:
                return  # its parts are made for this question when they are made
            box = self.query_one("#answer-text", Input)
            box.value = ""
            box.max_length = self.limits[1]

    def focus_answer(self) -> None:
        """Put the typing cursor in the answer's box: now, or as soon as the box has its parts (a box
        just mounted has none yet, however many refreshes a busy machine takes to give them)."""
        if self._ready:
            self.query_one("#answer-text", Input).focus()
        else:
            self._focus_when_ready = True

    def update_from(self, view: SessionView) -> None:
        """Draw what the view holds: the person's answers, the lock, and the room's wall once revealed."""
        self._waiting = view
        if not self._ready:
            return
        state = view.state
        written = view.written
        is_open = state is not None and state.open
        box = self.query_one("#answer-text", Input)
        if is_open != self._open:
            self._open = is_open
            box.disabled = not is_open
            box.placeholder = self._hint() if is_open else self.t("Answers are locked")
            if not is_open:
                self.editing = None
            self.query_one(MineList).refresh_bindings()
        if is_open and box.placeholder != self._hint():
            box.placeholder = self._hint()
        mine = dict(written.mine.get(self.question_index, {}))
        hidden = written.mine_hidden.get(self.question_index, frozenset())
        # A hidden answer is said to be hidden, not to wait: the facilitator has turned it down.
        held = (written.mine_waiting.get(self.question_index, frozenset()) & frozenset(mine)) - hidden
        if (mine, hidden, held) != (self._mine, self._hidden, self._held):
            self._mine, self._hidden, self._held = mine, hidden, held
            self.refresh_bindings()  # "my answers" once there are some
            listing = self.query_one(MineList)
            highlighted = listing.highlighted
            listing.clear_options()
            listing.add_options(
                Option(
                    Text.assemble(
                        f"{slot + 1}. {text}",
                        ("  " + self.t("(hidden by the facilitator)"), "italic") if slot in hidden else "",
                        ("  " + self.t("(waiting for the facilitator)"), "italic") if slot in held else "",
                    ),
                    id=str(slot),
                )
                for slot, text in sorted(mine.items())
            )
            if mine:
                listing.highlighted = min(highlighted or 0, len(mine) - 1)
            if self.editing is not None and self.editing not in mine:
                self.editing = None
        self.query_one(MineList).display = bool(mine)
        notice = self.query_one("#answer-held", QuietStatic)
        # Said before anything is written (under the box, where a 40 x 12 screen shows it): answers to a
        # moderated question wait for the facilitator; once some of one's own do, how many wait says it.
        moderated = state is not None and state.moderated
        notice.display = bool(self._held) or moderated
        if self._held:
            count = len(self._held)
            notice.show(
                Text(
                    lang_of(self).tn(
                        "{count} of your answers is waiting for the facilitator",
                        "{count} of your answers are waiting for the facilitator",
                        count,
                    ),
                    "bold",
                )
            )
        elif moderated:
            notice.show(Text(self.t(MODERATED), "italic"))
        self._count()
        wall = self.query_one("#answer-wall", QuietStatic)
        revealed = state is not None and state.revealed and written.wall_question == self.question_index
        wall.display = revealed
        if revealed:
            wall.show(self._wall(view))

    def _wall(self, view: SessionView) -> Text:
        # Here: the wall's module (the facilitator's widget) loads when the room's words are first shown,
        # not with every participant's first question.
        from coproterm.tui.widgets.wall import word_cloud

        written = view.written
        width = max(20, self.size.width or 40)
        out = Text.assemble((self.t("The room's words"), "bold underline"), "\n")
        out.append_text(word_cloud(written.words, width, none=self.t("No words yet."), order=lang_of(self).code))
        total = written.wall_total
        out.append("\n\n")
        out.append(self.t("The room's answers ({count})", count=total), "bold underline")
        for _, text in written.newest_first()[:WALL_LINES]:
            out.append("\n• ")
            out.append(text)  # plain text: never markup
        return out

    def _count(self) -> None:
        most, length = self.limits
        count = self.query_one("#answer-count", QuietStatic)
        count.display = self._open  # no characters left to count in a locked box
        typed = len(self.query_one("#answer-text", Input).value)
        given = len(self._mine)
        editing = (
            self.t(" · editing answer {n} (Esc: new answer)", n=self.editing + 1) if self.editing is not None else ""
        )
        self.query_one("#answer-count", QuietStatic).show(
            self.t("{left} characters left · {given} of {most} answers", left=length - typed, given=given, most=most)
            + editing
        )

    # -- events up -------------------------------------------------------------------

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "answer-text":
            self._count()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id != "answer-text":
            return
        event.stop()
        text = event.value.strip()
        if not text or not self._open:
            return
        most, _ = self.limits
        slot = self.editing
        if slot is None:
            slot = next((s for s in range(most) if s not in self._mine), None)
        if slot is None:
            self.app.notify(
                self.t("You have given {most} answers: edit or remove one (↑).", most=most), severity="warning"
            )
            return
        self.post_message(self.Written(self.question_index, slot, text))
        event.input.value = ""
        self.editing = None
        self._count()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if not self._open or event.option.id is None:
            return
        slot = int(event.option.id)
        self.editing = slot
        box = self.query_one("#answer-text", Input)
        box.value = self._mine.get(slot, "")
        box.cursor_position = len(box.value)
        box.focus()
        self._count()

    def on_mine_list_remove(self, event: MineList.Remove) -> None:
        event.stop()
        if self._open:
            self.post_message(self.Written(self.question_index, event.slot, None))

    def action_to_mine(self) -> None:
        listing = self.query_one(MineList)
        if self._mine and not listing.has_focus:
            listing.focus()

    def action_leave_box(self) -> None:
        """Esc ends an edit; otherwise it leaves the box, so the screen's keys (q: leave) work again."""
        if self.editing is not None:
            self.editing = None
            self.query_one("#answer-text", Input).value = ""
            self._count()
        else:
            self.screen.set_focus(None)
