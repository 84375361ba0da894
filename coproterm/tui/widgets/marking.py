"""Agreeing with each other, on a participant's screen: one of the others' answers at a time, to mark.

While the facilitator has the current question's answers open for agreement, the panel shows the
answer the hub sent (never who wrote it), how many are left, and its keys: 1 agree, 2 disagree,
3 pass (the same digits in both languages; the key bar names them). It takes the keys when it has
the focus (Tab moves between it and the answer box). It posts :class:`MarkPanel.StanceChosen`; the app
sends it, and the hub answers with the next answer.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message

from coproterm.core.i18n import N_, Language
from coproterm.core.view import Offer
from coproterm.core.wire_terms import Stance
from coproterm.tui.widgets.background_only import BackgroundColumn
from coproterm.tui.widgets.quiet import QuietStatic

HEADING = N_("Agreeing with each other")
HINT = N_("1 agree · 2 disagree · 3 pass")
ALL_MARKED = N_("You have marked every answer so far. New answers will appear here.")
CLOSED = N_("The facilitator has closed agreement on this question.")


def left_words(lang: Language, to_mark: Offer) -> str:
    """The panel's heading: what it is, and how many answers are left to mark."""
    if not to_mark.open:
        return lang.t(HEADING)
    left = lang.tn("{count} answer left", "{count} answers left", to_mark.left)
    return lang.t("{heading} · {left}", heading=lang.t(HEADING), left=left)


class MarkPanel(BackgroundColumn, can_focus=True):
    """The answer to mark now, and the keys that mark it."""

    DEFAULT_CSS = """
    MarkPanel { height: auto; border-left: thick $accent; padding: 0 1; margin: 0 0 1 0; }
    MarkPanel:focus { border-left: thick $secondary; background: $boost; }
    MarkPanel #mark-heading { text-style: bold; height: auto; }
    MarkPanel #mark-text { height: auto; margin: 1 0; }
    MarkPanel #mark-hint { color: $text-muted; height: auto; }
    """
    BINDINGS = [
        Binding("1", "mark(1)", "agree"),
        Binding("2", "mark(2)", "disagree"),
        Binding("3", "mark(0)", "pass"),
    ]

    class StanceChosen(Message):
        """The person marked ``answer`` of ``question``."""

        def __init__(self, question: int, answer: int, stance: Stance) -> None:
            super().__init__()
            self.question = question
            self.answer = answer
            self.stance = stance

    def __init__(self, lang: Language, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.lang = lang
        self.to_mark: Offer | None = None
        self._drawn: tuple[Offer, Language] | None = None
        """What the panel's lines say now (None before its parts are made)."""
        self._ready = False

    def compose(self) -> ComposeResult:
        yield QuietStatic(id="mark-heading")
        yield QuietStatic(id="mark-text")
        yield QuietStatic(id="mark-hint")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The keys work only while there is an answer to mark."""
        if action == "mark":
            return self.to_mark is not None and self.to_mark.open and self.to_mark.answer > 0
        return True

    def show(self, to_mark: Offer, lang: Language) -> None:
        """Draw the answer the hub sent (or that none is left, or that the round closed)."""
        self.to_mark, self.lang = to_mark, lang
        if not self._ready or self._drawn == (to_mark, lang):
            return
        self._drawn = (to_mark, lang)
        t = lang.t
        self.query_one("#mark-heading", QuietStatic).show(Text(left_words(lang, to_mark)))
        if not to_mark.open:
            text, hint = t(CLOSED), ""
        elif to_mark.answer == 0:
            text, hint = t(ALL_MARKED), ""
        else:
            text, hint = "“" + to_mark.text + "”", t(HINT)
        self.query_one("#mark-text", QuietStatic).show(Text(text))
        # The hint's line stays, blank once none is left: the answer box below does not move (a moved box is
        # drawn again whole, a kilobyte to every SSH viewer).
        self.query_one("#mark-hint", QuietStatic).show(hint)
        self.screen.refresh_bindings()
        # The new answer and its keys in sight once laid out (a longer answer, or a small screen, scrolled them off).
        self.call_after_refresh(self.scroll_visible, animate=False)

    def on_mount(self) -> None:
        self._ready = True
        if self.to_mark is not None:
            self.show(self.to_mark, self.lang)

    def action_mark(self, stance: int) -> None:
        to_mark = self.to_mark
        if to_mark is not None and to_mark.open and to_mark.answer:
            self.post_message(self.StanceChosen(to_mark.question, to_mark.answer, Stance(stance)))
