"""The agreement round on the smallest terminal (40 x 12), in English and Welsh: the facilitator's dashboard and
the participant's marking screen, each with everything reachable and no words cut (Pilot, a real hub)."""

from __future__ import annotations

import re

import pytest
from textual.geometry import Size
from textual.widgets import Static

from coproterm.core.client_messages import Answer, Command, Hello
from coproterm.core.wire_terms import Action
from coproterm.tui.host.app import HostApp
from coproterm.tui.participant.app import ParticipantApp
from tests.conftest import HOST_TOKEN
from tests.facekit import until
from tests.hubkit import join, join_host, running_hub
from tests.screenkit import screen_text, squeezed

SMALL = (40, 12)
TEXT = 0
ANSWERS = (
    "More tea breaks in the afternoon, and somewhere quiet to sit for those who need it",
    "Meet in the library",
    "Water",
)
WORDS = {
    "en": {
        "hint": "1 agree · 2 disagree · 3 pass",
        "agreed": "Most agreed on",
        "split": "The room is split on",
        "marks": "marks by",
    },
    "cy": {
        "hint": "1 cytuno · 2 anghytuno · 3 pasio",
        "agreed": "Cytunwyd fwyaf ar",
        "split": "Mae'r ystafell wedi'i rhannu ar",
        "marks": "marciau:",
    },
}


def cut(app) -> list[str]:
    """Texts on the screen that need more rows than their widget has (outside a scrolling part, none reach them)."""
    found = []
    for widget in app.screen.query(Static):
        if not widget.display or widget.region.width == 0:
            continue
        needed = widget.get_content_height(Size(0, 0), Size(0, 0), widget.content_region.width)
        if needed > widget.content_region.height:
            found.append(str(widget.render()))
    return found


async def pages(pilot, app) -> str:
    """Every page of the screen, from its top to its end by PgDn, as one text."""
    scroller = app.screen
    scroller.scroll_home(animate=False)
    await pilot.pause(0.1)
    seen = [screen_text(app.export_screenshot())]
    for _ in range(20):
        if scroller.scroll_y >= scroller.max_scroll_y:
            break
        await pilot.press("pagedown")
        await pilot.pause(0.1)
        seen.append(screen_text(app.export_screenshot()))
    return "\n".join(seen)


def hint_of(app) -> str:
    found = app.screen.query("#mark-hint")
    return str(found.first().render()) if found else ""


async def write(url, text):
    peer = await join(url, Hello(name=text[:20]))
    reply = await peer.request(lambda s: Answer(s, TEXT, 0, text))
    assert type(reply).__name__ == "Ack", reply
    return peer


def left_to_mark(app) -> int | None:
    to_mark = app.view.current_to_mark
    return None if to_mark is None else to_mark.left


async def mark_every_answer(app, pilot, keys: str, words: dict[str, str]) -> None:
    """Mark the three answers with ``keys`` in turn, checking at each that the panel is in sight and whole."""
    for marked, key in enumerate(keys):
        await until(pilot, lambda m=marked: words["hint"] in hint_of(app) and left_to_mark(app) == len(ANSWERS) - m)
        await pilot.pause(0.2)
        for part in ("#mark-heading", "#mark-text", "#mark-hint"):
            widget = app.screen.query_one(part)
            assert app.screen.region.contains_region(widget.region), f"{part} in sight at 40 x 12"
        on_screen = squeezed(re.sub("[▁-█]", " ", screen_text(app.export_screenshot())))  # no scrollbar glyphs
        assert words["hint"] in on_screen, "the keys, in sight"
        shown = str(app.screen.query_one("#mark-text").render()).strip("“”")
        assert shown in ANSWERS and squeezed(shown) in on_screen, "the whole answer, in sight"
        assert cut(app) == []
        await pilot.press(key)
    await until(pilot, lambda: left_to_mark(app) == 0)


@pytest.mark.parametrize("lang", ["en", "cy"])
async def test_the_agreement_round_at_40_by_12_is_reachable_and_uncut_on_both_faces(lang):
    words = WORDS[lang]
    async with running_hub() as hub:
        writers = [await write(hub.url, text) for text in ANSWERS]
        raw = await join_host(hub.url)
        await raw.request(lambda s: Command(s, Action.AGREE, TEXT))
        host = HostApp(hub.url, HOST_TOKEN, lang=lang)
        ann = ParticipantApp(hub.url, "Ann", lang=lang)
        bryn = ParticipantApp(hub.url, "Bryn", lang=lang)
        async with host.run_test(size=SMALL) as hp, ann.run_test(size=SMALL) as ap, bryn.run_test(size=SMALL) as bp:
            # The participants: the answer to mark, how many are left and the keys, in sight and whole.
            await mark_every_answer(ann, ap, "111", words)  # agrees with all
            await mark_every_answer(bryn, bp, "211", words)  # the room is split on one, agreed on two
            # The dashboard: a short screen scrolls as a whole; every part of the round can be reached, none cut.
            await until(hp, lambda: host.view.current_agreement is not None and host.view.current_agreement.marks == 6)
            await hp.pause(0.3)
            assert host.screen.has_class("-short")
            assert cut(host) == []
            everything = squeezed(await pages(hp, host))
            for phrase in (words["agreed"], words["split"], words["marks"], *ANSWERS):
                assert squeezed(phrase) in everything, phrase
            assert host.screen.scroll_y == host.screen.max_scroll_y > 0, "the end of the screen was reached"
        for peer in (*writers, raw):
            await peer.socket.close()
