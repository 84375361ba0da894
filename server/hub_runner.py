"""Start a session hub: what `coproterm serve`, `host` and `demo` share."""

from __future__ import annotations

import asyncio
import errno
import logging
import secrets
import socket
import sys
from collections.abc import Iterable
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from coproterm.core.access import new_join_code
from coproterm.core.boards import Deck
from coproterm.core.deck import DeckError, deck_from_data, deck_to_data
from coproterm.core.i18n import ENGLISH, N_, Language, language
from coproterm.core.log_check import Flaw, LogCheck
from coproterm.core.problems import Problem, Words, os_reason, said
from coproterm.core.session import Session
from coproterm.core.wire_terms import MAX_PARTICIPANTS, RESUME_TOKEN_BYTES
from coproterm.server.addresses import advertised_ipv4, everywhere, join_hosts, join_targets, local_host, with_port
from coproterm.server.choosing import SessionChoice
from coproterm.server.discovery import Advertiser, host_label
from coproterm.server.hub import Hub
from coproterm.server.ssh import DEFAULT_SSH_PORT
from coproterm.server.store import SessionStore, StoreError, choose_session, data_dir, read_log
from coproterm.server.web import Page

if TYPE_CHECKING:
    from websockets.asyncio.server import Server

    from coproterm.server.ssh.gateway import Gateway
    from coproterm.server.ssh.workers import Workers


log = logging.getLogger("coproterm.hub")


@dataclass(frozen=True)
class SSHOptions:
    """How to serve the participant app over SSH."""

    port: int = DEFAULT_SSH_PORT
    """0 listens on any free port (`--ssh-port 0` on the command line turns SSH off instead)."""
    passcode: str | None = None
    key_dir: Path = Path(".")
    """Where the persistent host key lives (the data directory)."""
    workers: int | None = None
    """Gateway worker processes: None for one per core (up to four), below the hub's priority; 0 runs
    the gateway in the hub's own process (tests; it then shares the hub's loop)."""
    language: str = "en"
    """The language for SSH clients whose LANG / LC_* ask for neither Welsh nor English (``--lang``)."""


class HostingError(Problem, RuntimeError):
    """The hub could not start; :meth:`words` says why and what to try, in the reader's language."""


@dataclass
class Hosted:
    """A hub that is listening."""

    hub: Hub
    host_token: str
    bind_host: str
    port: int
    store: SessionStore | None = None
    discovery_problem: Words | None = None
    """Why the hub is not advertised on the network, if it is not."""
    ssh_port: int | None = None
    ssh_fingerprint: str | None = None
    ssh_problem: Words | None = None
    advertise: str | None = None
    """The address (or name) to show the room first, as ``--advertise`` asked; None: the best this machine has."""
    advertiser: Advertiser | None = None

    async def show_address(self, host: str) -> None:
        """The facilitator chose ``host`` for the room: the network advertisement carries it from now on."""
        if self.advertiser is not None and self.advertiser.server is None and (addresses := advertised_ipv4(host)):
            await self.advertiser.show(addresses)

    @property
    def ssh_command(self) -> str | None:
        """What a participant types to join over SSH, if the gateway is on (YOURNAME: their own name)."""
        if self.ssh_port is None:
            return None
        host = join_hosts(self.bind_host, self.advertise)[0]
        return f"ssh -p {self.ssh_port} YOURNAME@{host}" if self.ssh_port != 22 else f"ssh YOURNAME@{host}"

    @property
    def join_targets(self) -> list[str]:
        return join_targets(self.bind_host, self.port, self.advertise)

    @property
    def web_url(self) -> str | None:
        """The phone page's address for people in the room (the QR code's), if the hub serves it."""
        if self.hub.page is None:
            return None
        return f"http://{self.join_targets[0]}/"

    @property
    def local_url(self) -> str:
        """Where a client on this machine reaches the hub."""
        return f"ws://{with_port(local_host(self.bind_host), self.port)}"


