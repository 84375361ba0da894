"""Helpers for the screens' tests: the whole workshop deck with a room's votes in, and what a screenshot shows."""

from __future__ import annotations

import asyncio
import html
import os
import re
from collections.abc import Iterable
from pathlib import Path

import pytest

from coproterm.core.client_messages import Command, Hello, Vote
from coproterm.core.deck import builtin_deck
from coproterm.core.session import Session
from coproterm.core.wire_terms import Action
from coproterm.tui.widgets.keybar import KeyBar
from tests.conftest import HOST_TOKEN, counting_tokens
from tests.hubkit import Peer, join, join_host

WORKSHOP = builtin_deck()
"""The whole workshop (fourteen questions): the deck a room sees."""


def workshop_session() -> Session:
    return Session(WORKSHOP, HOST_TOKEN, counting_tokens(), join_code="KXPT")


async def until(pilot, predicate, timeout: float = 15.0) -> None:
    """Let the app run until ``predicate()`` holds."""
    async with asyncio.timeout(timeout):
        while not predicate():
            await pilot.pause(0.02)


async def room(url: str, votes: dict[int, list[int]], people: int = 8) -> tuple[Peer, list[Peer]]:
    """``people`` participants join; on each question of ``votes`` (in order) person i votes ``votes[q][i]``.

    The host is left on the last question.
    """
    host = await join_host(url)
    peers = [await join(url, Hello(name=f"p{i}")) for i in range(people)]
    for question, cells in votes.items():
        await host.request(lambda seq, q=question: Command(seq, Action.GOTO, q))
        for peer, cell in zip(peers, cells, strict=False):
            await peer.request(lambda seq, q=question, c=cell: Vote(seq, q, c))
    return host, peers


def screen_text(svg: str) -> str:
    """The characters an SVG screenshot shows, row by row."""
    rows: dict[str, list[str]] = {}
    for y, text in re.findall(r'<text[^>]*\by="([\d.]+)"[^>]*>(.*?)</text>', svg, re.S):
        rows.setdefault(y, []).append(html.unescape(re.sub(r"<[^>]+>", "", text)))
    lines = ("".join(parts) for _, parts in sorted(rows.items(), key=lambda item: float(item[0])))
    return "\n".join(lines).replace("\xa0", " ")


def squeezed(text: str) -> str:
    """Text with its runs of whitespace made one space: a sentence wrapped over lines reads as one."""
    return " ".join(text.split())


def all_in(text: str, needles: Iterable[str]) -> list[str]:
    """The needles missing from ``text`` (whitespace squeezed in both)."""
    flat = squeezed(text)
    return [needle for needle in needles if squeezed(needle) not in flat]


async def settled(pilot, app) -> None:
    """Let the screen finish drawing; the footer lists its keys only once it has recomposed.

    (A busy machine once caught the dashboard between its chart and its footer.)
    """
    for _ in range(2):  # before and after a pause: a recompose may still be in flight
        await until(pilot, lambda: app.screen.query("FooterKey") or any(bar.shown for bar in app.screen.query(KeyBar)))
        await pilot.pause(0.1)


SNAPSHOTS = Path(__file__).parent / "snapshots"
"""The SVG snapshots the faces are compared with."""


def check(name: str, svg: str) -> None:
    """``svg`` is the snapshot kept as ``name`` (written, and failed, the first time; rewritten with
    COPROTERM_UPDATE_SNAPSHOTS=1)."""
    expected = SNAPSHOTS / f"{name}.svg"
    if os.environ.get("COPROTERM_UPDATE_SNAPSHOTS") or not expected.exists():
        expected.write_text(svg)
        if not os.environ.get("COPROTERM_UPDATE_SNAPSHOTS"):
            pytest.fail(f"{expected} did not exist; it was written: look at it and commit it")
        return
    if expected.read_text() != svg:
        actual = expected.with_suffix(".actual.svg")
        actual.write_text(svg)
        pytest.fail(f"{name} changed: compare {expected} with {actual}")


async def crowd(url: str, question: int, votes: list[int]) -> None:
    """The host moves the room to ``question`` and a person joins for each of ``votes`` and casts it."""
    host = await join_host(url)
    await host.request(lambda seq: Command(seq, Action.GOTO, question))
    for i, cell in enumerate(votes):
        peer = await join(url, Hello(name=f"p{i}"))
        await peer.request(lambda seq, cell=cell: Vote(seq, question, cell))
