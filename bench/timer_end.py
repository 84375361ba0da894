"""How soon a timer's end reaches every face, measured against the hub's clock.

`python -m bench.timer_end` runs a hub (with its SSH gateway in a worker process) on 127.0.0.1
and, on the same machine (so one wall clock), a room of every face: raw websocket participants
(what the phone page and the apps receive), the Textual participant app (Pilot, in this
process), the participant app over real OpenSSH (read back through a terminal emulator),
plain mode (a process of its own) and the phone page in Chromium. For each round the host
starts a countdown that locks voting; each face's moment is timed against the deadline the hub
logged: when it shows the end ("time is up") and when it shows voting locked. A face counts
down on its own steady clock, so it may show the end a little *before* the hub ends it
(negative); the lock always comes from the hub. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from coproterm.core.client_messages import Command, Hello
from coproterm.core.deck import default_deck
from coproterm.core.hub_messages import State, Timer
from coproterm.core.session import Session
from coproterm.core.wire_terms import Action
from coproterm.server.hub_runner import HubRunner, SSHOptions
from coproterm.tui.participant.app import ParticipantApp
from tests.conftest import HOST_TOKEN, counting_tokens
from tests.hubkit import Peer, join, join_host
from tests.plainkit import PlainJoin
from tests.sshkit import SSHClient
from tests.webkit import chromium, phone

SPECTRUM = 1
Moment = Callable[[], Awaitable[float]]
"""Waits for a face to show something; returns the wall-clock time it did."""


async def until(check: Callable[[], bool], every: float = 0.005) -> float:
    while not check():
        await asyncio.sleep(every)
    return time.time()


def raw_moments(peer: Peer) -> tuple[Moment, Moment]:
    """A raw participant: the Timer frame that says 0 left, and the State that says locked."""
    seen: dict[str, float] = {}

    async def read() -> None:
        while "ended" not in seen or "locked" not in seen:
            message = await peer.recv(30)
            if isinstance(message, Timer) and message.seconds and message.left_ms == 0:
                seen.setdefault("ended", time.time())
            if isinstance(message, State) and not message.open:
                seen.setdefault("locked", time.time())

    task = asyncio.create_task(read())

    async def ended() -> float:
        await until(lambda: "ended" in seen or task.done())
        return seen["ended"]

    async def locked() -> float:
        await until(lambda: "locked" in seen or task.done())
        return seen["locked"]

    return ended, locked


async def main(rounds: int, raw: int, seconds: int) -> None:
    options = SSHOptions(port=0, key_dir=Path(tempfile.mkdtemp()), workers=1)
    session = Session(default_deck(), HOST_TOKEN, counting_tokens())
    async with HubRunner(session, HOST_TOKEN, "127.0.0.1", 0, ssh=options) as hosted:
        url = hosted.local_url
        host = await join_host(url)
        await host.request(lambda s: Command(s, Action.GOTO, SPECTRUM))
        peers = [await join(url, Hello(name=f"p{i}")) for i in range(raw)]
        app = ParticipantApp(url, "Textual")
        plain = await PlainJoin(url, width=100, name="Plain", data_dir=tempfile.mkdtemp()).start()
        ssh = await SSHClient(hosted.ssh_port, "ssh").start()
        results: dict[str, list[float]] = {}
        async with chromium() as browser, phone(browser) as page, app.run_test(size=(80, 24)):
            await page.goto(url.replace("ws://", "http://") + "/")
            await page.get_by_role("button", name="Join").click()
            await page.locator("#link").get_by_text("Connected").wait_for()
            await ssh.expect("question 2 of")
            await plain.expect("Type help")

            def status() -> str:
                return str(app.screen.query_one("#status").render())

            def ssh_screen() -> str:
                return ssh.shown.screens[-1] if ssh.shown.screens else ""

            async def page_time(script: str) -> float:
                handle = await page.wait_for_function(script, polling=5, timeout=30_000)
                return float(await handle.json_value()) / 1000

            for round_ in range(rounds):
                await host.request(lambda s: Command(s, Action.OPEN, SPECTRUM))
                plain.mark()
                ssh.mark()
                moments: dict[str, Moment] = {}
                for i, peer in enumerate(peers):
                    moments[f"raw websocket {i} end"], moments[f"raw websocket {i} lock"] = raw_moments(peer)
                await host.request(lambda s: Command(s, Action.TIMER, SPECTRUM, seconds))
                deadline = hosted.hub.session.timer_due()
                assert deadline is not None
                # Each face shows this round's countdown first (not what it showed at the last round's end).
                await until(lambda: " left" in status() and "locked" not in status())
                await until(lambda: " left" in ssh_screen() and "locked" not in ssh_screen())
                await page.locator("#countdown").get_by_text(" left").wait_for()
                mark = len(plain.output)
                moments.update(
                    {
                        "textual app end": lambda: until(lambda: "time is up" in status()),
                        "textual app lock": lambda: until(lambda: "locked" in status()),
                        "ssh end": lambda: until(lambda: "time is up" in ssh_screen()),
                        "ssh lock": lambda: until(lambda: "locked" in ssh_screen()),
                        "plain end": lambda mark=mark: until(lambda: b"Time is up." in plain.output[mark:]),
                        "plain lock": lambda mark=mark: until(lambda: b"Voting is now locked." in plain.output[mark:]),
                        "phone end": lambda: page_time(
                            "() => document.querySelector('#countdown').textContent.includes('time is up') && Date.now()"
                        ),
                        "phone lock": lambda: page_time(
                            "() => (document.querySelector('#status') || {textContent: ''})"
                            ".textContent.includes('Voting is locked') && Date.now()"
                        ),
                    }
                )
                names = list(moments)
                times = await asyncio.gather(*(moments[name]() for name in names))
                for name, at in zip(names, times, strict=True):
                    face = name.split(" ", 1)[0] if name.startswith("raw") else name.rsplit(" ", 1)[0]
                    kind = name.rsplit(" ", 1)[1]
                    results.setdefault(f"{face} {kind}", []).append((at - deadline) * 1000)
                print(f"round {round_ + 1}: done", flush=True)
        await ssh.leave()
        plain.kill()
        for peer in peers:
            await peer.socket.close()
    print(f"\nA {seconds} s countdown that locks, {rounds} rounds; ms after the hub's deadline (negative: before)")
    print(f"{'face':<22}{'event':<8}{'n':>4}{'min':>9}{'median':>9}{'max':>9}")
    for key, values in results.items():
        face, kind = key.rsplit(" ", 1)
        print(
            f"{face:<22}{kind:<8}{len(values):>4}{min(values):>9.0f}{statistics.median(values):>9.0f}{max(values):>9.0f}"
        )
    worst = max(abs(v) for values in results.values() for v in values)
    print(f"\nlargest distance from the hub's deadline, any face, any round: {worst:.0f} ms")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--raw", type=int, default=20, help="raw websocket participants")
    parser.add_argument("--seconds", type=int, default=3)
    args = parser.parse_args()
    asyncio.run(main(args.rounds, args.raw, args.seconds))
