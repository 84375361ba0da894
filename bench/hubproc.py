"""A hub in a process of its own, for benchmarks: the real hub (with or without its log) or a bare one.

    python -m bench.hubproc --mode hub|log|bare [--data-dir D] [--scale K]

Prints one JSON line ({"port", "token", "pid"}) once listening, then serves until
SIGTERM. ``bare`` is the yardstick: a websockets server with the hub's settings
that decodes nothing and answers every frame with a canned ack (the first with a
canned welcome), so the hub's ratio to it is the cost of coproterm itself.
``--scale K`` runs K times faster than real time (fan-out intervals and pings
divided by K), to play an hour-long workshop in minutes.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import resource
import signal
import sys
import tempfile

from websockets.asyncio.server import ServerConnection, serve

from coproterm.core.deck import builtin_deck, deck_from_data, deck_to_data, default_deck
from coproterm.core.hub_messages import Ack, Welcome
from coproterm.core.wire import encode
from coproterm.core.wire_terms import Role
from coproterm.server.hub import HOST_INTERVAL, MAX_FRAME, PARTICIPANT_INTERVAL
from coproterm.server.hub_runner import HubRunner, SSHOptions, new_session
from coproterm.server.store import SessionStore

TOKEN = "bench-host-token"


def workshop_deck() -> dict:
    """The whole built-in workshop (its 14 questions: scales, choose several, before and after, the grid, talk)."""
    return deck_to_data(builtin_deck("workshop"))


async def run_bare(ready) -> None:
    welcome = encode(Welcome(1, Role.PARTICIPANT, bytes(16), deck_to_data(default_deck()), (None,) * 6))
    ack = encode(Ack(0))

    async def handler(socket: ServerConnection) -> None:
        first = True
        async for _ in socket:
            await socket.send(welcome if first else ack)
            first = False

    async with serve(
        handler,
        "127.0.0.1",
        0,
        compression=None,
        max_size=MAX_FRAME,
        max_queue=4,
        ping_interval=None,
    ) as server:
        ready(server.sockets[0].getsockname()[1])
        await asyncio.Future()


async def run_hub(
    mode: str, data_dir: str | None, scale: float, workshop: bool, ready, ssh: bool = False, limited: bool = False
) -> None:
    deck = deck_from_data(workshop_deck()) if workshop else default_deck()
    session = new_session(deck, TOKEN)
    store = None
    if mode == "log":
        store = SessionStore.create(
            __import__("pathlib").Path(data_dir or tempfile.mkdtemp()),
            deck_to_data(deck),
            deck.title,
            TOKEN,
        )
    options = SSHOptions(port=0, key_dir=__import__("pathlib").Path(tempfile.mkdtemp())) if ssh else None
    runner = HubRunner(session, TOKEN, "127.0.0.1", 0, store, ssh=options)
    runner.hub.host_interval = HOST_INTERVAL / scale
    runner.hub.participant_interval = PARTICIPANT_INTERVAL / scale
    runner.hub.ping_interval = 60 / scale
    if not limited:
        runner.hub.rate = 0  # capacity is measured here: the per-participant rate limit would cap a flood
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    async with runner as hosted:
        ready(hosted.port, hosted.ssh_port)
        await stop.wait()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mode", choices=("hub", "log", "bare"), default="hub")
    parser.add_argument("--data-dir")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--workshop", action="store_true")
    parser.add_argument("--ssh", action="store_true", help="serve the participant app over SSH too")
    parser.add_argument("--limited", action="store_true", help="keep the rate limit (attacks are measured so)")
    args = parser.parse_args()
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))

    def ready(port: int, ssh_port: int | None = None) -> None:
        import os

        print(json.dumps({"port": port, "token": TOKEN, "pid": os.getpid(), "ssh_port": ssh_port}), flush=True)

    if args.mode == "bare":
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    main_task = (
        run_bare(ready)
        if args.mode == "bare"
        else run_hub(args.mode, args.data_dir, args.scale, args.workshop, ready, args.ssh, args.limited)
    )
    with contextlib.suppress(KeyboardInterrupt, SystemExit):
        asyncio.run(main_task)


if __name__ == "__main__":
    main()
