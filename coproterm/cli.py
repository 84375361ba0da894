"""The `coproterm` command line: the parser, and which command runs."""

from __future__ import annotations

import argparse
import functools
import importlib
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from coproterm.cli_words import speak_argparse, translate
from coproterm.core.deck import BUILTIN_DECKS, builtin_deck
from coproterm.core.i18n import CHOICES, LANGUAGES, N_, from_locale, language
from coproterm.core.wire_terms import DEFAULT_PORT
from coproterm.quiet import quiet_known_warnings
from coproterm.server.choosing import NEWEST
from coproterm.server.ssh import DEFAULT_SSH_PORT


def _later(module: str, name: str) -> Callable[[argparse.Namespace], int]:
    """The command ``module.name``, imported when it runs: `join` never loads the hub's modules.

    A partial of a module-level function, not a closure: `host` hands its arguments to the hub's
    process (spawned), and they must pickle."""
    return functools.partial(_run_later, module, name)


def _run_later(module: str, name: str, args: argparse.Namespace) -> int:
    command: Callable[[argparse.Namespace], int] = getattr(importlib.import_module(module), name)
    return command(args)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    arguments = sys.argv[1:] if argv is None else argv
    quiet_known_warnings(ssh=not arguments or arguments[0] != "join")  # `join` never loads asyncssh
    parser = _parser(arguments)
    lang = language(_language_asked(arguments))
    translate(parser, lang)
    speak_argparse(lang)
    args = parser.parse_args(argv)
    if not hasattr(args, "run"):
        parser.print_help()
        return 2
    try:
        return int(args.run(args))
    except KeyboardInterrupt:
        return 130


def _language_asked(argv: Sequence[str]) -> str:
    """The language the command line asks for (--lang, else the locale): its help speaks it too."""
    for i, arg in enumerate(argv):
        value = (
            arg.split("=", 1)[1]
            if arg.startswith("--lang=")
            else (argv[i + 1] if arg == "--lang" and i + 1 < len(argv) else "")
        )
        if value in LANGUAGES:
            return value
    return from_locale(os.environ)


def _parser(argv: Sequence[str] = ()) -> argparse.ArgumentParser:
    """The command line's parser. Every command is named (for the help and for a mistyped one), but only
    the command ``argv`` starts with has its options built (all of them when it names none): a participant's
    `join` does not wait for the hub's forty options to be made and translated."""
    named = argv[0] if argv and argv[0] in COMMANDS else None

    def building(command: str) -> bool:
        return named in (None, command)

    parser = argparse.ArgumentParser(
        prog="coproterm",
        description=N_("Live voting for co-production workshops, over the room's local network."),
    )
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    host = commands.add_parser("host", help=N_("host a session and open the facilitator's dashboard"))
    host.set_defaults(run=_later("coproterm.commands.hub_commands", "host"))
    if building("host"):
        _host_options(host)

    join = commands.add_parser("join", help=N_("join a session as a participant"))
    join.set_defaults(run=_later("coproterm.commands.participant", "join"))
    if building("join"):
        _join_options(join)

    serve = commands.add_parser("serve", help=N_("run a session hub with no dashboard (headless)"))
    serve.set_defaults(run=_later("coproterm.commands.hub_commands", "serve"))
    if building("serve"):
        _hub_options(serve)

    demo = commands.add_parser("demo", help=N_("host a session with simulated participants, to rehearse"))
    demo.set_defaults(run=_later("coproterm.commands.hub_commands", "demo"))
    if building("demo"):
        _hub_options(demo)
        demo.add_argument("--participants", type=int, default=12, metavar="N", help=N_("how many (default 12)"))
        _presenter_option(demo)

    gateway = commands.add_parser(
        "ssh-gateway",
        help=N_("serve the participant app over SSH for a hub running elsewhere (to grow past one machine)"),
        description=N_(
            "SSH gateway workers for a hub on another machine. The hub's gateway secret is read from"
            " $COPROTERM_GATEWAY_SECRET or --secret-file (the hub keeps it in its data directory, file gateway_secret);"
            " a passcode from $COPROTERM_SSH_PASSCODE. Neither is taken on the command line."
        ),
    )
    gateway.set_defaults(run=_later("coproterm.commands.gateway", "ssh_gateway"))
    if building("ssh-gateway"):
        _gateway_options(gateway)

    decks = commands.add_parser("decks", help=N_("list the built-in decks (for --deck)"))
    decks.set_defaults(run=_list_decks)

    listing = commands.add_parser("sessions", help=N_("list past sessions"))
    listing.set_defaults(run=_later("coproterm.commands.sessions", "list_sessions"))
    if building("sessions"):
        _data_option(listing)

    export = commands.add_parser(
        "export", help=N_("export a session's results (CSV tables, JSON, an HTML report or a PDF of it)")
    )
    export.set_defaults(run=_later("coproterm.commands.sessions", "export"))
    if building("export"):
        _export_options(export)
    return parser


