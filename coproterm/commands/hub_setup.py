"""A hub as the command line asks for it: its secrets read, the open files it may hold, the
session prepared, the runner that serves it, and where its log goes. `serve` runs it in the
command's process, `host` and `demo` in a process of their own (hub_process.py)."""

from __future__ import annotations

import argparse
import getpass
import logging
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from coproterm.commands import cli_language
from coproterm.core.boards import Deck
from coproterm.core.deck import DeckError, find_deck
from coproterm.core.i18n import N_, Language
from coproterm.core.problems import Problem, Words, os_reason, said
from coproterm.core.wire_terms import MAX_PARTICIPANTS

if TYPE_CHECKING:
    from coproterm.server.hub_runner import HubRunner, Prepared, SSHOptions


HOST_TOKEN_VARIABLE = "COPROTERM_HOST_TOKEN"
SSH_PASSCODE_VARIABLE = "COPROTERM_SSH_PASSCODE"
DECK_VARIABLE = "COPROTERM_DECK"
"""The deck (a file, or a built-in deck's name) when --deck is left out; else the whole built-in workshop."""
SPARE_FILES = 64
"""Open files a hub keeps for itself: listening sockets, the log (database, WAL, lock), mDNS, the log file."""
FILES_PER_PARTICIPANT = 3
"""The worst case, an SSH participant: their SSH connection, and the gateway's websocket to the hub at both ends."""


class SecretError(Problem, ValueError):
    """A secret could not be read; :meth:`words` says from where and why."""


SSH_PASSCODE = N_("SSH passcode")
HOST_TOKEN = N_("host token")


def read_secret(
    given: str | None, file: Path | None, variable: str, *, what: str, ask: bool = False, lang: Language | None = None
) -> str | None:
    """A secret from the command line, a file ('-': standard input), an environment variable, or a prompt.

    The command line comes first (it is what was typed), but it is the least
    private: any local user can read it with ``ps``. ``ask`` prompts (without
    echo) when nothing else gave one and a person is at the terminal.
    """
    if given:
        return given
    named = (lang or cli_language()).t(what)
    if file is not None:
        try:
            if str(file) == "-":
                text = getpass.getpass(f"{named}: ") if sys.stdin.isatty() else sys.stdin.readline()
            else:
                text = file.read_text(encoding="utf-8")
        except OSError as error:
            raise SecretError(
                N_("cannot read the {what} from {file}: {reason}"),
                what=Words(what),
                file=str(file),
                reason=os_reason(error),
            ) from None
        lines = text.splitlines()
        secret = lines[0].strip() if lines else ""
        if not secret:
            raise SecretError(N_("{file} holds no {what} (its first line is empty)"), file=str(file), what=Words(what))
        return secret
    if secret := os.environ.get(variable, "").strip():
        return secret
    if ask and sys.stdin.isatty():
        return getpass.getpass(f"{named}: ").strip() or None
    return None


