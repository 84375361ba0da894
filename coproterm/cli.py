"""The `coproterm` command line: the parser, and which command runs."""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence
from pathlib import Path

from coproterm.commands import hosting, sessions
from coproterm.core.deck import BUILTIN_DECKS, builtin_deck
from coproterm.core.i18n import CHOICES, LANGUAGES, from_locale
from coproterm.core.session import MAX_PARTICIPANTS
from coproterm.core.wire import DEFAULT_PORT
from server.ssh import DEFAULT_SSH_PORT
from server.store import NEWEST


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "run"):
        parser.print_help()
        return 2
    try:
        return int(args.run(args))
    except KeyboardInterrupt:
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="coproterm",
        description="Live voting for co-production workshops, over the room's local network.",
    )
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    host = commands.add_parser("host", help="host a session and open the facilitator's dashboard")
    _hub_options(host)
    host.add_argument(
        "--attach",
        metavar="URL",
        help="open the dashboard on a hub running elsewhere (ws://HOST:PORT)",
    )
    host.add_argument(
        "--token",
        help="the host token of the hub given with --attach; other users can read a command line (ps):"
        " prefer $COPROTERM_HOST_TOKEN, --token-file, or leave all out to be asked",
    )
    host.add_argument(
        "--token-file",
        type=Path,
        metavar="FILE",
        help="read the host token from FILE's first line ('-': standard input)",
    )
    _presenter_option(host)
    host.set_defaults(run=hosting.host)

    join = commands.add_parser("join", help="join a session as a participant")
    join.add_argument(
        "address",
        nargs="?",
        metavar="HOST[:PORT]",
        help=f"the hub's address (port {DEFAULT_PORT} if left out); leave it out to look for sessions on the network",
    )
    join.add_argument("--name", default="", help="your display name (optional; only the facilitator sees it)")
    join.add_argument("--code", help="the session's join code, if the facilitator asks for one")
    join.add_argument("--no-mdns", action="store_true", help="do not look for sessions on the network; ask the address")
    _language_option(join)
    join.set_defaults(run=hosting.join)

    serve = commands.add_parser("serve", help="run a session hub with no dashboard (headless)")
    _hub_options(serve)
    serve.set_defaults(run=hosting.serve)

    demo = commands.add_parser("demo", help="host a session with simulated participants, to rehearse")
    _hub_options(demo)
    demo.add_argument("--participants", type=int, default=12, metavar="N", help="how many (default 12)")
    _presenter_option(demo)
    demo.set_defaults(run=hosting.demo)

    gateway = commands.add_parser(
        "ssh-gateway",
        help="serve the participant app over SSH for a hub running elsewhere (to grow past one machine)",
        description="SSH gateway workers for a hub on another machine. The hub's gateway secret is read from"
        " $COPROTERM_GATEWAY_SECRET or --secret-file (the hub keeps it in its data directory, file gateway_secret);"
        " a passcode from $COPROTERM_SSH_PASSCODE. Neither is taken on the command line.",
    )
    gateway.add_argument("--hub", required=True, metavar="ws://HOST:PORT", help="the hub to join participants to")
    gateway.add_argument("--secret-file", type=Path, metavar="FILE", help="a file holding the hub's gateway secret")
    gateway.add_argument("--host", default="0.0.0.0", help="address to listen on (default: every address)")
    gateway.add_argument(
        "--ssh-port", type=int, default=DEFAULT_SSH_PORT, metavar="PORT", help=f"SSH port (default {DEFAULT_SSH_PORT})"
    )
    _ssh_workers_option(gateway)
    _data_option(gateway)
    gateway.set_defaults(run=_ssh_gateway)

    decks = commands.add_parser("decks", help="list the built-in decks (for --deck)")
    decks.set_defaults(run=_list_decks)

    listing = commands.add_parser("sessions", help="list past sessions")
    _data_option(listing)
    listing.set_defaults(run=sessions.list_sessions)

    export = commands.add_parser("export", help="export a session's results (CSV, JSON or an HTML report)")
    export.add_argument(
        "session",
        nargs="?",
        help="the session id (or its start); left out: the newest session anyone joined or voted in",
    )
    export.add_argument("--format", choices=("csv", "json", "html"), default="html")
    export.add_argument("-o", "--output", type=Path, help="the file to write (default: SESSION.FORMAT here)")
    export.add_argument("--with-names", action="store_true", help="include participants' names")
    export.add_argument(
        "--lang",
        choices=CHOICES,
        default=from_locale(os.environ),
        help="the HTML report's language: cy (Cymraeg), en (English) or cy+en (both, Welsh first);"
        " default from LANG, else English",
    )
    export.add_argument(
        "--with-hidden", action="store_true", help="include written answers the facilitator hid (marked hidden)"
    )
    _data_option(export)
    export.set_defaults(run=sessions.export)
    return parser


