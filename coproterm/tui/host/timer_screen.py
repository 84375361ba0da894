"""The facilitator's timer: a countdown's length picked from a few presets, and what happens at its end."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from coproterm.core.countdown import clock_text
from coproterm.tui.language import lang_of

PRESETS = (30, 60, 120, 180, 300)
"""The lengths offered (seconds), after the question's own from the deck."""


@dataclass(frozen=True, slots=True)
class TimerChoice:
    """What the facilitator chose: a countdown of ``seconds`` (0: stop the one running), and whether it locks."""

    seconds: int
    locks: bool


def presets(default: int) -> tuple[int, ...]:
    """The lengths to offer: the deck's for this question first (if it sets one), then the usual ones."""
    return ((default,) if default else ()) + tuple(p for p in PRESETS if p != default)


class TimerScreen(ModalScreen[TimerChoice | None]):
    """Pick a countdown by its number; l says whether voting locks at its end; 0 stops the one running."""

    DEFAULT_CSS = """
    TimerScreen { align: center middle; }
    TimerScreen > Vertical {
        width: 56; max-width: 95%; height: auto;
        border: thick $accent; background: $surface; padding: 1 2;
    }
    """
    BINDINGS = [
        *(Binding(str(n), f"pick({n})", show=False) for n in range(1, 7)),
        Binding("l", "toggle_locks", "lock at the end", show=False),
        Binding("0", "stop", "stop", show=False),
        Binding("escape,q", "cancel", "cancel", show=False),
    ]

    def __init__(self, default: int, locks: bool, running: bool) -> None:
        super().__init__()
        self.lengths = presets(default)
        self.locks = locks
        """Whether the countdown picked locks voting when it ends (the deck's choice for the question, then l)."""
        self.running = running
        self.default = default

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(id="timer-choices")

    def on_mount(self) -> None:
        self._show()

    def _show(self) -> None:
        t = lang_of(self).t
        lines = Text(t("Start a timer on this question"), "bold")
        for number, seconds in enumerate(self.lengths, 1):
            mark = t("  (this question's)") if seconds == self.default else ""
            lines.append(f"\n  {number}  {clock_text(seconds)}{mark}")
        lines.append(
            "\n\n" + (t("l  at the end: voting locks") if self.locks else t("l  at the end: only the timer stops")),
            "bold",
        )
        if self.running:
            lines.append("\n" + t("0  stop the timer running now"))
        lines.append("\n" + t("Esc  close"), "dim")
        self.query_one("#timer-choices", Static).update(lines)

    def action_pick(self, number: int) -> None:
        if 1 <= number <= len(self.lengths):
            self.dismiss(TimerChoice(self.lengths[number - 1], self.locks))

    def action_toggle_locks(self) -> None:
        self.locks = not self.locks
        self._show()

    def action_stop(self) -> None:
        if self.running:
            self.dismiss(TimerChoice(0, self.locks))

    def action_cancel(self) -> None:
        self.dismiss(None)
