"""A self-contained HTML report: no script, no font, no style from anywhere else.

A scale gets bars (with its groups' subtotals) and a table; a grid gets a
table coloured as a heatmap, whose column headers shrink to numbers with a key
below on a phone; each question gets a chart of how its tally moved, on a time
axis, with every reset marked. It reads on a phone and prints cleanly, so a
facilitator can email it round after a workshop.
"""

from __future__ import annotations

import dataclasses
import re
from contextvars import ContextVar
from datetime import datetime
from html import escape

from coproterm.core.boards import Question, Scale
from coproterm.core.countdown import clock_text
from coproterm.core.deck import localise
from coproterm.core.i18n import ENGLISH, Language, language
from coproterm.core.report import QuestionReport, Report
from coproterm.core.shares import group_printed, printed
from coproterm.export.agreement import html_section as agreement_section
from coproterm.export.answers import html_section
from coproterm.export.glance import STYLE as GLANCE_STYLE
from coproterm.export.glance import Gathering, glance
from coproterm.export.movement import STYLE as MOVEMENT_STYLE
from coproterm.export.movement import movement_section
from coproterm.export.printing import STYLE as PRINT_STYLE

PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
"""Okabe-Ito, for a scale's positions: told apart with any common colour blindness, and in grey."""
GRID_PALETTE = ("#332288", "#88CCEE", "#117733", "#DDCC77", "#AA4499", "#44AA99", "#999933", "#882255")
"""Paul Tol's 'muted', for a grid's rows: its own colours, so a grid's chart is not read as a scale's."""
RESET_COLOUR = "#B00020"
SAMPLES = 48
TICK_STEPS = (10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200)
"""Seconds between time-axis ticks: the first that gives at most six."""

STYLE = (
    """
:root { color-scheme: light; --ink: #1d2330; --muted: #5b6475; --rule: #d8dce3; --bar: #0072B2; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: #fff; }
main { max-width: 820px; margin: 0 auto; padding: 1.5rem 1rem 3rem; }
h1 { font-size: 1.6rem; margin: 0 0 .25rem; }
h2 { font-size: 1.15rem; margin: 2rem 0 .25rem; }
h2.part { font-size: 1.4rem; margin: 2.5rem 0 0; padding: .2rem 0; border-bottom: 3px solid var(--ink); letter-spacing: .05em; }
h3 { font-size: 1.15rem; margin: 1.5rem 0 .25rem; }
dl.groups { font-size: .9rem; margin: .5rem 0 1rem; }
dl.groups dt { font-weight: 700; }
dl.groups dd { margin: 0 0 .4rem 1rem; color: var(--muted); }
header p, .meta, figcaption, footer { color: var(--muted); font-size: .9rem; }
section { border-top: 1px solid var(--rule); page-break-inside: avoid; break-inside: avoid; }
svg { width: 100%; height: auto; display: block; }
figure { margin: 1rem 0; }
figure.chart, figure.timeline { max-width: 600px; }
svg text { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; fill: var(--ink); }
table { border-collapse: collapse; width: 100%; font-size: .9rem; margin: .75rem 0; }
th, td { text-align: left; padding: .2rem .4rem; border-bottom: 1px solid var(--rule); }
th.n, td.n { text-align: right; font-variant-numeric: tabular-nums; }
tr.group th, tr.group td { font-weight: 700; border-top: 2px solid var(--ink); }
.grid { overflow-x: auto; }
table.heat { table-layout: fixed; font-size: .85rem; }
table.heat th, table.heat td { text-align: center; vertical-align: bottom; padding: .3rem .2rem; }
table.heat thead th { font-weight: 600; overflow-wrap: break-word; hyphens: auto; }
table.heat tbody th, table.heat tfoot th { text-align: left; vertical-align: middle; }
table.heat col.rows { width: 7.5rem; }
table.heat td { font-weight: 700; font-variant-numeric: tabular-nums; vertical-align: middle; height: 2.4rem; }
table.heat .groups th { border-bottom: 2px solid var(--ink); color: var(--muted); }
table.heat tfoot td, table.heat tfoot th { font-weight: 600; color: var(--muted); height: auto; }
p.by-group { display: none; margin: .25rem 0; font-size: .9rem; }
ol.key { display: none; font-size: .85rem; color: var(--muted); margin: 0; padding-left: 1.5rem; }
.legend { display: flex; flex-wrap: wrap; gap: .25rem 1rem; font-size: .85rem; color: var(--muted); padding: 0; list-style: none; }
.legend span { display: inline-block; width: .8rem; height: .8rem; margin-right: .3rem; vertical-align: -.1rem; }
.legend .reset { width: .2rem; background: #B00020; }
@media (max-width: 560px) {
  table.heat .long { display: none; }
  table.heat col.rows { width: 6.5rem; }
  table.moves .row-long, table.moves .corner { display: none; }
  table.heat tr.groups, table.heat tr.subtotals { display: none; }
  p.by-group { display: block; }
  table.moves col.rows { width: 2.2rem; }
  ol.key { display: block; }
  svg text.axis { font-size: 22px; }
}
table.words th { text-align: right; font-weight: normal; padding-right: .5rem; }
table.words td { width: 80%; }
table.words .bar { display: inline-block; height: .9em; background: #1f6f8b; vertical-align: middle; }
ul.answers li { margin: .3rem 0; }
ul.bars { list-style: none; padding: 0; margin: .5rem 0; }
ul.bars li { margin: 0 0 .35rem; }
ul.bars li.group { margin-top: .6rem; }
ul.bars .label { display: block; font-size: .9rem; overflow-wrap: anywhere; }
ul.bars .bar { display: flex; align-items: center; gap: .5rem; }
ul.bars .bar span { display: block; height: .9rem; min-width: 2px; background: var(--bar); border-radius: 2px; }
ul.bars .bar b { font-weight: 600; font-size: .9rem; font-variant-numeric: tabular-nums; white-space: nowrap; }
details { margin: .5rem 0 1rem; }
details summary { cursor: pointer; color: var(--muted); font-size: .95rem; }
h2.details { font-size: 1.4rem; margin-top: 2rem; }
@media print { main { max-width: none; } h2 { margin-top: 1rem; } }
"""
    + MOVEMENT_STYLE
    + GLANCE_STYLE
    + PRINT_STYLE
)