def new_host_token() -> str:
    """A random host token: 128 bits, URL-safe."""
    return secrets.token_urlsafe(16)


@dataclass(frozen=True)
class Access:
    """Who may join: a code to show (and perhaps require), and how many at most."""

    join_code: str = ""
    require_code: bool = False
    max_participants: int = MAX_PARTICIPANTS


def new_session(deck: Deck, host_token: str, access: Access | None = None) -> Session:
    """A fresh session whose resume tokens are random (128 bits)."""
    access = access or Access()
    return Session(
        deck,
        host_token,
        lambda: secrets.token_bytes(RESUME_TOKEN_BYTES),
        max_participants=access.max_participants,
        join_code=access.join_code,
        require_code=access.require_code,
    )


@dataclass
class Prepared:
    """A session ready to serve: new, or rebuilt from its log."""

    session: Session
    host_token: str
    store: SessionStore | None
    chosen: Words | None = None
    """Which earlier session was picked and why, when none was named."""
    flaws: list[Flaw] = field(default_factory=list)
    """Rows of a resumed log that could not be replayed (left out)."""

    def warnings(self, lang: Language | None = None) -> list[str]:
        """What the facilitator should hear before the hub starts, in ``lang`` (English if none is given)."""
        lang = lang or language(ENGLISH)
        told = [self.chosen.words(lang)] if self.chosen else []
        if self.flaws and self.store is not None:
            session = self.store.info.id
            told += [
                lang.t("session {id}: log {flaw} (left out)", id=session, flaw=flaw.words(lang)) for flaw in self.flaws
            ]
        return told


def prepare(
    deck: Deck | None,
    *,
    data: Path | None,
    resume: SessionChoice | None = None,
    require_code: bool = False,
    max_participants: int = MAX_PARTICIPANTS,
) -> Prepared:
    """Build the session: a new one from ``deck``, or (``resume``) an earlier one from its log.

    ``resume`` is an id (or the start of one) or :data:`coproterm.server.store.NEWEST`. A
    new session's log is written only once its hub is serving (``HubRunner``).
    Raises HostingError with a message for people when the log cannot be had.
    """
    directory = data_dir(data)
    try:
        if resume is not None:
            return _resume(directory, resume, Access("", require_code, max_participants))
        assert deck is not None
        token = new_host_token()
        access = Access(new_join_code(secrets.randbelow), require_code, max_participants)
        store = SessionStore.create(directory, deck_to_data(deck), deck.title, token, access.join_code)
        return Prepared(new_session(deck, token, access), token, store)
    except StoreError as error:
        raise HostingError(error.said) from None


def _resume(directory: Path, choice: SessionChoice, access: Access) -> Prepared:
    chosen = choose_session(directory, choice)
    store = SessionStore.resume(chosen.path)
    try:
        log = read_log(chosen.path)
        deck = deck_from_data(store.info.deck, f"session {store.info.id}")
    except (StoreError, DeckError) as error:
        store.release()
        raise HostingError(error.said) from None
    access = Access(store.info.join_code, access.require_code, access.max_participants)
    session = new_session(deck, store.info.host_token, access)
    flaws = list(log.flaws)
    session.replay(event for _, _, event in LogCheck(deck).sound(log.logged(), flaws))
    flaws.sort(key=lambda flaw: flaw.row)
    return Prepared(session, store.info.host_token, store, chosen.why, flaws)


