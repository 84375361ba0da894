"""The SSH gateway in worker processes, so no SSH participant's screen runs on the hub's loop.

:class:`Workers` starts N processes (``python -m coproterm.server.ssh.worker``) that share
one SSH port (SO_REUSEPORT: the kernel spreads new connections between them),
each joining the hub over the ordinary websocket path with the gateway secret,
so the hub counts every participant at their own address. A worker that dies is
logged and replaced; its participants reconnect (``ssh`` again) and find their
votes, because who is who is kept here, not in the worker: each worker reports
an identity it learns (user name and key, or address, with the resume token),
and this supervisor keeps it (in the session's log where there is one) and
passes it to every worker, including the ones started later.

Each worker gets the secret and everything else on a private socket it
inherits (never on a command line, which any local user can read, nor in its
environment, which stays readable in ``/proc/<pid>/environ`` for its life).
Nothing here imports Textual: the hub's process only supervises.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import signal
import socket
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

log = logging.getLogger("coproterm.ssh.workers")

SECRET_ENV = "COPROTERM_GATEWAY_SECRET"
"""Where ``coproterm ssh-gateway`` may find the gateway secret (its workers never see it there)."""
CONTROL_ENV = "COPROTERM_GATEWAY_CONTROL"
"""The file descriptor of a worker's control socket."""
READY_TIMEOUT = 60.0
STOP_TIMEOUT = 25.0
"""Seconds a worker has to leave every terminal as it was (it ends itself after 20)."""
RESTART_DELAY = 0.5
RESTART_DELAY_MAX = 10.0
STABLE = 10.0
"""A worker that lived this long was healthy: the next restart is quick again."""

Identity = tuple[str, str]


SHARED_PORT = sys.platform != "win32"
"""Workers can listen on one port: SO_REUSEPORT, and a socket passed to a child. Windows has neither: there
the gateway runs in the hub's process. macOS shares the port but gives every new connection to the last
worker that listened, so it runs one worker; Linux spreads connections between them all."""
DEFAULT_MOST = 4
"""Workers started by default however many cores there are: each costs about 57 MB before anyone joins,
and four draw a question change on 200 SSH screens faster than one room needs."""


def default_workers() -> int:
    """One per core this process may run on (at most :data:`DEFAULT_MOST`), at least one; on macOS one, on
    Windows none (the gateway then runs in the hub's process).

    The workers run below the hub's priority (:data:`coproterm.server.ssh.worker.NICENESS`), so the hub's core is
    still the hub's whenever it has work, and SSH screens get every cycle it leaves: on a 2-core laptop,
    200 SSH screens show a new question in about half the time of one worker, and a websocket
    participant's ack p99 stays under 10 ms (docs/performance.md).
    """
    if not sys.platform.startswith("linux"):
        return 1 if SHARED_PORT else 0
    cores = len(os.sched_getaffinity(0))
    return max(1, min(cores, DEFAULT_MOST))


@dataclass
class WorkerOptions:
    """What every gateway worker is told (over its control socket)."""

    hub_url: str
    host: str
    port: int
    key_dir: Path
    passcode: str | None = None
    advertised_host: str = "HOST"
    sessions_per_address: int | None = None
    language: str = "en"
    """The language for SSH clients that ask for neither Welsh nor English."""


@dataclass
class _Slot:
    number: int
    process: asyncio.subprocess.Process | None = None
    writer: asyncio.StreamWriter | None = None
    sessions: int = 0
    ready: asyncio.Future[int] | None = None