_LANGUAGE: ContextVar[Language] = ContextVar("report_language")
"""The language of the report being written (set by :func:`to_html` for its own call only)."""


def t(message: str, /, **values: object) -> str:
    """``message`` in the report's language."""
    return _LANGUAGE.get(language(ENGLISH)).t(message, **values)


def report_language() -> Language:
    """The language of the report being written (English outside :func:`to_html`)."""
    return _LANGUAGE.get(language(ENGLISH))


def tn(singular: str, plural: str, count: int, /, **values: object) -> str:
    """The message for ``count`` things in the report's language."""
    return _LANGUAGE.get(language(ENGLISH)).tn(singular, plural, count, **values)


_DAYS_CY = ("Dydd Llun", "Dydd Mawrth", "Dydd Mercher", "Dydd Iau", "Dydd Gwener", "Dydd Sadwrn", "Dydd Sul")
_MONTHS_CY = (
    "Ionawr", "Chwefror", "Mawrth", "Ebrill", "Mai", "Mehefin",
    "Gorffennaf", "Awst", "Medi", "Hydref", "Tachwedd", "Rhagfyr",
)  # fmt: skip


def _when(moment: float, until: float | None = None) -> str:
    """A date and time (to ``until``'s time, if given) in the report's language.

    The C library's names are English whatever the locale, so Welsh names are the report's own.
    """
    at = datetime.fromtimestamp(moment)
    end = f"–{datetime.fromtimestamp(until):%H:%M}" if until is not None and until - moment >= 60 else ""
    if not _LANGUAGE.get(language(ENGLISH)).welsh:
        return at.strftime("%A %-d %B %Y, %H:%M") + end
    return f"{_DAYS_CY[at.weekday()]} {at.day} {_MONTHS_CY[at.month - 1]} {at.year}, {at:%H:%M}{end}"


def to_html(
    report: Report,
    session_id: str,
    *,
    with_hidden: bool = False,
    lang: Language | None = None,
    gathering: Gathering | None = None,
) -> str:
    """The whole report as one HTML document, in ``lang`` (English when not given; ``cy+en`` gives both).

    Its first page is the workshop at a glance; each question's details follow.
    """
    chosen = lang or language(ENGLISH)
    token = _LANGUAGE.set(chosen)
    try:
        return _document(report, session_id, with_hidden, chosen, gathering or Gathering())
    finally:
        _LANGUAGE.reset(token)


