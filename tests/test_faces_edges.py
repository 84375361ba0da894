"""The edges of a real workshop, as the faces meet them: endings, stalls, resets, small screens."""

from __future__ import annotations

import asyncio
import contextlib

from coproterm.client.link import Phase
from coproterm.core.client_messages import Command
from coproterm.core.wire_terms import Action, CloseCode, Role
from coproterm.tui.host.app import HostApp
from coproterm.tui.participant.app import ParticipantApp
from coproterm.tui.widgets.board import BoardPicker
from coproterm.tui.widgets.keybar import KeyBar
from coproterm.tui.widgets.qr import QRCode
from tests.conftest import HOST_TOKEN
from tests.facekit import SPECTRUM, hub_sockets, read_qr, shown, text_of, until
from tests.hubkit import join_host, running_hub


@contextlib.asynccontextmanager
async def pausable_proxy(url: str):
    """A TCP relay in front of the hub that can stop passing bytes, as a stalled hub or a lid closed does."""
    host, port = url.removeprefix("ws://").rsplit(":", 1)
    flowing = asyncio.Event()
    flowing.set()

    async def pipe(reader, writer):
        with contextlib.suppress(OSError, asyncio.CancelledError):
            while data := await reader.read(65536):
                await flowing.wait()
                writer.write(data)
                await writer.drain()
        writer.close()

    async def relay(client_reader, client_writer):
        hub_reader, hub_writer = await asyncio.open_connection(host, int(port))
        await asyncio.gather(pipe(client_reader, hub_writer), pipe(hub_reader, client_writer))

    server = await asyncio.start_server(relay, "127.0.0.1", 0)
    try:
        yield f"ws://127.0.0.1:{server.sockets[0].getsockname()[1]}", flowing
    finally:
        flowing.set()
        server.close()


async def on_spectrum(ann, ap, hub):
    host = await join_host(hub.url)
    await host.request(lambda s: Command(s, Action.GOTO, SPECTRUM))
    await until(
        ap, lambda: ann.view.state is not None and ann.view.state.current == SPECTRUM and shown(ann, BoardPicker)
    )
    return host


async def test_the_host_ending_the_session_is_final_and_thanks_people():
    async with running_hub() as hub:
        ann = ParticipantApp(hub.url, "Ann")
        async with ann.run_test(size=(80, 24)) as ap:
            await until(ap, lambda: ann.view.state is not None)
            for conn, socket in hub_sockets(hub).items():
                if hub.session.role(conn) is Role.PARTICIPANT:
                    await socket.close(CloseCode.ENDED, "the host ended the session")
            await until(ap, lambda: ann.link_status.phase is Phase.STOPPED)
            assert "the session has ended; thank you" in text_of(ann, "#status")
            assert "✖" not in text_of(ann, "#status"), "an ending, not a fault"
            assert "Press r" not in text_of(ann, "#feedback")
            await ap.press("r")
            await ap.pause(0.2)
            assert ann.link_status.phase is Phase.STOPPED and len(hub_sockets(hub)) == 0, "no retrying an ended session"


async def test_a_stalled_hub_shows_as_waiting_not_sending_and_clears_when_it_answers():
    async with running_hub() as hub, pausable_proxy(hub.url) as (url, flowing):
        ann = ParticipantApp(url, "Ann")
        ann.slow_answer = 0.3
        async with ann.run_test(size=(80, 24)) as ap:
            await on_spectrum(ann, ap, hub)
            flowing.clear()
            await ap.press("3", "enter")
            await until(ap, lambda: "Waiting for the hub" in text_of(ann, "#feedback"))
            assert "● connected" not in text_of(ann, "#status")
            assert "not answering" in text_of(ann, "#status")
            flowing.set()
            await until(ap, lambda: "Your vote is counted" in text_of(ann, "#feedback"))
            assert "● connected" in text_of(ann, "#status")


async def test_a_reset_tells_the_participant_and_a_stale_lock_refusal_goes():
    async with running_hub() as hub:
        ann = ParticipantApp(hub.url, "Ann")
        async with ann.run_test(size=(80, 24)) as ap:
            host = await on_spectrum(ann, ap, hub)
            await ap.press("2", "enter")
            await until(ap, lambda: ann.view.my_vote() == 1)
            await host.request(lambda s: Command(s, Action.RESET, SPECTRUM))
            await until(ap, lambda: "facilitator cleared the votes" in text_of(ann, "#feedback"))
            await host.request(lambda s: Command(s, Action.LOCK, SPECTRUM))
            await until(ap, lambda: not ann.view.state.open)
            await ap.press("enter")
            await until(ap, lambda: "✖ voting on this question is locked" in text_of(ann, "#feedback"))
            await host.request(lambda s: Command(s, Action.OPEN, SPECTRUM))
            await until(ap, lambda: ann.view.state.open)
            await host.request(lambda s: Command(s, Action.LOCK, SPECTRUM))
            await until(ap, lambda: not ann.view.state.open)
            assert "✖" not in text_of(ann, "#feedback"), "the refusal of the earlier lock is gone"
            assert "🔒" not in text_of(ann, "#feedback") + text_of(ann, "#status"), "no emoji a terminal font lacks"


