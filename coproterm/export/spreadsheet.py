"""The CSV export people open in a spreadsheet: one tidy table per kind of record.

``tallies`` (a row per position of each question), ``votes`` (a row per
person's vote on a one-choice question), ``choices`` (a row per position a
person chose on a pick-several question), ``answers`` (a row per written
answer), ``movement`` (a row per person's before and after), ``timers`` (a row
per countdown the facilitator started) and ``people`` (a row per participant). Positions count from 1, as every screen numbers them, and
come with their labels; times are the hub's local time with its offset (ISO
8601); headers and values are in the report's language; every text cell is
made safe (:func:`coproterm.export.tables.safe_cell`). Files are UTF-8 with a
byte order mark, so a spreadsheet reads Welsh letters right.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import datetime

from coproterm.core.boards import Question
from coproterm.core.deck import localise
from coproterm.core.i18n import N_, Language
from coproterm.core.report import Report, TimerEnd
from coproterm.core.shares import printed
from coproterm.export.agreement import csv_rows as agreement_rows
from coproterm.export.answers import shown
from coproterm.export.tables import safe_cell

ENDS = {
    TimerEnd.RAN_OUT: N_("ran out"),
    TimerEnd.STOPPED: N_("stopped by the facilitator"),
    TimerEnd.REPLACED: N_("replaced by another timer"),
    TimerEnd.RUNNING: N_("still running at the end of the log"),
}
"""How a countdown ended, as the ``timers`` table words it."""

ENCODING = "utf-8-sig"
"""What the files are written in: Excel takes UTF-8 without its mark for a legacy code page."""
KINDS = ("tallies", "votes", "choices", "answers", "movement", "timers", "people")
"""The tables, in the order the folder lists them."""


def local_time(at: float) -> str:
    """A moment as the hub's clock read it, with its offset from UTC: ``2026-06-09T14:13:20+01:00``."""
    return datetime.fromtimestamp(at).astimezone().isoformat(timespec="seconds") if at else ""


def csv_tables(
    report: Report, lang: Language, *, with_names: bool = False, with_hidden: bool = False
) -> dict[str, str]:
    """Each table's file name and text, in ``lang``; names only ``with_names``, hidden answers only ``with_hidden``."""
    t = lang.t
    deck = localise(report.deck, lang)
    questions = [(q, deck.questions[q.index]) for q in report.questions]
    name_head = [t("name")] if with_names else []

    def named(name: str) -> list[str]:
        return [name] if with_names else []

    q_head = [t("question"), t("prompt"), t("added during the session")]
    tallies: list[list[object]] = []
    votes: list[list[object]] = []
    choices: list[list[object]] = []
    answers: list[list[object]] = []
    movement: list[list[object]] = []
    timers: list[list[object]] = []
    agreement: list[list[object]] = []
    for q, question in questions:
        ask = [q.index + 1, question.prompt, t("yes") if question.added else ""]
        if question.x is not None and question.cells:
            each = printed(q.counts, q.people if question.several else None)  # as every face prints them
            for cell, count in enumerate(q.counts):
                tallies.append([*ask, *_position(question, cell), count, each[cell]])
            for vote in q.final_votes:
                for cell in question.chosen(vote.cell):
                    row = [*ask, vote.participant, *named(vote.name), *_position(question, cell), local_time(vote.at)]
                    (choices if question.several else votes).append(row)
        for c in q.countdowns:
            yes_no = {True: t("yes"), False: t("no")}
            ended = local_time(c.ended) if c.ended is not None else ""
            timers.append(
                [*ask, c.seconds, yes_no[c.locks], local_time(c.started), ended, t(ENDS[c.end]), yes_no[c.locked]]
            )
        for a in shown(q, with_hidden):
            hidden = t("yes") if a.hidden else t("no")
            unapproved = t("yes") if a.waiting else t("no")
            answers.append([*ask, a.participant, *named(a.name), a.text, local_time(a.at), hidden, unapproved])
        agreement += agreement_rows(q, ask)
        if q.compared is not None and question.x is not None:
            labels = question.x.positions
            for p in q.pairs:
                movement.append(
                    [
                        *ask,
                        q.compared.index + 1,
                        p.participant,
                        *named(p.name),
                        p.before + 1,
                        labels[p.before].label,
                        p.after + 1,
                        labels[p.after].label,
                        p.steps,
                    ]
                )
    grid = any(question.y is not None for _, question in questions)
    where = [t("position"), t("label")] + ([t("row"), t("row label")] if grid else [])
    tables = {
        "tallies": _padded([*q_head, *where, t("votes"), t("share")], tallies, 2),
        "votes": _padded([*q_head, t("participant"), *name_head, *where, t("last changed")], votes, 1),
        "choices": _padded([*q_head, t("participant"), *name_head, *where, t("last changed")], choices, 1),
        "answers": (
            [*q_head, t("participant"), *name_head, t("answer"), t("written"), t("hidden"), t("never approved")],
            answers,
        ),
        "movement": (
            [
                *q_head,
                t("compared with question"),
                t("participant"),
                *name_head,
                t("before"),
                t("before label"),
                t("after"),
                t("after label"),
                t("steps"),
            ],
            movement,
        ),
        "timers": (
            [
                *q_head,
                t("seconds"),
                t("locks voting at its end"),
                t("started"),
                t("ended"),
                t("how it ended"),
                t("voting locked"),
            ],
            timers,
        ),
        "people": (
            [t("participant"), *name_head, t("questions voted on"), t("answers written")],
            _people(report, with_names, with_hidden),
        ),
    }
    if any(q.agreement is not None for q in report.questions):  # a table only where answers were opened for agreement
        tables["agreement"] = ([*q_head, t("answer"), t("agree"), t("disagree"), t("pass")], agreement)
    names = {
        "tallies": t("tallies"), "votes": t("votes"), "choices": t("choices"),
        "answers": t("answers"), "movement": t("movement"), "timers": t("timers"), "people": t("people"),
        "agreement": t("agreement"),
    }  # fmt: skip
    return {f"{names[kind]}.csv": _csv(head, rows) for kind, (head, rows) in tables.items()}


def _position(question: Question, cell: int) -> list[object]:
    """A cell's position from 1 and its label, and on a grid its row from 1 and the row's label."""
    assert question.x is not None
    x, y = question.coordinates(cell)
    across = [x + 1, question.x.positions[x].label]
    if question.y is None:
        return across
    return [*across, y + 1, question.y.positions[y].label]


def _padded(head: list[str], rows: list[list[object]], after: int) -> tuple[list[str], list[list[object]]]:
    """Rows of one-scale questions given the grid's two empty row columns, ``after`` cells from their end."""
    width = len(head)
    return head, [
        row if len(row) == width else [*row[: len(row) - after], "", "", *row[len(row) - after :]] for row in rows
    ]


def _people(report: Report, with_names: bool, with_hidden: bool) -> list[list[object]]:
    voted: dict[int, int] = {}
    wrote: dict[int, int] = {}
    names: dict[int, str] = {}
    for q in report.questions:
        for vote in q.final_votes:
            voted[vote.participant] = voted.get(vote.participant, 0) + 1
            names[vote.participant] = vote.name
        for a in shown(q, with_hidden):
            wrote[a.participant] = wrote.get(a.participant, 0) + 1
            names.setdefault(a.participant, a.name)
    return [
        [n, *([names.get(n, "")] if with_names else []), voted.get(n, 0), wrote.get(n, 0)]
        for n in range(1, report.participants + 1)
    ]


def _csv(head: list[str], rows: Iterable[list[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([safe_cell(cell) for cell in head])
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return out.getvalue()