def open_file_room(asked: int | None) -> tuple[int, Words | None]:
    """Raise this process's open-file limit as far as it goes; how many participants it can hold.

    Returns the participant limit to use and, when it is lower than asked (or
    than the default), a sentence saying why.
    """
    wanted = asked if asked is not None else MAX_PARTICIPANTS
    if sys.platform == "win32":  # no per-process limit on sockets to raise or to fit in
        return wanted, None
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or hard > soft:
        target = hard if hard != resource.RLIM_INFINITY else max(soft, 1 << 20)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError):
            pass
    room = max(1, (soft - SPARE_FILES) // FILES_PER_PARTICIPANT) if soft != resource.RLIM_INFINITY else wanted
    if room >= wanted:
        return wanted, None
    lowered = (
        N_(
            "--max-participants lowered to {room}: this process may open only {soft} files (ulimit -n; {each} per"
            " participant at most, {spare} kept for the hub) and {wanted} were asked for. Raise the limit"
            " (ulimit -Hn, or LimitNOFILE= for a service) to hold more."
        )
        if asked is not None
        else N_(
            "--max-participants lowered to {room}: this process may open only {soft} files (ulimit -n; {each} per"
            " participant at most, {spare} kept for the hub) and {wanted} is the default. Raise the limit"
            " (ulimit -Hn, or LimitNOFILE= for a service) to hold more."
        )
    )
    return room, said(lowered, room=room, soft=soft, each=FILES_PER_PARTICIPANT, spare=SPARE_FILES, wanted=wanted)


def prepare_hub(args: argparse.Namespace, *, log_too: bool = False) -> Prepared | str:
    """The session to serve, or why there is none; what to know first goes to stderr (and ``log_too``, the log)."""
    from coproterm.server.hub_runner import HostingError, prepare

    lang = cli_language(args)
    resuming = args.resume is not None
    if resuming and args.deck:
        return lang.t("a resumed session keeps the deck it was hosted with: leave out --deck")
    deck: Deck | None = None
    if not resuming:
        try:
            deck = find_deck(args.deck or os.environ.get(DECK_VARIABLE) or None)
        except DeckError as error:
            return error.words(lang)
    if args.max_participants is not None and not 1 <= args.max_participants <= 65535:
        return lang.t("--max-participants takes a number from 1 to 65535")
    try:
        args.ssh_passcode = read_secret(
            args.ssh_passcode, args.ssh_passcode_file, SSH_PASSCODE_VARIABLE, what=SSH_PASSCODE, lang=lang
        )
    except SecretError as error:
        return error.words(lang)
    limit, lowered = open_file_room(args.max_participants)
    told = [lowered.words(lang)] if lowered else []
    try:
        prepared = prepare(
            deck,
            data=args.data_dir,
            resume=args.resume,
            require_code=args.require_code,
            max_participants=limit,
        )
    except HostingError as error:
        return error.words(lang)
    for warning in told + prepared.warnings(lang):
        print(f"coproterm: {warning}", file=sys.stderr, flush=True)
        if log_too:
            logging.getLogger("coproterm").warning("%s", warning)
    return prepared


def hub_runner(args: argparse.Namespace, prepared: Prepared) -> HubRunner:
    """The hub (and its SSH gateway and network advertisement) as the command line asks."""
    from coproterm.server.hub_runner import HubRunner
    from coproterm.server.store import data_dir

    return HubRunner(
        prepared.session,
        prepared.host_token,
        args.host,
        args.port,
        prepared.store,
        advertise=not args.no_mdns,
        ssh=ssh_options(args),
        web=not getattr(args, "no_web", False),
        advertise_host=getattr(args, "advertise", None),
        language=getattr(args, "lang", "en"),
        secret_dir=data_dir(args.data_dir),
    )


def ssh_options(args: argparse.Namespace) -> SSHOptions | None:
    """How to serve SSH (None: --ssh-port 0, off)."""
    from coproterm.server.hub_runner import SSHOptions
    from coproterm.server.store import data_dir

    if not args.ssh_port:
        return None
    return SSHOptions(
        port=args.ssh_port,
        passcode=args.ssh_passcode or None,
        key_dir=data_dir(args.data_dir),
        language=getattr(args, "lang", "en"),
        workers=getattr(args, "ssh_workers", None),
    )


def log_to_file(name: str = "hub.log") -> None:
    """While a dashboard owns the terminal, logs go to a file instead: rotated, at most 20 MB in all."""
    import platformdirs

    from coproterm.server.logs import bounded_file

    directory = Path(platformdirs.user_log_dir("coproterm"))
    try:
        directory.mkdir(parents=True, exist_ok=True)
        logging.basicConfig(level=logging.INFO, handlers=[bounded_file(directory / name)])
    except OSError:
        logging.basicConfig(level=logging.CRITICAL, handlers=[logging.NullHandler()])
