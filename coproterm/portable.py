"""What Linux, macOS and Windows do differently, in one place: file locks, TCP keepalives, stop signals.

Nothing POSIX-only is imported at module level anywhere a participant's laptop
runs: each function imports what its platform has, when it is called.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import sys
from collections.abc import Callable


def lock_exclusively(fd: int) -> bool:
    """Take the lock on the open file ``fd`` without waiting; False if another process holds it.

    The lock goes when the file is closed or the process ends, however it ends
    (``flock`` on Linux and macOS; a byte-range lock through ``msvcrt`` on Windows).
    """
    if sys.platform == "win32":
        import msvcrt

        try:
            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def keep_alive(sock: socket.socket, idle: int, every: int, missed: int, *, unsent_for: int | None = None) -> None:
    """Have the kernel probe a connection silent for ``idle`` seconds, every ``every``, and drop it after ``missed``.

    ``unsent_for``: also drop it when what was sent has gone unacknowledged that many seconds (Linux only).
    macOS names the first option TCP_KEEPALIVE; Windows takes all three (10 since 1709); a platform
    without one keeps the system's defaults for it.
    """
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
    options: list[tuple[int | None, int]]
    if sys.platform == "darwin":
        options = [(socket.TCP_KEEPALIVE, idle)]
    else:
        options = [(getattr(socket, "TCP_KEEPIDLE", None), idle)]
    options += [(getattr(socket, "TCP_KEEPINTVL", None), every), (getattr(socket, "TCP_KEEPCNT", None), missed)]
    if unsent_for is not None and sys.platform == "linux":
        options.append((socket.TCP_USER_TIMEOUT, unsent_for * 1000))
    for option, value in options:
        if option is not None:
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.IPPROTO_TCP, option, value)


def on_stop_signals(loop: asyncio.AbstractEventLoop, then: Callable[[], None]) -> None:
    """Call ``then`` on SIGINT or SIGTERM (Windows: Ctrl-C, which its event loops take no handler for)."""
    for number in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(number, then)
        except (NotImplementedError, RuntimeError, ValueError):  # Windows, or not the main thread
            with contextlib.suppress(ValueError, OSError):
                signal.signal(number, lambda *_: loop.call_soon_threadsafe(then))
