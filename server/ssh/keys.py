"""The gateway's host key and its fingerprint (no Textual here: the hub's process needs only this)."""

from __future__ import annotations

import os
from pathlib import Path

import asyncssh


def host_key(directory: Path) -> asyncssh.SSHKey:
    """This machine's persistent ed25519 host key (made on first use, mode 0600)."""
    path = directory / "ssh_host_ed25519_key"
    if path.exists():
        return asyncssh.read_private_key(path)
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = asyncssh.generate_private_key("ssh-ed25519")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(key.export_private_key())
    return key


def fingerprint(key: asyncssh.SSHKey) -> str:
    """The SHA256 fingerprint people compare with what their ssh client shows."""
    return key.get_fingerprint("sha256")


SECRET_FILE = "gateway_secret"


def gateway_secret(directory: Path) -> str:
    """A new secret a gateway proves itself to the hub with, written beside the host key (mode 0600).

    Made afresh each time a hub starts (:func:`secrets.token_urlsafe`), so one
    learnt at a workshop is worth nothing at the next; ``coproterm ssh-gateway``
    on another machine is given this session's file (or its text in
    ``COPROTERM_GATEWAY_SECRET``). The secret never travels: gateways send an
    HMAC of it (:mod:`coproterm.core.vouching`).
    """
    import secrets

    path = directory / SECRET_FILE
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    secret = secrets.token_urlsafe(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(secret + "\n")
    return secret
