"""What an SSH participant's terminal shows, drawn in parts, is the screen drawn whole.

The vote screen is laid out once per question (coproterm/tui/widgets/laid_out_once.py),
is not painted again whole when the focus moves, paints new text as tall as the
last without a layout, draws its lines once per worker, and is sent only the
cells that change, answered from memory where another screen was sent the same.
Each of those draws less than Textual would: a part not painted when it should
be would leave something stale on the person's screen. Real ``ssh`` clients, in
two sizes and both languages, go through every kind of board, with votes, the
cursor, a written answer, focus moving between the board, the answer box and
the answer list, results revealed and voting locked; after each step, what each
terminal shows must be, cell for cell, what the app draws when asked for its
whole screen.
"""

from __future__ import annotations

import asyncio
import time

import pyte
from textual.geometry import Region

from coproterm.core.client_messages import Command
from coproterm.core.deck import default_deck
from coproterm.core.session import Session
from coproterm.core.wire_terms import Action
from coproterm.server.hub_runner import HubRunner, SSHOptions
from coproterm.server.ssh.gateway import Gateway
from coproterm.server.ssh.live import Live
from tests.conftest import HOST_TOKEN, counting_tokens
from tests.hubkit import goto, join_host
from tests.sshkit import SSHClient, cells, drawn_and_sent, ssh_binary
from tests.textualkit import LayoutUpdate, as_the_app, compositor_of

SPECTRUM, NEXT_BOARD, COMPLEXITY, GRID, OPEN_ANSWER = 1, 2, 3, 4, 5


def live(gateway: Gateway, name: str) -> Live:
    (found,) = [live for live in gateway._live.values() if live.app.display_name == name]
    return found


def drawn_whole(gateway: Gateway, name: str) -> list[list[tuple[object, ...]]]:
    """The screen the app of ``name`` draws when asked for all of it, as a terminal shows it."""
    session = live(gateway, name)
    app = session.app
    with as_the_app(app):
        compositor = compositor_of(app.screen)
        strips = compositor.render_strips()
        data = LayoutUpdate([[strip] for strip in strips], Region(0, 0, *compositor.size)).render_segments(app.console)
    width, height = session.terminal.size
    screen = pyte.Screen(width, height)
    pyte.Stream(screen).feed(data)
    return cells(screen)


def lay_out_from_nothing(gateway: Gateway, name: str) -> None:
    """Lay the app's screen out again with nothing kept from before: every part measured anew."""
    app = live(gateway, name).app
    with as_the_app(app):
        for widget in app.screen.walk_children(with_self=True):
            widget.refresh(layout=True)


def shown(client: SSHClient) -> list[list[tuple[object, ...]]]:
    return cells(client.shown._screen)


async def quiet(client: SSHClient, seconds: float = 0.6) -> None:
    """Until the terminal has been sent nothing for ``seconds`` (the gateway sends at most 10 times a second)."""
    async with asyncio.timeout(15):
        while True:
            before = len(client.output)
            started = time.monotonic()
            while time.monotonic() - started < seconds and len(client.output) == before:
                await asyncio.sleep(0.05)
            if len(client.output) == before:
                return


def differences(got: list[list[tuple[object, ...]]], whole: list[list[tuple[object, ...]]]) -> list[str]:
    rows = []
    for y, (row, expected) in enumerate(zip(got, whole, strict=True)):
        if row != expected:
            columns = [x for x, (a, b) in enumerate(zip(row, expected, strict=True)) if a != b]
            rows.append(
                f"row {y}, columns {columns[:8]}: shows {''.join(c[0] for c in row)!r}, "
                f"whole {''.join(c[0] for c in expected)!r}; first cell {row[columns[0]]} vs {expected[columns[0]]}"
            )
    return rows


async def test_every_terminal_shows_what_the_app_draws_whole(tmp_path):
    ssh_binary()
    session = Session(default_deck(), HOST_TOKEN, counting_tokens())
    runner = HubRunner(session, HOST_TOKEN, "127.0.0.1", 0, ssh=SSHOptions(port=0, key_dir=tmp_path, workers=0))
    async with runner as hosted:
        assert runner.gateway is not None, hosted.ssh_problem
        host = await join_host(hosted.local_url)
        ann = await SSHClient(hosted.ssh_port, "ann").start()
        cat = await SSHClient(hosted.ssh_port, "cat", size=(40, 12), extra=("-o", "SetEnv=LANG=cy_GB.UTF-8")).start()
        await ann.expect("co-production mean to you")
        await cat.expect("C1/6")
        up, down, right = "\x1b[A", "\x1b[B", "\x1b[C"
        steps = [
            (
                "an open answer, typed into",
                lambda: goto(host, OPEN_ANSWER),
                {ann: ["h", "i", "\r"], cat: ["h", "i", "\r"]},
            ),
            ("the answer list, and back", None, {ann: [up], cat: [up, down]}),
            ("the spectrum, a vote", lambda: goto(host, SPECTRUM), {ann: [right, right, "\r"], cat: [down]}),
            ("the grid, the cursor moved", lambda: goto(host, GRID), {ann: [down, "\r"], cat: [right, down]}),
            ("results revealed", lambda: host.request(lambda s: Command(s, Action.REVEAL, GRID)), {}),
            ("voting locked", lambda: host.request(lambda s: Command(s, Action.LOCK, GRID)), {ann: [right]}),
            ("the next scale", lambda: goto(host, NEXT_BOARD), {ann: ["3"]}),
            ("complex or not", lambda: goto(host, COMPLEXITY), {}),
            ("an open answer again", lambda: goto(host, OPEN_ANSWER), {cat: ["o", "k", "\r"]}),
            ("back to the spectrum", lambda: goto(host, SPECTRUM), {}),
        ]
        compared = 0
        for what, change, keys in steps:
            if change is not None:
                await change()
            await asyncio.sleep(0.3)
            for client, typed in keys.items():
                await quiet(client)
                for key in typed:  # one at a time, as a person types
                    client.type(key)
                    await asyncio.sleep(0.15)
            for client, name in ((ann, "ann"), (cat, "cat")):
                await quiet(client)
                on_screen = shown(client)
                wrong = differences(on_screen, drawn_whole(runner.gateway, name))
                assert not wrong, f"{what}: {name}'s terminal differs from the whole screen:\n" + "\n".join(wrong)
                lay_out_from_nothing(runner.gateway, name)  # a part left at a size it no longer has would move
                await drawn_and_sent(live(runner.gateway, name), client)  # all it sends for that has arrived
                moved = differences(shown(client), on_screen)
                assert not moved, f"{what}: {name}'s screen laid out anew is not what it showed:\n" + "\n".join(moved)
                compared += 1
        assert compared == 2 * len(steps)
        for client in (ann, cat):
            await client.leave()
            await client.wait()
