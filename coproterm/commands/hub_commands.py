"""`coproterm serve`, `host`, `demo` and `join`."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import TYPE_CHECKING, Any

from coproterm.commands import cli_language, fail
from coproterm.commands.hub_setup import (
    HOST_TOKEN,
    HOST_TOKEN_VARIABLE,
    SSH_PASSCODE,
    SSH_PASSCODE_VARIABLE,
    SecretError,
    hub_runner,
    log_to_file,
    prepare_hub,
    read_secret,
)
from coproterm.core.i18n import ENGLISH, language
from coproterm.portable import on_stop_signals

if TYPE_CHECKING:
    from textual.app import App

    from coproterm.commands.hub_process import HostedHub
    from coproterm.server.hub_runner import Hosted


def serve(args: argparse.Namespace) -> int:
    """A hub with no dashboard, until Ctrl-C."""
    from coproterm.server.hub_runner import HostingError
    from coproterm.server.logs import quiet_stream

    logging.basicConfig(level=logging.INFO, handlers=[quiet_stream(sys.stderr)])
    prepared = prepare_hub(args)
    if isinstance(prepared, str):
        return fail(prepared)
    deck = prepared.session.deck

    async def run() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        on_stop_signals(loop, stop.set)
        async with hub_runner(args, prepared) as hosted:
            t = language(getattr(args, "lang", ENGLISH)).t

            def line(label: str, value: str) -> None:
                print(f"  {(label + ':').ljust(11)} {value}")

            count = language(getattr(args, "lang", ENGLISH)).tn(
                "{count} question", "{count} questions", len(deck.questions)
            )
            title = language(getattr(args, "lang", ENGLISH)).pick(deck.title, deck.title_cy, join=" / ")
            print(f'coproterm hub: "{title}", {count}')
            if hosted.store is not None:
                line(t("session"), f"{hosted.store.info.id}  ({hosted.store.path})")
            for target in hosted.join_targets:
                line(t("join"), f"coproterm join {target}")
            session = hosted.hub.session
            if session.join_code:
                line(t("join code"), session.join_code + (t("  (required)") if session.require_code else ""))
            if hosted.web_url:
                code = f"?code={session.join_code}" if session.join_code else ""
                line(t("on a phone"), f"{hosted.web_url}{code}")
            if hosted.ssh_command:
                asked = t(", passcode asked") if args.ssh_passcode else ""
                key = t("host key {fingerprint}", fingerprint=hosted.ssh_fingerprint)
                command = hosted.ssh_command.replace("YOURNAME", t("YOURNAME"))
                line(t("over ssh"), f"{command}   ({key}{asked})")
            elif hosted.ssh_problem:
                line(t("over ssh"), hosted.ssh_problem.words(language(getattr(args, "lang", ENGLISH))))
            if not args.no_mdns:
                problem = hosted.discovery_problem
                found = (
                    problem.words(language(getattr(args, "lang", ENGLISH)))
                    if problem
                    else t("advertised, so `coproterm join` finds it by itself")
                )
                line(t("network"), found)
            line(t("host token"), hosted.host_token)
            attach = f"coproterm host --attach {hosted.local_url}"
            line(t("dashboard"), attach + t("   (it asks for the host token)"))
            print(t("Ctrl-C stops the hub."), flush=True)
            await stop.wait()
            print(t("Stopping: closing every connection."), flush=True)

    try:
        asyncio.run(run())
    except HostingError as error:
        return fail(error, cli_language(args))
    return 0


def host(args: argparse.Namespace) -> int:
    """The dashboard, on a hub of its own or (``--attach``) on one elsewhere."""
    from coproterm.tui.host.app import HostApp

    if args.attach:
        from coproterm.client.link import AddressError, hub_url

        try:
            url = hub_url(args.attach)
            token = read_secret(args.token, args.token_file, HOST_TOKEN_VARIABLE, what=HOST_TOKEN, ask=True)
        except SecretError as error:
            return fail(error, cli_language(args))
        except AddressError as error:
            return fail(error.words(cli_language(args)))
        if not token:
            return fail(
                cli_language(args).t(
                    "--attach needs the hub's host token (`coproterm serve` prints it): set ${variable},"
                    " give --token-file FILE, or run this at a terminal to be asked",
                    variable=HOST_TOKEN_VARIABLE,
                )
            )
        targets, ssh, web = _attached_joining(url, args.ssh_port)
        HostApp(url, token, targets, ssh=ssh, web=web, presenter=args.presenter, lang=args.lang).run()
        return 0
    return _host_here(args, lambda hosted, said: _dashboard(hosted, args.presenter, args.lang, said))


def _reachable(host: str, port: int) -> bool:
    """Whether something on this machine's network answers at ``host:port`` (a TCP connection opens)."""
    import socket

    try:
        with socket.create_connection((host.strip("[]"), port), timeout=1):
            return True
    except OSError:
        return False


