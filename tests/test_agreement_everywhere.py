"""The agreement round on the faces that run as peers of their own: plain mode as a process (English and Welsh
command words), the participant app over real OpenSSH (in a gateway worker process), and the phone page in
Chromium with axe-core."""

from __future__ import annotations

from playwright.async_api import expect

from coproterm.core.client_messages import Answer, Command, Hello
from coproterm.core.wire_terms import Action
from coproterm.server.hub_runner import HubRunner, SSHOptions
from tests.conftest import HOST_TOKEN
from tests.hubkit import join, join_host, running_hub
from tests.plainkit import PlainJoin, assert_plain, workshop_session
from tests.sshkit import SSHClient, ssh_binary
from tests.webkit import axe_violations, chromium, coded_session, join_page, phone

WIDTH = 100
TEXT = 0
"""The built-in deck's first question takes written answers."""


async def writers(url, *texts, code=None):
    peers = []
    for text in texts:
        peer = await join(url, Hello(name=text, code=code))
        reply = await peer.request(lambda s, text=text: Answer(s, TEXT, 0, text))
        assert type(reply).__name__ == "Ack", reply
        peers.append(peer)
    return peers


def marks(session):
    round_ = session.rounds[TEXT]
    return round_.total, {a: tuple(c) for a, c in round_.counts.items() if any(c)}


async def test_plain_mode_says_each_answer_to_mark_and_takes_the_words_in_both_languages(tmp_path):
    async with running_hub(workshop_session()) as hub:
        host = await join_host(hub.url)
        others = await writers(hub.url, "More tea breaks", "Meet in the library")
        ann = await PlainJoin(hub.url, width=WIDTH, data_dir=str(tmp_path)).start()
        bryn = await PlainJoin(hub.url, width=WIDTH, name="Bryn", data_dir=str(tmp_path), lang="cy").start()
        try:
            await host.until(lambda p: p.attendance is not None and p.attendance.plain == 2, timeout=30)
            ann.type("agree")
            await ann.expect("There is no answer to mark now.")
            await host.request(lambda s: Command(s, Action.AGREE, TEXT))
            await ann.expect(r"To mark \(2 answers left\): “(More tea breaks|Meet in the library)”\. Type agree")
            await bryn.expect(r"I'w farcio \(atebion ar ôl: 2\)")
            ann.type("agree")
            await ann.expect(r"To mark \(1 answer left\)")
            ann.type("pass")
            await ann.expect("You have marked every answer so far.")
            bryn.type("anghytuno")  # the Welsh word
            await bryn.expect(r"I'w farcio \(atebion ar ôl: 1\)")
            bryn.mark()
            bryn.type("again")
            await bryn.expect(r"I'w farcio \(atebion ar ôl: 1\)")
            await host.request(lambda s: Command(s, Action.END_AGREE, TEXT))
            await ann.expect("The facilitator has closed agreement on this question.")
            await bryn.expect("Mae'r hwylusydd wedi cau'r cytuno ar y cwestiwn hwn.")
            ann.type("quit")
            bryn.type("quit")
            await ann.wait()
            await bryn.wait()
        finally:
            ann.kill()
            bryn.kill()
        for person in (ann, bryn):
            assert_plain(bytes(person.output), WIDTH - 1)
        total, counted = marks(hub.session)
        assert total == 3
        stances = sorted(sum(counts[i] for counts in counted.values()) for i in range(3))
        assert stances == [1, 1, 1], counted  # a pass, an agree, a disagree
        for peer in others:
            await peer.socket.close()


async def test_over_real_openssh_a_participant_marks_with_1_2_3_in_english_and_welsh(tmp_path):
    ssh_binary()
    options = SSHOptions(port=0, key_dir=tmp_path, workers=1)  # the app runs in a gateway worker process
    async with HubRunner(workshop_session(), HOST_TOKEN, "127.0.0.1", 0, ssh=options) as hosted:
        assert hosted.ssh_port, hosted.ssh_problem
        host = await join_host(hosted.local_url)
        others = await writers(hosted.local_url, "More tea breaks", "Meet in the library")
        ann = await SSHClient(hosted.ssh_port, "ann").start()
        welsh = {"LANG": "cy_GB.UTF-8", "LC_ALL": "", "LANGUAGE": ""}
        gwen = await SSHClient(hosted.ssh_port, "gwen", env=welsh, extra=("-o", "SendEnv=LANG")).start()
        try:
            await ann.expect("question")
            await gwen.expect("cwestiwn")
            await host.request(lambda s: Command(s, Action.AGREE, TEXT))
            await ann.expect(r"Agreeing with each other · 2 answers left")
            await ann.expect(r"1 agree · 2 disagree · 3 pass")
            await gwen.expect(r"Cytuno â'n gilydd · atebion ar ôl: 2")
            ann.type("1")
            await ann.expect(r"1 answer left")
            ann.type("3")
            await ann.expect(r"You have marked every answer so far")
            gwen.type("2")
            await gwen.expect(r"atebion ar ôl: 1")
            session = hosted.hub.session
            assert session.rounds[TEXT].total == 3 and session.rounds[TEXT].people() == 2
        except BaseException:
            ann.kill()
            gwen.kill()
            raise
        for person in (ann, gwen):
            await person.leave()
            assert await person.wait() == 0
        for peer in others:
            await peer.socket.close()


async def test_the_phone_page_offers_one_answer_at_a_time_with_three_buttons_and_axe_finds_nothing():
    async with (
        running_hub(coded_session()) as hub,
        chromium() as browser,
        phone(browser, bypass_csp=True) as page,  # axe-core is injected as a script
    ):
        host = await join_host(hub.url)
        others = await writers(hub.url, "More tea breaks", "Meet in the library", code="KXPT")
        await join_page(page, hub.url)
        await host.request(lambda s: Command(s, Action.AGREE, TEXT))
        section = page.locator("section.agreement")
        await expect(section.get_by_role("heading", name="Agreeing with each other")).to_be_visible()
        await expect(page.locator("#agree-hint")).to_contain_text("2 answers left")
        first = await page.locator("#to-mark").text_content()
        assert first in ("More tea breaks", "Meet in the library")
        await expect(page.locator("#live")).to_have_text(f"Answer to mark: {first}")
        assert await axe_violations(page) == []
        await page.get_by_role("button", name="Agree", exact=True).click()
        await expect(page.locator("#agree-hint")).to_contain_text("1 answer left")
        await expect(page.locator("#to-mark")).not_to_have_text(first)  # the next answer, not the one marked
        second = await page.locator("#to-mark").text_content()
        assert second in ("More tea breaks", "Meet in the library") and "Rhian" not in (await section.text_content())
        await page.get_by_role("button", name="Cymraeg").click()
        await expect(section.get_by_role("heading", name="Cytuno â'n gilydd")).to_be_visible()
        await expect(page.get_by_role("button", name="Anghytuno")).to_be_visible()
        assert await axe_violations(page) == []
        await page.get_by_role("button", name="Anghytuno").click()
        await expect(section).to_contain_text("Rydych wedi marcio pob ateb hyd yma.")
        assert hub.session.rounds[TEXT].total == 2
        assert sorted(sum(c[i] for c in hub.session.rounds[TEXT].counts.values()) for i in (1, 2)) == [1, 1]
        await host.request(lambda s: Command(s, Action.END_AGREE, TEXT))
        await expect(section).to_contain_text("Mae'r hwylusydd wedi cau'r cytuno ar y cwestiwn hwn.")
        assert await axe_violations(page) == []
        for peer in (*others, host):
            await peer.socket.close()
