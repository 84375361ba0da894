"""File-level damage to a session log (a zeroed page, a cut-off file): the rows before it are kept, the damage
is named, and the session resumes with them. Damaged with plain bytes on a real SQLite file."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

from coproterm.core.client_messages import Hello
from coproterm.core.deck import deck_to_data, default_deck
from coproterm.core.events import Commanded, Joined, Voted
from coproterm.core.hub_messages import Tally
from coproterm.core.wire_terms import Action
from coproterm.server.store import SessionStore, read_log
from tests.hubkit import join, start_serve

SPECTRUM = 1
VOTES = 3000


async def _logged(data: Path) -> Path:
    deck = default_deck()
    store = SessionStore.create(data, deck_to_data(deck), deck.title, "tok")
    store.start()
    events = [Joined(1, b"a" * 16, "Ann"), Commanded(Action.GOTO, SPECTRUM)]
    events += [Voted(1, SPECTRUM, n % 6) for n in range(VOTES)]
    await store.append(events)
    await store.close()
    return store.path


def _zero_a_page(path: Path, fraction: float) -> None:
    """Write zeros over the page ``fraction`` of the way into the file (a bad sector, a torn write)."""
    data = bytearray(path.read_bytes())
    size = int.from_bytes(data[16:18], "big") or 65536
    page = int(len(data) // size * fraction)
    data[page * size : (page + 1) * size] = bytes(size)
    path.write_bytes(bytes(data))


async def test_a_zeroed_page_keeps_the_rows_before_it_and_the_session_resumes(tmp_path):
    path = await _logged(tmp_path)
    _zero_a_page(path, 0.6)
    log = read_log(path)
    kept = len(log.entries)
    assert 100 < kept < VOTES + 2, kept
    assert [e.event for e in log.entries[:2]] == [Joined(1, b"a" * 16, "Ann"), Commanded(Action.GOTO, SPECTRUM)]
    (damage,) = [f for f in log.flaws if "damaged" in f.problem]
    assert re.search(r"the file is damaged after log row \d+ \(.*\): rows after it are lost", damage.problem)

    served = await start_serve("--resume", path.stem, "--ssh-port", "0", "--no-mdns", data=tmp_path)
    try:
        host = await join(served.url, Hello(host_token=served.token))
        async with asyncio.timeout(5):
            while not isinstance(message := await host.recv(), Tally):
                pass
        last = log.entries[-1].event
        assert message.counts[last.choice] == 1, "Ann's vote as the last readable row left it"
    finally:
        await served.stop()
    assert "Traceback" not in served.stderr
    assert "the file is damaged after log row" in served.stderr