def _document(report: Report, session_id: str, with_hidden: bool, chosen: Language, gathering: Gathering) -> str:
    deck = localise(report.deck, chosen)
    local = dataclasses.replace(
        report,
        deck=deck,
        questions=[dataclasses.replace(q, question=deck.questions[q.index]) for q in report.questions],
    )
    for q in local.questions:
        if q.compared is not None:
            q.compared = local.questions[q.compared.index]
    when = _when(report.started, report.ended) if report.started else t("not started")
    title = t("{title}: results", title=deck.title)
    footer = t("Results from coproterm: live voting for co-production workshops.")
    details = t("Question by question")
    parts = [
        "<!doctype html>",
        f'<html lang="{chosen.html_lang}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)}</title>",
        f"<style>{STYLE}</style></head><body><main>",
        glance(local, session_id, gathering, when),
        f'<h2 class="details" id="details">{escape(details)}</h2>',
    ]
    part = ""
    explained: set[str] = set()
    for question in local.questions:
        if question.question.section != part:
            part = question.question.section
            parts.append(f'<h2 class="part" id="part-{question.index + 1}">{escape(part)}</h2>')
        section = _section(question, with_hidden, explained)
        parts.append(_under_part(section) if part else section)
    parts.append(f"<footer><p>{escape(footer)}</p></footer>")
    parts.append("</main></body></html>")
    return "\n".join(parts) + "\n"


def _section(q: QuestionReport, with_hidden: bool = False, explained: set[str] | None = None) -> str:
    """A question's details; a scale's group notes only the first time it appears (``explained`` remembers)."""
    question = q.question
    head = f'<section id="q{q.index + 1}"><h2>{q.index + 1}. {escape(question.prompt)}</h2>'
    if question.added:
        added = t("Added during the session")
        head += f'<p class="meta added">{escape(added)}</p>'
    note = for_the_record(question.note)
    if note:
        head += f'<p class="meta">{escape(note)}</p>'
    if q.timers:
        head += f'<p class="meta">{escape(_timers(q.timers))}</p>'
    if question.answers is not None:
        return head + html_section(q, with_hidden=with_hidden) + agreement_section(q) + "</section>"
    if question.x is None:
        discussion = t("A question for discussion: nothing was voted on.")
        return head + f'<p class="meta">{discussion}</p></section>'
    if not q.total and not q.resets:
        none = t("No votes were cast on this question.")
        return head + f'<p class="meta">{none}</p></section>'
    body = [head, f'<p class="meta">{_votes(q.total)}</p>']
    if question.several:
        chose = tn("{count} person chose", "{count} people chose", q.people)
        body[-1] = f'<p class="meta">{chose}: {_votes(q.total)}, up to {question.pick} each</p>'
    if question.y is None:
        shares_of = q.people if question.several else None  # each chose several: shares of people, as live
        body.append(_bars(question.x, q.counts, shares_of))
        if explained is None or question.x.key not in explained:
            body.append(_group_notes(question.x))
            if explained is not None:
                explained.add(question.x.key)
        if q.compared is not None:
            body.append(movement_section(q, q.compared))
        folded = _table(question.x, q.counts, shares_of)
    else:
        body.append(grid_table(question.x, question.y, q.counts))
        folded = ""
    if len(q.timeline) > 1:
        folded += _timeline(question, q.timeline, q.resets)
    if folded:
        summary = _folded_summary(q, bool(question.y is None))
        body.append(f"<details><summary>{escape(summary)}</summary>{folded}</details>")
    body.append("</section>")
    return "\n".join(body)


def _timers(timers: list[tuple[int, bool]]) -> str:
    """The countdowns used on a question, in a line ("A timer was used: 2:00, voting locked at its end")."""
    each = [
        t("{time}, voting locked at its end", time=clock_text(seconds))
        if locks
        else t("{time}, voting stayed open", time=clock_text(seconds))
        for seconds, locks in timers
    ]
    return tn("A timer was used: {timers}.", "Timers were used: {timers}.", len(timers), timers="; ".join(each))


def _folded_summary(q: QuestionReport, with_table: bool) -> str:
    """What a question's folded part holds: its table and how its tally moved, with the clock times."""
    if len(q.timeline) > 1:
        first, last = q.timeline[0][0], q.timeline[-1][0]
        clock = "%H:%M:%S" if last - first < 120 else "%H:%M"
        start, end = (datetime.fromtimestamp(moment).strftime(clock) for moment in (first, last))
        if with_table:
            return t("The figures, and how the tally moved from {start} to {end}", start=start, end=end)
        return t("How the tally moved from {start} to {end}", start=start, end=end)
    return t("The figures")


