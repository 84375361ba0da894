"""`coproterm join`'s first paint beside the floor Textual itself sets, in one run.

Alternates starts of `coproterm join` (to the first question on screen) and of a minimal
Textual app that shows one line, each in a real pty at 80 x 24, and prints the medians and
their ratio (issue 35's target: at most 0.6 s, and at most 1.5 times the minimal app), in
wall time and in the CPU time each program had used by then (steadier on a shared machine).

With ``--before DIR`` it also starts the `coproterm join` of another source tree (say
``git archive main | tar -x -C DIR``), in turn with the two others: a before/after pair
from one run, against the same hub and the same minimal app.

    python -m bench.first_paint [--runs 5] [--before DIR]

Each figure is printed as the median and as the least of the runs (the start least disturbed
by other work on the machine).
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


def time_to(command: list[str], seen_marker: bytes, source: str | None = None) -> tuple[float, int]:
    """Seconds from fork to ``seen_marker`` on the pty (escape sequences and newlines removed),
    and the program's RSS (KiB) then; the program's code from the tree ``source`` if given."""
    elapsed, rss, _ = _started(command, seen_marker, source)
    return elapsed, rss


def _started(command: list[str], seen_marker: bytes, source: str | None = None) -> tuple[float, int, float]:
    """:func:`time_to`'s figures and the CPU seconds the program had used by ``seen_marker``."""
    environment = {**os.environ, "COLUMNS": "80", "LINES": "24", "TERM": "xterm-256color"}
    if source is not None:
        environment["PYTHONPATH"] = source  # ahead of the installed package
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
        rss = next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))
        stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        cpu = (int(stat[11]) + int(stat[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime
        return elapsed, rss, cpu
    finally:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
        os.close(fd)


def join_command(port: int) -> list[str]:
    return [str(Path(sys.executable).parent / "coproterm"), "join", f"127.0.0.1:{port}"]


def measure(runs: int, before: str | None = None) -> dict[str, float]:
    """Medians over ``runs`` alternating starts: join, minimal app, and join / minimal, in wall time
    (``join``, ``minimal``, ``ratio``) and CPU time (``..._cpu``); the same for ``before``'s join."""
    script = Path(tempfile.mkdtemp(prefix="coproterm-bench-")) / "minimal.py"
    script.write_text(MINIMAL_APP)
    programs: dict[str, tuple[list[str] | None, bytes, str | None]] = {
        "join": (None, JOIN_SEEN, None),
        "minimal": ([sys.executable, str(script)], MINIMAL_SEEN, None),
    }
    if before is not None:
        programs["before"] = (None, JOIN_SEEN, str(Path(before).resolve()))
    taken: dict[str, list[tuple[float, int, float]]] = {name: [] for name in programs}
    with HubProcess("hub") as hub:
        for round_ in range(runs + 1):  # the first round warms the file and bytecode caches
            for name, (command, marker, source) in programs.items():
                started = _started(command or join_command(hub.port), marker, source)
                if round_:
                    taken[name].append(started)
    result: dict[str, float] = {}
    for name, starts in taken.items():
        result[name] = statistics.median(wall for wall, _, _ in starts)
        result[f"{name}_cpu"] = statistics.median(cpu for _, _, cpu in starts)
        result[f"{name}_least"] = min(wall for wall, _, _ in starts)  # the start least disturbed by others
        result[f"{name}_cpu_least"] = min(cpu for _, _, cpu in starts)
    for name in ("join", "before"):
        if name in taken:
            key = "ratio" if name == "join" else "before_ratio"
            result[key] = result[name] / result["minimal"]
            result[f"{key}_cpu"] = result[f"{name}_cpu"] / result["minimal_cpu"]
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--before", metavar="DIR", help="another source tree's join, measured in the same run")
    args = parser.parse_args()
    figures = measure(args.runs, args.before)
    print("                             wall: median, least    CPU used by then: median, least")
    rows = [
        ("before: coproterm join", "before"),
        ("coproterm join first paint", "join"),
        ("minimal Textual app", "minimal"),
    ]
    for label, name in rows:
        if name not in figures:
            continue
        line = (
            f"{label:28} {figures[name] * 1000:6.0f} {figures[f'{name}_least'] * 1000:6.0f} ms"
            f"        {figures[f'{name}_cpu'] * 1000:6.0f} {figures[f'{name}_cpu_least'] * 1000:6.0f} ms"
        )
        if name != "minimal":
            line += (
                f"   x {figures[name] / figures['minimal']:.2f} {figures[f'{name}_least'] / figures['minimal_least']:.2f}"
                f" / {figures[f'{name}_cpu'] / figures['minimal_cpu']:.2f}"
                f" {figures[f'{name}_cpu_least'] / figures['minimal_cpu_least']:.2f}"
            )
        print(line)
    print("(issue 35's targets: join <= 600 ms, and <= 1.5 x the minimal app; ratios: median, least)")


if __name__ == "__main__":
    main()
