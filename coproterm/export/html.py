"""A self-contained HTML report: no script, no font, no style from anywhere else.

Charts are inline SVG: bars for a scale, a heatmap for a grid, and, for each
question, how its tally moved from the first vote to the last. It reads on a
phone and prints cleanly, so a facilitator can email it round after a workshop.
"""

from __future__ import annotations

from datetime import datetime
from html import escape

from coproterm.core.boards import Question, Scale
from coproterm.core.report import QuestionReport, Report

PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
"""Okabe-Ito: told apart by people with any common colour blindness, and in grey."""
SAMPLES = 48

STYLE = """
:root { color-scheme: light; --ink: #1d2330; --muted: #5b6475; --rule: #d8dce3; --bar: #0072B2; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: #fff; }
main { max-width: 820px; margin: 0 auto; padding: 1.5rem 1rem 3rem; }
h1 { font-size: 1.6rem; margin: 0 0 .25rem; }
h2 { font-size: 1.15rem; margin: 2rem 0 .25rem; }
header p, .meta, figcaption, footer { color: var(--muted); font-size: .9rem; }
section { border-top: 1px solid var(--rule); page-break-inside: avoid; break-inside: avoid; }
svg { width: 100%; height: auto; display: block; }
figure { margin: 1rem 0; }
figure.chart { max-width: 560px; }
svg text { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; fill: var(--ink); }
table { border-collapse: collapse; width: 100%; font-size: .9rem; margin: .75rem 0; }
th, td { text-align: left; padding: .2rem .4rem; border-bottom: 1px solid var(--rule); }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
.legend { display: flex; flex-wrap: wrap; gap: .25rem 1rem; font-size: .85rem; color: var(--muted); padding: 0; list-style: none; }
.legend span { display: inline-block; width: .8rem; height: .8rem; margin-right: .3rem; vertical-align: -.1rem; }
@media print { main { max-width: none; } h2 { margin-top: 1rem; } }
"""


def to_html(report: Report, session_id: str) -> str:
    """The whole report as one HTML document."""
    deck = report.deck
    when = datetime.fromtimestamp(report.started).strftime("%A %-d %B %Y, %H:%M") if report.started else "not started"
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(deck.title)}: results</title>",
        f"<style>{STYLE}</style></head><body><main>",
        f"<header><h1>{escape(deck.title)}</h1>",
        f"<p>{escape(when)} · {report.participants} participants · session {escape(session_id)}"
        + (f"<br>{escape(deck.source)}" if deck.source else "")
        + "</p></header>",
    ]
    for question in report.questions:
        parts.append(_section(question))
    parts.append("<footer><p>Results from coproterm: live voting for co-production workshops.</p></footer>")
    parts.append("</main></body></html>")
    return "\n".join(parts) + "\n"


def _section(q: QuestionReport) -> str:
    question = q.question
    head = f'<section id="q{q.index + 1}"><h2>{q.index + 1}. {escape(question.prompt)}</h2>'
    if question.note:
        head += f'<p class="meta">{escape(question.note)}</p>'
    if question.x is None:
        return head + '<p class="meta">A question for discussion: nothing was voted on.</p></section>'
    if not q.total:
        return head + '<p class="meta">No votes were cast on this question.</p></section>'
    body = [head, f'<p class="meta">{q.total} vote{"s" if q.total != 1 else ""}</p>']
    if question.y is None:
        body.append(_bars(question.x, q.counts))
        body.append(_table(question.x, q.counts))
    else:
        assert question.y is not None
        body.append(_heatmap(question.x, question.y, q.counts))
    if len(q.timeline) > 1:
        body.append(_timeline(question, q.timeline))
    body.append("</section>")
    return "\n".join(body)


def _bars(scale: Scale, counts: tuple[int, ...]) -> str:
    """A bar per position under its label (readable at a phone's width), with group headings."""
    width, bar_w = 420, 330
    peak = max(counts) or 1
    total = sum(counts)
    items: list[str] = []
    y = 0
    for i, position in enumerate(scale.positions):
        group = scale.group_of(i)
        if group is not None and group.start == i:
            y += 8
            items.append(f'<text x="0" y="{y + 15}" font-size="15" font-weight="700">{escape(group.label)}</text>')
            y += 24
        length = round(bar_w * counts[i] / peak)
        share = f"{round(100 * counts[i] / total)}%" if total else "–"
        items.append(f'<text x="0" y="{y + 14}" font-size="14">{i + 1}. {escape(position.label)}</text>')
        items.append(f'<rect x="0" y="{y + 20}" width="{max(length, 2)}" height="14" fill="#0072B2" rx="2"/>')
        items.append(f'<text x="{max(length, 2) + 8}" y="{y + 32}" font-size="13">{counts[i]} · {share}</text>')
        y += 44
    label = escape(
        f"Bar chart of {scale.title}: "
        + ", ".join(f"{p.label} {c}" for p, c in zip(scale.positions, counts, strict=True))
    )
    return f'<figure class="chart"><svg viewBox="0 0 {width} {y + 4}" role="img" aria-label="{label}">{"".join(items)}</svg></figure>'