_ROOM_ONLY = re.compile(
    r"[^.!?]*?(?:\b(?:press|pwyswch)\s+\S+[^.!?]*|\b(?:with|gyda)\s+\S)[.!?](?:\s+|$)", re.IGNORECASE
)
"""A sentence that names a key to press: "Open the case's points with d." (meant for the room, not the record)."""


def for_the_record(note: str) -> str:
    """A deck's note without the sentences that tell the room which key to press."""
    return _ROOM_ONLY.sub("", note).strip()


def _under_part(section: str) -> str:
    """A question's section of the page under its part's heading: its own heading one level down."""
    return section.replace("<h2>", "<h3>", 1).replace("</h2>", "</h3>", 1)


def _group_notes(scale: Scale) -> str:
    """What each group of a scale means (the spectrum's organisation statements), under its chart."""
    notes = [(g.label, g.note) for g in scale.groups if g.note]
    if not notes:
        return ""
    items = "".join(f"<dt>{escape(label)}</dt><dd>{escape(note)}</dd>" for label, note in notes)
    return f'<dl class="groups">{items}</dl>'


def _votes(n: int) -> str:
    return tn("{count} vote", "{count} votes", n)


def _bars(scale: Scale, counts: tuple[int, ...], people: int | None = None) -> str:
    """A bar per position under its label, under group headings with subtotals.

    Drawn in the page's own text, not an image: a long label wraps instead of being
    cut, no text shrinks with the screen, and each bar carries its count and share
    beside it (readable in greyscale). Shares are of the votes, or (``people``, when
    each chose several) of the people who chose, as the live screens.
    """
    peak = max(counts) or 1
    each, of_group = _shares(scale, counts, people)
    items: list[str] = []
    for i, position in enumerate(scale.positions):
        group = scale.group_of(i)
        if group is not None and group.start == i:
            subtotal = sum(counts[group.start : group.stop])
            items.append(
                f'<li class="group"><strong>{escape(group.label)}</strong>'
                f" · {_votes(subtotal)} · {of_group[scale.groups.index(group)]}</li>"
            )
        length = 85 * counts[i] / peak  # room for the figures beside the longest bar
        items.append(
            f'<li><span class="label">{i + 1}. {escape(position.label)}</span>'
            f'<span class="bar"><span style="width:{length:.1f}%"></span>'
            f"<b>{counts[i]} · {each[i]}</b></span></li>"
        )
    label = escape(
        t("Bar chart of {title}: ", title=scale.title)
        + ", ".join(f"{p.label} {c}" for p, c in zip(scale.positions, counts, strict=True))
    )
    return f'<figure class="chart"><ul class="bars" aria-label="{label}">{"".join(items)}</ul></figure>'


def _shares(scale: Scale, counts: tuple[int, ...], people: int | None) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Each position's share and each group's, by the core's one rounding rule, as every face prints them."""
    spans = [(group.start, group.stop) for group in scale.groups]
    return printed(counts, people), group_printed(counts, spans, people)


def _table(scale: Scale, counts: tuple[int, ...], people: int | None = None) -> str:
    """Each position's votes and share (of ``people`` when each chose several); a group's subtotal heads its positions."""
    each, of_group = _shares(scale, counts, people)
    position_word, votes_word, share_word = t("position"), t("votes"), t("share")
    rows: list[str] = []
    for i, (position, count) in enumerate(zip(scale.positions, counts, strict=True)):
        group = scale.group_of(i)
        if group is not None and group.start == i:
            subtotal = sum(counts[group.start : group.stop])
            rows.append(
                f'<tr class="group"><th scope="rowgroup">{escape(group.label)}</th>'
                f'<td class="n">{subtotal}</td><td class="n">{of_group[scale.groups.index(group)]}</td></tr>'
            )
        rows.append(
            f'<tr><td>{i + 1}. {escape(position.label)}</td><td class="n">{count}</td><td class="n">{each[i]}</td></tr>'
        )
    return (
        f'<table class="tally"><thead><tr><th scope="col">{position_word}</th><th scope="col" class="n">{votes_word}</th>'
        f'<th scope="col" class="n">{share_word}</th></tr></thead><tbody>{"".join(rows)}</tbody></table>'
    )


