"""Moderation before the wall on every face, in English and in Welsh.

The dashboard (Pilot: the m key, the queue A, approve y and Y, the palette) with a real hub; the writer told
"waiting for the facilitator" in the participant app (Pilot, 80 x 24 and 40 x 12), over real OpenSSH, in
plain mode (a real process) and on the phone page (the system's Chromium, axe-core: no violations).
"""

from __future__ import annotations

import contextlib
import re

import pytest

from coproterm.core.client_messages import Answer, Hello, Moderate
from coproterm.core.hub_messages import Ack, Answers
from coproterm.core.session import Session
from coproterm.server.hub_runner import HubRunner, SSHOptions
from coproterm.tui.host.app import HostApp
from coproterm.tui.participant.app import ParticipantApp
from coproterm.tui.widgets.answer_box import MineList
from coproterm.tui.widgets.wall import AnswerWall
from tests.conftest import HOST_TOKEN, counting_tokens
from tests.facekit import held_line, on_screen, text_of, type_answer, until
from tests.hubkit import Peer, join, join_host, running_hub
from tests.plainkit import PlainJoin, assert_plain
from tests.sessionkit import moderated_session
from tests.sshkit import SSHClient, ssh_binary

WHAT, WORD = 0, 1
WAITS = {"en": "(waiting for the facilitator)", "cy": "(yn aros am yr hwylusydd)"}
HELD = {
    "en": "1 of your answers is waiting for the facilitator",
    "cy": "Mae 1 o'ch atebion yn aros am yr hwylusydd",
}


async def approve_the_first(host: Peer, text: str) -> None:
    """Wait for the host to hear of a waiting answer saying ``text``, then approve it."""
    while True:
        message = await host.recv(10)
        if isinstance(message, Answers):
            found = [i.id for i in message.items if i.text == text and i.waiting]
            if found:
                break
    assert await host.request(lambda s: Moderate(s, WHAT, found[0], False, approve=True)) == Ack(host.seq)


def wall_text(app) -> str:
    return str(app.screen.query_one(AnswerWall).render())


# -- the dashboard ---------------------------------------------------------------------------------

DASHBOARD = {
    "en": {
        "moderated": "⏸ MODERATED: 1 waiting (A)",
        "count": "· 1 waiting for approval (A)",
        "queue": "1 answer waiting for approval",
        "none": "Nothing is waiting.",
        "approve all": "Approve every",
        "off": None,
    },
    "cy": {
        "moderated": "⏸ DAN GYMEDROLI: yn aros: 1 (A)",
        "count": "· yn aros am gymeradwyaeth: 1 (A)",
        "queue": "atebion yn aros am gymeradwyaeth: 1",
        "none": "Nid oes dim yn aros.",
        "approve all": "Cymeradwyo pob",
        "off": None,
    },
}


@pytest.mark.parametrize("lang", ["en", "cy"])
async def test_the_dashboard_shows_the_queue_with_a_count_and_approves_one_and_all(lang):
    said = DASHBOARD[lang]
    async with running_hub(moderated_session()) as hub:
        ann = await join(hub.url, Hello(name="Ann"))
        host = HostApp(hub.url, HOST_TOKEN, lang=lang)
        async with host.run_test(size=(100, 40)) as pilot:
            await until(pilot, lambda: bool(host.screen.query(AnswerWall)))
            assert await ann.request(lambda s: Answer(s, WHAT, 0, "equal power")) == Ack(ann.seq)
            await until(pilot, lambda: said["moderated"] in text_of(host, "#state"))
            # Projected, the wall says how many wait and never what they say.
            await until(pilot, lambda: said["count"] in wall_text(host))
            assert "equal power" not in wall_text(host)
            await pilot.press("A")
            await until(pilot, lambda: said["queue"] in wall_text(host) and "equal power" in wall_text(host))
            await pilot.press("y")
            await until(pilot, lambda: said["none"] in wall_text(host))
            assert [t for _, _, t in hub.session.answers[WHAT].wall().answers] == ["equal power"]
            await pilot.press("A")  # back to the wall: the approved answer is on it
            await until(pilot, lambda: "equal power" in wall_text(host))

            assert await ann.request(lambda s: Answer(s, WHAT, 1, "trust")) == Ack(ann.seq)
            assert await ann.request(lambda s: Answer(s, WHAT, 2, "time")) == Ack(ann.seq)
            await until(pilot, lambda: hub.session.answers[WHAT].queued == 2 and host.view.written.host_queued == 2)
            await pilot.press("Y")
            await until(pilot, lambda: hub.session.answers[WHAT].queued == 0)
            await until(pilot, lambda: "trust" in wall_text(host) and "time" in wall_text(host))

            # m turns moderation off for this question, and on again; the palette approves every waiting one.
            await pilot.press("m")
            await until(pilot, lambda: not hub.session.questions[WHAT].moderated)
            await pilot.press("m")
            await until(pilot, lambda: hub.session.questions[WHAT].moderated)
            assert await ann.request(lambda s: Answer(s, WHAT, 1, "trust, edited")) == Ack(ann.seq)
            await until(pilot, lambda: host.view.written.host_queued == 1)
            await pilot.press("ctrl+p")
            await until(pilot, lambda: type(host.screen).__name__ == "CommandPalette")
            await pilot.press(*said["approve all"])
            await pilot.pause(0.3)
            await pilot.press("enter")
            await until(pilot, lambda: hub.session.answers[WHAT].queued == 0)
            assert "trust, edited" in [t for _, _, t in hub.session.answers[WHAT].wall().answers]


