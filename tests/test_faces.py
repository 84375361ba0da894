"""The faces, driven with Pilot against a real hub in the same event loop."""

from __future__ import annotations

import pytest

from coproterm.client.link import Phase
from coproterm.core import read_models
from coproterm.core.client_messages import Command
from coproterm.core.wire_terms import Action, CloseCode, ErrorCode, Role
from coproterm.tui.host.app import HostApp
from coproterm.tui.hub_app import LANGUAGE_LABEL
from coproterm.tui.participant.app import ParticipantApp
from coproterm.tui.widgets.answer_box import AnswerBox
from coproterm.tui.widgets.board import BoardPicker
from coproterm.tui.widgets.keybar import KeyBar
from coproterm.tui.widgets.tally import TallyChart
from tests.conftest import HOST_TOKEN
from tests.facekit import COMPLEXITY, GRID, SPECTRUM, hub_sockets, read_qr, shown, text_of, until
from tests.hubkit import join_host, running_hub


def connected(app):
    """Participants connected, as the host's dashboard knows it."""
    return app.view.turnout.connected if app.view.turnout is not None else None


def chart_counts(app):
    (chart,) = app.screen.query(TallyChart)
    return chart.counts


@pytest.fixture
async def hub():
    async with running_hub() as running:
        yield running


async def test_a_vote_cast_and_changed_shows_on_the_host(hub):
    host, ann = HostApp(hub.url, HOST_TOKEN, ["10.0.0.5:8765"]), ParticipantApp(hub.url, "Ann")
    async with host.run_test(size=(80, 24)) as hp, ann.run_test(size=(80, 24)) as ap:
        await until(hp, lambda: connected(host) == 1)
        assert "coproterm join 10.0.0.5:8765" in text_of(host, "#join-how")
        assert "1 connected" in text_of(host, "#people")
        await hp.press("n")
        await until(ap, lambda: ann.view.state.current == SPECTRUM and shown(ann, BoardPicker))
        await ap.press("4", "enter")
        await until(hp, lambda: chart_counts(host) == (0, 0, 0, 1, 0, 0))
        await until(ap, lambda: "Your vote is counted: consultation" in text_of(ann, "#feedback"))
        await ap.press("right", "enter")
        await until(hp, lambda: chart_counts(host) == (0, 0, 0, 0, 1, 0))
        assert "1 of 1 here have voted" in text_of(host, "#state") and "1 connected now" in text_of(host, "#people")
        await ap.press("backspace")
        await until(hp, lambda: chart_counts(host) == (0,) * 6)


async def test_lock_stops_votes_and_says_so(hub):
    host, ann = HostApp(hub.url, HOST_TOKEN), ParticipantApp(hub.url)
    async with host.run_test() as hp, ann.run_test() as ap:
        await until(hp, lambda: connected(host) == 1)
        await hp.press("n", "l")
        await until(ap, lambda: ann.view.state.current == SPECTRUM and not ann.view.state.open)
        # The screens say so once they have drawn the new state (a busy machine: a moment after the view has it).
        await until(hp, lambda: "LOCKED" in text_of(host, "#state"))
        await until(ap, lambda: "locked" in text_of(ann, "#status") and "Voting is locked" in text_of(ann, "#feedback"))
        await ap.press("2", "enter")

        await until(ap, lambda: ann.view.refusal is not None)
        assert "locked" in text_of(ann, "#feedback")
        assert read_models.tally(hub.session, SPECTRUM).counts == (0,) * 6
        await hp.press("l")
        await until(ap, lambda: ann.view.state.open)
        await ap.press("enter")
        await until(hp, lambda: chart_counts(host) == (0, 1, 0, 0, 0, 0))


