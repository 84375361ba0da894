"""`coproterm join --plain`: the line-by-line app, as a real process, through the whole workshop deck."""

from __future__ import annotations

import asyncio

from coproterm.core import read_models
from tests.hubkit import join_host, running_hub
from tests.plainkit import PlainJoin, assert_announced_once, assert_plain, walk_the_deck, workshop_session

WIDTH = 50


async def test_join_plain_walks_every_kind_of_question_in_lines_only(tmp_path):
    async with running_hub(workshop_session()) as hub:
        host = await join_host(hub.url)
        person = await PlainJoin(hub.url, width=WIDTH, data_dir=str(tmp_path)).start()
        try:
            await host.until(lambda p: p.attendance is not None and p.attendance.plain == 1)
            await walk_the_deck(host, person, "\n")
            assert await person.wait() == 0
        finally:
            person.kill()
        assert_plain(bytes(person.output), WIDTH - 1)
        assert_announced_once(bytes(person.output))
        assert "You have left the session; your votes are kept." in person.text
        assert (
            read_models.tally(hub.session, 8).counts[5] == 1
            and read_models.tally(hub.session, 11).counts[1 * 6 + 3] == 1
        )
        await host.until(lambda p: p.attendance.plain == 0)


async def test_the_dashboard_says_how_many_are_in_plain_mode(tmp_path):
    from coproterm.tui.host.app import HostApp
    from tests.conftest import HOST_TOKEN

    def people() -> str:
        return str(dashboard.screen.query_one("#people").render())

    async with running_hub() as hub:
        dashboard = HostApp(hub.url, HOST_TOKEN)
        async with dashboard.run_test(size=(100, 30)) as pilot:
            person = await PlainJoin(hub.url, width=WIDTH, data_dir=str(tmp_path)).start()
            try:
                async with asyncio.timeout(15):
                    while "1 in plain mode" not in people():
                        await pilot.pause(0.05)
                assert "1 connected now" in people()
                person.type("quit\n")
                assert await person.wait() == 0
                async with asyncio.timeout(15):
                    while "plain mode" in people():
                        await pilot.pause(0.05)
            finally:
                person.kill()


async def test_a_session_that_needs_its_join_code_asks_for_it_in_a_line(tmp_path):
    from coproterm.core.deck import default_deck
    from coproterm.core.session import Session
    from tests.conftest import HOST_TOKEN, counting_tokens
    from tests.plainkit import Listener

    session = Session(default_deck(), HOST_TOKEN, counting_tokens(), join_code="KXPT", require_code=True)
    async with running_hub(session) as hub:
        person = await PlainJoin(hub.url, width=WIDTH, data_dir=str(tmp_path)).start()
        try:
            ear = Listener(person)
            await ear.hears("This session needs its join code: type it and press Enter.")
            person.type("kx-pt\n")
            await ear.hears("Question 1 of 6")
            person.type("quit\n")
            assert await person.wait() == 0
        finally:
            person.kill()
        assert_plain(bytes(person.output), WIDTH - 1)


async def test_a_questions_points_are_read_when_asked_for_as_the_full_apps_d_key_shows_them(tmp_path):
    """Plain mode prints section, prompt, note and choices once; a question's points wait for `details`."""
    from coproterm.core.client_messages import Command
    from coproterm.core.wire_terms import Action
    from tests.plainkit import Listener

    async with running_hub(workshop_session()) as hub:
        host = await join_host(hub.url)
        person = await PlainJoin(hub.url, width=WIDTH, data_dir=str(tmp_path)).start()
        try:
            ear = Listener(person)
            await ear.hears("Question 1 of 14")
            await host.request(lambda seq: Command(seq, Action.GOTO, 5))
            await ear.hears("Question 6 of 14: Case study: Active Travel.", "This question has 5 points: type")
            assert "Cardiff City Council used" not in person.text, "the points are not read out unasked"
            person.type("details\n")
            await ear.hears("- Starting 2020, Cardiff City Council used")
            person.type("iaith\n")
            await ear.hears("Iaith: Cymraeg.", "Mae gan y cwestiwn hwn 5 pwynt: teipiwch y gair manylion")
            person.type("manylion\n")
            await ear.hears("- O 2020 ymlaen, defnyddiodd Cyngor Dinas Caerdydd")
            await host.request(lambda seq: Command(seq, Action.GOTO, 7))
            await ear.hears("Cwestiwn 8 o 14")
            person.type("manylion\n")
            await ear.hears("Nid oes gan y cwestiwn hwn bwyntiau i'w darllen.")
            person.type("quit\n")
            assert await person.wait() == 0
        finally:
            person.kill()
        assert_plain(bytes(person.output), WIDTH - 1)