async def test_m_on_a_question_without_written_answers_is_refused_in_the_facilitators_welsh():
    from coproterm.core.deck import default_deck
    from tests.textualkit import notifications_of

    async with running_hub(Session(default_deck(), HOST_TOKEN, counting_tokens())) as hub:
        host = HostApp(hub.url, HOST_TOKEN, lang="cy")
        async with host.run_test(size=(100, 40)) as pilot:
            await until(pilot, lambda: host.view.state is not None)
            await pilot.press("n")  # the spectrum: votes, not written answers
            await until(pilot, lambda: host.view.state.current == 1)
            await pilot.press("m")
            wanted = "dim ond cwestiwn ag atebion ysgrifenedig sy'n cael ei gymedroli (cwestiwn 2)"
            await until(pilot, lambda: any(wanted in str(n.message) for n in notifications_of(host)))


# -- the participant app (and so SSH), at 80 x 24 and 40 x 12 --------------------------------------


def listed(app) -> str:
    found = app.screen.query(MineList)
    if not found:
        return ""
    listing = found.first()
    return " ".join(str(listing.get_option_at_index(i).prompt) for i in range(listing.option_count))


@pytest.mark.parametrize("size", [(80, 24), (40, 12)])
@pytest.mark.parametrize("lang", ["en", "cy"])
async def test_the_app_tells_the_writer_their_answer_waits_until_it_is_approved(lang, size):
    async with running_hub(moderated_session()) as hub:
        host = await join_host(hub.url)
        app = ParticipantApp(hub.url, "Ann", lang=lang)
        async with app.run_test(size=size) as pilot:
            await until(pilot, lambda: bool(app.screen.query("#answer-text")))
            await type_answer(pilot, "sharing power")
            await until(pilot, lambda: "sharing power" in listed(app) and WAITS[lang] in listed(app))
            await until(pilot, lambda: HELD[lang] in held_line(app))
            await pilot.pause(0.2)
            assert on_screen(app, app.screen.query_one("#answer-held")), "seen without scrolling, even at 40 x 12"
            await approve_the_first(host, "sharing power")
            # No answer of theirs waits now; the line says the question is moderated, as before they wrote.
            await until(pilot, lambda: WAITS[lang] not in listed(app) and HELD[lang] not in held_line(app))
            assert held_line(app).startswith(("Answers are shown", "Dangosir atebion"))
            assert "sharing power" in listed(app)


@contextlib.asynccontextmanager
async def ssh_hub(tmp_path):
    ssh_binary()
    options = SSHOptions(port=0, key_dir=tmp_path, workers=0)
    async with HubRunner(moderated_session(), HOST_TOKEN, "127.0.0.1", 0, ssh=options) as hosted:
        assert hosted.ssh_port, hosted.ssh_problem
        yield hosted


@pytest.mark.parametrize("lang", ["en", "cy"])
async def test_an_ssh_writer_is_told_their_answer_waits_for_the_facilitator(tmp_path, lang):
    async with ssh_hub(tmp_path) as hosted:
        host = await join_host(hosted.local_url)
        ann = await SSHClient(hosted.ssh_port, "ann", env={"LANG": f"{lang}_GB.UTF-8"}).start()
        try:
            await ann.expect("characters left" if lang == "en" else "nod ar ôl")
            ann.type("sharing power\r")
            await ann.expect(HELD[lang])
            await ann.expect(r"1\. sharing power  " + WAITS[lang].replace("(", r"\(").replace(")", r"\)"))
            ann.mark()
            await approve_the_first(host, "sharing power")
            await ann.expect(r"1\. sharing power(?! +\()")  # the answer, and no longer anything beside it
            now = ann.shown.screens[-1]
            assert HELD[lang] not in now and WAITS[lang] not in now, now
            await ann.leave()
            assert await ann.wait() == 0
        except BaseException:
            ann.kill()
            raise


