"""`coproterm join`'s first paint beside the floor Textual itself sets, in one run.

Alternates starts of `coproterm join` (to the first question on screen) and of a minimal
Textual app that shows one line, each in a real pty at 80 x 24, and prints the medians and
their ratio (issue 35's target: at most 0.6 s, and at most 1.5 times the minimal app).

    python -m bench.first_paint [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import pty
import select
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench.loadgen import HubProcess

MINIMAL_APP = """
from textual.app import App
from textual.widgets import Static

class Minimal(App[None]):
    def compose(self):
        yield Static("minimal textual app ready")

Minimal().run()
"""

JOIN_SEEN = b"co-production mean to you"
MINIMAL_SEEN = b"minimal textual app ready"


def time_to(command: list[str], seen_marker: bytes) -> tuple[float, int]:
    """Seconds from fork to ``seen_marker`` on the pty (escape sequences and newlines removed),
    and the program's RSS (KiB) then."""
    environment = {**os.environ, "COLUMNS": "80", "LINES": "24", "TERM": "xterm-256color"}
    environment["COPROTERM_DATA_DIR"] = tempfile.mkdtemp(prefix="coproterm-bench-")  # its identity: not the user's
    # As on a participant's laptop: `pip install` writes bytecode for Textual, and Python caches
    # ours on the first start. This machine sets PYTHONDONTWRITEBYTECODE, which would compile
    # coproterm's modules from source at every start (but not Textual's, byte-compiled by pip).
    environment.pop("PYTHONDONTWRITEBYTECODE", None)
    started = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:
        os.execve(command[0], command, environment)
    seen = b""
    try:
        while seen_marker not in seen.replace(b"\x1b", b"").replace(b"\n", b"").replace(b"\r", b""):
            ready, _, _ = select.select([fd], [], [], 10)
            if not ready:
                raise TimeoutError(f"{command[1:]}: nothing in 10 s")
            seen += os.read(fd, 65536)
        elapsed = time.perf_counter() - started
        status = Path(f"/proc/{pid}/status").read_text().splitlines()
        return elapsed, next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))
    finally:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
        os.close(fd)


def join_command(port: int) -> list[str]:
    return [str(Path(sys.executable).parent / "coproterm"), "join", f"127.0.0.1:{port}"]


def measure(runs: int) -> dict[str, float]:
    """Medians over ``runs`` alternating starts: join, minimal app, and join / minimal."""
    script = Path(tempfile.mkdtemp(prefix="coproterm-bench-")) / "minimal.py"
    script.write_text(MINIMAL_APP)
    joins, minimals = [], []
    with HubProcess("hub") as hub:
        time_to(join_command(hub.port), JOIN_SEEN)  # warm the file and bytecode caches
        time_to([sys.executable, str(script)], MINIMAL_SEEN)
        for _ in range(runs):
            joins.append(time_to(join_command(hub.port), JOIN_SEEN)[0])
            minimals.append(time_to([sys.executable, str(script)], MINIMAL_SEEN)[0])
    join, minimal = statistics.median(joins), statistics.median(minimals)
    return {"join": join, "minimal": minimal, "ratio": join / minimal}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    figures = measure(parser.parse_args().runs)
    print(f"coproterm join first paint   {figures['join'] * 1000:6.0f} ms (target <= 600 ms)")
    print(f"minimal Textual app          {figures['minimal'] * 1000:6.0f} ms")
    print(f"ratio                        {figures['ratio']:6.2f} x  (target <= 1.5 x)")


if __name__ == "__main__":
    main()
