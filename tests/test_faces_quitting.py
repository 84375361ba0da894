"""Quitting the real `coproterm host` in a terminal, after its hub was stopped and resumed (a laptop lid)."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import signal
import socket
import struct
import subprocess
import sys
import termios
import time

import pytest

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="needs a Linux pty and job-control signals")

STALL = 10.0
"""As long as the stall that used to leave Textual's threads running at exit."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def spawn(args: list[str], cwd: str) -> tuple[subprocess.Popen[bytes], int]:
    """A process on a pty of its own, 80 x 24."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    env = dict(os.environ, TERM="xterm-256color")
    process = subprocess.Popen(args, stdin=slave, stdout=slave, stderr=slave, env=env, cwd=cwd, start_new_session=True)
    os.close(slave)
    return process, master


def read_for(master: int, seconds: float, until: bytes | None = None) -> bytes:
    """What the process draws in the next ``seconds`` (less, once ``until`` shows up)."""
    end, seen = time.monotonic() + seconds, b""
    while time.monotonic() < end and not (until and until in seen):
        ready, _, _ = select.select([master], [], [], 0.05)
        if ready:
            try:
                seen += os.read(master, 65536)
            except OSError:
                break
    return seen


def test_quitting_the_dashboard_after_a_hub_stall_ends_the_process(tmp_path):
    port = free_port()
    python = [sys.executable, "-m", "coproterm"]
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    host, host_pty = spawn(
        [
            *python,
            "host",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--ssh-port",
            "0",
            "--no-mdns",
            "--data-dir",
            str(tmp_path),
        ],
        root,
    )
    join, join_pty = spawn([*python, "join", f"127.0.0.1:{port}", "--name", "Ann"], root)
    try:
        read_for(join_pty, 15, until=b"connected")
        read_for(host_pty, 3, until=b"1 connected")
        os.kill(host.pid, signal.SIGSTOP)
        read_for(join_pty, STALL)
        os.kill(host.pid, signal.SIGCONT)
        read_for(host_pty, 1)
        os.write(host_pty, b"q")
        # On a loaded machine the dashboard takes a while to catch up after the stall: a "y" typed
        # before the question is drawn would answer nothing. (With nobody left connected, q quits at once.)
        if b"Quit" in read_for(host_pty, 10, until=b"Quit"):
            os.write(host_pty, b"y")
        end = time.monotonic() + 8  # a hang was for good; well past the 2 s it should take
        while host.poll() is None and time.monotonic() < end:
            read_for(host_pty, 0.1)
        assert host.poll() is not None, "the dashboard's process is still alive after q, y"
    finally:
        for process in (host, join):
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        os.close(host_pty)
        os.close(join_pty)
