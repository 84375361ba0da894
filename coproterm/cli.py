"""The `coproterm` command: serve, host, join, demo."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import platformdirs

from coproterm.core.boards import Deck
from coproterm.core.deck import DeckError, default_deck, load_deck

if TYPE_CHECKING:
    from textual.app import App

    from server.hosting import Hosted

DEFAULT_PORT = 8765


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

    serve = commands.add_parser("serve", help="run a session hub with no dashboard (headless)")
    _hub_options(serve)
    serve.set_defaults(run=_serve)

    host = commands.add_parser("host", help="host a session and open the facilitator's dashboard")
    _hub_options(host)
    host.add_argument(
        "--attach",
        metavar="URL",
        help="open the dashboard on a hub running elsewhere (ws://HOST:PORT)",
    )
    host.add_argument("--token", help="the host token of the hub given with --attach")
    host.set_defaults(run=_host)

    join = commands.add_parser("join", help="join a session as a participant")
    join.add_argument(
        "address",
        metavar="HOST[:PORT]",
        help=f"the hub's address (port {DEFAULT_PORT} if left out)",
    )
    join.add_argument(
        "--name", default="", help="your display name (optional; only the facilitator sees it)"
    )
    join.set_defaults(run=_join)

    demo = commands.add_parser(
        "demo", help="host a session with simulated participants, to rehearse"
    )
    _hub_options(demo)
    demo.add_argument(
        "--participants", type=int, default=12, metavar="N", help="how many (default 12)"
    )
    demo.set_defaults(run=_demo)
    return parser


def _hub_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--host", default="0.0.0.0", help="address to listen on (default: every address)"
    )
    parser.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"port to listen on (default {DEFAULT_PORT})"
    )
    parser.add_argument(
        "--deck", type=Path, help="a deck file (TOML); the built-in workshop if left out"
    )


def _deck(args: argparse.Namespace) -> Deck:
    return load_deck(args.deck) if args.deck else default_deck()


def _fail(message: str) -> int:
    print(f"coproterm: {message}", file=sys.stderr)
    return 2


def _serve(args: argparse.Namespace) -> int:
    from server.hosting import HostingError, HubRunner, new_host_token, new_session

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stderr)
    try:
        deck = _deck(args)
    except DeckError as error:
        return _fail(str(error))
    token = new_host_token()
    session = new_session(deck, token)

    async def serve() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for number in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(number, stop.set)
        async with HubRunner(session, token, args.host, args.port) as hosted:
            print(f'coproterm hub: "{deck.title}", {len(deck.questions)} questions')
            for target in hosted.join_targets:
                print(f"  join:       coproterm join {target}")
            print(f"  host token: {hosted.host_token}")
            print(
                f"  dashboard:  coproterm host --attach {hosted.local_url} --token {hosted.host_token}"
            )
            print("Ctrl-C stops the hub.", flush=True)
            await stop.wait()
            print("Stopping: closing every connection.", flush=True)

    try:
        asyncio.run(serve())
    except HostingError as error:
        return _fail(str(error))
    return 0


def _host(args: argparse.Namespace) -> int:
    from coproterm.tui.host.app import HostApp

    if args.attach:
        if not args.token:
            return _fail(
                "--attach needs the hub's host token: --token TOKEN (`coproterm serve` prints it)"
            )
        from coproterm.client.link import hub_url

        try:
            url = hub_url(args.attach)
        except ValueError as error:
            return _fail(str(error))
        HostApp(url, args.token).run()
        return 0
    return _host_here(
        args, lambda hosted: HostApp(hosted.local_url, hosted.host_token, hosted.join_targets)
    )


def _host_here(
    args: argparse.Namespace,
    make_app: Callable[[Hosted], App[None]],
    extra: Callable[[Hosted], Awaitable[None]] | None = None,
) -> int:
    """Run a hub and a dashboard on it in one process (and one event loop)."""
    from server.hosting import HostingError, HubRunner, new_host_token, new_session

    _log_to_file()
    try:
        deck = _deck(args)
    except DeckError as error:
        return _fail(str(error))
    token = new_host_token()

    async def host() -> None:
        async with HubRunner(new_session(deck, token), token, args.host, args.port) as hosted:
            helper = asyncio.create_task(extra(hosted)) if extra else None
            try:
                await make_app(hosted).run_async()
            finally:
                if helper is not None:
                    helper.cancel()

    try:
        asyncio.run(host())
    except HostingError as error:
        return _fail(str(error))
    return 0


def _log_to_file() -> None:
    """While a dashboard owns the terminal, logs go to a file instead."""
    directory = Path(platformdirs.user_log_dir("coproterm"))
    try:
        directory.mkdir(parents=True, exist_ok=True)
        logging.basicConfig(
            level=logging.INFO,
            format="%(asctime)s %(name)s %(message)s",
            filename=directory / "hub.log",
        )
    except OSError:
        logging.basicConfig(level=logging.CRITICAL, handlers=[logging.NullHandler()])


def _join(args: argparse.Namespace) -> int:
    from coproterm.client.link import hub_url
    from coproterm.tui.participant.app import ParticipantApp

    try:
        url = hub_url(args.address)
    except ValueError as error:
        return _fail(str(error))
    ParticipantApp(url, name=args.name).run()
    return 0


def _demo(args: argparse.Namespace) -> int:
    from coproterm.client.crowd import run_crowd
    from coproterm.tui.host.app import HostApp

    if not 0 <= args.participants <= 500:
        return _fail("--participants takes a number from 0 to 500")
    return _host_here(
        args,
        lambda hosted: HostApp(hosted.local_url, hosted.host_token, hosted.join_targets),
        lambda hosted: run_crowd(hosted.local_url, args.participants),
    )
