"""Cymraeg / English in the faces and the hub: switching mid-question, and the choice kept with the person."""

from __future__ import annotations

import asyncio

from coproterm.core import read_models
from coproterm.core.client_messages import ChooseLanguage, Hello
from coproterm.core.deck import deck_to_data
from coproterm.core.events import Joined, Spoke, Voted
from coproterm.core.hub_messages import ChosenLanguage, Welcome
from coproterm.core.session import Session
from coproterm.server.store import SessionStore, read_session
from coproterm.tui.hub_app import LANGUAGE_LABEL
from coproterm.tui.participant.app import ParticipantApp
from coproterm.tui.widgets.keybar import KeyBar
from tests.conftest import HOST_TOKEN
from tests.cymraegkit import BILINGUAL_DECK
from tests.hubkit import counting_tokens, join, running_hub


async def until(pilot, predicate, timeout=5.0):
    async with asyncio.timeout(timeout):
        while not predicate():
            await pilot.pause(0.02)


def text_of(app, selector):
    return str(app.screen.query_one(selector).render())


def hub_with_deck():
    return running_hub(Session(BILINGUAL_DECK, HOST_TOKEN, counting_tokens()))


async def test_switching_language_mid_question_changes_every_word_and_keeps_the_vote():
    async with hub_with_deck() as hub:
        ann = ParticipantApp(hub.url, "Ann")
        async with ann.run_test(size=(80, 24)) as pilot:
            await until(pilot, lambda: ann.view.state is not None and ann.screen.query("BoardPicker"))
            await pilot.press("1", "enter")
            await until(pilot, lambda: "Your vote is counted: consultation" in text_of(ann, "#feedback"))
            assert "question 1 of 1" in text_of(ann, "#status") and "open" in text_of(ann, "#status")
            assert "We decide what questions to ask" in text_of(ann, "#help")
            bar = ann.screen.query_one(KeyBar)
            assert LANGUAGE_LABEL in bar.shown and "leave" in bar.shown

            await pilot.press("i")
            await until(pilot, lambda: "cwestiwn 1 o 1" in text_of(ann, "#status"))
            assert "ar agor" in text_of(ann, "#status")
            assert "Ble mae eich gwaith chi" in text_of(ann, "#prompt")
            assert "ymgynghori" in text_of(ann, "BoardPicker") and "gwneud ar gyfer" in text_of(ann, "BoardPicker")
            assert "Rydym ni'n penderfynu" in text_of(ann, "#help"), "the highlighted position's help"
            assert "e.e. arolygon" in text_of(ann, "#help")
            assert "Cyfrifwyd eich pleidlais: ymgynghori" in text_of(ann, "#feedback")
            assert "gadael" in bar.shown and "pleidleisio" in bar.shown and LANGUAGE_LABEL in bar.shown
            assert ann.view.my_vote() == 0 and read_models.tally(hub.session, 0).counts == (1, 0), "the vote stays"
            await until(pilot, lambda: hub.session.participants[ann.view.resume].language == "cy")

            await pilot.press("right")
            assert "cydgynhyrchu / cynnwys" in text_of(ann, "#help")
            await pilot.press("i")
            await until(pilot, lambda: "question 1 of 1" in text_of(ann, "#status"))
            assert "co-production / involvement" in text_of(ann, "#help")
            assert "Your vote is counted: consultation" in text_of(ann, "#feedback")
            await until(pilot, lambda: hub.session.participants[ann.view.resume].language == "en")


async def test_the_chosen_language_comes_back_with_the_identity():
    """A participant who chose Cymraeg and comes back (reconnect, another device, --resume) reads Cymraeg."""
    async with hub_with_deck() as hub:
        ann = ParticipantApp(hub.url, "Ann")
        async with ann.run_test(size=(80, 24)) as pilot:
            await until(pilot, lambda: ann.view.state is not None)
            await pilot.press("i")
            await until(pilot, lambda: hub.session.participants[ann.view.resume].language == "cy")
            token = ann.view.resume
        again = ParticipantApp(hub.url, lang="en")
        again.view.resume = token
        async with again.run_test(size=(80, 24)) as pilot:
            await until(pilot, lambda: again.lang.code == "cy" and "cwestiwn 1 o 1" in text_of(again, "#status"))
            assert "Ble mae eich gwaith chi" in text_of(again, "#prompt")