async def test_results_reach_participants_only_when_revealed(hub):
    host, ann = HostApp(hub.url, HOST_TOKEN), ParticipantApp(hub.url)
    async with host.run_test() as hp, ann.run_test(size=(100, 40)) as ap:
        await until(hp, lambda: connected(host) == 1)
        await hp.press("n", "n", "n")
        await until(ap, lambda: ann.view.state.current == COMPLEXITY and shown(ann, BoardPicker))
        await ap.press("3", "enter")
        await until(hp, lambda: chart_counts(host) == (0, 0, 1, 0))
        assert not shown(ann, TallyChart), "hidden until the host reveals"
        await hp.press("r")
        await until(ap, lambda: shown(ann, TallyChart))
        assert chart_counts(ann) == (0, 0, 1, 0)
        assert "REVEALED" in text_of(host, "#state")
        await hp.press("r")
        await until(ap, lambda: not shown(ann, TallyChart))


async def test_the_board_follows_the_host_through_every_kind_of_question(hub):
    """One picker and one chart serve every question: each shows the new board, the cursor on the vote."""
    host, ann = HostApp(hub.url, HOST_TOKEN), ParticipantApp(hub.url)
    async with host.run_test() as hp, ann.run_test(size=(100, 40)) as ap:
        await until(hp, lambda: connected(host) == 1)
        assert not shown(ann, BoardPicker), "the opening discussion has no board"
        assert ann.screen.query_one(KeyBar).shown == ("leave", "plain mode", "keep my answers", LANGUAGE_LABEL), (
            "no keys for a board that is not there"
        )
        await hp.press("n", "r")
        await until(ap, lambda: ann.view.state.current == SPECTRUM and shown(ann, TallyChart))
        await ap.press("5", "enter")
        await until(ap, lambda: ann.view.my_vote() == 4)
        assert "participation" in text_of(ann, "BoardPicker") and "doing with" in text_of(ann, "TallyChart")
        await hp.press("n", "n")
        # The view moves first; the screen redraws on the message that follows (under load, a moment later).
        await until(ap, lambda: ann.view.state.current == COMPLEXITY and "chaotic" in text_of(ann, "BoardPicker"))
        assert shown(ann, BoardPicker) and not shown(ann, TallyChart), "not revealed on this one"
        assert "chaotic" in text_of(ann, "BoardPicker") and "participation" not in text_of(ann, "BoardPicker")
        assert ann.screen.query_one(BoardPicker).has_focus
        assert ann.screen.query_one(KeyBar).shown == (  # no vote to clear yet
            "cast vote",
            "leave",
            "plain mode",
            "keep my answers",
            LANGUAGE_LABEL,
        )
        await ap.press("2", "enter")
        await until(hp, lambda: chart_counts(host) == (0, 1, 0, 0))
        await hp.press("n", "n")
        # As above, the screen redraws a moment after the view moves: the answer box shows in that redraw.
        await until(ap, lambda: ann.view.state.current == GRID + 1 and shown(ann, AnswerBox))
        assert not shown(ann, BoardPicker), "a text question: no board, and no keys to a hidden one"
        # The box takes the keys once it is drawn (after the refresh that shows it).
        await until(ap, lambda: ann.screen.focused is ann.screen.query_one("#answer-text"))
        await hp.press("p", "p", "p", "p")
        await until(ap, lambda: ann.view.state.current == SPECTRUM and shown(ann, TallyChart))
        picker = ann.screen.query_one(BoardPicker)
        assert picker.cursor == picker.chosen == 4, "back on the vote cast here before"
        assert len(ann.screen.query(BoardPicker)) == len(ann.screen.query(TallyChart)) == 1
        await ap.press("left", "enter")
        await until(hp, lambda: chart_counts(host) == (0, 0, 0, 1, 0, 0))


async def test_a_click_on_a_key_in_the_key_bar_presses_it(hub):
    ann = ParticipantApp(hub.url)
    async with ann.run_test(size=(80, 24)) as ap:
        host = await join_host(hub.url)
        await host.request(lambda s: Command(s, Action.GOTO, SPECTRUM))
        await until(ap, lambda: ann.view.state.current == SPECTRUM and shown(ann, BoardPicker))
        await ap.press("3")
        await ap.click(KeyBar, offset=(3, 0))  # " ⏎ cast vote "
        await until(ap, lambda: ann.view.my_vote() == 2)
        await ap.click(KeyBar, offset=(16, 0))  # " ⌫ clear vote "
        await until(
            ap, lambda: ann.view.my_vote() is None and read_models.tally(hub.session, SPECTRUM).counts == (0,) * 6
        )