def _attached_joining(url: str, ssh_port: int) -> tuple[list[str], tuple[str, None] | None, bool]:
    """How the room joins a hub the dashboard attaches to: its ``host:port``s, its ssh command, whether it serves phones.

    A hub attached at a loopback address runs on this machine: the room reaches it at this machine's LAN
    addresses, as `serve` prints them, when it listens there. What is not answering is left out.
    """
    import ipaddress
    from urllib.parse import urlsplit
    from urllib.request import urlopen

    from coproterm.server.addresses import lan_ipv4_addresses, with_port

    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = host == "localhost"
    hosts = [address for address in lan_ipv4_addresses() if _reachable(address, port)] if loopback else []
    hosts = hosts or [host]
    try:
        with urlopen(f"http://{with_port(hosts[0], port)}/", timeout=2) as page:
            web = page.status == 200
    except (OSError, ValueError):
        web = False
    ssh = None
    if ssh_port and _reachable(hosts[0], ssh_port):
        ssh = (f"ssh -p {ssh_port} YOURNAME@{hosts[0]}" if ssh_port != 22 else f"ssh YOURNAME@{hosts[0]}", None)
    return [with_port(address, port) for address in hosts], ssh, web


def demo(args: argparse.Namespace) -> int:
    """A hosted session with simulated participants."""
    from coproterm.client.crowd import run_crowd

    if not 0 <= args.participants <= 500:
        return fail(cli_language(args).t("--participants takes a number from 0 to 500"))
    return _host_here(
        args,
        lambda hosted, said: _dashboard(hosted, args.presenter, args.lang, said),
        lambda hosted: run_crowd(hosted.local_url, args.participants),
    )


def _dashboard(
    hosted: Hosted | HostedHub, presenter: bool = False, lang: str = "en", said: list[str] | None = None
) -> App[None]:
    """The dashboard on the hub in this process; ``said`` (the session picked, rows left out) shows on it at start."""
    from coproterm.tui.host.app import HostApp

    store = hosted.store
    ssh = (hosted.ssh_command, hosted.ssh_fingerprint) if hosted.ssh_command else None
    web = hosted.web_url is not None
    rooms = _room_addresses(hosted)
    if store is None:
        return HostApp(
            hosted.local_url,
            hosted.host_token,
            hosted.join_targets,
            ssh=ssh,
            presenter=presenter,
            web=web,
            lang=lang,
            notices=said or [],
            **rooms,
        )

    def export() -> list[Path]:
        from coproterm.commands.sessions import export_name, write_export

        written = []
        # the report in Cymraeg beside the English, named as `coproterm export --lang cy` names it
        for form, lang in (("html", "en"), ("csv", "en"), ("json", "en"), ("html", "cy")):
            path = Path.cwd() / export_name(store.info.id, form, lang)
            write_export(store.path, form, path, quiet=True, lang=lang)
            written.append(path)
        return written

    return HostApp(
        hosted.local_url,
        hosted.host_token,
        hosted.join_targets,
        session_id=store.info.id,
        exporter=export,
        ssh=ssh,
        presenter=presenter,
        web=web,
        lang=lang,
        notices=said or [],
        **rooms,
    )


def _room_addresses(hosted: Hosted | HostedHub) -> dict[str, Any]:
    """What a dashboard on a hub it runs needs to follow its addresses and advertise the one it shows."""
    from coproterm.commands.hub_process import HostedHub

    if isinstance(hosted, HostedHub):  # the hub serves in a process of its own: asked over a queue
        return {"runs_hub": True, "find_addresses": hosted.find_addresses, "show_address": hosted.tell_address}
    loop = asyncio.get_running_loop()

    def show_address(host: str) -> None:  # from any thread: the advertisement lives on the hub's loop
        loop.call_soon_threadsafe(lambda: loop.create_task(hosted.show_address(host)))

    return {
        "runs_hub": True,
        "find_addresses": lambda: hosted.join_targets,
        "show_address": show_address,
    }


def _host_here(
    args: argparse.Namespace,
    make_app: Callable[[HostedHub, list[str]], App[None]],
    extra: Callable[[HostedHub], Coroutine[Any, Any, None]] | None = None,
) -> int:
    """Run a hub in a process of its own, and a dashboard on it in this one (``extra`` beside the dashboard).

    The dashboard is a client of the hub, as with ``--attach``: however long it takes to draw (a
    word view of thousands of answers, a slow terminal), the hub answers everyone else meanwhile.
    What was printed before the dashboard covered the terminal (the session picked) goes to it too.
    """
    import threading

    from coproterm.commands.hub_process import HubProcess
    from coproterm.server.hub_runner import HostingError

    log_to_file("dashboard.log")
    try:  # read here: the hub's process has no terminal to ask at, nor this one's standard input
        args.ssh_passcode = read_secret(
            args.ssh_passcode, args.ssh_passcode_file, SSH_PASSCODE_VARIABLE, what=SSH_PASSCODE
        )
        args.ssh_passcode_file = None
    except SecretError as error:
        return fail(error, cli_language(args))
    hub = HubProcess(args)
    try:
        hosted, said = hub.start()
    except HostingError as error:
        return fail(error, cli_language(args))
    if extra is not None:
        threading.Thread(target=lambda: asyncio.run(extra(hosted)), name="coproterm-extra", daemon=True).start()
    try:
        make_app(hosted, said).run()
    finally:
        hub.stop()
    if hosted.store is not None:  # the dashboard has gone: say what became of the session, and what is next
        ended = language(getattr(args, "lang", ENGLISH)).t(
            "The session has ended for everyone. Its results: coproterm export {session};"
            " to host it again: coproterm host --resume {session}",
            session=hosted.store.info.id,
        )
        print(f"coproterm: {ended}", flush=True)
    return 0
