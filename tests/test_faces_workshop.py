"""The whole workshop on the faces: presenter mode, sections, choose several, before and after.

Driven with Pilot against a real hub in the same event loop.
"""

from __future__ import annotations

import pytest

from coproterm.core import read_models
from coproterm.core.client_messages import Command, Hello, Vote
from coproterm.core.deck import builtin_deck
from coproterm.core.session import Session
from coproterm.core.wire_terms import Action
from coproterm.tui.host.app import HostApp
from coproterm.tui.participant.app import ParticipantApp
from coproterm.tui.widgets.board import BoardPicker
from coproterm.tui.widgets.movement import MovementChart
from coproterm.tui.widgets.tally import TallyChart
from tests.conftest import HOST_TOKEN, counting_tokens
from tests.facekit import shown, text_of, until
from tests.hubkit import join, join_host, running_hub

SPECTRUM = 1


@pytest.fixture
async def hub():
    async with running_hub() as running:
        yield running


async def crowd(url: str, question: int, votes: list[int], *, leave: int = 0, idle: int = 0) -> list:
    """People who join and vote on ``question`` (the first ``leave`` of them go away again), and ``idle`` who do not vote."""
    host = await join_host(url)
    await host.request(lambda seq: Command(seq, Action.GOTO, question))
    peers = []
    for i, cell in enumerate(votes):
        peer = await join(url, Hello(name=f"p{i}"))
        await peer.request(lambda seq, cell=cell: Vote(seq, question, cell))
        peers.append(peer)
    for peer in peers[:leave]:
        await peer.socket.close()
    peers += [await join(url, Hello(name=f"idle{i}")) for i in range(idle)]
    await host.socket.close()
    return peers


async def test_presenter_mode_keeps_the_bars_off_until_reveal(hub):
    await crowd(hub.url, SPECTRUM, [3, 4, 4, 2, 5], leave=2, idle=1)
    host = HostApp(hub.url, HOST_TOKEN, ["10.0.0.5:8765"], presenter=True)
    async with host.run_test(size=(100, 30)) as hp:
        await until(hp, lambda: host.view.joined == 6 and host.view.turnout.connected == 4)
        # Of the four here, three voted and one has not; two who voted have left (their votes stay counted).
        await until(hp, lambda: "3 of 4 here have voted" in text_of(host, "#progress"))
        assert "1 yet to vote" in text_of(host, "#progress") and "+2 from people who left" in text_of(host, "#progress")
        assert not shown(host, TallyChart), "no bars on the big screen before reveal"
        assert "Co-production and citizen involvement" in text_of(host, "#title")
        assert "4 connected now" in text_of(host, "#people")
        # the join panel folds to one line once people have joined
        assert "\n" not in text_of(host, "#join-how").strip()
        await hp.press("r")
        await until(hp, lambda: shown(host, TallyChart))
        assert not host.screen.query_one("#progress").display
        (chart,) = shown(host, TallyChart)
        assert chart.counts == (0, 0, 1, 1, 2, 1)
        await hp.press("r")
        await until(hp, lambda: not shown(host, TallyChart))
        await hp.press("p")  # the question before takes written answers: kept back too, with how many
        await until(hp, lambda: host.view.state.current == 0)
        await hp.pause(0.1)
        assert "hidden until they are revealed" in text_of(host, "#progress") and "voted" not in text_of(
            host, "#progress"
        )
        await hp.press("n")
        await until(hp, lambda: host.view.state.current == SPECTRUM and not shown(host, TallyChart))
        await hp.press("v")  # presenter mode off: live bars again, hidden from participants or not
        await until(hp, lambda: shown(host, TallyChart))
        assert "3 of 4 here have voted" in text_of(host, "#state")


async def test_sections_show_on_the_dashboard_and_the_participants_status_line(hub):
    host, ann = HostApp(hub.url, HOST_TOKEN), ParticipantApp(hub.url, "Ann")
    async with host.run_test(size=(100, 30)) as hp, ann.run_test(size=(100, 40)) as ap:
        await until(hp, lambda: host.view.turnout is not None and host.view.turnout.connected == 1)
        assert text_of(host, "#question").startswith("WHAT?")
        await until(ap, lambda: "WHAT?" in text_of(ann, "#status"))
        await hp.press("n", "n")  # the opportunity question opens the WHEN? section
        await until(ap, lambda: ann.view.state.current == 2 and "WHEN?" in text_of(ann, "#status"))
        await until(hp, lambda: text_of(host, "#question").startswith("WHEN?"))
        await ap.press("6")  # highlighting a position shows its group's organisation statement
        await until(ap, lambda: "The organisation and the people make decisions together" in text_of(ann, "#help"))
        assert "doing with" in text_of(ann, "#help")


