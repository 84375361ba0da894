"""The report's first page: the workshop at a glance, for a board that reads one page.

Title, date and place, who took part and how, the headline move (where work
lives now against the new opportunity: the sentence, the steps, the from→to
table), each grid's distribution, and each open question's top words with a few
of its answers. Every part links down to its question's details. Hidden answers
never appear here, whatever the export was asked for: this page is sent round.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from coproterm.core.movement import steps_words, summary
from coproterm.core.report import QuestionReport, Report
from coproterm.export.answers import top_words
from coproterm.export.charts import grid_table
from coproterm.export.language import report_language, t, tn
from coproterm.export.movement import transitions

GLANCE_WORDS = 8
"""Words shown per open question on the first page."""
GLANCE_ANSWERS = 3
"""Answers quoted per open question on the first page."""
QUOTE_LENGTH = 160
"""Characters of an answer quoted on the first page (the rest is in its details)."""

STYLE = """
.glance { page-break-after: always; break-after: page; }
.glance h1 { font-size: 1.7rem; }
.glance .facts { display: flex; flex-wrap: wrap; gap: .25rem 1.25rem; list-style: none; padding: 0; margin: .5rem 0 0; }
.glance .facts strong { font-size: 1.3rem; }
.glance h2 { font-size: 1.1rem; margin: 1rem 0 .25rem; }
.glance .cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 22rem), 1fr)); gap: 0 1.5rem; }
.glance .card { border-top: 1px solid var(--rule); min-width: 0; }
.glance .card p { margin: .25rem 0; }
.glance .more { font-size: .9rem; }
.glance table.heat { margin: .4rem 0; }
.glance table.heat col.rows { width: 6.8rem; }
.glance table.heat.moves col.rows { width: 2.2rem; }
.glance table.heat tr.groups, .glance table.heat tr.subtotals { display: none; }
.glance p.by-group { display: block; }
.glance table.heat td { height: 1.7rem; padding: .1rem; }
.glance table.heat .long, .glance table.heat .row-long { display: none; }
.glance ol.key { display: block; }
.glance ul.words { display: flex; flex-wrap: wrap; gap: .2rem .9rem; list-style: none; padding: 0; margin: .25rem 0; }
.glance ul.quotes { margin: .25rem 0; padding-left: 1.2rem; }
.glance blockquote { margin: 0; }
"""
"""Added to the report's stylesheet: the first page's layout (two columns of cards where there is room)."""


@dataclass(frozen=True, slots=True)
class Gathering:
    """What the report knows of the room beyond its log: where it met, and how many joined over SSH."""

    venue: str = ""
    over_ssh: int | None = None
    """Participants who joined over SSH (None when the log cannot say)."""


def glance(report: Report, session_id: str, gathering: Gathering, when: str) -> str:
    """The first page: the whole workshop in one screen (and one A4 page), each part linking to its details."""

    deck = report.deck
    where = " · ".join(escape(part) for part in (when, gathering.venue) if part)
    session = t("session {id}", id=session_id)
    parts = [
        '<header class="glance" id="glance">',
        f"<h1>{escape(deck.title)}</h1>",
        f'<p class="when">{where}</p>',
        _facts(report, gathering),
        '<div class="cards">',
    ]
    headline = _headline(report)
    if headline is not None:
        assert headline.question.x is not None and headline.movement is not None and headline.compared is not None
        scale = headline.question.x
        title = t("Where work lives now, and the new opportunity")
        moved = summary(headline.movement, scale, report_language())
        parts.append(
            f'<section class="card headline"><h2>{escape(title)}</h2><p><strong>{escape(moved)}.</strong></p>'
            f"{_steps(headline)}{transitions(headline.movement, scale, compact=True)}"
            f"{_more(headline.index)}</section>"
        )
    keyed = headline.question.x.key if headline is not None and headline.question.x is not None else None
    for q in report.questions:
        if q.question.y is not None and q.question.x is not None and q.total:
            same = q.question.x.key == keyed  # the headline's key names the same positions
            parts.append(
                f'<section class="card grid-glance"><h2>{escape(q.question.prompt)}</h2>'
                f"<p>{escape(_people(q.people))}</p>"
                f"{grid_table(q.question.x, q.question.y, q.counts, compact=True, key=not same)}{_more(q.index)}</section>"
            )
    for q in report.questions:
        if q.question.answers is not None:
            parts.append(_open_question(q))
    parts.append("</div>")
    parts.append(f'<p class="meta">{escape(session)}' + (f" · {escape(deck.source)}" if deck.source else "") + "</p>")
    parts.append("</header>")
    return "\n".join(parts)


def _facts(report: Report, gathering: Gathering) -> str:
    """How many took part, and how: joined, voted, wrote, over SSH or from an app or a phone."""

    writers = len({a.participant for q in report.questions for a in q.answers})
    items = [
        tn("{count} took part", "{count} took part", report.participants),
        tn("{count} person voted", "{count} people voted", report.voters),
        tn("{count} person wrote answers", "{count} people wrote answers", writers),
    ]
    if gathering.over_ssh is not None:
        others = report.participants - gathering.over_ssh
        items.append(t("{count} over SSH", count=gathering.over_ssh))
        items.append(t("{count} from the app or a phone", count=others))
    return '<ul class="facts">' + "".join(f"<li>{_bold_number(item)}</li>" for item in items) + "</ul>"


def _bold_number(text: str) -> str:
    """``text``, escaped, with its first number in bold (the figure a reader's eye looks for)."""
    for start, ch in enumerate(text):
        if ch.isdigit():
            end = start
            while end < len(text) and (text[end].isdigit() or text[end] == ","):
                end += 1
            return f"{escape(text[:start])}<strong>{text[start:end]}</strong>{escape(text[end:])}"
    return escape(text)


def _headline(report: Report) -> QuestionReport | None:
    """The question compared with an earlier one that most people answered both of (the first such on a tie)."""
    compared = [q for q in report.questions if q.movement is not None and q.compared is not None]
    if not compared:
        return None
    return max(compared, key=lambda q: (q.movement.people if q.movement else 0, -q.index))


def _steps(q: QuestionReport) -> str:
    """By how many steps people moved, towards the scale's end first, in the words the details use."""

    movement = q.movement
    assert movement is not None
    lang = report_language()
    by = movement.by_steps()
    moves = [
        t("{count} moved {steps} towards", count=n, steps=steps_words(step, lang))
        for step, n in sorted(by.items(), key=lambda item: -item[0])
        if step > 0
    ] + [t("{count} moved {steps} away", count=n, steps=steps_words(step, lang)) for step, n in by.items() if step < 0]
    if not moves:
        return ""
    said = t("Steps moved: {moves}", moves=", ".join(moves))
    return f'<p class="meta">{escape(said)}.</p>'


def _people(count: int) -> str:

    return tn("{count} person placed their work", "{count} people placed their work", count)


def _open_question(q: QuestionReport) -> str:
    """An open question's top words and a few of the answers the room saw (hidden and never approved ones never)."""

    visible = [a for a in q.answers if a.shown]
    words = top_words(q, GLANCE_WORDS)
    parts = [f'<section class="card open-glance"><h2>{escape(q.question.prompt)}</h2>']
    none, written = t("No answers were written."), tn("{count} answer", "{count} answers", len(visible))
    parts.append(f'<p class="meta">{escape(none)}</p>' if not visible else f"<p>{escape(written)}</p>")
    if words:
        heading = t("The words used most")
        items = "".join(f"<li>{escape(word)} <strong>{count}</strong></li>" for word, count in words)
        parts.append(f'<p class="meta">{escape(heading)}:</p><ul class="words">{items}</ul>')
    if visible:
        quotes = "".join(
            f"<li><blockquote>{escape(_quoted(a.text))}</blockquote></li>"
            for a in sorted(visible, key=lambda a: -a.id)[:GLANCE_ANSWERS]
        )
        parts.append(f'<ul class="quotes">{quotes}</ul>')
    parts.append(_more(q.index) + "</section>")
    return "".join(parts)


def _quoted(text: str) -> str:
    """An answer as the first page quotes it: whole, or cut at a word with an ellipsis when long."""
    if len(text) <= QUOTE_LENGTH:
        return text
    cut = text[:QUOTE_LENGTH].rsplit(" ", 1)[0]
    return cut.rstrip(",;:.") + "…"


def _more(index: int) -> str:
    """The link from a part of the first page to its question's details."""

    label = t("Details: question {number}", number=index + 1)
    return f'<p class="more"><a href="#q{index + 1}">{escape(label)} ↓</a></p>'
