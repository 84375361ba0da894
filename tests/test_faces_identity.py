"""`coproterm join` started again after a crash comes back as the same person; two on one laptop stay two."""

from __future__ import annotations

import asyncio

from coproterm.core.client_messages import Command
from coproterm.core.wire_terms import Action
from coproterm.tui.participant.app import ParticipantApp
from tests.hubkit import join_host, running_hub

SPECTRUM = 1


async def until(pilot, condition, timeout=15.0):
    async with asyncio.timeout(timeout):
        while not condition():
            await pilot.pause(0.05)


async def test_a_restarted_app_comes_back_as_the_same_person_with_their_vote():
    async with running_hub() as hub:
        host = await join_host(hub.url)
        await host.request(lambda s: Command(s, Action.GOTO, SPECTRUM))
        first = ParticipantApp(hub.url, "Ann")
        async with first.run_test(size=(80, 24)) as pilot:
            await until(pilot, lambda: first.view.state is not None and first.view.resume is not None)
            await pilot.press("4", "enter")
            await until(pilot, lambda: first.view.votes.get(SPECTRUM) == 3)
            token = first.view.resume
        # the app is gone (as after kill -9: the identity's lock is the kernel's to release)
        again = ParticipantApp(hub.url, "Ann")
        async with again.run_test(size=(80, 24)) as pilot:
            await until(pilot, lambda: again.view.state is not None and again.view.role is not None)
            assert again.view.resume == token, "the same person"
            assert again.view.votes.get(SPECTRUM) == 3, "with their vote"
        assert len(hub.session.participants) == 1


async def test_two_apps_on_one_machine_under_one_name_are_two_people():
    async with running_hub() as hub:
        ann, other = ParticipantApp(hub.url, "Ann"), ParticipantApp(hub.url, "Ann")
        async with ann.run_test() as a, other.run_test() as b:
            await until(a, lambda: ann.view.resume is not None)
            await until(b, lambda: other.view.resume is not None)
            assert ann.view.resume != other.view.resume
            await until(a, lambda: hub.session.connected == 2)
