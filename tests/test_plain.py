"""`coproterm join --plain`: the line-by-line app, as a real process, through the whole workshop deck."""

from __future__ import annotations

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
        assert hub.session.tally(8).counts[5] == 1 and hub.session.tally(11).counts[1 * 6 + 3] == 1
        await host.until(lambda p: p.attendance.plain == 0)