class HubRunner:
    """Runs a hub inside the current event loop: ``async with HubRunner(...) as hosted``."""

    def __init__(
        self,
        session: Session,
        host_token: str,
        bind_host: str,
        port: int,
        store: SessionStore | None = None,
        *,
        advertise: bool = False,
        ssh: SSHOptions | None = None,
        web: bool = True,
        advertise_host: str | None = None,
        names: Iterable[str] = (),
        language: str = "en",
        secret_dir: Path | None = None,
    ) -> None:
        # The name the room is shown (--advertise) is one the hub answers browsers to.
        given = [*names, advertise_host] if advertise_host else list(names)
        # The phone page opens in the hub's language for a browser that asks for neither Welsh nor English.
        page = Page.load(language.split("+")[0]) if web else None
        self.hub = Hub(session, page=page, names=own_names(bind_host, given))
        self._token = host_token
        self._bind = (bind_host, port)
        self._store = store
        self._advertise = advertise
        self._shown = advertise_host
        """``--advertise``: the address or name the room is shown first."""
        self.advertiser: Advertiser | None = None
        self._ssh = ssh
        self._secret_dir = secret_dir
        """With no SSH here: where to write the gateway secret, so a separate ``coproterm ssh-gateway`` can
        still prove itself and each of its participants counts at their own address (not the gateway's)."""
        self.gateway: Gateway | None = None
        self.gateway_workers: Workers | None = None
        """The SSH gateway's worker processes, when it runs in them."""
        self._server: Server | None = None
        self._fan_out: asyncio.Task[None] | None = None

    async def __aenter__(self) -> Hosted:
        host, port = self._bind
        if self._store is not None:
            self.hub.store = self._store
        try:
            self._server = await self.hub.serve(host, port)
        except OSError as error:
            await self._close_store()
            raise HostingError(_listen_problem(host, port, error)) from None
        if self._store is not None:
            # Only now is a new session written: a start that failed leaves nothing behind.
            # No await since listening began, so no change can have been accepted before this.
            try:
                self._store.start()
            except StoreError as error:
                self._server.close()
                await self._close_store()
                raise HostingError(error.said) from None
        self._fan_out = asyncio.create_task(self.hub.fan_out())
        bound = self._server.sockets[0].getsockname()[1]
        hosted = Hosted(self.hub, self._token, host, bound, self._store, advertise=self._shown)
        if self._advertise:
            shown = join_hosts(host, self._shown)[0]
            name = shown if shown.endswith(".local") else None  # the record answers for that name itself
            addresses = advertised_ipv4(shown) if name is None else join_hosts(host)[:1]
            self.advertiser = Advertiser(
                self.hub.session,
                bound,
                addresses or join_hosts(host)[:1],
                None if everywhere(host) else [host],
                server=name,
            )
            await self.advertiser.start()
            hosted.discovery_problem = self.advertiser.problem
            hosted.advertiser = self.advertiser
        if self._ssh is not None:
            await self._start_ssh(hosted, self._ssh)
        elif self._secret_dir is not None:
            self._gateway_secret(self._secret_dir)
        return hosted

    def _gateway_secret(self, directory: Path) -> str | None:
        """This start's gateway secret (the environment's, or a new one written in ``directory``), given to
        the hub; None if it cannot be written (then gateways are counted at their own address, as before)."""
        import os

        from coproterm.server.ssh.keys import gateway_secret
        from coproterm.server.ssh.workers import SECRET_ENV

        try:
            secret = os.environ.get(SECRET_ENV) or gateway_secret(directory)
        except OSError as error:
            log.warning("no gateway secret in %s: %s", directory, error)
            return None
        self.hub.gateway_secret = secret
        return secret

    async def _start_ssh(self, hosted: Hosted, options: SSHOptions) -> None:
        """Serve the participant app over SSH too; if it cannot listen, say why and go on without.

        The gateway runs in worker processes (``options.workers``), or in this
        process when that is 0. Either way it proves itself to the hub with the
        gateway secret, so the hub counts each SSH participant at their own address.
        """
        import os

        from coproterm.server.ssh.keys import fingerprint, gateway_secret, host_key
        from coproterm.server.ssh.workers import SECRET_ENV, SHARED_PORT, WorkerOptions, Workers, default_workers

        try:
            key = host_key(options.key_dir)
            secret = os.environ.get(SECRET_ENV) or gateway_secret(options.key_dir)
        except (OSError, ValueError) as error:
            reason = os_reason(error) if isinstance(error, OSError) else said(N_("the key cannot be read"))
            hosted.ssh_problem = said(
                N_("no SSH host key in {folder}: {reason}"), folder=str(options.key_dir), reason=reason
            )
            return
        if hasattr(self.hub, "gateway_secret"):
            self.hub.gateway_secret = secret
        first = join_hosts(hosted.bind_host, hosted.advertise)[0]
        identities = dict(self._store.ssh_identities()) if self._store is not None else {}
        remember = self._store.remember_ssh_identity if self._store is not None else None
        try:
            count = options.workers if options.workers is not None else default_workers()
            if count == 0 or not SHARED_PORT:  # (Windows: no port shared between processes)
                from coproterm.server.ssh.gateway import Gateway  # asyncssh and Textual: only when asked for

                gateway = Gateway(hosted.local_url, key, options.passcode, advertised_host=first, secret=secret)
                gateway.language = options.language
                gateway.identities.update(identities)
                gateway.remember = remember
                hosted.ssh_port = await gateway.start(hosted.bind_host, options.port)
                self.gateway = gateway
            else:
                settings = WorkerOptions(
                    hosted.local_url,
                    hosted.bind_host,
                    options.port,
                    options.key_dir,
                    options.passcode,
                    first,
                    language=options.language,
                )
                if not sys.platform.startswith("linux"):
                    count = 1  # macOS shares a port, but gives every connection to one worker
                workers = Workers(settings, secret, count, identities, remember)
                hosted.ssh_port = await workers.start()
                self.gateway_workers = workers
        except OSError as error:
            hosted.ssh_problem = said(
                N_("SSH is off: {reason}"), reason=_listen_problem(hosted.bind_host, options.port, error)
            )
            return
        hosted.ssh_fingerprint = fingerprint(key)

    async def __aexit__(self, *exc_info: object) -> None:
        if self._server is not None:
            await self.hub.end()  # everyone hears "the session has ended", SSH participants too
        if self.gateway is not None:
            await self.gateway.stop()
        if self.gateway_workers is not None:
            await self.gateway_workers.stop()
        if self.advertiser is not None:
            await self.advertiser.stop()
        if self._fan_out is not None:
            self._fan_out.cancel()
            with suppress(asyncio.CancelledError):
                await self._fan_out
        if self._server is not None:
            self._server.close()
            with suppress(TimeoutError):
                await asyncio.wait_for(self._server.wait_closed(), 10)
        await self._close_store()

    async def _close_store(self) -> None:
        if self._store is not None:
            await self._store.close()
            self._store = None


def own_names(bind_host: str, given: Iterable[str] = ()) -> frozenset[str]:
    """The host names a browser may reach this hub by: this machine's name, its mDNS name (what
    discovery advertises), a name it is bound to, and ``given`` (an advertised name)."""
    machine = socket.gethostname().lower().rstrip(".")
    names = {machine, machine.split(".")[0], f"{host_label().lower()}.local", *(n.lower().rstrip(".") for n in given)}
    if bind_host and not everywhere(bind_host):
        names.add(bind_host.lower().strip("[]"))
    return frozenset(name for name in names if name)


def _listen_problem(host: str, port: int, error: OSError) -> Words:
    if error.errno == errno.EADDRINUSE:
        return said(
            N_("port {port} is already in use on {host}: is another hub running? Try --port with another number."),
            port=port,
            host=host,
        )
    if error.errno == errno.EACCES:
        return said(N_("not allowed to listen on port {port}: choose a port above 1023 with --port."), port=port)
    if error.errno == errno.EADDRNOTAVAIL:
        return said(
            N_("{host} is not an address of this machine: use --host 0.0.0.0 or one of its addresses."), host=host
        )
    return said(N_("cannot listen on {host}:{port}: {reason}"), host=host, port=port, reason=os_reason(error))
