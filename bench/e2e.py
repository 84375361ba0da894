"""The figure a facilitator feels: a participant's key press to the count on the host's screen.

`python -m bench.e2e` runs a hub in a process of its own, the host dashboard
(`coproterm host --attach`) in a real pty and the participant app
(`coproterm join`) in another, both read back through a terminal emulator
(pyte). The participant presses Enter (cast) and Backspace (clear) in turn;
each press is timed until the dashboard's screen shows the new number of
votes. The rest of the room is simulated on the wire: a quiet room of 30 (29
others who have voted), and 1,000 (999 others changing votes, 200 a second in
all). It also prints the wire figure for the quiet room: a vote's send to the
host client's tally frame showing it.
"""

from __future__ import annotations

import argparse
import asyncio
import fcntl
import multiprocessing
import os
import re
import select
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time

import pyte

from bench.loadgen import ROOT, HubProcess, run
from coproterm.core.client_messages import Command, Hello, Vote
from coproterm.core.hub_messages import Tally
from coproterm.core.wire_terms import Action
from tests.hubkit import join
from tests.sshkit import OPTIONS as SSH_OPTIONS

SPECTRUM = 1
VOTED = re.compile(r"(\d[\d,]*)\s+(?:of\s+[\d,]+\s+(?:have\s+)?)?voted")


