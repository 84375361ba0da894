"""Any program in a pseudo-terminal (coproterm itself, PuTTY's plink, Dropbear's dbclient), read as a terminal would."""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import sys
from collections.abc import Sequence

from tests.sshkit import Shown, SSHClient

COPROTERM = (sys.executable, "-m", "coproterm")


class InPty(SSHClient):
    """``argv`` in a pty of a given size: read what it shows (:meth:`expect`), type into it, wait for its end."""

    def __init__(self, argv: Sequence[str], *, size: tuple[int, int] = (100, 30), env: dict[str, str] | None = None):
        self.argv = [shutil.which(argv[0]) or argv[0], *argv[1:]]  # execve wants a path
        self.env = {**os.environ, "TERM": "xterm-256color", **(env or {})}
        self.size = size
        self.output = bytearray()
        self.shown = Shown(*size)
        self.changed = asyncio.Event()
        self.closed = False
        self._mark = 0

    @property
    def raw(self) -> str:
        """Every byte it wrote, as text (escape codes and all)."""
        return self.output.decode("utf-8", "replace")


def free_port() -> int:
    """A TCP port free on 127.0.0.1 just now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
