"""A whole workshop as a facilitator exports it: every question of the built-in deck answered over an afternoon.

Twelve people, votes on every scale and the grid, a before and after, written
answers (one hidden by the facilitator), a reset, spread over real clock time,
so the report is tried as it is sent round.
"""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

from coproterm.core.boards import Deck
from coproterm.core.deck import builtin_deck, deck_to_data
from coproterm.core.events import Answered, Commanded, Event, Joined, Moderated, Voted
from coproterm.core.log_check import Logged
from coproterm.core.report import Report, build_report
from coproterm.core.wire_terms import Action
from coproterm.server.store import SessionStore

PEOPLE = 12
START = 1_781_000_000.0
"""A Tuesday afternoon in June 2026 (summer time in Wales: an hour off UTC)."""
HIDDEN_ANSWER = "this one the facilitator hid from the room"
BEFORE = (3, 3, 4, 1, 2, 3, 0, 3, 2, 4, 3, 1)
"""Where each person's work lives now (positions from 0), on the question the new opportunity is compared with."""
MOVES = (2, 0, -1, 4, 1, 2, 3, 2, 0, 1, 1, 2)
"""Steps each person moved towards doing with, for the new opportunity."""
ANSWERS = (
    "sharing power with the people who use the service",
    "equal partners from the start",
    "listening and acting on what people say",
    "+ more voices at the table",
    "trust, time and sharing power",
    "people are change makers",
)


def workshop_deck() -> Deck:
    return builtin_deck("workshop")


def workshop_events(deck: Deck | None = None) -> list[Event]:
    """Every question of ``deck`` (the workshop's) answered by the room, in the order a facilitator runs it."""
    deck = deck or workshop_deck()
    events: list[Event] = [Joined(n, bytes([n]) * 16, f"Person {n}") for n in range(1, PEOPLE + 1)]
    answer_id = 0
    for index, question in enumerate(deck.questions):
        events.append(Commanded(Action.GOTO, index))
        if question.answers is not None:
            for n in range(1, PEOPLE + 1, 2):
                answer_id += 1
                text = HIDDEN_ANSWER if n == 5 else ANSWERS[(n + index) % len(ANSWERS)]
                events.append(Answered(n, index, 0, answer_id, text))
                if n == 5:
                    events.append(Moderated(index, answer_id, True))
        elif question.several:
            for n in range(1, PEOPLE + 1):
                events.append(Voted(n, index, (1 << (n % question.x.size)) | 1 if question.x else 1))
        elif question.cells:
            for n in range(1, PEOPLE + 1):
                if n == PEOPLE and index % 3 == 0:
                    continue  # someone always misses one
                if question.compare is not None:
                    before = BEFORE[n - 1]
                    cell = max(0, min(question.cells - 1, before + MOVES[n - 1]))
                elif any(later.compare == index for later in deck.questions):
                    cell = BEFORE[n - 1]
                else:
                    cell = (n * 7 + index * 3) % question.cells
                events.append(Voted(n, index, cell))
            if index == 1:
                events.append(Commanded(Action.RESET, index))
                events.extend(Voted(n, index, (n * 3) % question.cells) for n in range(1, PEOPLE + 1))
        events.append(Commanded(Action.REVEAL, index))
    return events


def logged(events: list[Event], start: float = START, every: float = 9.0) -> list[Logged]:
    """The events as a log's rows, ``every`` seconds apart from ``start``."""
    return [(row, start + every * row, event) for row, event in enumerate(events, 1)]


def workshop_report() -> Report:
    deck = workshop_deck()
    return build_report(deck, logged(workshop_events(deck)))


def logged_workshop(data: Path) -> Path:
    """The whole workshop written by the real store into a real SQLite file under ``data``, at START's pace.

    Three of the twelve are remembered as having joined over SSH. Its database's path.
    """
    deck = workshop_deck()
    store = SessionStore.create(data, deck_to_data(deck), deck.title, "tok")

    async def write() -> None:
        store.start()
        await store.append(workshop_events(deck))
        await store.close()

    asyncio.run(write())
    with sqlite3.connect(store.path) as db:  # an afternoon's pace, on a summer's day
        db.execute("UPDATE events SET at = ? + seq * 9", (START,))
        db.executemany(
            "INSERT INTO ssh_identities (user, seen_as, token) VALUES (?, ?, ?)",
            [(f"user{n}", "SHA256:key", bytes([n]) * 16) for n in (2, 5, 7)],
        )
    return store.path
