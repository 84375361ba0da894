"""`coproterm serve`, `host`, `demo` and `join`."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import logging
import os
import sys
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import TYPE_CHECKING, Any

from coproterm.commands import cli_language, fail
from coproterm.core.boards import Deck
from coproterm.core.deck import DeckError, find_deck
from coproterm.core.i18n import ENGLISH, N_, Language, language
from coproterm.core.problems import Problem, Words, os_reason, said
from coproterm.core.wire_terms import MAX_PARTICIPANTS
from coproterm.portable import on_stop_signals

if TYPE_CHECKING:
    from textual.app import App

    from coproterm.commands.hub_process import HostedHub
    from coproterm.server.hosting import Hosted, HubRunner, Prepared, SSHOptions


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


def _prepare(args: argparse.Namespace, *, log_too: bool = False) -> Prepared | str:
    """The session to serve, or why there is none; what to know first goes to stderr (and ``log_too``, the log)."""
    from coproterm.server.hosting import HostingError, prepare

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


def serve(args: argparse.Namespace) -> int:
    """A hub with no dashboard, until Ctrl-C."""
    from coproterm.server.hosting import HostingError
    from coproterm.server.logs import quiet_stream

    logging.basicConfig(level=logging.INFO, handlers=[quiet_stream(sys.stderr)])
    prepared = _prepare(args)
    if isinstance(prepared, str):
        return fail(prepared)
    deck = prepared.session.deck

    async def run() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        on_stop_signals(loop, stop.set)
        async with _runner(args, prepared) as hosted:
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


def _runner(args: argparse.Namespace, prepared: Prepared) -> HubRunner:
    """The hub (and its SSH gateway and network advertisement) as the command line asks."""
    from coproterm.server.hosting import HubRunner
    from coproterm.server.store import data_dir

    return HubRunner(
        prepared.session,
        prepared.host_token,
        args.host,
        args.port,
        prepared.store,
        advertise=not args.no_mdns,
        ssh=_ssh_options(args),
        web=not getattr(args, "no_web", False),
        advertise_host=getattr(args, "advertise", None),
        language=getattr(args, "lang", "en"),
        secret_dir=data_dir(args.data_dir),
    )


def _ssh_options(args: argparse.Namespace) -> SSHOptions | None:
    """How to serve SSH (None: --ssh-port 0, off)."""
    from coproterm.server.hosting import SSHOptions
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
    from coproterm.server.hosting import HostingError

    _log_to_file("dashboard.log")
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


def _log_to_file(name: str = "hub.log") -> None:
    """While a dashboard owns the terminal, logs go to a file instead: rotated, at most 20 MB in all."""
    import platformdirs

    from coproterm.server.logs import bounded_file

    directory = Path(platformdirs.user_log_dir("coproterm"))
    try:
        directory.mkdir(parents=True, exist_ok=True)
        logging.basicConfig(level=logging.INFO, handlers=[bounded_file(directory / name)])
    except OSError:
        logging.basicConfig(level=logging.CRITICAL, handlers=[logging.NullHandler()])
