"""Open answers on the faces, driven with Pilot against a real hub in the same event loop."""

from __future__ import annotations

from textual.widgets import Input

from coproterm.core.client_messages import Command
from coproterm.core.wire_terms import Action
from coproterm.tui.host.app import HostApp
from coproterm.tui.participant.app import ParticipantApp
from coproterm.tui.widgets.answer_box import AnswerBox, MineList
from coproterm.tui.widgets.wall import AnswerWall
from tests.conftest import HOST_TOKEN
from tests.facekit import type_answer, until
from tests.hubkit import join_host, running_hub

WHAT, REASON = 0, 5
"""The built-in deck's two text questions."""


def mine(app, question=WHAT):
    return app.view.written.mine.get(question, {})


def wall_of(host):
    return host.screen.query_one(AnswerWall)


async def test_an_answer_is_typed_edited_removed_hidden_and_revealed():
    async with running_hub() as hub:
        host, ann = HostApp(hub.url, HOST_TOKEN), ParticipantApp(hub.url, "Ann")
        async with host.run_test(size=(100, 30)) as hp, ann.run_test(size=(80, 24)) as ap:
            await until(ap, lambda: ann.view.state is not None and ann.screen.query(AnswerBox))
            await until(ap, lambda: ann.screen.query_one("#answer-text", Input).has_focus)
            await type_answer(ap, "Rhannu grym ŵ ŷ â ê î ô û")
            await until(ap, lambda: mine(ann) == {0: "Rhannu grym ŵ ŷ â ê î ô û"})
            assert "0 of 3" not in str(ann.screen.query_one("#answer-count").render())
            await type_answer(ap, "Equal power")
            await until(ap, lambda: len(mine(ann)) == 2)
            # The facilitator sees both, newest first, with a count.
            await until(hp, lambda: len(host.view.written.host_answers) == 2)
            await hp.pause(0.1)
            drawn = str(wall_of(host).render())
            assert "2 answers" in drawn and drawn.index("Equal power") < drawn.index("Rhannu grym")

            # Edit the first: ↑ into my answers, Enter loads it, change it, Enter sends.
            await ap.press("up")
            await until(ap, lambda: ann.screen.query_one(MineList).has_focus)
            await ap.press("enter")
            await until(ap, lambda: ann.screen.query_one("#answer-text", Input).value == "Rhannu grym ŵ ŷ â ê î ô û")
            ann.screen.query_one("#answer-text", Input).value = "Rhannu grym yn deg"
            await ap.press("enter")
            await until(ap, lambda: mine(ann).get(0) == "Rhannu grym yn deg")
            await until(
                hp, lambda: any(a.text == "Rhannu grym yn deg" for a in host.view.written.host_answers.values())
            )

            # Remove the second.
            await ap.press("up")
            await until(ap, lambda: ann.screen.query_one(MineList).has_focus)
            ann.screen.query_one(MineList).highlighted = 1
            await ap.press("delete")
            await until(ap, lambda: set(mine(ann)) == {0})
            await until(hp, lambda: len(host.view.written.host_answers) == 1)

            # A second participant, and the facilitator hides one answer.
            bob = await join_host(hub.url)  # a raw host peer, to move the room along later
            await type_answer(ap, "Trust")
            await until(hp, lambda: len(host.view.written.host_answers) == 2)
            wall = wall_of(host)
            wall.focus()
            await hp.press("up")  # the cursor stays on its answer as new ones arrive: up to the newest
            assert wall.selected is not None and wall.selected.text == "Trust"
            await hp.press("h")
            await until(hp, lambda: any(a.hidden for a in host.view.written.host_answers.values()))
            await hp.press("w")  # the words view
            await hp.pause(0.1)
            words = str(wall.render())
            # Every word is used once: all alike in size (none spaced out above the others).
            assert "GRYM" in words and "G R Y M" not in words and "TRUST" not in words and "T R U S T" not in words

            # Revealed: the room's answers and words reach the participant; the hidden one never does.
            await hp.press("r")
            await until(ap, lambda: ann.view.written.wall_question == WHAT and ann.view.written.wall)
            assert list(ann.view.written.wall.values()) == ["Rhannu grym yn deg"]
            shown = str(ann.screen.query_one("#answer-wall").render())
            assert "Rhannu grym yn deg" in shown and "Trust" not in shown
            assert ("deg", 1) in ann.view.written.words

            # Locked: the box says so and takes nothing.
            await hp.press("l")
            await until(ap, lambda: ann.view.state is not None and not ann.view.state.open)
            await ap.pause(0.1)
            assert ann.screen.query_one("#answer-text", Input).disabled
            await bob.socket.close()


async def test_the_answer_box_fits_a_small_terminal_and_counts_characters_left():
    async with running_hub() as hub:
        ann = ParticipantApp(hub.url, "Ann")
        async with ann.run_test(size=(40, 12)) as ap:
            await until(ap, lambda: ann.screen.query(AnswerBox))
            await until(ap, lambda: ann.screen.query_one("#answer-text", Input).has_focus)
            await ap.press("ŵ", "y", "r")
            await ap.pause(0.1)
            box = ann.screen.query_one("#answer-text", Input)
            assert box.value == "ŵyr" and box.region.width > 0 and box.region.y < 12
            assert "197 characters left" in str(ann.screen.query_one("#answer-count").render())
            await ap.press("enter")
            await until(ap, lambda: mine(ann) == {0: "ŵyr"})