@dataclass
class Workers:
    """Runs, watches and stops the gateway's worker processes."""

    options: WorkerOptions
    secret: str
    count: int = field(default_factory=default_workers)
    identities: dict[Identity, bytes] = field(default_factory=dict)
    remember: Callable[[Identity, bytes], None] | None = None
    """Keeps an identity somewhere lasting (the session's log)."""
    restarts: int = 0
    """Workers that died and were replaced."""
    port: int = 0
    _slots: list[_Slot] = field(default_factory=list)
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)
    _reserved: list[socket.socket] = field(default_factory=list)
    _holders: dict[Identity, _Slot] = field(default_factory=dict)
    """The worker each live SSH identity's session is in (as the workers report)."""
    _stopping: bool = False

    @property
    def pids(self) -> list[int]:
        return [
            slot.process.pid for slot in self._slots if slot.process is not None and slot.process.returncode is None
        ]

    @property
    def sessions(self) -> int:
        """SSH participants on the workers now (as they last reported)."""
        return sum(slot.sessions for slot in self._slots)

    def sessions_of(self, pid: int) -> int:
        for slot in self._slots:
            if slot.process is not None and slot.process.pid == pid:
                return slot.sessions
        return 0

    async def start(self) -> int:
        """Start every worker and wait until each listens; returns the SSH port. Raises OSError."""
        self._reserved = _reserve(self.options.host, self.options.port)
        self.port = self._reserved[0].getsockname()[1]
        self._slots = [_Slot(n) for n in range(max(1, self.count))]
        loop = asyncio.get_running_loop()
        for slot in self._slots:
            slot.ready = loop.create_future()
            self._tasks.append(asyncio.create_task(self._keep(slot)))
        try:
            async with asyncio.timeout(READY_TIMEOUT):
                for slot in self._slots:
                    assert slot.ready is not None
                    await slot.ready
        except BaseException:
            await self.stop()
            raise
        return self.port

    async def stop(self) -> None:
        """Stop every worker (each leaves its people's terminals as they were, with a last word)."""
        self._stopping = True
        for slot in self._slots:
            if slot.process is not None and slot.process.returncode is None:
                with contextlib.suppress(ProcessLookupError):
                    slot.process.send_signal(signal.SIGTERM)
        for slot in self._slots:
            if slot.process is not None:
                try:
                    await asyncio.wait_for(slot.process.wait(), STOP_TIMEOUT)
                except TimeoutError:
                    log.warning("SSH worker %d did not stop; killing it", slot.process.pid)
                    with contextlib.suppress(ProcessLookupError):
                        slot.process.kill()
                    await slot.process.wait()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()
        for held in self._reserved:
            held.close()
        self._reserved = []

    # -- one worker, kept alive ---------------------------------------------------

    async def _keep(self, slot: _Slot) -> None:
        delay = RESTART_DELAY
        loop = asyncio.get_running_loop()
        while not self._stopping:
            started = loop.time()
            try:
                status = await self._run(slot)
            except OSError as error:
                status = None
                log.error("could not start an SSH worker: %s", error)
            slot.sessions = 0
            self._holders = {identity: held for identity, held in self._holders.items() if held is not slot}
            if self._stopping:
                return
            if slot.ready is not None and not slot.ready.done():
                slot.ready.set_exception(OSError(f"the SSH worker stopped as it started (status {status})"))
                return
            self.restarts += 1
            log.warning(
                "SSH worker %d stopped (status %s), ending its participants' sessions; starting another",
                slot.number,
                status,
            )
            delay = RESTART_DELAY if loop.time() - started > STABLE else min(delay * 2, RESTART_DELAY_MAX)
            await asyncio.sleep(delay)

    async def _run(self, slot: _Slot) -> int | None:
        ours, theirs = socket.socketpair()
        env = {name: value for name, value in os.environ.items() if name != SECRET_ENV}
        env[CONTROL_ENV] = str(theirs.fileno())
        try:
            process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "coproterm.server.ssh.worker",
                stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
                pass_fds=(theirs.fileno(),), env=env, start_new_session=True,
            )  # fmt: skip
        finally:
            theirs.close()
        slot.process = process
        reader, writer = await asyncio.open_connection(sock=ours)
        slot.writer = writer
        settings = {
            "secret": self.secret,
            "hub_url": self.options.hub_url,
            "host": self.options.host,
            "port": self.port,
            "key_dir": str(self.options.key_dir),
            "passcode": self.options.passcode,
            "advertised_host": self.options.advertised_host,
            "sessions_per_address": self.options.sessions_per_address,
            "language": self.options.language,
            "identities": [[user, key, token.hex()] for (user, key), token in self.identities.items()],
        }
        writer.write(json.dumps(settings).encode() + b"\n")
        logs = asyncio.create_task(_forward_log(process, slot.number))
        try:
            await self._listen(slot, reader)
            return await process.wait()
        finally:
            slot.writer = None
            writer.close()
            await asyncio.gather(logs, return_exceptions=True)

    async def _listen(self, slot: _Slot, reader: asyncio.StreamReader) -> None:
        """What the worker reports, until it goes."""
        while True:
            try:
                line = await reader.readline()
            except (OSError, ValueError):  # reset by a worker killed mid-line, or a line past the limit
                return
            if not line:
                return
            try:
                said = json.loads(line)
            except ValueError:
                continue
            if "ready" in said and slot.ready is not None and not slot.ready.done():
                slot.ready.set_result(int(said["ready"]))
            if "sessions" in said:
                slot.sessions = int(said["sessions"])
            if "known" in said:
                user, key, token = said["known"]
                self._learn((str(user), str(key)), bytes.fromhex(token), slot)
            with contextlib.suppress(ValueError, KeyError, TypeError):
                self._route(slot, said)

    def _route(self, slot: _Slot, said: dict[str, Any]) -> None:
        """Which worker holds each identity's session, and a claim's question to it and its answer back: a
        keyless newcomer whose (user name, address) is live in another worker is another person only if
        that session's client still answers (server/ssh/gateway.py, ``Gateway.claim``)."""
        if "live" in said or "gone" in said:
            user, key = said["live"] if "live" in said else said["gone"]
            identity = (str(user), str(key))
            if "live" in said:
                self._holders[identity] = slot
            elif self._holders.get(identity) is slot:
                del self._holders[identity]
        elif "probe" in said:
            user, key = said["probe"]
            holder = self._holders.get((str(user), str(key)))
            if holder is None or holder is slot or holder.writer is None:
                self._tell(slot, {"probed": said["ask"], "alive": False})
            else:
                self._tell(holder, {"probe": [str(user), str(key)], "ask": said["ask"], "for": slot.number})
        elif "probed" in said:
            for asker in self._slots:
                if asker.number == said.get("for"):
                    self._tell(asker, {"probed": said["probed"], "alive": bool(said.get("alive"))})

    @staticmethod
    def _tell(slot: _Slot, said: dict[str, object]) -> None:
        if slot.writer is not None:
            with contextlib.suppress(OSError, RuntimeError):
                slot.writer.write(json.dumps(said).encode() + b"\n")

    def _learn(self, identity: Identity, token: bytes, origin: _Slot | None) -> None:
        if self.identities.get(identity) == token:
            return
        self.identities[identity] = token
        if self.remember is not None:
            self.remember(identity, token)
        line = json.dumps({"known": [identity[0], identity[1], token.hex()]}).encode() + b"\n"
        for slot in self._slots:
            if slot is not origin and slot.writer is not None:
                with contextlib.suppress(OSError, RuntimeError):
                    slot.writer.write(line)


