"""The dashboard's panels in words: who is here and has voted (with the bar the room sees while
the tallies are kept back), an agreement round's most agreed and most split, the board's title
and the question's note."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text

from coproterm.core.hub_messages import Agreement, Turnout
from coproterm.core.i18n import ENGLISH, Language, language
from coproterm.core.shares import half_up, percent
from coproterm.core.view import SessionView

AGREEMENT_ITEMS = 3
"""Answers the dashboard lists as most agreed on, and as most split (the hub sends up to five)."""


def agreement_text(agreement: Agreement, view: SessionView, lang: Language) -> Text:
    """The round in a few lines: open or closed, the count of marks, and the answers most agreed on and most split."""
    t = lang.t
    texts = {a.id: a.text for a in view.written.host_answers.values()}
    marks = lang.tn("{count} mark", "{count} marks", agreement.marks)
    by = lang.tn("{marks} by {count} participant", "{marks} by {count} participants", agreement.people, marks=marks)
    state = t("open for agreement (g closes)") if agreement.open else t("agreement closed (g opens again)")
    lines = Text.assemble((t("Agreeing with each other"), "bold"), f" · {state} · {by}")
    for title, items in ((t("Most agreed on"), agreement.agreed), (t("The room is split on"), agreement.split)):
        if not items:
            continue
        lines.append("\n" + title + "\n", "bold")
        for answer, agree, disagree, passed in items[:AGREEMENT_ITEMS]:
            counts = t(
                "{agree} agree, {disagree} disagree, {passed} passed", agree=agree, disagree=disagree, passed=passed
            )
            lines.append(f"  • {texts.get(answer, '…')}")
            lines.append(f"  ({counts})\n", "dim")
    return lines


def turnout_text(view: SessionView, width: int, t: Callable[..., str] | None = None) -> Text:
    """The turnout ("12 of 20 have voted") and a progress bar: what the room sees while the tallies are kept back."""
    t = t or language(ENGLISH).t
    turnout = view.turnout or Turnout(0, 0)
    voted, here = turnout.voted_here, turnout.connected
    cells = max(10, min(60, width))
    filled = cells * voted // here if here else 0
    return Text.assemble(
        here_text(turnout, t),
        "\n",
        ("█" * filled, "bold cyan"),
        ("░" * (cells - filled), "dim"),
        f" {percent(half_up(voted, here) if here else None)}",
        "\n",
        (t("Results are hidden until they are revealed (r)."), "dim"),
    )


def here_text(turnout: Turnout, t: Callable[..., str]) -> Text:
    """Who is here, who of them has voted, and how many of them have not yet.

    Those who left keep their votes (the tally counts them) but are not waited for: the
    facilitator paces the room by the people in it.
    """
    waiting = max(0, turnout.connected - turnout.voted_here)
    text = Text.assemble(
        (t("{voted} of {here} here have voted", voted=turnout.voted_here, here=turnout.connected), "bold"),
        ("  ·  " + t("{count} yet to vote", count=waiting), "bold" if waiting else "dim"),
    )
    gone = turnout.voted - turnout.voted_here
    if gone > 0:
        text.append("  ·  " + t("+{count} from people who left", count=gone), "dim")
    return text


def question_note(view: SessionView) -> Text:
    """The board's title and the question's note, under the question: questions on different boards
    (Arnstein's ladder, TLAP's steps) ask in the same words."""
    question = view.question
    if question is None:
        return Text()
    boards = " × ".join(scale.title for scale in (question.x, question.y) if scale is not None and scale.title)
    return Text.assemble((boards, "bold"), ("  " if boards and question.note else "", ""), (question.note, ""))