async def test_a_case_study_s_points_open_with_d():
    workshop = builtin_deck("workshop")
    case = next(i for i, q in enumerate(workshop.questions) if q.prompt.startswith("Case study: Mobiliti"))
    async with running_hub(Session(workshop, HOST_TOKEN, counting_tokens())) as running:
        host, ann = HostApp(running.url, HOST_TOKEN), ParticipantApp(running.url, "Ann")
        async with host.run_test(size=(100, 30)) as hp, ann.run_test(size=(100, 40)) as ap:
            await until(hp, lambda: host.view.turnout is not None and host.view.turnout.connected == 1)
            await hp.press(*["n"] * case)
            await until(ap, lambda: ann.view.state.current == case and shown(ann, BoardPicker))
            assert "Pittsburgh" in text_of(host, "#details"), "the room sees the points on the dashboard"
            details = ann.screen.query_one("#details")
            assert not details.display
            await ap.press("d")
            await until(ap, lambda: details.display)
            assert "nearly 200 attendees" in text_of(ann, "#details")
            await ap.press("d")
            await until(ap, lambda: not details.display)


@pytest.fixture
async def workshop_hub():
    async with running_hub(Session(builtin_deck("workshop"), HOST_TOKEN, counting_tokens())) as running:
        yield running


def question_index(prompt: str) -> int:
    return next(i for i, q in enumerate(builtin_deck("workshop").questions) if q.prompt == prompt)


async def test_choose_up_to_two_values(workshop_hub):
    strongest = question_index("Which value is strongest in your work today?")
    host, ann = HostApp(workshop_hub.url, HOST_TOKEN), ParticipantApp(workshop_hub.url, "Ann")
    async with host.run_test(size=(100, 30)) as hp, ann.run_test(size=(100, 40)) as ap:
        await until(hp, lambda: host.view.turnout is not None and host.view.turnout.connected == 1)
        await hp.press(*["n"] * strongest)
        await until(ap, lambda: ann.view.state.current == strongest and shown(ann, BoardPicker))
        assert "Choose up to 2" in text_of(ann, "#feedback")
        await ap.press("1", "enter")
        await until(hp, lambda: shown(host, TallyChart) and shown(host, TallyChart)[0].counts == (1, 0, 0, 0, 0))
        await ap.press("3", "enter")
        await until(hp, lambda: shown(host, TallyChart)[0].counts == (1, 0, 1, 0, 0))
        await until(hp, lambda: shown(host, TallyChart)[0].people == 1 and host.view.turnout.voted == 1)
        await until(
            ap,
            lambda: (
                "Value all participants, and build on their strengths + Do what matters" in text_of(ann, "#feedback")
            ),
        )
        await ap.press("4", "enter")  # a third is one too many: the hub says so, and nothing changes
        await until(ap, lambda: "too many positions: the most is 2" in text_of(ann, "#feedback"))
        assert read_models.tally(workshop_hub.session, strongest).counts == (1, 0, 1, 0, 0)
        await ap.press("1", "enter")  # taken out again
        await until(hp, lambda: shown(host, TallyChart)[0].counts == (0, 0, 1, 0, 0))
        assert "1 of 1 here have voted" in text_of(host, "#state")


async def test_the_movement_view_counts_known_moves_and_each_person_sees_their_own(hub):
    work, opportunity = 1, 2
    pairs = [(3, 5), (3, 3), (4, 2), (1, 5), (2, None), (None, 5)]  # (before, after); None: did not answer
    host_peer = await join_host(hub.url)
    peers = [await join(hub.url, Hello(name=f"p{i}")) for i in range(len(pairs))]
    for side, question in enumerate((work, opportunity)):
        await host_peer.request(lambda seq, question=question: Command(seq, Action.GOTO, question))
        for peer, pair in zip(peers, pairs, strict=True):
            if pair[side] is not None:
                await peer.request(lambda seq, question=question, cell=pair[side]: Vote(seq, question, cell))
    await host_peer.request(lambda seq: Command(seq, Action.GOTO, work))
    host, ann = HostApp(hub.url, HOST_TOKEN), ParticipantApp(hub.url, "Ann")
    async with host.run_test(size=(110, 50)) as hp, ann.run_test(size=(100, 40)) as ap:
        await until(ap, lambda: ann.view.state is not None and shown(ann, BoardPicker))
        await ap.press("4", "enter")  # Ann's work lives at consultation...
        await until(ap, lambda: ann.view.my_vote() == 3)
        await hp.press("n")
        await until(ap, lambda: ann.view.state.current == opportunity)
        await ap.press("6", "enter")  # ...and her opportunity is co-production
        await until(hp, lambda: host.view.current_movement is not None and host.view.current_movement.people == 5)
        (view,) = shown(host, MovementChart)
        await until(hp, lambda: view.movement is not None and view.movement.people == 5)
        movement = view.movement
        assert (movement.towards, movement.stayed, movement.away) == (3, 1, 1)
        assert movement.by_steps() == {-2: 1, 0: 1, 2: 2, 4: 1}
        assert movement.count(3, 5) == 2 and movement.count(4, 2) == 1
        drawn = str(view.render())
        assert "Of 5 who answered both: 3 moved towards doing with, 1 stayed, 1 moved away" in drawn
        assert not ann.screen.query_one("#move").display, "her own move shows once results are revealed"
        await hp.press("r")
        await until(ap, lambda: ann.screen.query_one("#move").display)
        assert "consultation → co-production / involvement: 2 steps towards doing with" in text_of(ann, "#move")