def _reserve(host: str, port: int) -> list[socket.socket]:
    """Hold the SSH port (a free one for 0) for the workers: bound with SO_REUSEPORT, never listening.

    Every address (``0.0.0.0``, ``::`` or empty) is held in both families when the
    host is ``::`` or empty, as the workers then listen in both.
    """
    both = host in ("", "::")
    family = socket.AF_INET6 if both or ":" in host else socket.AF_INET
    # First without SO_REUSEPORT: that fails if anything holds the port, even another
    # hub's workers, which would otherwise share it with ours (and split the room).
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if family == socket.AF_INET6:
            probe.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        probe.bind(("::" if both else host, port))
        port = probe.getsockname()[1]
    wanted = [(socket.AF_INET, "0.0.0.0"), (socket.AF_INET6, "::")] if both else [(family, host)]
    held: list[socket.socket] = []
    try:
        for each, address in wanted:
            sock = socket.socket(each, socket.SOCK_STREAM)
            held.append(sock)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if sys.platform != "win32":
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
            if each == socket.AF_INET6:
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            sock.bind((address, port))
    except OSError:
        for sock in held:
            sock.close()
        raise
    return held


async def _forward_log(process: asyncio.subprocess.Process, number: int) -> None:
    """A worker's stderr, into this process's log (never onto a dashboard's screen)."""
    assert process.stderr is not None
    while line := await process.stderr.readline():
        log.info("ssh worker %d: %s", number, line.decode("utf-8", "replace").rstrip())
