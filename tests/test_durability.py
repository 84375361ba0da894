"""Nothing lost: kill -9 of a real hub while people vote, then --resume; and the exports."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import random
import re
import signal
import subprocess
import sys
from pathlib import Path

from coproterm.commands.sessions import render, render_tables
from coproterm.core.client_messages import Command, Hello, Vote
from coproterm.core.hub_messages import Ack
from coproterm.core.wire_terms import Action
from coproterm.server.store import find_session
from tests.hubkit import Peer, join, start_serve
from tests.webkit import chromium_binary, headless_flags

COPROTERM = [sys.executable, "-m", "coproterm"]
SPECTRUM, GRID = 1, 4


async def test_kill_9_then_resume_keeps_every_acknowledged_vote(tmp_path):
    served = await start_serve(data=tmp_path)
    url, token = served.url, served.token
    host = await join(url, Hello(host_token=token))
    await host.request(lambda s: Command(s, Action.GOTO, GRID))
    people = await asyncio.gather(*(join(url, Hello(name=f"p{i}")) for i in range(30)))
    acked: dict[bytes, int | None] = {p.welcome.resume: None for p in people}
    in_flight: dict[bytes, int] = {}
    rng = random.Random(5)

    async def keep_voting(peer: Peer) -> None:
        token = peer.welcome.resume
        while True:
            choice = rng.randrange(24)
            in_flight[token] = choice
            reply = await peer.request(lambda s, c=choice: Vote(s, GRID, c))
            assert reply == Ack(peer.seq)
            acked[token] = choice

    voters = [asyncio.create_task(keep_voting(p)) for p in people]
    await asyncio.sleep(1.5)
    await served.stop(signal.SIGKILL)  # pull the plug mid-vote
    results = await asyncio.gather(*voters, return_exceptions=True)
    assert all(isinstance(r, Exception) for r in results), "every voter lost its hub"
    assert sum(v is not None for v in acked.values()) == 30

    port = served.port
    served = await start_serve("--resume", data=tmp_path, port=port)
    again_token = served.token
    try:
        assert again_token == token
        final: dict[bytes, int | None] = {}
        for resume in acked:
            peer = await join(url, Hello(resume=resume))
            final[resume] = peer.welcome.votes[GRID]
            await peer.socket.close()
        for resume, choice in final.items():
            # The last acknowledged vote, or one sent after it whose ack the kill swallowed.
            assert choice in (acked[resume], in_flight.get(resume)), (resume, choice, acked[resume])
        host = await join(url, Hello(host_token=token))
        expected = tuple(list(final.values()).count(cell) for cell in range(24))
        await host.until(lambda p: p.tally is not None and p.tally.question == GRID)
        assert host.tally.counts == expected
    finally:
        await served.stop()


async def hosted_session(tmp_path: Path) -> tuple[Path, dict[str, list[int]]]:
    """A session with votes on a scale and on the grid; returns its log and the final votes."""
    served = await start_serve(data=tmp_path)
    url, token = served.url, served.token
    finals = {"spectrum": [0, 3, 3, 5, 2], "grid": [23, 0, 7, 7, 12]}
    try:
        host = await join(url, Hello(host_token=token))
        people = [await join(url, Hello(name=f"Person {i}")) for i in range(5)]
        for question, key in ((SPECTRUM, "spectrum"), (GRID, "grid")):
            await host.request(lambda s, q=question: Command(s, Action.GOTO, q))
            for peer, choice in zip(people, finals[key], strict=True):
                await peer.request(lambda s, q=question: Vote(s, q, 1))
                await peer.request(lambda s, q=question, c=choice: Vote(s, q, c))
    finally:
        await served.stop()
    return find_session(tmp_path, None), finals


async def test_csv_and_json_exports_read_back_as_the_tallies(tmp_path):
    path, finals = await hosted_session(tmp_path)
    tables = render_tables(path)
    tallies = list(csv.DictReader(io.StringIO(tables["tallies.csv"])))
    spectrum = [int(r["votes"]) for r in tallies if r["question"] == "2"]
    assert spectrum == [finals["spectrum"].count(c) for c in range(6)]
    grid_votes = [r for r in csv.DictReader(io.StringIO(tables["votes.csv"])) if r["question"] == "5"]
    width = 6  # the spectrum across, positions and rows from 1
    cells = [(int(r["row"]) - 1) * width + int(r["position"]) - 1 for r in grid_votes]
    assert list(zip((int(r["participant"]) for r in grid_votes), cells, strict=True)) == list(
        enumerate(finals["grid"], start=1)
    )
    assert "name" not in grid_votes[0], "names only with --with-names"
    grid_row = next(r for r in tallies if r["question"] == "5" and (r["position"], r["row"]) == ("6", "4"))
    assert (grid_row["label"], grid_row["row label"], grid_row["votes"]) == (
        "co-production / involvement",
        "chaotic",
        "1",
    )

    document = json.loads(render(path, "json", with_names=True))
    assert document["participants"] == 5
    grid = document["questions"][GRID]
    assert [c["count"] for c in grid["tally"]] == [finals["grid"].count(c) for c in range(24)]
    assert grid["total"] == 5 and grid["votes"][0] == {
        "participant": 1,
        "cell": 23,
        "name": "Person 0",
    }
    assert len(document["questions"][SPECTRUM]["timeline"]) == 10, "every change, in order"
    assert document["questions"][0]["kind"] == "text" and document["questions"][0]["answers"] == []


async def test_the_export_command_writes_the_file(tmp_path):
    await hosted_session(tmp_path)
    out = tmp_path / "report.json"
    result = subprocess.run(
        [*COPROTERM, "export", "--format", "json", "-o", str(out), "--data-dir", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(out.read_text())["title"] == "Co-production and citizen involvement"
    listing = subprocess.run(
        [*COPROTERM, "sessions", "--data-dir", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert re.search(r"\s5\s+10\s+20\s+Co-production and citizen involvement", listing.stdout), listing.stdout


async def test_the_html_report_renders_in_a_real_browser_with_its_charts(tmp_path):
    path, _ = await hosted_session(tmp_path)
    html = render(path, "html")
    assert "<script" not in html and "http://" not in html and "https://" not in html, "self-contained"
    page = tmp_path / "report.html"
    page.write_text(html)
    flags = headless_flags(tmp_path / "profile")
    shot = tmp_path / "report.png"
    browser = chromium_binary()
    subprocess.run(
        [browser, *flags, f"--screenshot={shot}", "--window-size=420,2400", page.as_uri()],
        capture_output=True,
        timeout=120,
        check=True,
    )
    assert shot.stat().st_size > 20_000, "a phone-width screenshot with charts in it"
    dom = subprocess.run(
        [browser, *flags, "--dump-dom", page.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    # Bars (the page's own text) and a timeline for the spectrum; the grid's heatmap table (on the first page and
    # in its details) and its timeline; no charts of nothing.
    assert dom.count("<svg") == 2 and dom.count('<table class="heat"') == 2 and dom.count('<ul class="bars"') == 1
    assert dom.count("No votes were cast on this question.") == 2
    assert 'aria-label="Bar chart of A spectrum of engagement: coercion / protection 1' in dom
    assert "Heatmap of A spectrum of engagement (across) by Simple, complicated, complex, chaotic (down)" in dom
    assert dom.count("<rect") > 30
