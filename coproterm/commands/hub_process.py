"""`coproterm host` and `demo`: the hub in a process of its own, the dashboard its client (as ``--attach`` is).

A dashboard and a hub sharing one event loop let the dashboard stall everyone: a word view
recounting 5,000 answers held each participant's ack for up to 933 ms. In a thread of its own
the hub still waited on the interpreter the dashboard held (its drawing, its garbage collection).
In a process of its own nothing the dashboard does delays a participant. The two meet only over
the hub's websocket (the host token) and, at start and end, a queue and an event.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import multiprocessing
import os
import queue
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from coproterm.core.i18n import N_

if TYPE_CHECKING:
    from multiprocessing.synchronize import Event

    from coproterm.server.hub_runner import Hosted

DASHBOARD_NICENESS = 5
"""How far below the hub the dashboard's process runs (where the system has priorities): on a busy laptop
a participant's ack comes before the projector's next frame, as the SSH workers' do too."""
STOP_WAIT = 30.0
"""Seconds the hub has to tell everyone the session has ended and close, once the dashboard has quit."""


@dataclass(frozen=True)
class SessionName:
    id: str


@dataclass(frozen=True)
class StoreName:
    """Where the session's log is: what the dashboard's export reads."""

    info: SessionName
    path: Path


@dataclass
class HostedHub:
    """What the dashboard needs of a hub serving in another process: how to reach it and what to show."""

    local_url: str
    host_token: str
    join_targets: list[str]
    ssh_command: str | None
    ssh_fingerprint: str | None
    web_url: str | None
    store: StoreName | None
    pid: int
    bind_host: str = ""
    port: int = 0
    advertise: str | None = None
    tell_address: Callable[[str], None] | None = field(default=None, compare=False)
    """Asks the hub's process to advertise the address the facilitator chose (set in the dashboard's process)."""

    def find_addresses(self) -> list[str]:
        """What the room can type now (this machine's addresses change as its networks do)."""
        from coproterm.server.addresses import join_targets

        return join_targets(self.bind_host, self.port, self.advertise)

    @classmethod
    def of(cls, hosted: Hosted) -> HostedHub:
        store = hosted.store
        return cls(
            hosted.local_url,
            hosted.host_token,
            hosted.join_targets,
            hosted.ssh_command,
            hosted.ssh_fingerprint,
            hosted.web_url,
            StoreName(SessionName(store.info.id), store.path) if store is not None else None,
            os.getpid(),
            hosted.bind_host,
            hosted.port,
            hosted.advertise,
        )


def serve_hub(
    args: argparse.Namespace, ready: multiprocessing.Queue[Any], stop: Event, shown: multiprocessing.Queue[Any]
) -> None:
    """The hub process: prepare the session, serve it, say so on ``ready``; advertise the addresses that come on
    ``shown``; end the session once ``stop`` is set."""
    from coproterm.commands import cli_language
    from coproterm.commands.hub_setup import hub_runner, log_to_file, prepare_hub
    from coproterm.quiet import quiet_known_warnings
    from coproterm.server.hub_runner import HostingError

    quiet_known_warnings()  # a fresh interpreter: the command's filters are not inherited
    log_to_file()
    prepared = prepare_hub(args, log_too=True)
    if isinstance(prepared, str):
        ready.put(("failed", prepared))
        return

    async def run() -> None:
        async with hub_runner(args, prepared) as hosted:
            ready.put(("serving", HostedHub.of(hosted), prepared.warnings(cli_language(args))))
            loop = asyncio.get_running_loop()

            async def follow() -> None:
                while (host := await loop.run_in_executor(None, _next_shown, shown, stop)) is not None:
                    await hosted.show_address(host)

            following = asyncio.create_task(follow())
            await loop.run_in_executor(None, _until_stopped, stop)
            following.cancel()

    try:
        asyncio.run(run())
    except HostingError as error:
        ready.put(("failed", error.words(cli_language(args))))
    except KeyboardInterrupt:
        pass  # Ctrl-C before the dashboard took the terminal: the dashboard's process says so


def _next_shown(shown: multiprocessing.Queue[Any], stop: Event) -> str | None:
    """The next address the facilitator chose for the room; None once the hub stops."""
    while not stop.is_set():
        try:
            return str(shown.get(timeout=1))
        except queue.Empty:
            continue
    return None


def _until_stopped(stop: Event) -> None:
    """Until the dashboard says stop, or its process is gone (killed: the session ends with it, as it always did)."""
    dashboard = os.getppid()
    while not stop.wait(1):
        if os.getppid() != dashboard:
            return


class HubProcess:
    """A hub serving in a process of its own until :meth:`stop`."""

    def __init__(self, args: argparse.Namespace) -> None:
        context = multiprocessing.get_context("spawn")  # a fresh interpreter: no thread or loop of ours copied
        self._ready: multiprocessing.Queue[Any] = context.Queue()
        self._stop = context.Event()
        self._shown: multiprocessing.Queue[Any] = context.Queue()
        self._process = context.Process(
            target=serve_hub, args=(args, self._ready, self._stop, self._shown), name="coproterm-hub"
        )

    def start(self) -> tuple[HostedHub, list[str]]:
        """Start serving; the hub once it listens and what to show at start (HostingError if it cannot)."""
        from coproterm.server.hub_runner import HostingError

        self._process.start()
        while True:
            try:
                said = self._ready.get(timeout=1)
                break
            except queue.Empty:
                if not self._process.is_alive():
                    raise HostingError(N_("the hub stopped before it could serve (its log says why)")) from None
        if said[0] == "failed":
            self._process.join(10)
            raise HostingError(said[1])
        if hasattr(os, "nice"):  # not on Windows
            with contextlib.suppress(OSError):
                os.nice(DASHBOARD_NICENESS)  # this process only: the hub's started at the usual priority
        hosted: HostedHub = said[1]
        hosted.tell_address = self._shown.put
        return hosted, said[2]

    def stop(self) -> None:
        """End the session (everyone hears so) and wait for the hub to close."""
        self._stop.set()
        self._process.join(STOP_WAIT)
        if self._process.is_alive():
            self._process.terminate()
            self._process.join(5)