async def test_answers_come_back_on_resume_and_follow_the_question():
    async with running_hub() as hub:
        ann = ParticipantApp(hub.url, "Ann")
        async with ann.run_test(size=(80, 24)) as ap:
            await until(ap, lambda: ann.screen.query(AnswerBox))
            await until(ap, lambda: ann.screen.query_one("#answer-text", Input).has_focus)
            await type_answer(ap, "Gyda'n gilydd")
            await until(ap, lambda: mine(ann) == {0: "Gyda'n gilydd"})
            token = ann.view.resume
        again = ParticipantApp(hub.url, "Ann")
        again.view.resume = token
        async with again.run_test(size=(80, 24)) as ap2:
            await until(ap2, lambda: mine(again) == {0: "Gyda'n gilydd"})
            listing = again.screen.query_one(MineList)
            await until(ap2, lambda: listing.option_count == 1)
            assert "Gyda'n gilydd" in str(listing.get_option_at_index(0).prompt)
            host = await join_host(hub.url)
            await host.request(lambda seq: Command(seq, Action.GOTO, REASON))
            await until(ap2, lambda: again.view.state.current == REASON)
            await ap2.pause(0.1)
            assert not again.screen.query_one(MineList).display, "the other question has no answers of mine yet"
            await host.socket.close()


async def test_a_long_wall_keeps_the_cursor_in_view_at_80x24():
    from coproterm.core.client_messages import Answer, Hello
    from tests.hubkit import join

    async with running_hub() as hub:
        people = [await join(hub.url, Hello(name=f"p{n}")) for n in range(40)]
        for n, peer in enumerate(people):
            await peer.request(lambda seq, n=n: Answer(seq, WHAT, 0, f"answer number {n} about sharing power"))
        host = HostApp(hub.url, HOST_TOKEN)
        async with host.run_test(size=(80, 24)) as hp:
            await until(hp, lambda: len(host.view.written.host_answers) == 40)
            wall = wall_of(host)
            wall.focus()
            await hp.pause(0.1)
            for _ in range(30):
                await hp.press("down")
            await hp.pause(0.1)
            assert wall.selected.text == "answer number 9 about sharing power"
            drawn = str(wall.render())
            assert "▶ answer number 9 " in drawn and "newer" in drawn and "40 answers" in drawn
            assert wall.region.height < 24
        for peer in people:
            await peer.socket.close()


async def test_presenter_mode_keeps_the_answers_off_the_projector_until_revealed():
    from coproterm.core.client_messages import Answer, Hello
    from tests.hubkit import join

    async with running_hub() as hub:
        ann = await join(hub.url, Hello(name="Ann"))
        await ann.request(lambda seq: Answer(seq, WHAT, 0, "something not for the projector yet"))
        host = HostApp(hub.url, HOST_TOKEN, presenter=True)
        async with host.run_test(size=(80, 24)) as hp:
            await until(hp, lambda: len(host.view.written.host_answers) == 1)
            await hp.pause(0.1)
            assert not wall_of(host).display
            assert "1 answer\n" in str(host.screen.query_one("#progress").render())
            await hp.press("r")
            await until(hp, lambda: host.view.state.revealed)
            await hp.pause(0.1)
            assert wall_of(host).display and "not for the projector" in str(wall_of(host).render())
        await ann.socket.close()


async def test_the_demo_crowd_writes_answers_in_the_workshops_words():
    import asyncio

    from coproterm.client.crowd import WRITTEN, run_crowd

    async with running_hub() as hub:
        crowd = asyncio.create_task(run_crowd(hub.url, 4, seed=1, speed=100))
        try:
            async with asyncio.timeout(10):
                while len(hub.session.answers[WHAT].current()) < 4:
                    await asyncio.sleep(0.05)
        finally:
            crowd.cancel()
            await asyncio.gather(crowd, return_exceptions=True)
        assert all(a.text in WRITTEN for a in hub.session.answers[WHAT].current())


async def test_reset_on_a_text_question_asks_then_takes_back_every_answer():
    async with running_hub() as hub:
        host, ann = HostApp(hub.url, HOST_TOKEN), ParticipantApp(hub.url, "Ann")
        async with host.run_test(size=(100, 30)) as hp, ann.run_test(size=(80, 24)) as ap:
            await until(ap, lambda: ann.screen.query(AnswerBox))
            await until(ap, lambda: ann.screen.query_one("#answer-text", Input).has_focus)
            await type_answer(ap, "Rhannu grym")
            await until(hp, lambda: len(host.view.written.host_answers) == 1)
            await hp.press("x")
            await until(hp, lambda: type(host.screen).__name__ == "ConfirmScreen")
            assert "Clear 1 answer to" in str(host.screen.query_one("Static").render())
            await hp.press("y")
            await until(hp, lambda: not host.view.written.host_answers)
            await until(ap, lambda: mine(ann) == {})
