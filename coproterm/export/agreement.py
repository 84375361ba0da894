"""An agreement round in exports: a short section of the report (most agreed, most split), JSON and CSV rows.

Only the answers the room could see are listed, by their words alone (never who wrote them):
:class:`~coproterm.core.report.AgreementReport` has already left the others out.
"""

from __future__ import annotations

from html import escape
from typing import Any

from coproterm.core.agreement import Marks
from coproterm.core.report import QuestionReport
from coproterm.export.language import t, tn


def _texts(q: QuestionReport) -> dict[int, str]:
    return {a.id: a.text for a in q.answers if not a.hidden}


def json_entry(q: QuestionReport) -> dict[str, Any]:
    """A question's agreement round for the JSON export (empty when none was opened)."""
    round_ = q.agreement
    if round_ is None:
        return {}
    texts = _texts(q)

    def listed(marks: list[Marks]) -> list[dict[str, Any]]:
        return [
            {"text": texts.get(m.answer, ""), "agree": m.agree, "disagree": m.disagree, "pass": m.passed} for m in marks
        ]

    return {
        "agreement": {
            "marks": round_.total,
            "people": round_.people,
            "answers": listed(list(round_.marks)),
            "most_agreed": listed(round_.most_agreed()),
            "most_split": listed(round_.most_split()),
        }
    }


def csv_rows(q: QuestionReport, ask: list[object]) -> list[list[object]]:
    """One row per marked answer: the question, the answer's words, and its marks."""
    if q.agreement is None:
        return []
    texts = _texts(q)
    return [[*ask, texts.get(m.answer, ""), m.agree, m.disagree, m.passed] for m in q.agreement.marks]


def html_section(q: QuestionReport) -> str:
    """The round in a few lines: how many marked, the answers most agreed on, and those the room was split on."""

    round_ = q.agreement
    if round_ is None:
        return ""
    texts = _texts(q)
    heading = t("Agreeing with each other")
    marks = tn("{count} mark", "{count} marks", round_.total)
    counted = tn("{marks} by {count} participant", "{marks} by {count} participants", round_.people, marks=marks)
    parts = [f'<h3>{escape(heading)}</h3><p class="meta">{escape(counted)}</p>']
    for title, listed in (
        (t("Most agreed on"), round_.most_agreed()),
        (t("The room was split on"), round_.most_split()),
    ):
        if not listed:
            continue
        items = []
        for m in listed:
            each = t(
                "{agree} agree, {disagree} disagree, {passed} passed",
                agree=m.agree,
                disagree=m.disagree,
                passed=m.passed,
            )
            items.append(f'<li>{escape(texts.get(m.answer, ""))} <span class="meta">({escape(each)})</span></li>')
        parts.append(f'<h4>{escape(title)}</h4><ol class="answers">{"".join(items)}</ol>')
    return "".join(parts)
