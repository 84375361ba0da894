"""The report's pictures of a tally: a scale's bars and table, a grid's heatmap table, and the
chart of how a question's tally moved over time, in the report's language."""

from __future__ import annotations

from datetime import datetime
from html import escape

from coproterm.core.boards import Question, Scale
from coproterm.core.shares import group_printed, printed
from coproterm.export.language import t, tn

PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
"""Okabe-Ito, for a scale's positions: told apart with any common colour blindness, and in grey."""
GRID_PALETTE = ("#332288", "#88CCEE", "#117733", "#DDCC77", "#AA4499", "#44AA99", "#999933", "#882255")
"""Paul Tol's 'muted', for a grid's rows: its own colours, so a grid's chart is not read as a scale's."""
RESET_COLOUR = "#B00020"
SAMPLES = 48
TICK_STEPS = (10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200)
"""Seconds between time-axis ticks: the first that gives at most six."""


def votes(n: int) -> str:
    return tn("{count} vote", "{count} votes", n)


def bars(scale: Scale, counts: tuple[int, ...], people: int | None = None) -> str:
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
                f" · {votes(subtotal)} · {of_group[scale.groups.index(group)]}</li>"
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


def table(scale: Scale, counts: tuple[int, ...], people: int | None = None) -> str:
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


def timeline(question: Question, timeline: list[tuple[float, tuple[int, ...]]], resets: list[float]) -> str:
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
