"""`coproterm ssh-gateway`: serve the participant app over SSH for a hub running elsewhere.

For a room larger than one laptop: the same gateway workers `host` and `serve`
start, on another machine, joining the hub over its websocket port. The
gateway proves itself to the hub with the hub's gateway secret (an HMAC per
connection: the secret never travels), read from ``COPROTERM_GATEWAY_SECRET`` or
``--secret-file`` (the hub writes a new one in its data directory, in the file
``gateway_secret``, each time it starts), never from the command line; its
workers are given it over a private socket, not their environment.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from pathlib import Path

from coproterm.commands import fail
from coproterm.portable import on_stop_signals

PASSCODE_ENV = "COPROTERM_SSH_PASSCODE"


def read_secret(secret_file: Path | None) -> str | None:
    """The gateway secret: the environment first, then the file."""
    from server.ssh.workers import SECRET_ENV

    secret = os.environ.get(SECRET_ENV, "").strip()
    if secret:
        return secret
    if secret_file is not None:
        return secret_file.read_text().strip() or None
    return None


def ssh_gateway(args: argparse.Namespace) -> int:
    """Run SSH gateway workers for the hub at ``--hub`` until Ctrl-C or SIGTERM."""
    from coproterm.client.link import hub_url
    from server.addresses import join_targets
    from server.ssh.keys import fingerprint, host_key
    from server.ssh.workers import SHARED_PORT, WorkerOptions, Workers, default_workers
    from server.store import data_dir

    if not SHARED_PORT:
        return fail("ssh-gateway runs on Linux and macOS only: on Windows, the hub serves SSH in its own process")

    try:
        secret = read_secret(args.secret_file)
    except OSError as error:
        return fail(f"cannot read the gateway secret from {args.secret_file}: {error.strerror or error}")
    if not secret:
        return fail(
            "the hub's gateway secret is needed: set COPROTERM_GATEWAY_SECRET, or give --secret-file "
            "(the hub writes a new one each time it starts, in its data directory, in the file gateway_secret)"
        )
    passcode = os.environ.get(PASSCODE_ENV) or getattr(args, "ssh_passcode", None) or None
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stderr)
    key_dir = data_dir(args.data_dir)
    try:
        key = host_key(key_dir)
    except (OSError, ValueError) as error:
        return fail(f"no SSH host key in {key_dir}: {error}")
    url = hub_url(args.hub) if "://" not in args.hub else args.hub
    advertised = join_targets(args.host, args.ssh_port)[0].rsplit(":", 1)[0]
    count = args.ssh_workers if args.ssh_workers is not None else default_workers()
    workers = Workers(WorkerOptions(url, args.host, args.ssh_port, key_dir, passcode, advertised), secret, count)

    async def run() -> int:
        try:
            port = await workers.start()
        except OSError as error:
            return fail(f"cannot serve SSH on {args.host}:{args.ssh_port}: {error.strerror or error}")
        print(f"coproterm ssh-gateway for {url}: {len(workers.pids)} workers", flush=True)
        print(f"  over ssh:   ssh -p {port} {advertised}   (host key {fingerprint(key)})", flush=True)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        on_stop_signals(loop, stop.set)
        await stop.wait()
        await workers.stop()
        return 0

    return asyncio.run(run())