async def test_grid_is_navigated_in_two_dimensions(hub):
    host, ann = HostApp(hub.url, HOST_TOKEN), ParticipantApp(hub.url)
    async with host.run_test() as hp, ann.run_test(size=(80, 24)) as ap:
        await until(hp, lambda: connected(host) == 1)
        await hp.press("n", "n", "n", "n")
        await until(ap, lambda: ann.view.state.current == GRID and shown(ann, BoardPicker))
        await ap.press("right", "right", "down", "down", "down", "left", "enter")
        # column 2 (education / persuasion), row 4 (chaotic): cell 3 * 6 + 1
        await until(ap, lambda: ann.view.my_vote() == 19)
        assert "education / persuasion · chaotic" in text_of(ann, "#feedback")
        await until(hp, lambda: chart_counts(host)[19] == 1)
        await ap.press("6", "up", "enter")
        await until(hp, lambda: chart_counts(host)[17] == 1 and chart_counts(host)[19] == 0)


async def test_a_dropped_connection_comes_back_with_its_vote(hub):
    ann = ParticipantApp(hub.url, "Ann")
    async with ann.run_test() as ap:
        await until(ap, lambda: ann.view.state is not None)
        host = await join_host(hub.url)
        await host.request(lambda seq: Command(seq, Action.GOTO, SPECTRUM))
        await until(ap, lambda: ann.view.state.current == SPECTRUM and shown(ann, BoardPicker))
        await ap.press("6", "enter")
        await until(ap, lambda: ann.view.my_vote() == 5)
        for conn, socket in hub_sockets(hub).items():
            if hub.session.role(conn) is Role.PARTICIPANT:
                await socket.close(1011, "pulled the cable")
        await until(ap, lambda: ann.link_status.phase is not Phase.OPEN)
        await until(
            ap,
            lambda: ann.link_status.phase is Phase.OPEN and ann.view.state is not None,
            timeout=8,
        )
        assert len(hub.session.participants) == 1, "the same participant, not a new one"
        assert ann.view.my_vote() == 5
        assert read_models.tally(hub.session, SPECTRUM).counts[5] == 1
        await until(ap, lambda: "Your vote is counted" in text_of(ann, "#feedback"))


async def test_a_wrong_address_goes_back_to_the_address_box_and_q_then_quits():
    ann = ParticipantApp("ws://127.0.0.1:9", "Ann", discover=False)
    async with ann.run_test() as ap:
        await until(ap, lambda: type(ann.screen).__name__ == "FindScreen")
        assert ann.link_status.phase is Phase.STOPPED, "no retrying an address that never answered"
        assert "nothing is listening" in text_of(ann, "#problem")
        assert ann.screen.query_one("#address").value == "127.0.0.1:9", "there to correct"
        await ap.press("end", "q")
        assert ann.screen.query_one("#address").value == "127.0.0.1:9q", "q types while there is an address"
        await ap.press("ctrl+u", "q")
        await until(ap, lambda: ann.return_code is not None)


async def test_a_hub_that_stops_after_answering_is_tried_again(hub):
    ann = ParticipantApp(hub.url, "Ann")
    async with ann.run_test() as ap:
        await until(ap, lambda: ann.view.state is not None)
        for socket in hub_sockets(hub).values():
            await socket.close(CloseCode.GOING_AWAY, "")
        await until(ap, lambda: ann.link_status.phase is Phase.WAITING)
        assert "trying again" in text_of(ann, "#status")
        assert type(ann.screen).__name__ == "VoteScreen"


async def test_a_hub_of_another_version_is_a_clear_final_message(hub, monkeypatch):
    import coproterm.core.session as session_module

    monkeypatch.setattr(session_module, "PROTOCOL_VERSION", 99)
    ann = ParticipantApp(hub.url)
    async with ann.run_test() as ap:
        await until(ap, lambda: ann.link_status.phase is Phase.STOPPED)
        assert "protocol version 99" in text_of(ann, "#status")
        assert "Press r to try again" in text_of(ann, "#feedback")


