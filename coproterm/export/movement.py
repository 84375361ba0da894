"""Before and after in the HTML report: the room's move from an earlier question to this one.

A sentence (moved towards doing with, stayed, moved away), a chart of how many
moved by each number of steps (away to the left, towards to the right), and the
from→to table: a row per position before, a column per position after, the
diagonal those who stayed. Like the grid, the table's column headers keep only
their numbers on a phone, with a key below.
"""

from __future__ import annotations

from html import escape

from coproterm.core.boards import Scale
from coproterm.core.movement import Movement, steps_words, summary, towards_words
from coproterm.core.report import QuestionReport
from coproterm.export.language import report_language, t

TOWARDS = "#009E73"
"""Okabe-Ito's bluish green: moved towards the scale's end."""
AWAY = "#D55E00"
"""Okabe-Ito's vermillion: moved away."""
STAYED = "#5b6475"

STYLE = """
figure.movement svg { max-width: 600px; }
figure.movement p.moved { font-weight: 700; margin: .25rem 0 .5rem; }
table.moves td.stayed { outline: 2px solid #5b6475; outline-offset: -2px; }
"""
"""Added to the report's stylesheet (the heatmap table's own rules do the rest)."""


def movement_section(q: QuestionReport, compared: QuestionReport) -> str:
    """The before-and-after figure of a question compared with ``compared``; empty when nobody answered both."""
    movement = q.movement
    scale = q.question.x
    if movement is None or scale is None:
        return ""

    asked = report_language().pick(compared.question.prompt, compared.question.prompt_cy, join=" / ")
    before = t("question {number}, “{prompt}”", number=compared.index + 1, prompt=asked)
    title = t("Before and after")
    compared_with = t("Compared with {question}: everyone who answered both.", question=before)
    moved = summary(movement, scale, report_language())
    head = (
        f'<figure class="movement" id="moves{q.index + 1}"><p><strong>{escape(title)}</strong></p>'
        f'<p class="meta">{escape(compared_with)}</p>'
        f'<p class="moved">{escape(moved)}.</p>'
    )
    if not movement.people:
        return head + "</figure>"
    return head + _steps_chart(movement, scale) + transitions(movement, scale) + "</figure>"


def _steps_chart(movement: Movement, scale: Scale) -> str:
    """A column per number of steps, from the most away (left) to the most towards (right)."""
    steps = range(-(scale.size - 1), scale.size)
    by = movement.by_steps()
    peak = max(by.values())
    left, top, plot_h, bottom = 10, 24, 120, 58
    column = 560 / len(steps)
    width, height = left * 2 + 560, top + plot_h + bottom
    items: list[str] = [
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + 560}" y2="{top + plot_h}" stroke="{STAYED}"/>'
    ]
    for i, step in enumerate(steps):
        count = by.get(step, 0)
        x = left + i * column
        colour = TOWARDS if step > 0 else AWAY if step < 0 else STAYED
        if count:
            h = plot_h * count / peak
            items.append(
                f'<rect x="{x + 3:.1f}" y="{top + plot_h - h:.1f}" width="{column - 6:.1f}" height="{h:.1f}"'
                f' fill="{colour}" rx="2"/>'
            )
            items.append(
                f'<text x="{x + column / 2:.1f}" y="{top + plot_h - h - 6:.1f}" class="axis" font-size="14"'
                f' text-anchor="middle">{count}</text>'
            )
        label = "0" if step == 0 else f"{step:+d}"
        items.append(
            f'<text x="{x + column / 2:.1f}" y="{top + plot_h + 20}" class="axis" font-size="14"'
            f' text-anchor="middle">{label}</text>'
        )
    towards = escape(towards_words(scale))

    lang = report_language()
    away_word, towards_word = t("← away"), t("towards {goal} →", goal=towards)
    items.append(
        f'<text x="{left}" y="{top + plot_h + 52}" class="axis" font-size="14" style="fill:{AWAY}">{escape(away_word)}</text>'
    )
    items.append(
        f'<text x="{left + 560}" y="{top + plot_h + 52}" class="axis" font-size="14" text-anchor="end"'
        f' style="fill:{TOWARDS}">{escape(towards_word)}</text>'
    )

    def moved(step: int, count: int) -> str:
        if step == 0:
            return t("{count} stayed", count=count)
        steps = steps_words(step, lang)
        if step > 0:
            return t("{count} moved {steps} towards", count=count, steps=steps)
        return t("{count} moved {steps} away", count=count, steps=steps)

    words = t("Steps moved: {moves}", moves=", ".join(moved(step, count) for step, count in by.items()))
    return f'<svg viewBox="0 0 {width} {height}" role="img" aria-label="{escape(words)}">{"".join(items)}</svg>'


def transitions(movement: Movement, scale: Scale, *, compact: bool = False) -> str:
    """The from→to table: darker with more people; the diagonal (stayed) outlined.

    ``compact`` (the first page) numbers the rows and columns only, with the key below.
    """
    peak = max(movement.counts) or 1
    heads = "".join(
        f'<th scope="col" title="{escape(p.label)}">{x + 1}<span class="long"><br>{escape(p.label)}</span></th>'
        for x, p in enumerate(scale.positions)
    )
    rows: list[str] = []
    for before, position in enumerate(scale.positions):
        cells = []
        for after in range(scale.size):
            count = movement.count(before, after)
            level = count / peak
            fill = (
                f"rgba(0,158,115,{0.08 + 0.85 * level:.2f})"
                if after > before
                else (
                    f"rgba(213,94,0,{0.08 + 0.85 * level:.2f})"
                    if after < before
                    else f"rgba(91,100,117,{0.08 + 0.85 * level:.2f})"
                )
            )
            background = fill if count else "#f4f5f7"
            ink = "#fff" if level > 0.55 else "#1d2330"
            stayed = ' class="stayed"' if after == before else ""
            cells.append(f'<td{stayed} style="background:{background};color:{ink}">{count or "·"}</td>')
        rows.append(
            f'<tr><th scope="row">{before + 1}<span class="row-long">. {escape(position.label)}</span></th>'
            f"{''.join(cells)}</tr>"
        )
    key = "".join(f"<li>{escape(p.label)}</li>" for p in scale.positions)

    caption = t(
        "From before (rows) to after (columns) on {title}: right of the outlined diagonal moved towards {goal},"
        " left of it moved away.",
        title=scale.title,
        goal=towards_words(scale),
    )
    corner = "" if compact else t("before ↓ after →")  # compact: the caption says which way is which
    return (
        f'<div class="grid{" compact" if compact else ""}"><table class="heat moves" aria-label="{escape(caption)}">'
        '<colgroup><col class="rows"></colgroup>'
        f'<thead><tr><td><span class="corner">{escape(corner)}</span></td>{heads}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
        f'<ol class="key">{key}</ol></div><figcaption>{escape(caption)}</figcaption>'
    )
