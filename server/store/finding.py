"""Finding sessions: where they live, what a new one is called, and which one a choice names."""

from __future__ import annotations

import contextlib
import os
import secrets
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from coproterm.core.i18n import N_, Nn_
from coproterm.core.problems import Words, said, said_n
from coproterm.server.choosing import NEWEST, Newest, SessionChoice
from coproterm.server.store.errors import StoreError
from coproterm.server.store.reading import read_log
from coproterm.server.store.schema import version


@dataclass(frozen=True, slots=True)
class Chosen:
    """The session picked for a choice, and, when it was not named, why this one."""

    path: Path
    why: Words | None = None


def data_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """Where sessions live: ``--data-dir``, ``$COPROTERM_DATA_DIR``, or the user's data dir."""
    if override:
        return Path(override)
    if env := os.environ.get("COPROTERM_DATA_DIR"):
        return Path(env)
    import platformdirs

    return Path(platformdirs.user_data_dir("coproterm"))


def new_session_id(now: float) -> str:
    """``2026-11-27-0930-a1b2``: sortable by time, unique enough for one machine."""
    return f"{datetime.fromtimestamp(now):%Y-%m-%d-%H%M}-{secrets.token_hex(2)}"


def find_session(directory: Path, session_id: str | None) -> Path:
    """The database of a session by id (or unique prefix), or the newest one."""
    return choose_session(directory, NEWEST if session_id is None else session_id).path


def choose_session(directory: Path, choice: SessionChoice) -> Chosen:
    """The session a choice names: by id (or a unique start of it), or :data:`NEWEST`.

    With no id, the newest session anyone joined or voted in: an empty session
    (nobody came, or a start that went wrong) is not what anyone means after a
    crash. ``why`` says which was picked and why.
    """
    sessions = directory / "sessions"
    known = sorted(sessions.glob("*.sqlite3")) if sessions.is_dir() else []
    if not known:
        raise StoreError(N_("no sessions in {folder} yet: host one first"), folder=str(sessions))
    if isinstance(choice, Newest):
        return _newest_with_activity(known)
    session_id = choice
    matches = [path for path in known if path.stem.startswith(session_id)]
    if len(matches) != 1:
        names = ", ".join(path.stem for path in known[-5:])
        if not matches:
            raise StoreError(N_("no session matches {id} (the latest: {names})"), id=repr(session_id), names=names)
        raise StoreError(
            N_("more than one session matches {id} (the latest: {names})"), id=repr(session_id), names=names
        )
    return Chosen(matches[0])


def _started(path: Path) -> float:
    """When a session started (its id holds only the minute), for telling the newest apart."""
    try:
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
            row = db.execute("SELECT value FROM meta WHERE key = 'created'").fetchone()
        return float(row[0])
    except (sqlite3.Error, TypeError, ValueError):
        return path.stat().st_mtime


ACTIVITY = {
    0: "SELECT COUNT(*) FILTER (WHERE kind = 'joined'), COUNT(*) FILTER (WHERE kind = 'voted') FROM log",
    1: "SELECT COUNT(*) FILTER (WHERE kind = 'joined'), COUNT(*) FILTER (WHERE kind = 'voted') FROM events",
}
"""Whether anyone joined or voted, in each layout (an older log is not migrated just to be looked at)."""


def _newest_with_activity(known: list[Path]) -> Chosen:
    known = sorted(known, key=_started)
    skipped = 0
    for path in reversed(known):
        try:
            with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
                people, votes = db.execute(ACTIVITY[min(version(db), 1)]).fetchone()
        except (sqlite3.Error, StoreError):  # unreadable here, or a newer release's: not what a resume means
            skipped += 1
            continue
        if people or votes:
            picked = said(
                N_("picked {id}, the newest session anyone joined or voted in ({counted})"),
                id=path.stem,
                counted=_counted(path),
            )
            if skipped:
                picked = said_n(
                    Nn_(
                        "{picked}; {count} newer one had nobody in it",
                        "{picked}; {count} newer ones had nobody in them",
                    ),
                    skipped,
                    picked=picked,
                )
            return Chosen(path, picked)
        skipped += 1
    return Chosen(
        known[-1], said(N_("picked {id}, the newest session: nobody has joined any session yet"), id=known[-1].stem)
    )


def _counted(path: Path) -> Words:
    """A session's people, votes standing and changes logged, worded as `coproterm sessions` words them."""
    from coproterm.core.deck import DeckError, deck_from_data
    from coproterm.core.report import build_report

    try:
        log = read_log(path)
        report = build_report(deck_from_data(log.info.deck, path.stem), log.logged(), log.flaws)
    except (StoreError, DeckError) as error:
        return said(N_("its log cannot be read: {reason}"), reason=error.said)
    return said(
        N_("{participants}, {votes}, {changes}"),
        participants=said_n(Nn_("{count} participant", "{count} participants"), report.participants),
        votes=said_n(Nn_("{count} vote", "{count} votes"), report.votes),
        changes=said_n(Nn_("{count} change", "{count} changes"), report.changes),
    )