# -- plain mode (a real process) ---------------------------------------------------------------------


def wrapped(words: str) -> str:
    """A pattern for ``words`` as plain mode prints them: wrapped at any space."""
    return r"\s+".join(re.escape(word) for word in words.split(" "))


async def test_plain_mode_says_an_answer_waits_and_when_it_is_approved_in_both_languages(tmp_path):
    width = 60
    async with running_hub(moderated_session()) as hub:
        host = await join_host(hub.url)
        ann = await PlainJoin(hub.url, width=width, data_dir=str(tmp_path)).start()
        bryn = await PlainJoin(hub.url, width=width, name="Bryn", data_dir=str(tmp_path), lang="cy").start()
        try:
            await ann.expect("Question 1 of 2")
            await bryn.expect("Cwestiwn 1 o 2")
            ann.type("sharing power")
            await ann.expect(
                wrapped("Your answer 1 is waiting for the facilitator: the room sees it once it is approved.")
            )
            ann.type("mine")
            await ann.expect(r"1\. sharing power \(waiting for the facilitator\)")
            await approve_the_first(host, "sharing power")
            await ann.expect(wrapped("The facilitator approved your answer 1: the room can see it now."))
            bryn.type("rhannu grym")
            await bryn.expect(
                wrapped("Mae eich ateb 1 yn aros am yr hwylusydd: bydd yr ystafell yn ei weld pan gaiff ei")
            )
            await approve_the_first(host, "rhannu grym")
            await bryn.expect(wrapped("Mae'r hwylusydd wedi cymeradwyo eich ateb 1: gall yr ystafell ei weld nawr."))
            ann.type("quit")
            bryn.type("quit")
            await ann.wait()
            await bryn.wait()
        finally:
            ann.kill()
            bryn.kill()
        for person in (ann, bryn):
            assert_plain(bytes(person.output), width - 1)
        assert len(re.findall(wrapped("is waiting for the facilitator:"), ann.text)) == 1, "said once"


# -- the phone page (Chromium, axe-core) ---------------------------------------------------------


PAGE = {
    "en": ("Waiting for the facilitator: the room sees this answer once it is approved.", "Your answer 1", "Send"),
    "cy": (
        "Yn aros am yr hwylusydd: bydd yr ystafell yn gweld yr ateb hwn pan gaiff ei gymeradwyo.",
        "Eich ateb 1",
        "Anfon",
    ),
}
LIVE = {
    "en": ("your answer 1 is waiting for the facilitator", "the facilitator approved your answer 1"),
    "cy": ("mae eich ateb 1 yn aros am yr hwylusydd", "mae'r hwylusydd wedi cymeradwyo eich ateb 1"),
}


@pytest.mark.parametrize("lang", ["en", "cy"])
async def test_the_phone_page_says_an_answer_waits_with_no_axe_violations(lang):
    from playwright.async_api import expect

    from tests.webkit import axe_violations, chromium, phone

    note, label, send = PAGE[lang]
    async with running_hub(moderated_session()) as hub, chromium() as browser:
        host = await join_host(hub.url)
        async with phone(browser, locale="cy-GB" if lang == "cy" else "en-GB", bypass_csp=True) as page:
            await page.goto(hub.url.replace("ws://", "http://", 1) + "/")
            await page.get_by_role("button", name="Join" if lang == "en" else "Ymuno").click()
            await page.get_by_label(label).fill("sharing power")
            await page.get_by_role("button", name=send).tap()
            await expect(page.locator('[data-id="w0"]')).to_have_text(note)
            await expect(page.locator("#live")).to_have_text(LIVE[lang][0])
            assert await axe_violations(page) == []
            await page.reload()  # back as the same person: still told
            await expect(page.locator('[data-id="w0"]')).to_have_text(note)
            await approve_the_first(host, "sharing power")
            await expect(page.locator('[data-id="w0"]')).to_have_count(0)
            await expect(page.locator("#live")).to_have_text(LIVE[lang][1])
            assert await axe_violations(page) == []
