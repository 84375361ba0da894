"""Written answers in exports: one row per answer, and the words the room used most.

Hidden answers (moderated away by the facilitator) are left out unless asked
for (``--with-hidden``); answers never approved (a moderated question's, still
waiting at the end) are listed and marked so; the words are always counted from
the answers the room saw only (:attr:`WrittenAnswer.shown`). Text is escaped for HTML here and made safe for
spreadsheets by :func:`coproterm.export.tables.safe_cell` (the CSV tables are :mod:`coproterm.export.spreadsheet`'s).
"""

from __future__ import annotations

from datetime import UTC, datetime
from html import escape
from typing import Any

from coproterm.core.report import QuestionReport, WrittenAnswer
from coproterm.core.word_counts import count_words
from coproterm.export.language import t, tn

CHART_WORDS = 30
"""Words in the HTML report's chart."""


def shown(q: QuestionReport, with_hidden: bool) -> list[WrittenAnswer]:
    """The answers an export lists: all of them with ``with_hidden``, otherwise all but the hidden ones."""
    return [a for a in q.answers if with_hidden or not a.hidden]


def top_words(q: QuestionReport, n: int = CHART_WORDS) -> list[tuple[str, int]]:
    """The most used words of the answers the room saw (hidden and never approved ones never count)."""
    return count_words(a.text for a in q.answers if a.shown)[:n]


def _iso(at: float) -> str:
    return datetime.fromtimestamp(at, UTC).isoformat(timespec="seconds")


def json_entry(q: QuestionReport, *, with_names: bool, with_hidden: bool) -> dict[str, Any]:
    """A text question's answers and words for the JSON export."""
    return {
        "answers": [
            {
                "question": q.index + 1,
                "participant": a.participant,
                **({"name": a.name} if with_names else {}),
                "text": a.text,
                "at": _iso(a.at),
                "hidden": a.hidden,
                "never_approved": a.waiting,
            }
            for a in shown(q, with_hidden)
        ],
        "words": [{"word": word, "count": count} for word, count in top_words(q, 10_000)],
    }


def html_section(q: QuestionReport, *, with_hidden: bool = False) -> str:
    """The answers (newest first) and a bar chart of the words they use most, in the report's language."""

    answers = shown(q, with_hidden)
    visible = sum(a.shown for a in q.answers)
    # Each text is made before its f-string: the catalog's extractor cannot see into one (docs/cymraeg.md).
    none, hidden, unapproved = t("No answers were written."), t("hidden"), t("never approved")
    if not answers:
        return f'<p class="meta">{escape(none)}</p>'
    words = top_words(q)
    most = max((count for _, count in words), default=1)
    total, most_used, heading = tn("{count} answer", "{count} answers", visible), t("The words used most"), t("Answers")
    parts = [f'<p class="meta">{escape(total)}</p>']
    if words:
        parts.append(f'<h3>{escape(most_used)}</h3><table class="words"><tbody>')
        for word, count in words:
            width = max(1, round(85 * count / most))  # room for the count beside the longest bar
            parts.append(
                f'<tr><th scope="row">{escape(word)}</th>'
                f'<td><span class="bar" style="width:{width}%"></span> {count}</td></tr>'
            )
        parts.append("</tbody></table>")
    parts.append(f'<h3>{escape(heading)}</h3><ul class="answers">')
    for a in sorted(answers, key=lambda a: -a.id):
        mark = f' <em class="meta">({escape(hidden)})</em>' if a.hidden else ""
        if a.waiting:
            mark += f' <em class="meta">({escape(unapproved)})</em>'

        parts.append(f"<li>{escape(a.text)}{mark}</li>")
    parts.append("</ul>")
    return "\n".join(parts)