async def test_quitting_with_participants_asks_first(hub):
    host, ann = HostApp(hub.url, HOST_TOKEN), ParticipantApp(hub.url)
    async with host.run_test() as hp, ann.run_test():
        await until(hp, lambda: connected(host) == 1)
        await hp.press("q")
        await until(hp, lambda: type(host.screen).__name__ == "ConfirmScreen")
        await hp.press("n")
        await until(hp, lambda: type(host.screen).__name__ == "Dashboard")
        assert host.is_running


async def test_reset_asks_then_clears(hub):
    host, ann = HostApp(hub.url, HOST_TOKEN), ParticipantApp(hub.url)
    async with host.run_test() as hp, ann.run_test() as ap:
        await until(hp, lambda: connected(host) == 1)
        await hp.press("n")
        await until(ap, lambda: ann.view.state.current == SPECTRUM and shown(ann, BoardPicker))
        await ap.press("enter")
        await until(hp, lambda: chart_counts(host) == (1, 0, 0, 0, 0, 0))
        await hp.press("x")
        await until(hp, lambda: type(host.screen).__name__ == "ConfirmScreen")
        await hp.press("y")
        await until(hp, lambda: chart_counts(host) == (0,) * 6)
        await until(ap, lambda: ann.view.my_vote() is None)


async def test_the_export_key_writes_the_report_files(tmp_path, monkeypatch):
    from coproterm.commands.hub_commands import _dashboard
    from coproterm.core.deck import default_deck
    from coproterm.server.hub_runner import HubRunner, prepare

    monkeypatch.chdir(tmp_path)
    prepared = prepare(default_deck(), data=tmp_path / "data")
    async with HubRunner(prepared.session, prepared.host_token, "127.0.0.1", 0, prepared.store) as hosted:
        host, ann = _dashboard(hosted), ParticipantApp(hosted.local_url)
        async with host.run_test() as hp, ann.run_test() as ap:
            await until(hp, lambda: connected(host) == 1)
            await hp.press("n")
            await until(ap, lambda: ann.view.state.current == SPECTRUM and shown(ann, BoardPicker))
            await ap.press("5", "enter")
            await until(hp, lambda: chart_counts(host) == (0, 0, 0, 0, 1, 0))
            await hp.press("e")
            report = tmp_path / f"{hosted.store.info.id}.html"  # named as `coproterm export` names it
            welsh = tmp_path / f"{hosted.store.info.id}.cy.html"
            await until(hp, lambda: welsh.exists() and (tmp_path / f"{hosted.store.info.id}.json").exists())
            assert "5. participation" in report.read_text()
            assert '<html lang="en">' in report.read_text() and '<html lang="cy">' in welsh.read_text()


async def test_a_participant_is_asked_for_the_join_code_when_the_hub_needs_it():
    from coproterm.core.deck import default_deck
    from coproterm.core.session import Session
    from tests.conftest import counting_tokens

    session = Session(default_deck(), HOST_TOKEN, counting_tokens(), join_code="KXPT", require_code=True)
    async with running_hub(session) as hub:
        ann = ParticipantApp(hub.url, "Ann")
        async with ann.run_test() as ap:
            await until(ap, lambda: ann.screen.query_one("#code").display)
            assert "join code" in text_of(ann, "#feedback")
            await ap.press(*"kxpa", "enter")  # a wrong one first
            await until(
                ap, lambda: ann.link_status.refusal is ErrorCode.BAD_CODE and ann.screen.query_one("#code").display
            )
            assert "not this session's join code" in text_of(ann, "#status")
            await ap.press(*"kx pt", "enter")
            await until(ap, lambda: ann.view.state is not None)
            assert len(hub.session.participants) == 1


