"""What the vote screen says under the board: what happened to a person's written answers, and the
words about the highlighted cell (label, group, example, narrative)."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text

from coproterm.core.boards import Question
from coproterm.core.view import SessionView
from coproterm.core.wire import ErrorCode

LOCKED = "■"
"""The lock's cue: a symbol every terminal font has (an emoji padlock shows as an empty box in many)."""


def answer_feedback(view: SessionView, t: Callable[..., str], tn: Callable[..., str]) -> str:
    """What happened to the person's written answers on the current question."""
    state = view.state
    assert state is not None
    if any(q == state.current for q, _, _ in view.written.pending.values()):
        return t("Sending your answer…")
    refusal = view.refusal
    if (
        refusal is not None
        and refusal.code is not ErrorCode.NOT_CURRENT
        and view.refused_question in (None, state.current)
    ):
        return f"✖ {t(refusal.message)}"
    given = len(view.written.mine.get(state.current, {}))
    if not state.open:
        return t("{lock} Answers are locked.", lock=LOCKED)
    if given:
        return tn(
            "✔ {count} answer in. ↑ to edit or remove it.", "✔ {count} answers in. ↑ to edit or remove one.", given
        )
    return t("Type an answer and press Enter.")


def cell_help(question: Question, cell: int, t: Callable[..., str]) -> Text:
    """The words about a cell: label, group, example and narrative (plain text, never markup)."""
    x, y = question.coordinates(cell)
    assert question.x is not None
    lines: list[Text] = []
    for scale, index in ((question.x, x), (question.y, y)):
        if scale is None:
            continue
        position = scale.positions[index]
        group = scale.group_of(index)
        lines.append(Text.assemble((position.label, "bold"), f"  ({group.label})" if group else ""))
        if position.example:
            lines.append(Text(t("e.g. {example}", example=position.example)))
        if position.narrative:
            lines.append(Text(f"“{position.narrative}”", style="italic"))
        if position.notes and question.y is None:
            lines.append(Text(" · ".join(position.notes)))
        if group is not None and group.note and question.y is None:
            lines.append(Text.assemble((f"{group.label}: ", "bold"), group.note))
    return Text("\n").join(lines)
