"""What a newcomer found running a whole workshop on the faces: quick keys, the projected wall, small screens.

Driven with Pilot against a real hub in the same event loop.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual import events

from coproterm.core import read_models
from coproterm.core.deck import builtin_deck
from coproterm.core.refusals import Refusal
from coproterm.core.session import Session
from coproterm.tui.host.app import HostApp
from coproterm.tui.participant.app import ParticipantApp
from coproterm.tui.participant.vote_screen import VoteScreen
from coproterm.tui.textual_private import driver_of
from coproterm.tui.widgets.board import BoardPicker
from tests.conftest import HOST_TOKEN, counting_tokens
from tests.facekit import shown, until
from tests.hubkit import running_hub
from tests.textualkit import Toast, ToastRack


@pytest.fixture
async def workshop_hub():
    async with running_hub(Session(builtin_deck("workshop"), HOST_TOKEN, counting_tokens())) as running:
        yield running


def burst(app, *keys: str) -> None:
    """Keys as a fast typist or a pasted burst sends them: all queued at once, none waiting for the hub."""
    for key in keys:
        event = events.Key(key, key if len(key) == 1 else None)
        event.set_sender(app)
        driver_of(app).send_message(event)


def question_index(prompt: str) -> int:
    return next(i for i, q in enumerate(builtin_deck("workshop").questions) if q.prompt == prompt)


async def test_two_picks_pressed_in_one_burst_are_both_counted(workshop_hub):
    strongest = question_index("Which value is strongest in your work today?")
    host, ann = HostApp(workshop_hub.url, HOST_TOKEN), ParticipantApp(workshop_hub.url, "Ann")
    votes: dict[int, VoteScreen.VoteChosen] = {}  # by identity: the hook sees a message again as it bubbles to the app

    def hook(message) -> None:
        if isinstance(message, VoteScreen.VoteChosen):
            votes[id(message)] = message

    async with host.run_test(size=(100, 30)) as hp, ann.run_test(size=(80, 24), message_hook=hook) as ap:
        await until(hp, lambda: host.view.turnout is not None and host.view.turnout.connected == 1)
        await hp.press(*["n"] * strongest)
        await until(ap, lambda: ann.view.state.current == strongest and shown(ann, BoardPicker))
        burst(ann, "enter", "right", "right", "right", "enter")  # no pause: the first pick is still in flight
        await until(ap, lambda: len(votes) == 2 and not ann.view.pending)
        assert read_models.tally(workshop_hub.session, strongest).counts == (1, 0, 0, 1, 0)
        assert ann.view.my_vote() == 0b01001
        (picker,) = shown(ann, BoardPicker)
        assert picker.chosen == 0b01001
        burst(ann, "1", "enter", "4", "enter")  # both taken out again, just as quickly
        await until(ap, lambda: len(votes) == 4 and not ann.view.pending)
        assert read_models.tally(workshop_hub.session, strongest).counts == (0, 0, 0, 0, 0)
        assert ann.view.my_vote() is None


def test_a_late_answer_to_an_older_pick_does_not_undo_a_newer_one():
    from coproterm.core.hub_messages import Ack, Error
    from coproterm.core.view import SessionView
    from coproterm.core.wire_terms import ErrorCode

    view = SessionView()
    view.sent(1, 3, 0b001)
    view.sent(2, 3, 0b011)
    assert view.latest_vote(3) == 0b011, "the next pick builds on the set still on its way"
    view.apply(Ack(2))
    view.apply(Ack(1))  # out of order: the older set must not come back
    assert view.my_vote(3) == 0b011
    view.sent(3, 3, 0b111)
    view.apply(Error(3, ErrorCode.BAD_CHOICE, Refusal.TOO_MANY_PICKS, (2,)))
    assert view.latest_vote(3) == view.my_vote(3) == 0b011, "a refusal leaves the accepted set"


async def test_a_hidden_answer_leaves_the_projected_wall_and_the_counts_agree():
    from coproterm.core.client_messages import Answer, Hello
    from coproterm.tui.widgets.wall import AnswerWall
    from tests.facekit import text_of
    from tests.hubkit import join

    words = ["Trust", "Time", "Listening", "Honesty", "Budgets", "Sharing power"]
    async with running_hub() as hub:
        people = [await join(hub.url, Hello(name=f"p{n}")) for n in range(len(words))]
        for word, peer in zip(words, people, strict=True):
            await peer.request(lambda seq, word=word: Answer(seq, 0, 0, word))
        host = HostApp(hub.url, HOST_TOKEN)
        async with host.run_test(size=(100, 30)) as hp:
            await until(hp, lambda: len(host.view.written.host_answers) == len(words))
            wall = host.screen.query_one(AnswerWall)
            wall.focus()
            await hp.press("up")
            assert wall.selected.text == "Sharing power"
            await hp.press("h")
            await until(hp, lambda: "5 answers" in str(wall.render()))
            drawn = str(wall.render())
            assert "Sharing power" not in drawn, "a hidden answer's words are not projected"
            assert "hidden" not in drawn.split("H: hidden answers")[-1], "nor any trace of it on the projected wall"
            assert "(1 hidden)" not in drawn
            assert "answers: 5" in text_of(host, "#state") and "hidden)" not in text_of(host, "#state")
            # The facilitator's own view (H) reads the hidden answer, marked, and shows it again.
            await hp.press("H")
            await until(hp, lambda: "(1 hidden)" in str(wall.render()))
            await until(hp, lambda: "(1 hidden)" in text_of(host, "#state"))
            drawn = str(wall.render())
            assert "Sharing power  (hidden)" in drawn
            await hp.press("up", "up", "up", "up", "up", "up")
            assert wall.selected.text == "Sharing power" and wall.selected.hidden
            await hp.press("h")
            await hp.press("H")
            await until(hp, lambda: "Sharing power" in str(wall.render()))
            assert "answers: 6" in text_of(host, "#state")
        for peer in people:
            await peer.socket.close()


async def test_the_answer_box_stays_in_view_when_the_terminal_turns_out_small():
    """An SSH terminal tells its real size after the first question is drawn: the note must give way then."""
    from textual.geometry import Size

    from coproterm.tui.widgets.answer_box import AnswerBox

    async with running_hub() as hub:
        ann = ParticipantApp(hub.url, "Ann")
        async with ann.run_test(size=(80, 24)) as ap:
            await until(ap, lambda: ann.view.state is not None and shown(ann, AnswerBox))
            assert ann.screen.query_one("#note").display, "room for the question's note at 80x24"
            await ap.resize_terminal(40, 12)
            await until(ap, lambda: ann.size == Size(40, 12) and not ann.screen.query_one("#note").display)
            await ap.pause()
            box = ann.screen.query_one("#answer-text")
            screen = ann.screen.region
            assert screen.contains_region(box.region) and box.region.height > 0, "the box is on screen"
            assert screen.contains_region(ann.screen.query_one("#prompt").region)


async def test_once_the_session_ends_the_participant_sees_the_ending_plainly_and_can_only_leave():
    from coproterm.client.link import Phase
    from coproterm.core.client_messages import Command
    from coproterm.core.wire_terms import Action
    from coproterm.tui.widgets.keybar import KeyBar
    from tests.facekit import text_of
    from tests.hubkit import join_host

    async with running_hub() as hub:
        ann = ParticipantApp(hub.url, "Ann")
        async with ann.run_test(size=(80, 24)) as ap:
            host = await join_host(hub.url)
            await host.request(lambda seq: Command(seq, Action.GOTO, 1))
            await host.request(lambda seq: Command(seq, Action.REVEAL, 1))
            await until(ap, lambda: ann.view.state is not None and ann.view.state.revealed and shown(ann, BoardPicker))
            await hub.hub.end()
            await until(ap, lambda: ann.link_status.phase is Phase.STOPPED)
            await ap.pause()
            status = text_of(ann, "#status")
            assert "the session has ended; thank you" in status
            assert "question" not in status and "open" not in status and "results shown" not in status
            assert not shown(ann, BoardPicker)
            keys = ann.screen.query_one(KeyBar).shown
            assert "cast vote" not in keys and "clear vote" not in keys and "leave" in keys
            await host.socket.close()


async def test_the_answer_feedback_counts_in_words_not_brackets():
    from coproterm.tui.widgets.answer_box import AnswerBox
    from tests.facekit import text_of, type_answer

    async with running_hub() as hub:
        ann = ParticipantApp(hub.url, "Ann")
        async with ann.run_test(size=(80, 24)) as ap:
            await until(ap, lambda: ann.view.state is not None and shown(ann, AnswerBox))
            await type_answer(ap, "Trust")
            await until(ap, lambda: "1 answer in" in text_of(ann, "#feedback"))
            assert "(s)" not in text_of(ann, "#feedback")
            await type_answer(ap, "Time")
            await until(ap, lambda: "2 answers in" in text_of(ann, "#feedback"))


def test_a_case_study_note_never_miscounts_its_points():
    import re

    from coproterm.core.deck import BUILTIN_DECKS

    numbers = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6}
    for name in BUILTIN_DECKS:
        for question in builtin_deck(name).questions:
            said = re.search(r"\b(\w+) points\b", question.note)
            if said and said.group(1) in numbers:
                assert numbers[said.group(1)] == len(question.details), question.prompt


async def test_at_80_columns_the_dashboard_keeps_presenter_the_whole_ssh_command_and_its_fingerprint():
    from coproterm.core.client_messages import Hello
    from coproterm.tui.host.qr_screen import QRScreen
    from coproterm.tui.widgets.keybar import KeyBar
    from tests.facekit import text_of
    from tests.hubkit import join

    fingerprint = "SHA256:Xq3b9m0rTzQ1uYk2vW8sE4pL6nA7cD5fG0hJ1kM2oP4"
    async with running_hub() as hub:
        host = HostApp(hub.url, HOST_TOKEN, ["192.0.2.2:8765"], ssh=("ssh -p 12222 192.0.2.2", fingerprint))
        async with host.run_test(size=(80, 24)) as hp:
            await until(hp, lambda: host.view.state is not None)
            await hp.pause()
            assert "presenter" in str(host.screen.query_one(KeyBar).render()), "on a text question"
            ann = await join(hub.url, Hello(name="Ann"))
            await until(hp, lambda: host.view.joined == 1)
            await hp.press("n")
            await until(hp, lambda: host.view.state.current == 1)
            await hp.pause()
            assert "presenter" in str(host.screen.query_one(KeyBar).render()), "on a board"
            lines = text_of(host, "#join-how").splitlines()
            assert any("ssh -p 12222 YOURNAME@192.0.2.2" in line for line in lines), lines
            joined_up = " ".join(line.strip() for line in lines)
            assert fingerprint in joined_up or fingerprint in joined_up.replace(" ", ""), lines
            await hp.press("c")
            await until(hp, lambda: isinstance(host.screen, QRScreen))
            assert fingerprint in "".join(str(w.render()) for w in host.screen.query("Static")).replace("\n", "")
            await ann.socket.close()


def fully_visible(app, widget) -> bool:
    """Whether ``widget`` is drawn whole on the screen, not scrolled or cut away."""
    region = widget.region
    room = app.screen.query_one("#body").region  # inside the scrolling body, not under the bars around it
    return region.height > 0 and room.contains_region(region)


async def test_at_100x30_the_dashboard_shows_every_position_before_the_case_s_points_and_says_when_there_is_more(
    workshop_hub,
):
    from coproterm.tui.widgets.tally import TallyChart
    from tests.facekit import text_of

    case = question_index("Case study: Active Travel. Where would you place this on the spectrum?")
    host = HostApp(workshop_hub.url, HOST_TOKEN)
    async with host.run_test(size=(100, 30)) as hp:
        await until(hp, lambda: host.view.state is not None)
        await hp.press(*["n"] * case)
        await until(hp, lambda: host.view.state.current == case and shown(host, TallyChart))
        await hp.pause()
        (chart,) = shown(host, TallyChart)
        assert fully_visible(host, chart), "every position of the board, first"
        body = host.screen.query_one("#body")
        assert body.max_scroll_y > 0, "the case's points are below the results"
        assert "more" in text_of(host, "#more") and host.screen.query_one("#more").display
        await hp.press("pagedown")
        await until(hp, lambda: body.scroll_y == body.max_scroll_y)
        await hp.pause()
        assert not host.screen.query_one("#more").display, "nothing more below once at the bottom"


async def test_at_80x24_a_participant_s_own_move_is_in_view_once_revealed(workshop_hub):
    from coproterm.core.client_messages import Command
    from coproterm.core.wire_terms import Action
    from tests.facekit import text_of
    from tests.hubkit import join_host

    opportunity = question_index("Where do you have a new opportunity to co-produce?")
    work = opportunity - 1
    ann = ParticipantApp(workshop_hub.url, "Ann")
    async with ann.run_test(size=(80, 24)) as ap:
        host = await join_host(workshop_hub.url)
        await until(ap, lambda: ann.view.state is not None)
        await host.request(lambda seq: Command(seq, Action.GOTO, work))
        await until(ap, lambda: ann.view.state.current == work and shown(ann, BoardPicker))
        await ap.press("2", "enter")
        await until(ap, lambda: ann.view.my_vote() == 1)
        await host.request(lambda seq: Command(seq, Action.GOTO, opportunity))
        await until(ap, lambda: ann.view.state.current == opportunity and shown(ann, BoardPicker))
        await ap.press("5", "enter")
        await until(ap, lambda: ann.view.my_vote() == 4)
        await host.request(lambda seq: Command(seq, Action.REVEAL, opportunity))
        await until(ap, lambda: ann.screen.query_one("#move").display and "Your move" in text_of(ann, "#move"))
        await ap.pause()
        assert fully_visible(ann, ann.screen.query_one("#move"))
        await host.socket.close()


async def test_at_40x12_labels_and_the_answer_box_s_hint_are_never_cut_mid_word(workshop_hub):
    import re

    from textual.widgets import Input

    from coproterm.core.client_messages import Command
    from coproterm.core.wire_terms import Action
    from coproterm.tui.widgets.answer_box import AnswerBox
    from tests.hubkit import join_host

    strongest = question_index("Which value is strongest in your work today?")
    deck = builtin_deck("workshop")
    ann = ParticipantApp(workshop_hub.url, "Ann")
    async with ann.run_test(size=(40, 12)) as ap:
        await until(ap, lambda: ann.view.state is not None and shown(ann, AnswerBox))
        box = ann.screen.query_one("#answer-text", Input)
        await until(ap, lambda: box.content_size.width and len(box.placeholder) <= box.content_size.width)
        host = await join_host(workshop_hub.url)
        await host.request(lambda seq: Command(seq, Action.GOTO, strongest))
        await until(ap, lambda: ann.view.state.current == strongest and shown(ann, BoardPicker))
        await ap.pause()
        (picker,) = shown(ann, BoardPicker)
        drawn = str(picker.render()).splitlines()
        for index, position in enumerate(deck.questions[strongest].x.positions):
            if index == picker.cursor:  # the highlighted one whole, over as many lines as it takes
                assert position.label in " ".join(" ".join(drawn).split()), drawn
                continue
            (line,) = [line for line in drawn if position.label[:10] in line]
            kept = re.sub(r"^\D*\d+ ", "", line).rstrip()
            assert kept == position.label or (kept.endswith("…") and position.label.startswith(kept[:-1])), line
            if kept.endswith("…"):
                assert position.label[len(kept) - 1] in " ,;:", f"cut at a word: {line}"
        await host.socket.close()


async def test_at_80x24_the_export_popup_never_splits_a_file_name():
    names = ["2026-11-27-1425-co-production-workshop.cy.html", "2026-11-27-1425-co-production-workshop.csv"]
    folder = Path("/home/sam/.local/share/coproterm/exports")  # a facilitator's, not a test runner's longer one
    written = [folder / name for name in names]
    async with running_hub() as hub:
        host = HostApp(hub.url, HOST_TOKEN, exporter=lambda: written)
        async with host.run_test(size=(80, 24), notifications=True) as hp:
            await until(hp, lambda: host.view.state is not None)
            await hp.press("e")
            rack = host.screen.get_child_by_type(ToastRack)
            await until(hp, lambda: rack.query(Toast))
            await hp.pause()
            (toast,) = rack.query(Toast)
            lines = [strip.text.strip() for strip in toast.render_lines(toast.region.reset_offset)]
            for name in names:
                assert any(name in line for line in lines), lines
            assert str(folder) in "".join(lines), "the folder, once"


async def test_over_ssh_at_40x12_the_answer_box_is_on_screen(tmp_path):
    import asyncio

    from coproterm.server.hub_runner import HubRunner, SSHOptions
    from tests.sshkit import asyncssh_client, ssh_binary

    ssh_binary()
    session = Session(builtin_deck("workshop"), HOST_TOKEN, counting_tokens())
    runner = HubRunner(session, HOST_TOKEN, "127.0.0.1", 0, ssh=SSHOptions(port=0, key_dir=tmp_path, workers=0))
    async with runner as hosted:
        conn, _channel, screen = await asyncssh_client(hosted.ssh_port, size=(40, 12))
        await screen.expect("co-production mean")
        (live,) = runner.gateway._live.values()
        app = live.app
        async with asyncio.timeout(20):
            while not (app.screen.query("#answer-text") and app.screen.query_one("#answer-text").region.height):
                await asyncio.sleep(0.05)
            await asyncio.sleep(0.2)
        assert tuple(app.size) == (40, 12)
        assert not app.screen.query_one("#note").display, "the note gives way on a small terminal"
        box = app.screen.query_one("#answer-text")
        assert app.screen.query_one("#body").region.contains_region(box.region), box.region
        conn.close()


async def test_the_room_s_words_are_drawn_again_when_the_answer_box_narrows():
    """A scrollbar appearing (the wall itself makes the screen scroll) narrows the box with no word from the hub."""
    from coproterm.core.client_messages import Answer, Command, Hello
    from coproterm.core.wire_terms import Action
    from coproterm.tui.widgets.answer_box import AnswerBox
    from tests.hubkit import join, join_host

    answers = ["sharing power working together ŵŷâ", "working together with trust and time", "listening and sharing"]
    async with running_hub() as hub:
        people = [await join(hub.url, Hello(name=f"p{n}")) for n in range(len(answers))]
        for text, peer in zip(answers, people, strict=True):
            await peer.request(lambda seq, text=text: Answer(seq, 0, 0, text))
        ann = ParticipantApp(hub.url, "Ann")
        async with ann.run_test(size=(80, 24)) as ap:
            await until(ap, lambda: ann.view.state is not None and shown(ann, AnswerBox))
            host = await join_host(hub.url)
            await host.request(lambda seq: Command(seq, Action.REVEAL, 0))
            wall = ann.screen.query_one("#answer-wall")
            await until(ap, lambda: wall.display and ann.view.written.words)
            await ap.pause()
            ann.screen.query_one(AnswerBox).styles.width = 44
            await until(ap, lambda: wall.content_size.width == 44)
            await ap.pause()
            drawn = wall._shown  # the Text as shown
            words = drawn.plain.split("\n\n")[0].splitlines()[1:]  # the word lines, under their heading
            assert all(len(line.rstrip()) <= 44 for line in words), words
            await host.socket.close()
        for peer in people:
            await peer.socket.close()
