"""`coproterm sessions` and `coproterm export`: what past sessions hold.

A damaged session (a row of its log that cannot be replayed) is still listed
and exported: the damaged rows are left out and named on stderr, so one bad
row never hides the other sessions, nor the rest of its own.
"""

from __future__ import annotations

import argparse
import re
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from coproterm.commands import fail
from coproterm.core.deck import DeckError, deck_from_data
from coproterm.core.i18n import ENGLISH, language
from coproterm.core.report import Report, build_report

if TYPE_CHECKING:
    from server.store import SessionLog


def export_name(session_id: str, form: str, lang: str = ENGLISH) -> str:
    """The file a session's export goes to, the same from `export` and the dashboard's e key.

    A report in another language names it (``….cy.html``), so it never takes the English one's place.
    """
    marked = f".{lang}" if form == "html" and lang != ENGLISH else ""
    return f"{session_id}{marked}.{form}"


def _html_lang(path: Path) -> str | None:
    """The language an HTML report already at ``path`` is in (its ``<html lang>``), or None."""
    try:
        with path.open(encoding="utf-8", errors="replace") as file:
            start = file.read(4096)
    except OSError:
        return None
    found = re.search(r'<html lang="([^"]+)"', start)
    return found.group(1) if found else None


def warn(message: str) -> None:
    """Say something the user should know, on stderr, without failing."""
    print(f"coproterm: {message}", file=sys.stderr)


def list_sessions(args: argparse.Namespace) -> int:
    """A line per session: id, date, deck, participants, votes."""
    from server.store import StoreError, data_dir, list_sessions

    directory = data_dir(args.data_dir)
    rows = []
    for log in list_sessions(directory):
        if isinstance(log, StoreError):
            warn(f"{log} (not listed)")
            continue
        try:
            report = report_of(log)
        except DeckError as error:
            warn(f"session {log.info.id}: {error} (not listed)")
            continue
        rows.append(
            (
                log.info.id + (" !" if report.flaws else ""),
                f"{datetime.fromtimestamp(log.info.created):%d %b %Y %H:%M}",
                log.info.title,
                report.participants,
                report.votes,
                report.changes,
            )
        )
    if not rows:
        print(f"No sessions yet in {directory}.")
        return 0
    print(f"{'session':22} {'started':18} {'participants':>12} {'votes':>6} {'changes':>8}  deck")
    for session_id, started, title, participants, votes, changes in rows:
        print(f"{session_id:22} {started:18} {participants:>12} {votes:>6} {changes:>8}  {title}")
    print("votes: standing at the end, one per person per question; changes: every vote cast, changed or taken back")
    if any(row[0].endswith(" !") for row in rows):
        print("! damaged rows in its log were left out (named above)")
    return 0


def export(args: argparse.Namespace) -> int:
    """Write a session's results as CSV, JSON or an HTML report."""
    from server.store import NEWEST, StoreError, choose_session, data_dir

    try:
        chosen = choose_session(data_dir(args.data_dir), NEWEST if args.session is None else args.session)
        if chosen.why:
            warn(chosen.why)
        text = render(
            chosen.path,
            args.format,
            with_names=args.with_names,
            with_hidden=args.with_hidden,
            lang=getattr(args, "lang", ENGLISH),
        )
    except (StoreError, DeckError) as error:
        return fail(str(error))
    lang = language(getattr(args, "lang", ENGLISH))
    output = args.output or Path(export_name(chosen.path.stem, args.format, lang.code))
    there = _html_lang(output) if args.format == "html" else None
    if there is not None and there != lang.html_lang:
        return fail(
            lang.t(
                "{file} holds the report in another language ({there}): give another file with -o",
                file=output,
                there=there,
            )
        )
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as error:
        return fail(f"cannot write {output}: {error.strerror or error}")
    said = lang.t("Wrote {file} ({size} bytes).", file=output, size=f"{len(text.encode()):,}")
    print(said)
    return 0


def report_of(log: SessionLog, *, quiet: bool = False) -> Report:
    """A session's report; its damaged rows are left out and (unless quiet) named on stderr."""
    report = build_report(deck_from_data(log.info.deck, f"session {log.info.id}"), log.logged(), log.flaws)
    if not quiet:
        for flaw in report.flaws:
            warn(f"session {log.info.id}: log {flaw} (left out)")
    return report


def render(
    path: Path,
    form: str,
    *,
    with_names: bool = False,
    with_hidden: bool = False,
    quiet: bool = False,
    lang: str = ENGLISH,
) -> str:
    """A session's report in one format (csv, json or html; html in ``lang``); ``quiet`` names no damaged rows."""
    from coproterm.export.html import to_html
    from coproterm.export.tables import to_csv, to_json
    from server.store import read_log

    log = read_log(path)
    report = report_of(log, quiet=quiet)
    if form == "csv":
        return to_csv(report, with_names=with_names, with_hidden=with_hidden)
    if form == "json":
        return to_json(report, log.info.id, with_names=with_names, with_hidden=with_hidden)
    return to_html(report, log.info.id, with_hidden=with_hidden, lang=language(lang))
