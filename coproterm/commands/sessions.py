"""`coproterm sessions` and `coproterm export`: what past sessions hold."""

from __future__ import annotations

import argparse
from datetime import datetime
from pathlib import Path

from coproterm.commands import fail
from coproterm.core.deck import DeckError, deck_from_data
from coproterm.core.events import Voted
from coproterm.core.report import Report, build_report


def list_sessions(args: argparse.Namespace) -> int:
    """A line per session: id, date, deck, participants, votes."""
    from server.store import data_dir, list_sessions

    directory = data_dir(args.data_dir)
    rows = []
    for _, info, entries in list_sessions(directory):
        try:
            report = build_report(deck_from_data(info.deck), [(e.at, e.event) for e in entries])
        except DeckError:
            continue
        votes = sum(q.total for q in report.questions)
        changes = sum(isinstance(e.event, Voted) for e in entries)
        rows.append(
            (
                info.id,
                f"{datetime.fromtimestamp(info.created):%d %b %Y %H:%M}",
                info.title,
                report.participants,
                votes,
                changes,
            )
        )
    if not rows:
        print(f"No sessions yet in {directory}.")
        return 0
    print(f"{'session':22} {'started':18} {'participants':>12} {'votes':>6} {'changes':>8}  deck")
    for session_id, started, title, participants, votes, changes in rows:
        print(f"{session_id:22} {started:18} {participants:>12} {votes:>6} {changes:>8}  {title}")
    return 0


def export(args: argparse.Namespace) -> int:
    """Write a session's results as CSV, JSON or an HTML report."""
    from server.store import StoreError, data_dir, find_session

    try:
        path = find_session(data_dir(args.data_dir), args.session)
        text = render(path, args.format, with_names=args.with_names)
    except (StoreError, DeckError) as error:
        return fail(str(error))
    output = args.output or Path(f"{path.stem}.{args.format}")
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as error:
        return fail(f"cannot write {output}: {error.strerror or error}")
    print(f"Wrote {output} ({len(text.encode()):,} bytes).")
    return 0


def render(path: Path, form: str, *, with_names: bool = False) -> str:
    """A session's report in one format (csv, json or html)."""
    from coproterm.export.html import to_html
    from coproterm.export.tables import to_csv, to_json
    from server.store import read_session

    info, entries = read_session(path)
    report: Report = build_report(deck_from_data(info.deck, f"session {info.id}"), [(e.at, e.event) for e in entries])
    if form == "csv":
        return to_csv(report, with_names=with_names)
    if form == "json":
        return to_json(report, info.id, with_names=with_names)
    return to_html(report, info.id)
