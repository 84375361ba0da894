"""The JSON export (the whole session, machine-readable), and what keeps a spreadsheet's cell inert.

Every text cell of the CSV tables (:mod:`coproterm.export.spreadsheet`) is made safe
here: a name such as ``=HYPERLINK(...)`` would otherwise run as a formula when the file is opened.
"""

from __future__ import annotations

import json
import unicodedata
from datetime import UTC, datetime
from typing import Any

from coproterm.core.boards import Question
from coproterm.core.report import QuestionReport, Report
from coproterm.export.agreement import json_entry as agreement_entry
from coproterm.export.answers import json_entry

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")
"""What makes a spreadsheet read a cell as a formula (OWASP's list, with the full-width forms)."""


def safe_cell(value: object) -> object:
    """A cell a spreadsheet will show, never run: text starting like a formula gets a ``'`` first.

    Spreadsheets skip leading spaces and invisible characters (a BOM, an
    ideographic space, zero-width ones) before looking for ``=``, so this does
    too. Numbers pass as they are.
    """
    if not isinstance(value, str):
        return value
    for index, ch in enumerate(value):
        if ch in "\t\r\n" or not (ch.isspace() or ch in _BLANKS or unicodedata.category(ch) in _INVISIBLE):
            return "'" + value if value[index:].startswith(FORMULA_STARTS) else value
    return value


_INVISIBLE = frozenset({"Cf", "Cc", "Zs", "Zl", "Zp", "Mn", "Me"})
"""Unicode categories that show nothing (or nothing on their own): format, control, space, combining."""
_BLANKS = frozenset("\u115f\u1160\u3164\uffa0\u2800")
"""Letters and symbols that draw as blank (Hangul fillers, the blank Braille pattern)."""


def _labels(question: Question, cell: int) -> tuple[str, str]:
    x, y = question.coordinates(cell)
    assert question.x is not None
    return question.x.positions[x].label, question.y.positions[y].label if question.y is not None else ""


def _labels_cy(question: Question, cell: int) -> tuple[str, str]:
    """A cell's position labels in Welsh (empty where the deck gives none)."""
    assert question.x is not None
    x, y = question.coordinates(cell)
    return question.x.positions[x].label_cy, question.y.positions[y].label_cy if question.y is not None else ""


def _welsh(fields: dict[str, str]) -> dict[str, str]:
    """The Welsh twins a deck gives (``_cy`` keys), none where it gives none: exports carry both languages."""
    return {key: value for key, value in fields.items() if value}


def _iso(at: float | None) -> str | None:
    return None if at is None else datetime.fromtimestamp(at, UTC).isoformat(timespec="seconds")


def to_json(report: Report, session_id: str, *, with_names: bool = False, with_hidden: bool = False) -> str:
    """The whole report as one JSON document."""
    document = {
        "session": session_id,
        "title": report.deck.title,
        "source": report.deck.source,
        **_welsh({"title_cy": report.deck.title_cy, "source_cy": report.deck.source_cy}),
        "started": _iso(report.started),
        "ended": _iso(report.ended),
        "participants": report.participants,
        "voters": report.voters,
        "questions": [_question(q, with_names, with_hidden) for q in report.questions],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _question(q: QuestionReport, with_names: bool, with_hidden: bool = False) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "number": q.index + 1,
        "prompt": q.question.prompt,
        **_welsh({"prompt_cy": q.question.prompt_cy}),
        "kind": q.question.kind.value,
        **({"added": True} if q.question.added else {}),
    }
    if q.question.answers is not None:
        entry.update(json_entry(q, with_names=with_names, with_hidden=with_hidden))
        entry.update(agreement_entry(q))
    if q.countdowns:
        entry["timers"] = [
            {
                "seconds": c.seconds,
                "locks": c.locks,
                "started": _iso(c.started),
                "ended": _iso(c.ended),
                "end": c.end.value,
                "locked": c.locked,
            }
            for c in q.countdowns
        ]
    if not q.question.cells:
        return entry
    assert q.question.x is not None
    entry["board"] = [q.question.x.key] + ([q.question.y.key] if q.question.y is not None else [])
    entry["total"] = q.total
    entry["tally"] = [
        {"cell": cell, "x": x, "y": y or None, "count": count, **_welsh({"x_cy": x_cy, "y_cy": y_cy})}
        for cell, count in enumerate(q.counts)
        for (x, y), (x_cy, y_cy) in [(_labels(q.question, cell), _labels_cy(q.question, cell))]
    ]
    if q.question.section:
        entry["section"] = q.question.section
    if q.question.several:
        entry["pick"] = q.question.pick
        entry["people"] = q.people
    entry["votes"] = [
        {
            "participant": b.participant,
            **({"cells": list(q.question.chosen(b.cell))} if q.question.several else {"cell": b.cell}),
            **({"name": b.name} if with_names else {}),
        }
        for b in q.final_votes
    ]
    movement = q.movement
    if movement is not None and q.compared is not None:
        entry["compared_with"] = q.compared.index + 1
        entry["movement"] = {
            "people": movement.people,
            "towards": movement.towards,
            "stayed": movement.stayed,
            "away": movement.away,
            "by_steps": {str(step): count for step, count in movement.by_steps().items()},
            "from_to": [
                list(movement.counts[r * movement.size : (r + 1) * movement.size]) for r in range(movement.size)
            ],
        }
        entry["pairs"] = [
            {
                "participant": p.participant,
                "before": p.before,
                "after": p.after,
                "steps": p.steps,
                **({"name": p.name} if with_names else {}),
            }
            for p in q.pairs
        ]
    entry["timeline"] = [{"at": _iso(at), "counts": list(counts)} for at, counts in q.timeline]
    return entry