COMMANDS = ("host", "join", "serve", "demo", "ssh-gateway", "decks", "sessions", "export")
"""The commands' names, as typed."""


def _host_options(host: argparse.ArgumentParser) -> None:
    _hub_options(host)
    host.add_argument(
        "--attach",
        metavar="URL",
        help=N_("open the dashboard on a hub running elsewhere (ws://HOST:PORT)"),
    )
    host.add_argument(
        "--token",
        help=N_(
            "the host token of the hub given with --attach; other users can read a command line (ps):"
            " prefer $COPROTERM_HOST_TOKEN, --token-file, or leave all out to be asked"
        ),
    )
    host.add_argument(
        "--token-file",
        type=Path,
        metavar="FILE",
        help=N_("read the host token from FILE's first line ('-': standard input)"),
    )
    _presenter_option(host)


def _join_options(join: argparse.ArgumentParser) -> None:
    join.add_argument(
        "address",
        nargs="?",
        metavar="HOST[:PORT]",
        help=N_("the hub's address (port {port} if left out); leave it out to look for sessions on the network"),
    )
    join.add_argument(
        "--name",
        default="",
        help=N_(
            "your display name (optional; other participants never see it: it is kept with your votes"
            " for the facilitator's results)"
        ),
    )
    join.add_argument("--code", help=N_("the session's join code, if the facilitator asks for one"))
    join.add_argument(
        "--no-mdns", action="store_true", help=N_("do not look for sessions on the network; ask the address")
    )
    join.add_argument(
        "--plain",
        action="store_true",
        help=N_("plain mode: lines only, for screen readers, braille displays and plain terminals"),
    )
    _language_option(join)


def _gateway_options(gateway: argparse.ArgumentParser) -> None:
    gateway.add_argument("--hub", required=True, metavar="ws://HOST:PORT", help=N_("the hub to join participants to"))
    gateway.add_argument("--secret-file", type=Path, metavar="FILE", help=N_("a file holding the hub's gateway secret"))
    gateway.add_argument("--host", default="0.0.0.0", help=N_("address to listen on (default: every address)"))
    gateway.add_argument(
        "--ssh-port", type=int, default=DEFAULT_SSH_PORT, metavar="PORT", help=N_("SSH port (default {ssh_port})")
    )
    _ssh_workers_option(gateway)
    _data_option(gateway)


def _export_options(export: argparse.ArgumentParser) -> None:
    export.add_argument(
        "session",
        nargs="?",
        help=N_("the session id (or its start); left out: the newest session anyone joined or voted in"),
    )
    export.add_argument("--format", choices=("csv", "json", "html", "pdf"), default="html")
    export.add_argument(
        "-o",
        "--output",
        type=Path,
        help=N_("the file to write (default: SESSION.FORMAT here; CSV: a folder of tables, or a .zip)"),
    )
    export.add_argument("--venue", default="", help=N_("where the workshop met, for the report's first page"))
    export.add_argument("--with-names", action="store_true", help=N_("include participants' names"))
    export.add_argument(
        "--lang",
        choices=CHOICES,
        default=from_locale(os.environ),
        help=N_(
            "the report's and the CSV tables' language: cy (Cymraeg), en (English) or cy+en (both, Welsh first);"
            " default from LANG, else English"
        ),
    )
    export.add_argument(
        "--with-hidden", action="store_true", help=N_("include written answers the facilitator hid (marked hidden)")
    )
    _data_option(export)


