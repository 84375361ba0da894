"""`coproterm serve`, `host`, `demo` and `join`."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING

from coproterm.commands import fail
from coproterm.core.boards import Deck
from coproterm.core.deck import DeckError, default_deck, load_deck

if TYPE_CHECKING:
    from textual.app import App

    from server.hosting import Hosted, HubRunner, Prepared, SSHOptions


def _prepare(args: argparse.Namespace) -> Prepared | str:
    """The session to serve, or why there is none."""
    from server.hosting import HostingError, prepare

    resuming = args.resume is not None
    if resuming and args.deck:
        return "a resumed session keeps the deck it was hosted with: leave out --deck"
    deck: Deck | None = None
    if not resuming:
        try:
            deck = load_deck(args.deck) if args.deck else default_deck()
        except DeckError as error:
            return str(error)
    try:
        if not 1 <= args.max_participants <= 65535:
            return "--max-participants takes a number from 1 to 65535"
        return prepare(
            deck,
            data=args.data_dir,
            resume=args.resume or None,
            resuming=resuming,
            require_code=args.require_code,
            max_participants=args.max_participants,
        )
    except HostingError as error:
        return str(error)


def serve(args: argparse.Namespace) -> int:
    """A hub with no dashboard, until Ctrl-C."""
    from server.hosting import HostingError

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stderr)
    prepared = _prepare(args)
    if isinstance(prepared, str):
        return fail(prepared)
    deck = prepared.session.deck

    async def run() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for number in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(number, stop.set)
        async with _runner(args, prepared) as hosted:
            print(f'coproterm hub: "{deck.title}", {len(deck.questions)} questions')
            if hosted.store is not None:
                print(f"  session:    {hosted.store.info.id}  ({hosted.store.path})")
            for target in hosted.join_targets:
                print(f"  join:       coproterm join {target}")
            session = hosted.hub.session
            if session.join_code:
                print(f"  join code:  {session.join_code}" + ("  (required)" if session.require_code else ""))
            if hosted.ssh_command:
                print(f"  over ssh:   {hosted.ssh_command}   (host key {hosted.ssh_fingerprint})")
            elif hosted.ssh_problem:
                print(f"  over ssh:   {hosted.ssh_problem}")
            if not args.no_mdns:
                found = hosted.discovery_problem or "advertised, so `coproterm join` finds it by itself"
                print(f"  network:    {found}")
            print(f"  host token: {hosted.host_token}")
            print(f"  dashboard:  coproterm host --attach {hosted.local_url} --token {hosted.host_token}")
            print("Ctrl-C stops the hub.", flush=True)
            await stop.wait()
            print("Stopping: closing every connection.", flush=True)

    try:
        asyncio.run(run())
    except HostingError as error:
        return fail(str(error))
    return 0


def host(args: argparse.Namespace) -> int:
    """The dashboard, on a hub of its own or (``--attach``) on one elsewhere."""
    from coproterm.tui.host.app import HostApp

    if args.attach:
        if not args.token:
            return fail("--attach needs the hub's host token: --token TOKEN (`coproterm serve` prints it)")
        from coproterm.client.link import hub_url

        try:
            url = hub_url(args.attach)
        except ValueError as error:
            return fail(str(error))
        HostApp(url, args.token).run()
        return 0
    return _host_here(args, _dashboard)


def demo(args: argparse.Namespace) -> int:
    """A hosted session with simulated participants."""
    from coproterm.client.crowd import run_crowd

    if not 0 <= args.participants <= 500:
        return fail("--participants takes a number from 0 to 500")
    return _host_here(args, _dashboard, lambda hosted: run_crowd(hosted.local_url, args.participants))


def join(args: argparse.Namespace) -> int:
    """The participant app."""
    from coproterm.client.link import hub_url
    from coproterm.tui.participant.app import ParticipantApp

    url = None
    if args.address:
        try:
            url = hub_url(args.address)
        except ValueError as error:
            return fail(str(error))
    ParticipantApp(url, name=args.name, code=args.code, discover=not args.no_mdns).run()
    return 0


def _runner(args: argparse.Namespace, prepared: Prepared) -> HubRunner:
    """The hub (and its SSH gateway and network advertisement) as the command line asks."""
    from server.hosting import HubRunner

    return HubRunner(
        prepared.session,
        prepared.host_token,
        args.host,
        args.port,
        prepared.store,
        advertise=not args.no_mdns,
        ssh=_ssh_options(args),
    )


def _ssh_options(args: argparse.Namespace) -> SSHOptions | None:
    """How to serve SSH (None: --ssh-port 0, off)."""
    from server.hosting import SSHOptions
    from server.store import data_dir

    if not args.ssh_port:
        return None
    return SSHOptions(port=args.ssh_port, passcode=args.ssh_passcode or None, key_dir=data_dir(args.data_dir))


def _dashboard(hosted: Hosted) -> App[None]:
    from coproterm.tui.host.app import HostApp

    store = hosted.store
    ssh = (hosted.ssh_command, hosted.ssh_fingerprint) if hosted.ssh_command else None
    if store is None:
        return HostApp(hosted.local_url, hosted.host_token, hosted.join_targets, ssh=ssh)

    def export() -> list[Path]:
        from coproterm.commands.sessions import render

        written = []
        for form in ("html", "csv", "json"):
            path = Path.cwd() / f"coproterm-{store.info.id}.{form}"
            path.write_text(render(store.path, form), encoding="utf-8")
            written.append(path)
        return written

    return HostApp(
        hosted.local_url,
        hosted.host_token,
        hosted.join_targets,
        session_id=store.info.id,
        exporter=export,
        ssh=ssh,
    )


def _host_here(
    args: argparse.Namespace,
    make_app: Callable[[Hosted], App[None]],
    extra: Callable[[Hosted], Awaitable[None]] | None = None,
) -> int:
    """Run a hub and a dashboard on it in one process (and one event loop)."""
    from server.hosting import HostingError

    _log_to_file()
    prepared = _prepare(args)
    if isinstance(prepared, str):
        return fail(prepared)

    async def run() -> None:
        async with _runner(args, prepared) as hosted:
            helper = asyncio.create_task(extra(hosted)) if extra else None
            try:
                await make_app(hosted).run_async()
            finally:
                if helper is not None:
                    helper.cancel()

    try:
        asyncio.run(run())
    except HostingError as error:
        return fail(str(error))
    return 0


def _log_to_file() -> None:
    """While a dashboard owns the terminal, logs go to a file instead."""
    import platformdirs

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