async def test_the_dashboard_shows_the_code_and_a_qr_code_a_phone_can_read():
    from coproterm.core.deck import default_deck
    from coproterm.core.session import Session
    from coproterm.tui.widgets.qr import QRCode
    from tests.conftest import counting_tokens

    session = Session(default_deck(), HOST_TOKEN, counting_tokens(), join_code="KXPT", require_code=True)
    async with running_hub(session) as hub:
        host = HostApp(hub.url, HOST_TOKEN, ["192.168.1.20:8765"])
        async with host.run_test(size=(80, 24)) as hp:
            await until(hp, lambda: host.view.join_code == "KXPT")
            await until(hp, lambda: "K X P T" in text_of(host, "#join-how"))
            assert "needed to join" in text_of(host, "#join-how")
            await hp.press("c")
            await until(hp, lambda: host.screen.query(QRCode))
            qr = host.screen.query_one(QRCode)
            assert qr.region.right <= 80 and qr.region.bottom <= 24, "the whole code is on an 80 x 24 screen"
            assert read_qr(qr) == ["coproterm join 192.168.1.20:8765 --code KXPT"]
            await hp.press("escape")
            await until(hp, lambda: not host.screen.query(QRCode))


async def test_a_full_session_says_so():
    from coproterm.core.deck import default_deck
    from coproterm.core.session import Session
    from tests.conftest import counting_tokens

    session = Session(default_deck(), HOST_TOKEN, counting_tokens(), max_participants=1)
    async with running_hub(session) as hub:
        ann, bob = ParticipantApp(hub.url, "Ann"), ParticipantApp(hub.url, "Bob")
        async with ann.run_test() as ap, bob.run_test() as bp:
            await until(ap, lambda: ann.view.state is not None)
            await until(bp, lambda: bob.link_status.phase is Phase.STOPPED)
            assert "the session is full" in text_of(bob, "#status")
            assert "Press r to try again" in text_of(bob, "#feedback")


async def test_names_with_markup_and_escapes_stay_plain_text(tmp_path):
    import csv
    import io

    from coproterm.commands.sessions import render
    from coproterm.core.client_messages import Hello, Vote
    from coproterm.core.deck import default_deck
    from coproterm.server.hub_runner import HubRunner, prepare
    from tests.hubkit import join

    plain = ("[red]x[2J [@click=app.quit]me[/] " + "y" * 80)[:40]
    prepared = prepare(default_deck(), data=tmp_path)
    async with HubRunner(prepared.session, prepared.host_token, "127.0.0.1", 0, prepared.store) as hosted:
        host = await join(hosted.local_url, Hello(host_token=prepared.host_token))
        await host.request(lambda s: Command(s, Action.GOTO, SPECTRUM))
        sly = await join(hosted.local_url, Hello(name="[red]x\x1b[2J\x07 [@click=app.quit]me[/] " + "y" * 80))
        await sly.request(lambda s: Vote(s, SPECTRUM, 2))
        (member,) = hosted.hub.session.participants.values()
        assert member.name == plain, "control characters gone, 40 characters at most"
    from coproterm.commands.sessions import render_tables

    (vote,) = csv.DictReader(io.StringIO(render_tables(prepared.store.path, with_names=True)["votes.csv"]))
    assert vote["name"] == plain, "exported as the plain text it is"
    assert plain not in render_tables(prepared.store.path)["votes.csv"], "and only with --with-names"
    document = render(prepared.store.path, "json", with_names=True)
    assert "\\u001b" not in document and "\x1b" not in document and "\x07" not in document


async def test_with_ssh_on_the_dashboard_shows_the_command_and_a_scannable_ssh_link(hub):
    from coproterm.tui.widgets.qr import QRCode

    host = HostApp(hub.url, HOST_TOKEN, ["192.168.1.20:8765"], ssh=("ssh -p 2222 192.168.1.20", "SHA256:abcdef"))
    async with host.run_test(size=(80, 24)) as hp:
        await until(hp, lambda: "ssh -p 2222 YOURNAME@192.168.1.20" in text_of(host, "#join-how"))
        assert "SHA256:abcdef" in text_of(host, "#join-how")
        await hp.press("c")
        await until(hp, lambda: host.screen.query(QRCode))
        qr = host.screen.query_one(QRCode)
        assert read_qr(qr) == ["ssh://192.168.1.20:2222"]