def _presenter_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--presenter",
        action="store_true",
        help=N_(
            "start the dashboard in presenter mode: live tallies stay off the (projected) screen until"
            " results are revealed; the v key turns it on and off"
        ),
    )


def _language_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--lang",
        choices=LANGUAGES,
        default=from_locale(os.environ),
        help=N_(
            "the language to show: cy (Cymraeg) or en (English); default from LANG, else English."
            " Everyone can switch at any time with the i key"
        ),
    )


def _hub_options(parser: argparse.ArgumentParser) -> None:
    _language_option(parser)
    parser.add_argument("--host", default="0.0.0.0", help=N_("address to listen on (default: every address)"))
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=N_("port to listen on (default {port})"))
    parser.add_argument(
        "--advertise",
        metavar="HOST",
        help=N_(
            "the address (or a name such as coproterm.local) the join lines, the QR code and the network"
            " advertisement show the room (default: the address of the network this machine's default route uses)"
        ),
    )
    parser.add_argument(
        "--deck",
        type=Path,
        help=N_("a deck file (TOML), or a built-in deck: {decks} (coproterm decks lists them)"),
    )
    parser.add_argument(
        "--resume",
        nargs="?",
        const=NEWEST,
        metavar="SESSION",
        help=N_(
            "host an earlier session again, with its votes and tokens"
            " (no id: the newest session anyone joined or voted in)"
        ),
    )
    parser.add_argument(
        "--require-code", action="store_true", help=N_("newcomers must type the session's join code to join")
    )
    parser.add_argument("--no-mdns", action="store_true", help=N_("do not advertise the session on the local network"))
    parser.add_argument(
        "--no-web", action="store_true", help=N_("do not serve the phone page (http://ADDRESS:PORT/) on the hub's port")
    )
    parser.add_argument(
        "--ssh-port",
        type=int,
        default=DEFAULT_SSH_PORT,
        metavar="PORT",
        help=N_("serve the participant app over SSH here (0: off)"),
    )
    _ssh_workers_option(parser)
    parser.add_argument(
        "--ssh-passcode",
        metavar="WORDS",
        help=N_(
            "a passcode people type to join over SSH; other users can read a command line (ps):"
            " prefer $COPROTERM_SSH_PASSCODE or --ssh-passcode-file"
        ),
    )
    parser.add_argument(
        "--ssh-passcode-file",
        type=Path,
        metavar="FILE",
        help=N_("read the SSH passcode from FILE's first line ('-': standard input, asked for at a terminal)"),
    )
    parser.add_argument(
        "--max-participants",
        type=int,
        metavar="N",
        help=N_(
            "refuse newcomers once N are connected (default {most},"
            " or fewer if this process cannot hold that many connections: it says so)"
        ),
    )
    _data_option(parser)


def _ssh_workers_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--ssh-workers",
        type=int,
        metavar="N",
        help=N_("SSH gateway processes sharing the SSH port (default: one per core up to 4, below the hub's priority)"),
    )


def _list_decks(args: argparse.Namespace) -> int:
    """The built-in decks, in the person's language (``--lang``, else the locale)."""
    lang = language(getattr(args, "lang", None) or from_locale(os.environ))
    for name in BUILTIN_DECKS:
        deck = builtin_deck(name)
        named = dict.fromkeys(lang.pick(q.section, q.section_cy, join=" / ") for q in deck.questions if q.section)
        sections = " / ".join(named)
        count = lang.tn("{count} question", "{count} questions", len(deck.questions))
        title = lang.pick(deck.title, deck.title_cy, join=" / ")
        print(f"{name:10} {title}: {count}" + (f" ({sections})" if sections else ""))
        print(f"{'':10} {lang.t(BUILTIN_DECKS[name][1])}")
    print(lang.t("Use one with --deck NAME, or give --deck a deck file of your own (TOML)."))
    return 0


def _data_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data-dir", type=Path, help=N_("where sessions are kept (default: your user data directory)"))