def grid_table(xs: Scale, ys: Scale, counts: tuple[int, ...], *, compact: bool = False, key: bool = True) -> str:
    """A table with a cell per pair of positions, darker with more votes, and the groups' subtotals under it.

    Its text is the page's own, so it wraps instead of being cut and never shrinks
    below the page's size; on a phone the column headers keep only their numbers,
    and a key under the table names them.
    """
    peak = max(counts) or 1
    groups = ""
    if xs.groups:
        spans = "".join(f'<th scope="colgroup" colspan="{g.stop - g.start}">{escape(g.label)}</th>' for g in xs.groups)
        groups = f'<tr class="groups"><td></td>{spans}</tr>'
    heads = "".join(
        f'<th scope="col" title="{escape(p.label)}">{x + 1}<span class="long"><br>{escape(p.label)}</span></th>'
        for x, p in enumerate(xs.positions)
    )
    body: list[str] = []
    for y, position in enumerate(ys.positions):
        cells = []
        for x in range(xs.size):
            count = counts[y * xs.size + x]
            level = count / peak
            fill = f"rgba(0,114,178,{0.08 + 0.85 * level:.2f})" if count else "#f4f5f7"
            ink = "#fff" if level > 0.55 else "#1d2330"
            cells.append(f'<td style="background:{fill};color:{ink}">{count or "·"}</td>')
        body.append(f'<tr><th scope="row">{escape(position.label)}</th>{"".join(cells)}</tr>')
    columns = [sum(counts[x :: xs.size]) for x in range(xs.size)]
    total_word, by_group = t("total"), t("by group")
    foot = f'<tr><th scope="row">{total_word}</th>{"".join(f"<td>{c}</td>" for c in columns)}</tr>'
    of_group = group_printed(columns, [(g.start, g.stop) for g in xs.groups])  # as the screens print them
    if xs.groups:
        subtotals = "".join(
            f'<td colspan="{g.stop - g.start}">{sum(columns[g.start : g.stop])} · {part}</td>'
            for g, part in zip(xs.groups, of_group, strict=True)
        )
        foot += f'<tr class="subtotals"><th scope="row">{by_group}</th>{subtotals}</tr>'
    by_groups = ""
    if xs.groups:  # the same subtotals as a line, for a narrow table whose group headings would not fit
        line = " · ".join(
            f"{escape(g.label)}: {sum(columns[g.start : g.stop])} ({part})"
            for g, part in zip(xs.groups, of_group, strict=True)
        )
        by_groups = f'<p class="by-group">{escape(by_group)}: {line}</p>'
    names = "".join(f"<li>{escape(p.label)}</li>" for p in xs.positions)
    caption = escape(t("{across} (across) by {down} (down)", across=xs.title, down=ys.title))
    heatmap = t("Heatmap of {caption}", caption=caption)
    listed = f'<ol class="key">{names}</ol>' if key else ""
    return (
        f'<figure class="grid{" compact" if compact else ""}"><table class="heat" aria-label="{escape(heatmap)}">'
        '<colgroup><col class="rows"></colgroup>'
        f"<thead>{groups}<tr><td></td>{heads}</tr></thead><tbody>{''.join(body)}</tbody>"
        f"<tfoot>{foot}</tfoot></table>{by_groups}{listed}"
        f"<figcaption>{caption}.</figcaption></figure>"
    )


