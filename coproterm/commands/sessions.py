"""`coproterm sessions` and `coproterm export`: what past sessions hold.

A damaged session (a row of its log that cannot be replayed) is still listed
and exported: the damaged rows are left out and named on stderr, so one bad
row never hides the other sessions, nor the rest of its own.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import sys
import zipfile
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from coproterm.commands import fail
from coproterm.core.deck import DeckError, deck_from_data
from coproterm.core.events import Joined
from coproterm.core.i18n import ENGLISH, N_, Language, from_locale, language
from coproterm.core.problems import Problem, os_reason
from coproterm.core.report import Report, build_report

if TYPE_CHECKING:
    from coproterm.server.store import SessionLog


def export_name(session_id: str, form: str, lang: str = ENGLISH) -> str:
    """The file (or, for CSV, the folder) a session's export goes to, the same from `export` and the dashboard's e key.

    A report or tables in another language name it (``….cy.html``, ``….cy-csv``), so they never take the English
    ones' place; the JSON is one machine shape whatever the language.
    """
    marked = f".{lang}" if form != "json" and lang != ENGLISH else ""
    if form == "csv":
        return f"{session_id}{marked}-csv"
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
    from coproterm.server.store import StoreError, data_dir, list_sessions

    directory = data_dir(args.data_dir)
    lang = language(getattr(args, "lang", None) or from_locale(os.environ))
    t = lang.t
    rows = []
    for log in list_sessions(directory):
        if isinstance(log, StoreError):
            warn(t("{problem} (not listed)", problem=log.words(lang)))
            continue
        try:
            report = report_of(log, lang=lang)
        except DeckError as error:
            warn(t("session {id}: {problem} (not listed)", id=log.info.id, problem=error.words(lang)))
            continue
        rows.append(
            (
                log.info.id + (" !" if report.flaws else ""),
                f"{datetime.fromtimestamp(log.info.created):%d %b %Y %H:%M}",
                log.info.title,  # the deck's title as the session's log keeps it
                report.participants,
                report.votes,
                report.changes,
            )
        )
    if not rows:
        print(t("No sessions yet in {directory}.", directory=directory))
        return 0
    heads = (t("session"), t("started"), t("participants"), t("votes"), t("changes"), t("deck"))
    print(f"{heads[0]:22} {heads[1]:18} {heads[2]:>12} {heads[3]:>6} {heads[4]:>8}  {heads[5]}")
    for session_id, started, title, participants, votes, changes in rows:
        print(f"{session_id:22} {started:18} {participants:>12} {votes:>6} {changes:>8}  {title}")
    print(t("votes: standing at the end, one per person per question; changes: every vote cast, changed or taken back"))
    if any(row[0].endswith(" !") for row in rows):
        print(t("! damaged rows in its log were left out (named above)"))
    return 0


def export(args: argparse.Namespace) -> int:
    """Write a session's results as CSV tables, JSON, an HTML report or a PDF of it."""
    from coproterm.server.choosing import NEWEST
    from coproterm.server.store import StoreError, choose_session, data_dir

    lang = language(getattr(args, "lang", ENGLISH))
    try:
        chosen = choose_session(data_dir(args.data_dir), NEWEST if args.session is None else args.session)
        if chosen.why:
            warn(chosen.why.words(lang))
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
        size = write_export(
            chosen.path,
            args.format,
            output,
            with_names=args.with_names,
            with_hidden=args.with_hidden,
            lang=lang.code,
            venue=getattr(args, "venue", "") or "",
        )
    except (StoreError, DeckError, ExportError) as error:
        return fail(error, lang)
    print(lang.t("Wrote {file} ({size} bytes).", file=output, size=f"{size:,}"))
    return 0


class ExportError(Problem, RuntimeError):
    """An export that could not be written, and why (for people: :meth:`words`)."""


def write_export(
    path: Path,
    form: str,
    output: Path,
    *,
    with_names: bool = False,
    with_hidden: bool = False,
    quiet: bool = False,
    lang: str = ENGLISH,
    venue: str = "",
) -> int:
    """A session's export written to ``output``: a file, or for CSV a folder of tables (a zip if it ends .zip).

    The bytes written; :class:`ExportError` saying why when it cannot be (nothing half-written is left as the result).
    """
    chosen = language(lang)
    try:
        if form == "csv":
            tables = render_tables(path, with_names=with_names, with_hidden=with_hidden, quiet=quiet, lang=lang)
            return _write_tables(tables, output)
        text = render(path, "html" if form == "pdf" else form, with_names=with_names, with_hidden=with_hidden,
                      quiet=quiet, lang=lang, venue=venue)  # fmt: skip
        if form == "pdf":
            return _write_pdf(text, output, chosen)
        output.write_text(text, encoding="utf-8")
        return len(text.encode())
    except OSError as error:
        raise ExportError(
            chosen.t("cannot write {file}: {reason}", file=output, reason=os_reason(error).words(chosen))
        ) from None