def _presenter_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--presenter",
        action="store_true",
        help="start the dashboard in presenter mode: live tallies stay off the (projected) screen until"
        " results are revealed; the v key turns it on and off",
    )


def _language_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--lang",
        choices=LANGUAGES,
        default=from_locale(os.environ),
        help="the language to show: cy (Cymraeg) or en (English); default from LANG, else English."
        " Everyone can switch at any time with the i key",
    )


def _hub_options(parser: argparse.ArgumentParser) -> None:
    _language_option(parser)
    parser.add_argument("--host", default="0.0.0.0", help="address to listen on (default: every address)")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port to listen on (default {DEFAULT_PORT})")
    parser.add_argument(
        "--deck",
        type=Path,
        help="a deck file (TOML), or a built-in deck: "
        + "; ".join(f"{name}: {what}" for name, (_, what) in BUILTIN_DECKS.items())
        + " (coproterm decks lists them)",
    )
    parser.add_argument(
        "--resume",
        nargs="?",
        const=NEWEST,
        metavar="SESSION",
        help="host an earlier session again, with its votes and tokens"
        " (no id: the newest session anyone joined or voted in)",
    )
    parser.add_argument(
        "--require-code", action="store_true", help="newcomers must type the session's join code to join"
    )
    parser.add_argument("--no-mdns", action="store_true", help="do not advertise the session on the local network")
    parser.add_argument(
        "--no-web", action="store_true", help="do not serve the phone page (http://ADDRESS:PORT/) on the hub's port"
    )
    parser.add_argument(
        "--ssh-port",
        type=int,
        default=DEFAULT_SSH_PORT,
        metavar="PORT",
        help="serve the participant app over SSH here (0: off)",
    )
    _ssh_workers_option(parser)
    parser.add_argument(
        "--ssh-passcode",
        metavar="WORDS",
        help="a passcode people type to join over SSH; other users can read a command line (ps):"
        " prefer $COPROTERM_SSH_PASSCODE or --ssh-passcode-file",
    )
    parser.add_argument(
        "--ssh-passcode-file",
        type=Path,
        metavar="FILE",
        help="read the SSH passcode from FILE's first line ('-': standard input, asked for at a terminal)",
    )
    parser.add_argument(
        "--max-participants",
        type=int,
        metavar="N",
        help=f"refuse newcomers once N are connected (default {MAX_PARTICIPANTS},"
        " or fewer if this process cannot hold that many connections: it says so)",
    )
    _data_option(parser)


def _ssh_workers_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--ssh-workers",
        type=int,
        metavar="N",
        help="SSH gateway processes sharing the SSH port (default: one per core beyond the hub's, at least 1)",
    )


def _list_decks(args: argparse.Namespace) -> int:
    for name in BUILTIN_DECKS:
        deck = builtin_deck(name)
        sections = " / ".join(dict.fromkeys(q.section for q in deck.questions if q.section))
        print(f"{name:10} {deck.title}: {len(deck.questions)} questions" + (f" ({sections})" if sections else ""))
        print(f"{'':10} {BUILTIN_DECKS[name][1]}")
    print("Use one with --deck NAME, or give --deck a deck file of your own (TOML).")
    return 0


def _ssh_gateway(args: argparse.Namespace) -> int:
    from coproterm.commands.gateway import ssh_gateway

    return ssh_gateway(args)


def _data_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data-dir", type=Path, help="where sessions are kept (default: your user data directory)")
