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
from datetime import datetime
from html import escape

from coproterm.core.boards import Scale
from coproterm.core.countdown import clock_text
from coproterm.core.deck import localise
from coproterm.core.i18n import ENGLISH, Language, language
from coproterm.core.report import QuestionReport, Report
from coproterm.export.agreement import html_section as agreement_section
from coproterm.export.answers import html_section
from coproterm.export.charts import bars, grid_table, table, timeline, votes
from coproterm.export.glance import STYLE as GLANCE_STYLE
from coproterm.export.glance import Gathering, glance
from coproterm.export.language import REPORT_LANGUAGE, date_text, t, tn
from coproterm.export.movement import STYLE as MOVEMENT_STYLE
from coproterm.export.movement import movement_section
from coproterm.export.printing import STYLE as PRINT_STYLE

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
    token = REPORT_LANGUAGE.set(chosen)
    try:
        return _document(report, session_id, with_hidden, chosen, gathering or Gathering())
    finally:
        REPORT_LANGUAGE.reset(token)


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
    when = date_text(report.started, report.ended) if report.started else t("not started")
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
    body = [head, f'<p class="meta">{votes(q.total)}</p>']
    if question.several:
        chose = tn("{count} person chose", "{count} people chose", q.people)
        body[-1] = f'<p class="meta">{chose}: {votes(q.total)}, up to {question.pick} each</p>'
    if question.y is None:
        shares_of = q.people if question.several else None  # each chose several: shares of people, as live
        body.append(bars(question.x, q.counts, shares_of))
        if explained is None or question.x.key not in explained:
            body.append(_group_notes(question.x))
            if explained is not None:
                explained.add(question.x.key)
        if q.compared is not None:
            body.append(movement_section(q, q.compared))
        folded = table(question.x, q.counts, shares_of)
    else:
        body.append(grid_table(question.x, question.y, q.counts))
        folded = ""
    if len(q.timeline) > 1:
        folded += timeline(question, q.timeline, q.resets)
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
