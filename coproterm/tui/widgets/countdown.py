"""The time left, as a face shows it: a short line for a header, large digits for the projector."""

from __future__ import annotations

from rich.text import Text

from coproterm.core.countdown import clock_text
from coproterm.core.i18n import N_, Language

TIMER_MARK = "⏱"
LEFT = N_("{mark} {time} left")
"""A header's countdown: "⏱ 1:23 left"."""
OVER = N_("{mark} time is up")
"""A header's countdown once it has run out."""

_GLYPHS = {
    "0": ("█▀█", "█ █", "▀▀▀"),
    "1": (" ▀█", "  █", "  ▀"),
    "2": ("▀▀█", "█▀▀", "▀▀▀"),
    "3": ("▀▀█", " ▀█", "▀▀▀"),
    "4": ("█ █", "▀▀█", "  ▀"),
    "5": ("█▀▀", "▀▀█", "▀▀▀"),
    "6": ("█▀▀", "█▀█", "▀▀▀"),
    "7": ("▀▀█", "  █", "  ▀"),
    "8": ("█▀█", "█▀█", "▀▀▀"),
    "9": ("█▀█", "▀▀█", "▀▀▀"),
    ":": (" ", "▀", "▀"),
}


def countdown_line(left: int, lang: Language) -> str:
    """The time left in a few words ("⏱ 1:23 left", "⏱ time is up")."""
    if left <= 0:
        return lang.t(OVER, mark=TIMER_MARK)
    return lang.t(LEFT, mark=TIMER_MARK, time=clock_text(left))


def big_digits(left: int) -> str:
    """The time left in digits three rows high, for a projector at the back of a hall."""
    text = clock_text(left)
    return "\n".join(" ".join(_GLYPHS[ch][row] for ch in text) for row in range(3))


def countdown_panel(left: int, lang: Language, *, locks: bool) -> Text:
    """The projector's countdown: large digits, and in words what happens at the end (or that it has)."""
    words = (
        (lang.t("Time is up: voting is locked.") if locks else lang.t("Time is up."))
        if left <= 0
        else (
            lang.t("Voting locks when the time is up.") if locks else lang.t("The timer only stops: voting stays open.")
        )
    )
    return Text.assemble((big_digits(left), "bold" if left > 10 or left <= 0 else "bold reverse"), "\n", (words, "dim"))