class Terminal:
    """A program in a real pty, its screen kept by a terminal emulator."""

    def __init__(self, args: list[str], columns: int, rows: int, env: dict[str, str]) -> None:
        self.screen = pyte.Screen(columns, rows)
        self.stream = pyte.ByteStream(self.screen)
        self.lock = threading.Lock()
        self.changed = threading.Condition(self.lock)
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
        full_env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": str(columns), "LINES": str(rows), **env}
        full_env.pop("NO_COLOR", None)
        self.process = subprocess.Popen(
            args, stdin=slave, stdout=slave, stderr=slave, env=full_env, cwd=ROOT, start_new_session=True
        )
        os.close(slave)
        self.master = master
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        while True:
            try:
                ready, _, _ = select.select([self.master], [], [], 0.5)
            except (OSError, ValueError):  # closed under us: the program has ended
                return
            if not ready:
                if self.process.poll() is not None:
                    return
                continue
            try:
                data = os.read(self.master, 65536)
            except OSError:
                return
            if not data:
                return
            with self.changed:
                self.stream.feed(data)
                self.changed.notify_all()

    def text(self) -> str:
        with self.lock:
            return "\n".join(self.screen.display)

    def press(self, keys: bytes) -> None:
        os.write(self.master, keys)

    def wait_for(self, predicate, timeout: float = 20.0) -> float:
        """Block until ``predicate(screen text)`` holds; the time it first held (perf_counter)."""
        end = time.perf_counter() + timeout
        with self.changed:
            while True:
                if predicate("\n".join(self.screen.display)):
                    return time.perf_counter()
                left = end - time.perf_counter()
                if left <= 0:
                    raise TimeoutError("the screen never showed it:\n" + "\n".join(self.screen.display))
                self.changed.wait(left)

    def close(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(5)
        except subprocess.TimeoutExpired:
            self.process.kill()
        os.close(self.master)


def voted(text: str) -> int | None:
    found = VOTED.search(text)
    return int(found.group(1).replace(",", "")) if found else None


async def _seat_room(url: str, token: str, others: int) -> list:
    host = await join(url, Hello(host_token=token))
    await host.request(lambda s: Command(s, Action.GOTO, SPECTRUM))
    peers = []
    for i in range(others):
        peer = await join(url, Hello(name=f"p{i}"))
        await peer.request(lambda s, i=i: Vote(s, SPECTRUM, i % 6))
        peers.append(peer)
    return [host, *peers]


def _crowd(url: str, seconds: float) -> None:
    run(url, 999, "steady", rate=0.2, duration=seconds, warmup=0, seed=7)


def key_to_screen(room: int, presses: int, *, over_ssh: bool = False) -> list[float]:
    """Milliseconds from each key press to the dashboard showing the new count; ``over_ssh``: the
    participant is OpenSSH's client (``ssh -tt``) in the pty, on the hub's SSH gateway."""
    with HubProcess("hub", ssh=over_ssh) as hub:
        loop = asyncio.new_event_loop()
        seated = loop.run_until_complete(_seat_room(hub.url, hub.token, 29 if room == 30 else 0))
        crowd = None
        if room > 30:
            crowd = multiprocessing.get_context("spawn").Process(target=_crowd, args=(hub.url, 75 + presses * 0.8))
            crowd.start()
        coproterm = [sys.executable, "-m", "coproterm"]
        private = {"COPROTERM_DATA_DIR": tempfile.mkdtemp(prefix="coproterm-e2e-")}  # never the user's own
        token = {"COPROTERM_HOST_TOKEN": hub.token}
        dashboard = Terminal([*coproterm, "host", "--attach", hub.url], 100, 30, {**token, **private})
        if over_ssh:
            ssh = [shutil.which("ssh") or "ssh", "-tt", "-p", str(hub.ssh_port), *SSH_OPTIONS, "probe@127.0.0.1"]
            participant = Terminal(ssh, 80, 24, private)
        else:
            participant = Terminal([*coproterm, "join", f"127.0.0.1:{hub.port}", "--name", "probe"], 80, 24, private)
        try:
            participant.wait_for(lambda text: "coercion" in text)
            dashboard.wait_for(lambda text: voted(text) is not None)
            if room > 30:  # until the simulated crowd has all voted once (then only changes of vote: the count holds)
                dashboard.wait_for(lambda text: (voted(text) or 0) >= 999, timeout=75)
            participant.press(b"1")
            time.sleep(0.3)
            times = []
            for i in range(presses):
                before = voted(dashboard.text()) or 0
                key = b"\r" if i % 2 == 0 else b"\x7f"
                target = before + 1 if key == b"\r" else before - 1
                started = time.perf_counter()
                participant.press(key)
                shown = dashboard.wait_for(lambda text, t=target: voted(text) == t, timeout=10)
                times.append((shown - started) * 1000)
                time.sleep(0.4)
            return times
        finally:
            participant.close()
            dashboard.close()
            if crowd is not None:
                crowd.kill()
            for peer in seated:
                loop.run_until_complete(peer.socket.close())
            loop.close()


async def _wire_quiet_room(url: str, token: str, votes: int) -> list[float]:
    peers = await _seat_room(url, token, 28)
    host = peers[0]
    probe = await join(url, Hello(name="probe"))
    times = []
    for i in range(votes):
        started = time.perf_counter()
        await probe.send(Vote(1000 + i, SPECTRUM, i % 6))
        while True:
            message = await host.recv(5)
            if isinstance(message, Tally) and message.question == SPECTRUM and _probe_moved(message.counts, i):
                break
        times.append((time.perf_counter() - started) * 1000)
        await asyncio.sleep(0.25)
    for peer in [*peers, probe]:
        await peer.socket.close()
    return times


def _probe_moved(counts: tuple[int, ...], i: int) -> bool:
    """The 28 others hold 5,5,5,5,4,4 (p_i votes i % 6); the probe adds one where it went."""
    base = [5, 5, 5, 5, 4, 4]
    base[i % 6] += 1
    return list(counts) == base


def wire_quiet_room(votes: int) -> list[float]:
    with HubProcess("hub") as hub:
        return asyncio.run(_wire_quiet_room(hub.url, hub.token, votes))


def percentiles(times: list[float]) -> tuple[float, float]:
    """(p50, p99) in milliseconds."""
    ordered = sorted(times)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def _summary(times: list[float]) -> str:
    p50, p99 = percentiles(times)
    return f"p50 {p50:6.1f} ms   p99 {p99:6.1f} ms   ({len(times)} samples)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--presses", type=int, default=30)
    args = parser.parse_args()
    wire = wire_quiet_room(args.presses * 2)
    print(f"quiet room of 30, vote to the host's tally frame (wire):   {_summary(wire)}")
    print(f"quiet room of 30, key press to the host's screen (ptys):  {_summary(key_to_screen(30, args.presses))}")
    print(f"1,000 at 200 votes/s, key press to the host's screen:      {_summary(key_to_screen(1000, args.presses))}")
    ssh = key_to_screen(30, args.presses, over_ssh=True)
    print(f"quiet room of 30, a key over SSH to the host's screen:     {_summary(ssh)}")


if __name__ == "__main__":
    main()
