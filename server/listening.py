"""Listening sockets, and what asyncio says when accepting fails."""

from __future__ import annotations

import logging
import socket
import time


class _OncePerMinute(logging.Filter):
    """asyncio logs every refused accept when the process is out of file descriptors (with a
    traceback, once a second per listener): say it once a minute instead."""

    def __init__(self) -> None:
        super().__init__()
        self._last = -60.0

    def filter(self, record: logging.LogRecord) -> bool:
        if "out of system resource" not in record.getMessage():
            return True
        now = time.monotonic()
        if now - self._last < 60:
            return False
        self._last = now
        record.msg, record.args, record.exc_info = (
            "out of file descriptors: new connections are refused until some close (raise `ulimit -n`)",
            None,
            None,
        )
        return True


_ACCEPT_FILTER = _OncePerMinute()


def quiet_refused_accepts() -> None:
    """Log a refused accept (out of file descriptors) once a minute, not once a second with a traceback."""
    asyncio_log = logging.getLogger("asyncio")
    if _ACCEPT_FILTER not in asyncio_log.filters:
        asyncio_log.addFilter(_ACCEPT_FILTER)


def dual_stack(port: int) -> socket.socket:
    """A listening socket on every IPv6 and IPv4 address (asyncio alone makes ``::`` IPv6 only)."""
    listener = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    try:
        listener.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("::", port))
        listener.listen(1024)
        listener.setblocking(False)
    except OSError:
        listener.close()
        raise
    return listener
