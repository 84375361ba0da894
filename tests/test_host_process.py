"""`coproterm host`: no face can stall the hub. The dashboard is a client of a hub that serves in a process
of its own, so a dashboard busy drawing (a word view of thousands of answers took 425 ms a change) delays
nobody's ack.

The real `host` command's code path (its parser, its hub, its log file) runs here; the dashboard is replaced
by one that holds its thread for as long as it takes a participant on 127.0.0.2 to join and vote.
"""

from __future__ import annotations

import asyncio
import threading
import time

from coproterm.cli import _parser
from coproterm.commands.hub_commands import _host_here
from coproterm.core.client_messages import Command, Hello, Vote
from coproterm.core.hub_messages import Ack
from coproterm.core.wire_terms import Action
from tests.hubkit import join

STALL = 20.0
"""How long the stalled dashboard holds its thread at most (it lets go as soon as the vote is acknowledged)."""


class StalledDashboard:
    """A dashboard that never lets its thread (or its event loop) go while a participant votes."""

    def __init__(self, url: str, token: str) -> None:
        self.url = url
        self.token = token
        self.acked_while_stalled = threading.Event()
        self.problem: BaseException | None = None

    def run(self) -> None:
        self._stall()

    async def run_async(self) -> None:  # how `host` ran its dashboard before: on the hub's own loop
        self._stall()

    def _stall(self) -> None:
        voter = threading.Thread(target=lambda: asyncio.run(self._vote()), daemon=True)
        voter.start()
        until = time.monotonic() + STALL
        while not self.acked_while_stalled.is_set() and time.monotonic() < until:
            sum(range(10_000))  # busy, holding the interpreter as drawing does
        voter.join(STALL)

    async def _vote(self) -> None:
        try:
            host = await join(self.url, Hello(host_token=self.token))
            assert await host.request(lambda s: Command(s, Action.GOTO, 1)) == Ack(host.seq)
            ann = await join(self.url, Hello(name="Ann"), source="127.0.0.2")
            assert await ann.request(lambda s: Vote(s, 1, 3)) == Ack(ann.seq)
            self.acked_while_stalled.set()
            await ann.socket.close()
            await host.socket.close()
        except BaseException as error:
            self.problem = error


def test_a_dashboard_that_holds_its_thread_delays_no_participant(tmp_path):
    args = _parser().parse_args(
        ["host", "--host", "127.0.0.1", "--port", "0", "--ssh-port", "0", "--no-mdns", "--data-dir", str(tmp_path)]
    )
    faces: list[StalledDashboard] = []

    def make_app(hosted, said):
        faces.append(StalledDashboard(hosted.local_url, hosted.host_token))
        return faces[0]

    assert _host_here(args, make_app) == 0
    face = faces[0]
    assert face.problem is None, face.problem
    assert face.acked_while_stalled.is_set(), "the vote was answered only once the dashboard let go"


def test_hub_log_of_host_rotates_and_holds_repeats_back(tmp_path):
    """What `host` and `demo` log goes to hub.log in the user's log directory: rotated at 5 MB (three kept),
    and a line repeated a thousand times is written 20 times."""
    import os
    import subprocess
    import sys

    script = (
        "import logging\n"
        "from coproterm.commands.hub_setup import log_to_file\n"
        "log_to_file()\n"
        "log = logging.getLogger('coproterm.hub')\n"
        "for i in range(30000): log.info(f'a line of its own {i} ' + 'x' * 200)\n"
        "for i in range(1000): log.info('closing a connection (%s): %s', 1008, 'too many')\n"
    )
    env = {**os.environ, "XDG_STATE_HOME": str(tmp_path)}
    subprocess.run([sys.executable, "-c", script], env=env, check=True, timeout=120)
    logs = sorted(tmp_path.rglob("hub.log*"))
    assert [p.name for p in logs] == ["hub.log", "hub.log.1"], logs
    assert all(p.stat().st_size <= 5 * 1024 * 1024 for p in logs)
    text = "".join(p.read_text() for p in logs)
    assert text.count("closing a connection (1008): too many") == 20