async def test_at_40_by_12_the_question_and_my_choice_stay_in_view_and_q_leave_stays_in_the_key_bar():
    async with running_hub() as hub:
        ann = ParticipantApp(hub.url, "Ann")
        async with ann.run_test(size=(40, 12)) as ap:
            await on_spectrum(ann, ap, hub)
            await ap.press("6", "enter")
            await until(ap, lambda: ann.view.my_vote() == 5)
            prompt, feedback = ann.screen.query_one("#prompt"), ann.screen.query_one("#feedback")
            for widget in (prompt, feedback):
                assert widget.region.height and 0 <= widget.region.y < 12, "on screen"
            assert ann.screen.get_widget_at(prompt.region.x, prompt.region.y)[0] is prompt, "not scrolled away"
            assert "co-production" in text_of(ann, "#feedback")
            assert "leave" in ann.screen.query_one(KeyBar).shown
            assert "palette" not in ann.screen.query_one(KeyBar).shown


async def test_the_qr_code_grows_with_the_screen_and_warns_of_an_address_only_this_machine_reaches():
    async with running_hub() as hub:
        host = HostApp(hub.url, HOST_TOKEN, ["127.0.0.1:8765"], ssh=("ssh -p 2222 127.0.0.1", None))
        async with host.run_test(size=(100, 30)) as hp:
            await until(hp, lambda: host.view.state is not None)
            await hp.press("c")
            await until(hp, lambda: host.screen.query(QRCode))
            await hp.pause(0.1)
            qr = host.screen.query_one(QRCode)
            assert qr.scale == 2, "a 100 x 30 screen has room for a code twice the size"
            assert qr.region.bottom <= 30 and qr.region.right <= 100
            assert read_qr(qr) == ["ssh://127.0.0.1:2222"]
            assert "Only this machine" in text_of(host, "#warning")


async def test_the_qr_code_uses_an_address_the_room_can_reach():
    async with running_hub() as hub:
        host = HostApp(
            hub.url, HOST_TOKEN, ["127.0.0.1:8765", "192.168.1.20:8765"], ssh=("ssh -p 2222 127.0.0.1", None)
        )
        async with host.run_test(size=(80, 24)) as hp:
            await until(hp, lambda: host.view.state is not None)
            assert "coproterm join 192.168.1.20:8765" in text_of(host, "#join-how")
            await hp.press("c")
            await until(hp, lambda: host.screen.query(QRCode))
            assert read_qr(host.screen.query_one(QRCode)) == ["ssh://192.168.1.20:2222"]
            assert not host.screen.query("#warning")
            await hp.press("escape")
            await until(hp, lambda: not host.screen.query(QRCode))


def test_the_revealed_grid_fits_a_phone_and_headings_use_the_width_there_is():
    from coproterm.core.deck import default_deck
    from coproterm.tui.widgets.tally import heatmap, scale_bars

    grid, spectrum = default_deck().questions[4], default_deck().questions[1]
    counts = tuple(range(24))
    narrow = heatmap(grid.x, grid.y, counts, 38).plain.splitlines()
    assert all(len(line) <= 38 for line in narrow), "no line wraps into garbage"
    assert any("6 co-production / involvement" in line for line in narrow), "numbered columns have a legend"
    wide = heatmap(grid.x, grid.y, counts, 96).plain
    assert "doing with" in wide and "1 coercion /" in wide
    bars = scale_bars(spectrum.x, (1, 2, 3, 4, 5, 6), 76).plain
    assert "6 co-production / involvement" in bars, "the whole label at 80 x 24"
    small = scale_bars(spectrum.x, (1, 2, 3, 4, 5, 6), 38).plain
    assert "educatio…" not in small and "persuasion" in small, "wrapped at a word, not cut"


async def test_a_hub_whose_deck_does_not_validate_stops_the_link_with_a_clear_message():
    from websockets.asyncio.server import serve

    from coproterm.core.hub_messages import Welcome
    from coproterm.core.wire import encode

    async def rogue(socket):
        await socket.recv()
        await socket.send(encode(Welcome(1, Role.PARTICIPANT, b"t" * 16, {"title": 5}, ())))
        await socket.wait_closed()

    async with serve(rogue, "127.0.0.1", 0) as server:
        port = server.sockets[0].getsockname()[1]
        ann = ParticipantApp(f"ws://127.0.0.1:{port}", "Ann")
        async with ann.run_test(size=(80, 24)) as ap:
            await until(ap, lambda: ann.link_status.phase is Phase.STOPPED)
            assert "does not understand" in text_of(ann, "#status")
            assert ann.return_code is None, "the app is still up, saying so"


def test_session_titles_heard_on_the_network_carry_no_terminal_escapes():
    import socket as stdlib_socket

    from zeroconf import ServiceInfo

    from coproterm.client.discovery import SERVICE_TYPE, _found

    name = f"rogue.{SERVICE_TYPE}"
    info = ServiceInfo(
        SERVICE_TYPE,
        name,
        port=8765,
        properties={"title": "\x1b]52;c;ZXZpbA==\x07Free\u202e coffee\x1b[2J", "participants": "3"},
        addresses=[stdlib_socket.inet_aton("192.168.1.20")],
    )
    found = _found(name, info)
    assert found is not None and found.title == "]52;c;ZXZpbA==Free coffee[2J"


async def test_closing_the_qr_code_runs_its_callback():
    from coproterm.tui.host.qr_screen import QRScreen

    async with running_hub() as hub:
        host = HostApp(hub.url, HOST_TOKEN)
        async with host.run_test(size=(80, 24)) as hp:
            closed = []
            host.push_screen(QRScreen("coproterm join 192.168.1.20:8765"), closed.append)
            await until(hp, lambda: host.screen.query(QRCode))
            await hp.press("escape")
            await until(hp, lambda: closed == [None])