async def test_the_hub_tells_a_returning_participant_their_language_and_nobody_else():
    async with hub_with_deck() as hub:
        ann = await join(hub.url, Hello(name="Ann"))
        await ann.send(ChooseLanguage("cy"))
        back = await join(hub.url, Hello(resume=ann.welcome.resume))
        assert isinstance(back.welcome, Welcome)
        assert await back.recv() == ChosenLanguage("cy")
        bob = await join(hub.url, Hello(name="Bob"))
        assert bob.welcome.role.name == "PARTICIPANT"
        assert all(member.language in ("", "cy") for member in hub.session.participants.values())


async def test_the_language_is_in_the_log_and_comes_back_with_the_session(tmp_path):
    store = SessionStore.create(tmp_path, deck_to_data(BILINGUAL_DECK), BILINGUAL_DECK.title, "tok")
    store.start()
    events = [Joined(1, b"a" * 16, "Ann"), Voted(1, 0, 1), Spoke(1, "cy"), Spoke(1, "en"), Spoke(1, "cy")]
    await store.append(events[:3])
    await store.append(events[3:])
    await store.close()
    _info, entries = read_session(store.path)
    assert [entry.event for entry in entries] == events
    session = Session(BILINGUAL_DECK, HOST_TOKEN, counting_tokens())
    session.replay(entry.event for entry in entries)
    assert session.participants[b"a" * 16].language == "cy"


async def test_the_language_comes_back_after_the_host_resumes_the_session(tmp_path):
    """Chosen in one run of the hub, the language is in its log: `--resume` brings it back with the person."""
    from coproterm.server.hub_runner import HubRunner, prepare
    from coproterm.server.store import NEWEST

    first = prepare(BILINGUAL_DECK, data=tmp_path)
    async with HubRunner(first.session, first.host_token, "127.0.0.1", 0, first.store) as hosted:
        ann = ParticipantApp(hosted.local_url, "Ann")
        async with ann.run_test(size=(80, 24)) as pilot:
            await until(pilot, lambda: ann.view.state is not None)
            await pilot.press("i")
            await until(pilot, lambda: hosted.hub.session.participants[ann.view.resume].language == "cy")
            token = ann.view.resume
    second = prepare(None, data=tmp_path, resume=NEWEST)
    assert second.session.participants[token].language == "cy"
    async with HubRunner(second.session, second.host_token, "127.0.0.1", 0, second.store) as hosted:
        again = ParticipantApp(hosted.local_url, lang="en")
        again.view.resume = token
        async with again.run_test(size=(80, 24)) as pilot:
            await until(pilot, lambda: again.lang.code == "cy" and "cwestiwn 1 o 1" in text_of(again, "#status"))


async def test_the_results_heading_follows_the_language_back_and_forth():
    from coproterm.core.client_messages import Command
    from coproterm.core.wire_terms import Action
    from tests.hubkit import join_host

    async with hub_with_deck() as hub:
        host = await join_host(hub.url)
        ann = ParticipantApp(hub.url, "Ann")
        async with ann.run_test(size=(80, 40)) as pilot:
            await until(pilot, lambda: ann.view.state is not None and ann.screen.query("BoardPicker"))
            await pilot.press("1", "enter")
            await host.request(lambda s: Command(s, Action.REVEAL, 0))
            await until(pilot, lambda: ann.screen.query("#results-heading"))
            await until(pilot, lambda: text_of(ann, "#results-heading") == "Results")
            await pilot.press("i")
            await until(pilot, lambda: text_of(ann, "#results-heading") == "Canlyniadau")
            await pilot.press("i")
            await until(pilot, lambda: text_of(ann, "#results-heading") == "Results")