def _timeline(question: Question, timeline: list[tuple[float, tuple[int, ...]]], resets: list[float]) -> str:
    """Stacked columns of the tally at even moments from first vote to last, on a time axis, resets marked.

    A scale's columns are stacked by position; a grid's by its rows, in colours of its own.
    """
    assert question.x is not None
    grid = question.y is not None
    bands_of = question.y if question.y is not None else question.x
    palette = GRID_PALETTE if grid else PALETTE
    start, end = timeline[0][0], timeline[-1][0]
    span = max(end - start, 1e-9)
    left, top, plot_w, plot_h, bottom = 44, 30, 546, 150, 36
    width, height = left + plot_w + 10, top + plot_h + bottom
    column = plot_w / SAMPLES
    peak = max(sum(counts) for _, counts in timeline) or 1
    items: list[str] = []

    def x_of(moment: float) -> float:
        return left + plot_w * (moment - start) / span

    # The count axis: 0 and the peak.
    items.append(f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="#5b6475"/>')
    items.append(f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}" stroke="#d8dce3"/>')
    for value, level in ((0, top + plot_h), (peak, top + 10)):  # 0 sits on the axis, clear of the times below
        items.append(f'<text x="{left - 6}" y="{level}" class="axis" font-size="14" text-anchor="end">{value}</text>')
    index = 0
    for sample in range(SAMPLES):
        moment = start + span * (sample + 1) / SAMPLES
        while index + 1 < len(timeline) and timeline[index + 1][0] <= moment:
            index += 1
        counts = timeline[index][1]
        bands = _by_row(counts, question.x.size) if grid else list(counts)
        y = float(top + plot_h)
        for band, count in enumerate(bands):
            if not count:
                continue
            h = plot_h * count / peak
            y -= h
            items.append(
                f'<rect x="{left + sample * column:.1f}" y="{y:.1f}" width="{column - 2:.1f}" height="{h:.1f}"'
                f' fill="{palette[band % len(palette)]}"/>'
            )
    # The time axis: clock times at round intervals.
    step = next((s for s in TICK_STEPS if span / s <= (3 if s < 60 else 4)), TICK_STEPS[-1])
    clock = "%H:%M:%S" if step < 60 else "%H:%M"  # at most three times with seconds, four without: room on a phone
    tick = (int(start) // step + 1) * step
    ticks = [start] if span < step else []
    while tick <= end:
        ticks.append(tick)
        tick += step
    for moment in ticks:
        x = x_of(moment)
        items.append(f'<line x1="{x:.1f}" y1="{top + plot_h}" x2="{x:.1f}" y2="{top + plot_h + 5}" stroke="#5b6475"/>')
        edge = "start" if x < left + 60 else "end" if x > left + plot_w - 60 else "middle"  # never past the axis
        items.append(
            f'<text x="{x:.1f}" y="{top + plot_h + 22}" class="axis" font-size="14" text-anchor="{edge}">'
            f"{datetime.fromtimestamp(moment).strftime(clock)}</text>"
        )
    for moment in resets:
        x = x_of(moment)
        items.append(
            f'<line x1="{x:.1f}" y1="{top - 4}" x2="{x:.1f}" y2="{top + plot_h}" stroke="{RESET_COLOUR}"'
            ' stroke-width="2" stroke-dasharray="5 3"/>'
        )
        reset_at = t("reset {time}", time=f"{datetime.fromtimestamp(moment):%H:%M:%S}")
        anchor = "end" if x > left + plot_w * 0.8 else "start"
        shift = -4 if anchor == "end" else 4
        items.append(
            f'<text x="{x + shift:.1f}" y="{top - 8}" class="axis" font-size="14" text-anchor="{anchor}"'
            f' style="fill:{RESET_COLOUR}">{reset_at}</text>'
        )
    clock = "%H:%M:%S" if span < 120 else "%H:%M"  # a short vote is told in seconds, never as "less than a minute"
    window = t(
        "{start} to {end}",
        start=datetime.fromtimestamp(start).strftime(clock),
        end=datetime.fromtimestamp(end).strftime(clock),
    )
    caption = t("How the tally moved between the first vote and the last ({window})", window=window)
    if resets:
        caption += tn(
            "; the votes were reset {count} time (dashed line)",
            "; the votes were reset {count} times (dashed line)",
            len(resets),
        )
    stacked = t(" Stacked by {title}.", title=bands_of.title) if grid else ""
    legend = "".join(
        f'<li><span style="background:{palette[i % len(palette)]}"></span>{i + 1}. {escape(p.label)}</li>'
        for i, p in enumerate(bands_of.positions)
    )
    if resets:
        cleared = t("reset: votes cleared")
        legend += f'<li><span class="reset"></span>{cleared}</li>'
    return (
        f'<figure class="timeline"><svg viewBox="0 0 {width} {height}" role="img" aria-label="{escape(caption)}">'
        f"{''.join(items)}</svg><figcaption>{escape(caption)}.{escape(stacked)}</figcaption>"
        f'<ul class="legend">{legend}</ul></figure>'
    )


def _by_row(counts: tuple[int, ...], width: int) -> list[int]:
    """A grid's counts summed along each row."""
    return [sum(counts[y * width : (y + 1) * width]) for y in range(len(counts) // width)]