def _table(scale: Scale, counts: tuple[int, ...]) -> str:
    total = sum(counts)
    rows = "".join(
        f"<tr><td>{i + 1}. {escape(p.label)}</td><td>{escape(g.label if (g := scale.group_of(i)) else '')}</td>"
        f'<td class="n">{c}</td><td class="n">{round(100 * c / total) if total else 0}%</td></tr>'
        for i, (p, c) in enumerate(zip(scale.positions, counts, strict=True))
    )
    return f"<table><thead><tr><th>position</th><th>group</th><th>votes</th><th>share</th></tr></thead><tbody>{rows}</tbody></table>"


def _heatmap(xs: Scale, ys: Scale, counts: tuple[int, ...]) -> str:
    """A cell per pair of positions, darker with more votes, the count printed in it."""
    side, top, cell_w, cell_h = 120, 64, 88, 44
    peak = max(counts) or 1
    items: list[str] = []
    for x, position in enumerate(xs.positions):
        cx = side + x * cell_w + cell_w / 2
        items.append(f'<text x="{cx}" y="{top - 30}" text-anchor="middle" font-weight="700">{x + 1}</text>')
        items.append(
            f'<text x="{cx}" y="{top - 12}" text-anchor="middle" font-size="11">{escape(_short(position.label, 14))}</text>'
        )
    for y, position in enumerate(ys.positions):
        cy = top + y * cell_h
        items.append(f'<text x="0" y="{cy + cell_h / 2 + 5}">{escape(position.label)}</text>')
        for x in range(xs.size):
            count = counts[y * xs.size + x]
            level = count / peak
            fill = f"rgba(0,114,178,{0.08 + 0.85 * level:.2f})" if count else "#f4f5f7"
            ink = "#fff" if level > 0.55 else "#1d2330"
            items.append(
                f'<rect x="{side + x * cell_w + 1}" y="{cy + 1}" width="{cell_w - 2}" height="{cell_h - 2}" fill="{fill}" rx="3"/>'
            )
            items.append(
                f'<text x="{side + x * cell_w + cell_w / 2}" y="{cy + cell_h / 2 + 5}" text-anchor="middle" style="fill:{ink}" font-weight="700">{count or "·"}</text>'
            )
    width = side + xs.size * cell_w
    height = top + ys.size * cell_h + 4
    label = escape(f"Heatmap of {xs.title} (across) by {ys.title} (down)")
    return f'<figure class="chart"><svg viewBox="0 0 {width} {height}" role="img" aria-label="{label}">{"".join(items)}</svg></figure>'


def _timeline(question: Question, timeline: list[tuple[float, tuple[int, ...]]]) -> str:
    """Stacked columns of the tally (by position across) at even moments from first vote to last."""
    assert question.x is not None
    xs = question.x
    start, end = timeline[0][0], timeline[-1][0]
    span = max(end - start, 1e-9)
    width, height, gap = 600, 140, 2
    column = width / SAMPLES
    peak = max(sum(counts) for _, counts in timeline) or 1
    items: list[str] = []
    index = 0
    for sample in range(SAMPLES):
        moment = start + span * (sample + 1) / SAMPLES
        while index + 1 < len(timeline) and timeline[index + 1][0] <= moment:
            index += 1
        bands = _by_column(timeline[index][1], xs.size)
        y = float(height)
        for band, count in enumerate(bands):
            if not count:
                continue
            h = height * count / peak
            y -= h
            colour = PALETTE[band % len(PALETTE)]
            items.append(
                f'<rect x="{sample * column:.1f}" y="{y:.1f}" width="{column - gap:.1f}" height="{h:.1f}" fill="{colour}"/>'
            )
    minutes = span / 60
    clock = f"{datetime.fromtimestamp(start):%H:%M} to {datetime.fromtimestamp(end):%H:%M}"
    legend = "".join(
        f'<li><span style="background:{PALETTE[i % len(PALETTE)]}"></span>{i + 1}. {escape(p.label)}</li>'
        for i, p in enumerate(xs.positions)
    )
    length = "less than a minute" if minutes < 1 else f"{minutes:.0f} minute{'s' if round(minutes) != 1 else ''}"
    caption = f"How the tally moved over {length}, from the first vote to the last ({clock})"
    return (
        f'<figure class="timeline"><svg viewBox="0 0 {width} {height}" role="img" aria-label="{escape(caption)}">{"".join(items)}</svg>'
        f'<figcaption>{escape(caption)}.</figcaption><ul class="legend">{legend}</ul></figure>'
    )


def _by_column(counts: tuple[int, ...], width: int) -> list[int]:
    """Counts summed down each column (a scale's counts are their own columns)."""
    return [sum(counts[x::width]) for x in range(width)]


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
