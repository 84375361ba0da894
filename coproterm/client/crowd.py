"""Simulated participants for `coproterm demo`: people in a room, at human speed.

Each one joins over a real websocket like anybody else, reads each new question
for a few seconds, places their work where their leaning takes them, and now and
then changes their mind, until voting is locked. To a text question they write
one or two answers in the workshop's own words.
"""

from __future__ import annotations

import asyncio
import random
from contextlib import suppress

from coproterm.client.link import Link, LinkStatus
from coproterm.core.boards import Question, Scale
from coproterm.core.client_messages import Answer, Choose, Hello, Vote
from coproterm.core.hub_messages import State
from coproterm.core.view import SessionView
from coproterm.core.wire import Message

WRITTEN = (
    "Build relationships of trust and share power.",
    "Do what matters for the people involved.",
    "People can be change makers, and organisations become enablers.",
    "Develop networks across silos.",
    "share power and responsibility",
    "work together for mutual benefit",
    "equal, reciprocal and caring relationships",
    "We listen to people's experience and share ours.",
    "There is equal power in our decision making.",
    "We value different experiences.",
    "'working with' rather than 'doing to'",
)
"""What the demo crowd writes to a text question: the workshop's own words (its slides)."""

NAMES = (
    "Aled",
    "Bethan",
    "Carys",
    "Dylan",
    "Eleri",
    "Ffion",
    "Gareth",
    "Huw",
    "Iolo",
    "Jac",
    "Lowri",
    "Megan",
)


class SimulatedParticipant:
    """One participant, with a leaning on every scale, voting over the real protocol."""

    def __init__(self, url: str, name: str, rng: random.Random, *, speed: float = 1.0) -> None:
        self.name = name
        self.view = SessionView()
        self._rng = rng
        self._speed = speed
        self._leanings: dict[str, float] = {}
        self._changed = asyncio.Event()
        self._seq = 0
        self.link = Link(url, self._hello, self._on_message, self._on_status)

    def _hello(self) -> Hello:
        return Hello(name=self.name, resume=self.view.resume)

    def _on_message(self, message: Message) -> None:
        self.view.apply(message)
        if isinstance(message, State):
            self._changed.set()

    def _on_status(self, status: LinkStatus) -> None:
        return None

    async def run(self) -> None:
        """Take part until cancelled."""
        link = asyncio.create_task(self.link.run())
        try:
            await self._take_part()
        finally:
            link.cancel()
            with suppress(asyncio.CancelledError):
                await link

    async def _take_part(self) -> None:
        answered: set[int] = set()
        while True:
            await self._changed.wait()
            self._changed.clear()
            state, question = self.view.state, self.view.question
            if state is None or question is None or not state.open or state.current in answered:
                continue
            if question.answers is not None:
                answered.add(state.current)
                await self._write(state.current, min(question.answers.max_answers, self._rng.randint(1, 2)))
                continue
            if question.x is None:
                continue
            answered.add(state.current)
            await self._sleep(2, 12)
            await self._vote(state.current, self._choose(question))
            if self._rng.random() < 0.3:
                await self._sleep(4, 15)
                await self._vote(state.current, self._choose(question))

    async def _vote(self, question: int, cell: int) -> None:
        state = self.view.state
        if state is None or state.current != question or not state.open:
            return
        self._seq += 1
        self.view.sent(self._seq, question, cell)
        several = self.view.deck is not None and self.view.deck.questions[question].several
        await self.link.send(Choose(self._seq, question, cell) if several else Vote(self._seq, question, cell))

    async def _write(self, question: int, answers: int) -> None:
        """Write one or two answers to a text question, a few seconds apart."""
        for slot, text in enumerate(self._rng.sample(WRITTEN, answers)):
            await self._sleep(5, 20)
            state = self.view.state
            if state is None or state.current != question or not state.open:
                return
            self._seq += 1
            self.view.written.sent(self._seq, question, slot, text)
            await self.link.send(Answer(self._seq, question, slot, text))

    def _choose(self, question: Question) -> int:
        assert question.x is not None
        if question.several:  # one or more positions, at most the pick, as a mask
            picks = self._rng.sample(range(question.x.size), self._rng.randint(1, question.pick))
            return sum(1 << position for position in picks)
        x = self._position(question.x)
        y = self._position(question.y) if question.y is not None else 0
        return question.cell(x, y)

    def _position(self, scale: Scale) -> int:
        """A position near this person's leaning on the scale."""
        leaning = self._leanings.setdefault(scale.key, self._rng.triangular(0, 1, 0.55))
        spot = self._rng.gauss(leaning * (scale.size - 1), 0.8)
        return max(0, min(scale.size - 1, round(spot)))

    async def _sleep(self, low: float, high: float) -> None:
        await asyncio.sleep(self._rng.uniform(low, high) / self._speed)


async def run_crowd(url: str, count: int, *, seed: int | None = None, speed: float = 1.0) -> None:
    """Run ``count`` simulated participants against a hub until cancelled."""
    rng = random.Random(seed)
    people = [
        SimulatedParticipant(url, f"{NAMES[i % len(NAMES)]} (demo)", random.Random(rng.random()), speed=speed)
        for i in range(count)
    ]
    tasks = []
    for person in people:
        tasks.append(asyncio.create_task(person.run()))
        await asyncio.sleep(rng.uniform(0.05, 0.4) / speed)  # people arrive one by one
    try:
        await asyncio.gather(*tasks)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
