"""Helpers for the screens' tests: the whole workshop deck with a room's votes in, and what a screenshot shows."""

from __future__ import annotations

import asyncio
import html
import re
from collections.abc import Iterable

from coproterm.core.deck import builtin_deck
from coproterm.core.session import Session
from coproterm.core.wire import Action, Command, Hello, Vote
from tests.conftest import HOST_TOKEN, counting_tokens
from tests.hubkit import Peer, join, join_host

WORKSHOP = builtin_deck()
"""The whole workshop (fourteen questions): the deck a room sees."""


def workshop_session() -> Session:
    return Session(WORKSHOP, HOST_TOKEN, counting_tokens(), join_code="KXPT")


async def until(pilot, predicate, timeout: float = 5.0) -> None:
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