def _write_pdf(html: str, output: Path, lang: Language) -> int:
    from coproterm.export.printing import NoBrowser, find_chromium, print_pdf

    browser = find_chromium(os.environ)
    if browser is None:
        raise ExportError(
            lang.t(
                "no Chromium, Chrome or Edge found to print a PDF with: export --format html and use the browser's"
                " Print, Save as PDF (the report is laid out for A4), or set COPROTERM_CHROMIUM to a browser's path"
            )
        )
    try:
        print_pdf(html, output, browser)
    except NoBrowser as error:
        raise ExportError(str(error)) from None
    return output.stat().st_size


def _write_tables(tables: dict[str, str], output: Path) -> int:
    """The tables as a folder of CSV files, or as one zip when ``output`` ends in .zip."""
    from coproterm.export.spreadsheet import ENCODING

    encoded = {name: text.encode(ENCODING) for name, text in tables.items()}
    if output.suffix.lower() == ".zip":
        with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, data in encoded.items():
                archive.writestr(f"{output.stem}/{name}", data)
        return output.stat().st_size
    if output.exists() and not output.is_dir():
        raise ExportError(
            N_("cannot write the tables into {file}: it is a file, not a folder (give -o a folder or a .zip)"),
            file=str(output),
        )
    output.mkdir(parents=True, exist_ok=True)
    for name, data in encoded.items():
        (output / name).write_bytes(data)
    return sum(len(data) for data in encoded.values())


def report_of(log: SessionLog, *, quiet: bool = False, lang: Language | None = None) -> Report:
    """A session's report; its damaged rows are left out and (unless quiet) named on stderr, in ``lang``."""
    report = build_report(deck_from_data(log.info.deck, f"session {log.info.id}"), log.logged(), log.flaws)
    if not quiet:
        said = lang or language(ENGLISH)
        for flaw in report.flaws:
            warn(said.t("session {id}: log {flaw} (left out)", id=log.info.id, flaw=flaw.words(said)))
    return report


def render(
    path: Path,
    form: str,
    *,
    with_names: bool = False,
    with_hidden: bool = False,
    quiet: bool = False,
    lang: str = ENGLISH,
    venue: str = "",
) -> str:
    """A session's report as JSON or HTML (in ``lang``, at ``venue``); ``quiet`` names no damaged rows."""
    from coproterm.export.glance import Gathering
    from coproterm.export.html import to_html
    from coproterm.export.tables import to_json
    from coproterm.server.store import read_log

    if form not in ("json", "html"):
        raise ValueError(f"render gives JSON or HTML, not {form!r} (CSV is a folder of tables: render_tables)")
    log = read_log(path)
    report = report_of(log, quiet=quiet, lang=language(lang))
    if form == "json":
        return to_json(report, log.info.id, with_names=with_names, with_hidden=with_hidden)
    gathering = Gathering(venue=venue, over_ssh=_over_ssh(path, log))
    return to_html(report, log.info.id, with_hidden=with_hidden, lang=language(lang), gathering=gathering)


def render_tables(
    path: Path, *, with_names: bool = False, with_hidden: bool = False, quiet: bool = False, lang: str = ENGLISH
) -> dict[str, str]:
    """A session's CSV tables (file name to text), headers and values in ``lang``."""
    from coproterm.export.spreadsheet import csv_tables
    from coproterm.server.store import read_log

    log = read_log(path)
    return csv_tables(
        report_of(log, quiet=quiet, lang=language(lang)), language(lang), with_names=with_names, with_hidden=with_hidden
    )


def _over_ssh(path: Path, log: SessionLog) -> int | None:
    """How many of the session's participants joined over SSH (their tokens are remembered); None if unknown."""
    import sqlite3

    try:
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
            tokens = {bytes(row[0]) for row in db.execute("SELECT token FROM ssh_identities")}
    except sqlite3.Error:
        return None
    joined = {event.participant for _, _, event in log.logged() if isinstance(event, Joined) and event.token in tokens}
    return len(joined)
