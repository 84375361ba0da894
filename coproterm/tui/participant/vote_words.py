"""What the vote screen says under the board: what happened to a person's written answers, and the
words about the highlighted cell (label, group, example, narrative)."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text

from coproterm.core.alerts import words as alert_words
from coproterm.core.boards import Kind, Question
from coproterm.core.i18n import Language
from coproterm.core.refusals import words as refusal_words
from coproterm.core.view import SessionView
from coproterm.core.wire_terms import ErrorCode

LOCKED = "■"
"""The lock's cue: a symbol every terminal font has (an emoji padlock shows as an empty box in many)."""


def answer_feedback(view: SessionView, lang: Language) -> str:
    """What happened to the person's written answers on the current question."""
    t, tn = lang.t, lang.tn
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
        return f"✖ {refusal_words(lang, refusal.refusal, refusal.values)}"
    given = len(view.written.mine.get(state.current, {}))
    if not state.open:
        return t("{lock} Answers are locked.", lock=LOCKED)
    if given:
        return tn(
            "✔ {count} answer in. ↑ to edit or remove it.", "✔ {count} answers in. ↑ to edit or remove one.", given
        )
    return t("Type an answer and press Enter.")


def vote_feedback(
    question: Question, view: SessionView, lang: Language, *, silent: bool = False, short: bool = False
) -> str:
    """What happened to the person's vote on the current question (``silent``: the hub has not answered for a
    while); ``short``: the same in fewer words, for a feedback line too narrow for the whole (a vote named by
    its positions' numbers, which the board marks with ✔)."""
    state = view.state
    assert state is not None
    t = lang.t
    if state.alert is not None:
        return "⚠ " + alert_words(lang, state.alert, state.alert_values)
    if question.kind is Kind.DISCUSSION:
        return t("Talk it through with the room; nothing to cast on this one.")
    if question.kind is Kind.TEXT:
        return answer_feedback(view, lang)
    refusal = view.refusal
    mine = view.my_vote()
    if view.is_pending(state.current):
        if silent:
            if short:
                return t("◌ Waiting for the hub: not counted yet.")
            return t("◌ Waiting for the hub… (your vote is not counted until it answers)")
        return t("Sending your vote…")
    if (
        refusal is not None
        and refusal.code is not ErrorCode.NOT_CURRENT
        and view.refused_question in (None, state.current)
    ):
        return f"✖ {refusal_words(lang, refusal.refusal, refusal.values)}"
    notice = view.current_notice
    if notice is not None and mine is None:
        notice_text = t(notice)
        if state.open:
            return t("! {notice}: vote again if you like.", notice=f"{notice_text[0].upper()}{notice_text[1:]}")
        return f"! {notice_text}."
    if mine is not None:
        choice = question.describe_choice(mine)
        if short and question.y is None:  # the board marks the positions (✔): their numbers say which
            choice = ", ".join(str(cell + 1) for cell in question.chosen(mine))
        counted = t("✔ Your vote is counted: {choice}", choice=choice)
        if state.open:
            return counted
        if short:
            return t("{lock} Locked. {counted}", lock=LOCKED, counted=counted)
        return t("{lock} Voting is locked. {counted}", lock=LOCKED, counted=counted)
    if not state.open:
        if short:
            return t("{lock} Locked; you did not vote on this one.", lock=LOCKED)
        return t("{lock} Voting is locked; you did not vote on this one.", lock=LOCKED)
    if question.several:
        if short:
            return t("Up to {pick}: Enter adds a position, or takes it out.", pick=question.pick)
        return t("Choose up to {pick}: Enter adds the highlighted position, or takes it out again.", pick=question.pick)
    return t("Choose with the arrow or number keys (or click), then press Enter.")


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
