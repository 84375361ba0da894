"""One SSH gateway worker process: ``python -m coproterm.server.ssh.worker``, started by :class:`~coproterm.server.ssh.workers.Workers`.

It reads the gateway secret and its settings from the control socket its
supervisor passed it, listens on the shared SSH port
(SO_REUSEPORT), runs a :class:`~coproterm.server.ssh.gateway.Gateway`, and reports the
identities it learns and how many sessions it has. It stops, leaving every
terminal as it was, on SIGTERM or SIGINT or when its supervisor goes away.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import itertools
import json
import logging
import os
import signal
import socket
import sys
from pathlib import Path

from coproterm.server.listening import quiet_refused_accepts
from coproterm.server.ssh.workers import CONTROL_ENV

log = logging.getLogger("coproterm.ssh.worker")
DEADLINE = 20.0
"""Seconds a stopping worker has before it ends regardless."""
REPORT_EVERY = 1.0
"""Seconds between session counts sent to the supervisor (only when the count changed)."""
COLLECT_AFTER = 50_000
"""Allocations between the cyclic garbage collector's young passes (Python's default is 700). A worker
holds hundreds of Textual apps, and each full pass walks every object of every one: measured with 150
SSH viewers on one worker, a question change cost 47 ms of a core per viewer with the default, 34 ms
with this (and what was loaded at start frozen out of the collector's sight)."""
ASK_SLACK = 3.0
"""Seconds beyond the probe's own a worker waits for another worker's answer (via the supervisor)."""
NICENESS = 10
"""How much lower than the hub a worker runs: when both have work, the hub's (a vote, its ack, the
dashboard's tally) goes first, and SSH screens take what the hub leaves of the cores."""


async def run() -> int:
    if sys.platform != "win32":  # (Windows runs the gateway in the hub's process: coproterm.server.ssh.workers)
        with contextlib.suppress(OSError):  # a platform without priorities: the same worker, less polite
            os.nice(NICENESS)
    from coproterm.server.ssh.gateway import PROBE_SECONDS, Gateway  # Textual: only in the worker
    from coproterm.server.ssh.gateway_words import ENDED, HUB_GONE
    from coproterm.server.ssh.keys import host_key

    gc.freeze()  # the modules and everything made at import: never garbage, never walked again
    gc.set_threshold(COLLECT_AFTER, 20, 100)

    quiet_refused_accepts()  # out of file descriptors: said once a minute, not a traceback per accept
    control = socket.socket(fileno=int(os.environ.pop(CONTROL_ENV)))
    reader, writer = await asyncio.open_connection(sock=control)
    settings = json.loads(await reader.readline())
    secret = settings.get("secret") or None

    def tell(said: dict[str, object]) -> None:
        with contextlib.suppress(OSError, RuntimeError):
            writer.write(json.dumps(said).encode() + b"\n")

    gateway = Gateway(
        settings["hub_url"],
        host_key(Path(settings["key_dir"])),
        settings["passcode"],
        advertised_host=settings["advertised_host"],
        remember=lambda identity, token: tell({"known": [identity[0], identity[1], token.hex()]}),
        secret=secret,
    )
    if settings.get("sessions_per_address") is not None:
        gateway.rules.set_sessions_per_address(int(settings["sessions_per_address"]))
    if settings.get("language") in ("cy", "en"):
        gateway.language = settings["language"]
    for user, key, token in settings["identities"]:
        gateway.identities[(user, key)] = bytes.fromhex(token)
    asked: dict[int, asyncio.Future[bool]] = {}
    numbers = itertools.count()

    async def elsewhere(identity: tuple[str, str]) -> bool:
        """Asks the supervisor whether another worker's session of ``identity`` has a client that answers."""
        number = next(numbers)
        answer = asked[number] = asyncio.get_running_loop().create_future()
        tell({"probe": list(identity), "ask": number})
        try:
            return await asyncio.wait_for(answer, PROBE_SECONDS + ASK_SLACK)
        except TimeoutError:
            return False
        finally:
            asked.pop(number, None)

    gateway.elsewhere = elsewhere
    gateway.on_live = lambda identity, held: tell({"live" if held else "gone": list(identity)})
    probes: set[asyncio.Task[None]] = set()

    async def probe(identity: tuple[str, str], number: object, for_: object) -> None:
        tell({"probed": number, "alive": await gateway.probe_here(identity), "for": for_})

    port = await gateway.start(settings["host"], settings["port"], reuse_port=True)
    tell({"ready": port})
    stop = asyncio.Event()
    told = asyncio.Event()
    """Set when the supervisor asked us to stop (the host ended the session), not when it vanished."""
    loop = asyncio.get_running_loop()
    for number in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(number, _told_to_stop, told, stop)

    async def listen() -> None:
        try:
            while line := await reader.readline():
                with contextlib.suppress(ValueError, KeyError, TypeError, AttributeError):
                    said = json.loads(line)
                    if "known" in said:
                        user, key, token = said["known"]
                        gateway.identities[(str(user), str(key))] = bytes.fromhex(token)
                    elif "probe" in said:  # another worker's newcomer claims an identity held here
                        user, key = said["probe"]
                        task = asyncio.create_task(probe((str(user), str(key)), said["ask"], said["for"]))
                        probes.add(task)
                        task.add_done_callback(probes.discard)
                    elif "probed" in said:
                        answer = asked.get(int(said["probed"]))
                        if answer is not None and not answer.done():
                            answer.set_result(bool(said["alive"]))
        except (OSError, ValueError):  # reset, or a line past the stream's limit: the same end
            pass
        finally:
            stop.set()  # the supervisor is gone: so are we

    async def report() -> None:
        last = -1
        while True:
            if gateway.sessions != last:
                last = gateway.sessions
                tell({"sessions": last})
            await asyncio.sleep(REPORT_EVERY)

    tasks = [asyncio.create_task(listen()), asyncio.create_task(report())]
    await stop.wait()
    # Whatever happens while stopping, this process ends: a worker left behind would hold the port.
    loop.call_later(DEADLINE, os._exit, 1)
    # A supervisor that vanished (killed, crashed) took the hub with it: people can come back once it is
    # started again with --resume, so they are not told the session has ended.
    await gateway.stop(farewell=ENDED if told.is_set() else HUB_GONE)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    return 0


def _told_to_stop(told: asyncio.Event, stop: asyncio.Event) -> None:
    told.set()
    stop.set()


def main() -> int:
    from coproterm.quiet import quiet_known_warnings

    quiet_known_warnings()
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    logging.getLogger("asyncssh").setLevel(logging.WARNING)
    return asyncio.run(run())


if __name__ == "__main__":
    sys.exit(main())
