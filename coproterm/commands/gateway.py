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

from coproterm.commands import cli_language, fail
from coproterm.core.problems import os_reason
from coproterm.portable import on_stop_signals

PASSCODE_ENV = "COPROTERM_SSH_PASSCODE"


def read_secret(secret_file: Path | None) -> str | None:
    """The gateway secret: the environment first, then the file."""
    from coproterm.server.ssh.workers import SECRET_ENV

    secret = os.environ.get(SECRET_ENV, "").strip()
    if secret:
        return secret
    if secret_file is not None:
        return secret_file.read_text().strip() or None
    return None


def ssh_gateway(args: argparse.Namespace) -> int:
    """Run SSH gateway workers for the hub at ``--hub`` until Ctrl-C or SIGTERM."""
    from coproterm.client.link import AddressError, hub_url
    from coproterm.server.addresses import join_targets
    from coproterm.server.ssh.keys import fingerprint, host_key
    from coproterm.server.ssh.workers import SHARED_PORT, WorkerOptions, Workers, default_workers
    from coproterm.server.store import data_dir

    lang = cli_language(args)
    t = lang.t
    if not SHARED_PORT:
        return fail(t("ssh-gateway runs on Linux and macOS only: on Windows, the hub serves SSH in its own process"))

    try:
        secret = read_secret(args.secret_file)
    except OSError as error:
        reason = os_reason(error).words(lang)
        return fail(t("cannot read the gateway secret from {file}: {reason}", file=args.secret_file, reason=reason))
    if not secret:
        return fail(
            t(
                "the hub's gateway secret is needed: set COPROTERM_GATEWAY_SECRET, or give --secret-file "
                "(the hub writes a new one each time it starts, in its data directory, in the file gateway_secret)"
            )
        )
    passcode = os.environ.get(PASSCODE_ENV) or getattr(args, "ssh_passcode", None) or None
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stderr)
    key_dir = data_dir(args.data_dir)
    try:
        key = host_key(key_dir)
    except (OSError, ValueError) as error:
        reason = os_reason(error).words(lang) if isinstance(error, OSError) else t("the key cannot be read")
        return fail(t("no SSH host key in {folder}: {reason}", folder=key_dir, reason=reason))
    try:
        url = hub_url(args.hub) if "://" not in args.hub else args.hub
    except AddressError as error:
        return fail(error.words(lang))
    advertised = join_targets(args.host, args.ssh_port)[0].rsplit(":", 1)[0]
    count = args.ssh_workers if args.ssh_workers is not None else default_workers()
    workers = Workers(WorkerOptions(url, args.host, args.ssh_port, key_dir, passcode, advertised), secret, count)

    async def run() -> int:
        try:
            port = await workers.start()
        except OSError as error:
            reason = os_reason(error).words(lang)
            return fail(
                t("cannot serve SSH on {host}:{port}: {reason}", host=args.host, port=args.ssh_port, reason=reason)
            )
        started = lang.tn("{count} worker", "{count} workers", len(workers.pids))
        print(t("coproterm ssh-gateway for {url}: {workers}", url=url, workers=started), flush=True)
        key_said = t("host key {fingerprint}", fingerprint=fingerprint(key))
        over_ssh = t("over ssh")
        print(f"  {over_ssh}:   ssh -p {port} {advertised}   ({key_said})", flush=True)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        on_stop_signals(loop, stop.set)
        await stop.wait()
        await workers.stop()
        return 0

    return asyncio.run(run())
