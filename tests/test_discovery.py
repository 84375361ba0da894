"""Finding the session in the room: mDNS between real processes, and what happens without it."""

from __future__ import annotations

import contextlib

import pytest

from coproterm.client.discovery import DiscoveryUnavailable, browse
from coproterm.core.i18n import language
from coproterm.tui.participant.app import ParticipantApp
from coproterm.tui.participant.find_screen import FindScreen
from tests.facekit import text_of, until
from tests.hubkit import start_serve

LOOPBACK = ["127.0.0.1"]
NO_SUCH_INTERFACE = ["192.0.2.55"]  # TEST-NET-1: an address this machine does not have


async def multicast_or_skip() -> None:
    """Skip, saying why, where this machine has no multicast on loopback at all."""
    try:
        await browse(lambda found: None, seconds=0.1, interfaces=LOOPBACK)
    except DiscoveryUnavailable as error:
        pytest.skip(f"no multicast DNS on loopback here: {error}")


async def test_a_hub_in_another_process_is_found(tmp_path):
    await multicast_or_skip()
    served = await start_serve("--require-code", data=tmp_path)
    try:
        heard = []
        await browse(heard.append, seconds=4, interfaces=LOOPBACK)
        ours = [found for found in heard if found.address == served.target]
        assert ours, f"heard only {heard}"
        assert ours[-1].title == "Co-production and citizen involvement"
        assert ours[-1].participants == 0 and ours[-1].code_required
    finally:
        await served.stop()


async def test_the_participant_picks_a_session_from_the_list(tmp_path):
    await multicast_or_skip()
    from coproterm.core.deck import default_deck
    from coproterm.server.hub_runner import HubRunner, prepare

    prepared = prepare(default_deck(), data=tmp_path)
    async with HubRunner(
        prepared.session, prepared.host_token, "127.0.0.1", 0, prepared.store, advertise=True
    ) as hosted:
        assert hosted.discovery_problem is None
        ann = ParticipantApp(None, "Ann", discovery_interfaces=LOOPBACK)
        async with ann.run_test() as ap:
            # Another hub on this machine may be advertising too: pick ours by its port.
            ours = f"127.0.0.1:{hosted.port}"
            await until(ap, lambda: isinstance(ann.screen, FindScreen) and own_option(ann, ours) is not None, timeout=8)
            sessions = ann.screen.query_one("#sessions")
            sessions.highlighted = own_option(ann, ours)
            assert "Co-production and citizen involvement" in str(
                sessions.get_option_at_index(sessions.highlighted).prompt
            )
            await ap.press("enter")
            await until(ap, lambda: ann.view.state is not None)
            assert hosted.hub.session.connected == 1, f"joined another hub than session {prepared.store.info.id}"


def own_option(app: ParticipantApp, address: str) -> int | None:
    """Where in the list of sessions heard the one at ``address`` is, if it has been heard."""
    sessions = app.screen.query_one("#sessions")
    for index in range(sessions.option_count):
        found = app.screen.found.get(sessions.get_option_at_index(index).id or "")
        if found is not None and found.address == address:
            return index
    return None


@pytest.fixture
async def plain_hub():
    from tests.hubkit import running_hub

    async with running_hub() as hub:
        yield hub


async def test_without_multicast_the_app_says_so_and_the_address_still_works(plain_hub):
    with pytest.raises(DiscoveryUnavailable):
        await browse(lambda found: None, seconds=0.1, interfaces=NO_SUCH_INTERFACE)
    ann = ParticipantApp(None, "Ann", discovery_interfaces=NO_SUCH_INTERFACE)
    async with ann.run_test() as ap:
        await until(ap, lambda: "cannot be found by themselves" in text_of(ann, "#finding"))
        assert ann.screen.query_one("#address").has_focus
        await ap.press(*"nowhere:notaport", "enter")
        await until(ap, lambda: "is not HOST or HOST:PORT" in text_of(ann, "#problem"))
        ann.screen.query_one("#address").value = ""
        await ap.press(*plain_hub.url.removeprefix("ws://"), "enter")
        await until(ap, lambda: ann.view.state is not None)


async def test_no_mdns_only_asks_for_the_address(plain_hub):
    ann = ParticipantApp(None, discover=False)
    async with ann.run_test() as ap:
        await ap.pause(0.2)
        assert not ann.screen.query_one("#finding").display
        await ap.press(*plain_hub.url.removeprefix("ws://"), "enter")
        await until(ap, lambda: ann.view.state is not None)


async def test_a_hub_that_cannot_advertise_still_serves(plain_hub):
    from coproterm.server.discovery import Advertiser

    advertiser = Advertiser(plain_hub.session, 1, ["127.0.0.1"], NO_SUCH_INTERFACE)
    await advertiser.start()
    with contextlib.suppress(Exception):
        await advertiser.stop()
    assert advertiser.problem is not None and "there is no such device" in str(advertiser.problem)
    assert "nid oes dyfais o'r fath" in advertiser.problem.words(language("cy")), "said in the reader's language"
