"""Ask a question on the spot: the facilitator types it and picks what the room does."""

from __future__ import annotations

from dataclasses import dataclass

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, RadioButton, RadioSet, Select

from coproterm.core.boards import Deck
from coproterm.core.i18n import N_
from coproterm.core.wire_terms import AskKind
from coproterm.tui.language import lang_of

KINDS = (
    (AskKind.OPEN, N_("Open answers (people write)")),
    (AskKind.YES_NO, N_("Yes / no / not sure")),
    (AskKind.ONE, N_("Choose one of the options")),
    (AskKind.SEVERAL, N_("Choose any of the options")),
    (AskKind.SCALE, N_("A scale of the deck")),
)
"""The kinds, in the order the dialog offers them."""
SEPARATOR = ";"
"""Typed options are separated by this (a comma may be part of an option)."""


@dataclass(frozen=True, slots=True)
class Asked:
    """What the facilitator typed, ready to send as an ``AddQuestion``."""

    kind: AskKind
    prompt: str
    prompt_cy: str | None
    options: tuple[str, ...]
    options_cy: tuple[str, ...]
    board: tuple[str, ...]
    go: bool
    """Move everyone to it as soon as the hub has added it."""
    at_end: bool = False
    """Put it at the end of the deck, not after the current question."""


def split_options(text: str) -> tuple[str, ...]:
    """Typed options, one per ``;``, blanks left out."""
    return tuple(part.strip() for part in text.split(SEPARATOR) if part.strip())


class AskScreen(ModalScreen[Asked | None]):
    """The dialog of a question asked on the spot; dismisses with what was typed, or None."""

    CSS_PATH = "ask_screen.tcss"
    NARROW = 60
    """Under this many columns (a phone's SSH app: 40 x 12) every box and button is one row, without borders."""
    BINDINGS = [
        Binding("escape", "cancel", N_("cancel")),
        Binding("ctrl+s", "ask", N_("ask")),
    ]

    def __init__(self, deck: Deck) -> None:
        super().__init__()
        self.deck = deck

    def compose(self) -> ComposeResult:
        t = lang_of(self).t
        boards: list[tuple[str, str]] = [(scale.title, scale.key) for scale in self.deck.scales]
        boards += [
            (f"{x.title} × {y.title}", f"{x.key} {y.key}")
            for x in self.deck.scales
            for y in self.deck.scales
            if x is not y and not x.key.startswith("asked-") and not y.key.startswith("asked-")
        ]
        with VerticalScroll(id="ask"):
            yield Label(t("Ask a question on the spot"), id="ask-title")
            yield Label(t("The question"), classes="field")
            yield Input(id="prompt")
            yield Label(t("The question in Welsh too (optional)"), classes="field")
            yield Input(id="prompt-cy")
            with RadioSet(id="kind"):
                for number, (kind, words) in enumerate(KINDS):
                    yield RadioButton(t(words), value=number == 0, id=f"kind-{kind.name.lower().replace('_', '-')}")
            yield Label(t("Options, separated by ;"), classes="field")
            yield Input(id="options")
            yield Label(t("The options in Welsh, separated by ; (optional)"), classes="field")
            yield Input(id="options-cy")
            yield Select(boards, prompt=t("Which scale"), id="board", allow_blank=True)
            with RadioSet(id="place"):
                yield RadioButton(t("After the current question"), value=True, id="place-next")
                yield RadioButton(t("At the end"), id="place-end")
            yield Checkbox(t("Go to it now"), value=True, id="go")
            with Horizontal(id="ask-buttons"):
                yield Button(t("Cancel (Esc)"), id="cancel")
                yield Button(t("Ask (Ctrl+S)"), id="ask-it", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#prompt", Input).focus()

    def on_resize(self, event: events.Resize) -> None:
        narrow = event.size.width < self.NARROW
        self.set_class(narrow, "-narrow")
        for widget in self.query("Input, RadioSet, Select, Checkbox, Button"):
            widget.compact = narrow  # type: ignore[attr-defined]

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "ask-it":
            self.action_ask()
        else:
            self.dismiss(None)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.focus_next()

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_ask(self) -> None:
        """Dismiss with what is typed; the hub checks it (a refusal is shown in the facilitator's language)."""
        chosen = self.query_one("#kind", RadioSet).pressed_index
        kind = KINDS[max(chosen, 0)][0]
        welsh = self.query_one("#prompt-cy", Input).value.strip()
        board = self.query_one("#board", Select).value
        self.dismiss(
            Asked(
                kind,
                self.query_one("#prompt", Input).value,
                welsh or None,
                split_options(self.query_one("#options", Input).value)
                if kind in (AskKind.ONE, AskKind.SEVERAL)
                else (),
                split_options(self.query_one("#options-cy", Input).value)
                if kind in (AskKind.ONE, AskKind.SEVERAL)
                else (),
                tuple(board.split()) if kind is AskKind.SCALE and isinstance(board, str) else (),
                self.query_one("#go", Checkbox).value,
                self.query_one("#place", RadioSet).pressed_index == 1,
            )
        )
