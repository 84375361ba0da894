"""The `coproterm` command: serve, host, join, demo."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from collections.abc import Sequence
from pathlib import Path

from coproterm.core.boards import Deck
from coproterm.core.deck import DeckError, default_deck, load_deck

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
    host.add_argument("--attach", metavar="URL", help="open the dashboard on a hub running elsewhere (ws://HOST:PORT)")
    host.add_argument("--token", help="the host token of the hub given with --attach")
    host.set_defaults(run=_host)

    join = commands.add_parser("join", help="join a session as a participant")
    join.add_argument("address", metavar="HOST[:PORT]", help=f"the hub's address (port {DEFAULT_PORT} if left out)")
    join.add_argument("--name", default="", help="your display name (optional; only the facilitator sees it)")
    join.set_defaults(run=_join)

    demo = commands.add_parser("demo", help="host a session with simulated participants, to rehearse")
    _hub_options(demo)
    demo.add_argument("--participants", type=int, default=12, metavar="N", help="how many (default 12)")
    demo.set_defaults(run=_demo)
    return parser


def _hub_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="0.0.0.0", help="address to listen on (default: every address)")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port to listen on (default {DEFAULT_PORT})")
    parser.add_argument("--deck", type=Path, help="a deck file (TOML); the built-in workshop if left out")


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
            print(f"  dashboard:  coproterm host --attach {hosted.local_url} --token {hosted.host_token}")
            print("Ctrl-C stops the hub.", flush=True)
            await stop.wait()
            print("Stopping: closing every connection.", flush=True)

    try:
        asyncio.run(serve())
    except HostingError as error:
        return _fail(str(error))
    return 0


def _host(args: argparse.Namespace) -> int:
    return _fail("the host dashboard is not built yet; use `coproterm serve`")


def _join(args: argparse.Namespace) -> int:
    return _fail("the participant app is not built yet")


def _demo(args: argparse.Namespace) -> int:
    return _fail("the demo is not built yet")
