"""The timer on the faces that run as peers of their own: plain mode as a process, the participant app over real
OpenSSH (in a gateway worker process), the phone page in Chromium with axe-core; and a hub killed with -9, resumed."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import re
import signal
from datetime import UTC, datetime

from playwright.async_api import expect

from coproterm.core.client_messages import Command, Hello, Vote
from coproterm.core.hub_messages import Error, Timer
from coproterm.core.refusals import Refusal
from coproterm.core.wire_terms import Action
from coproterm.server.hub_runner import HubRunner, SSHOptions
from tests.conftest import HOST_TOKEN
from tests.hubkit import COPROTERM, join, join_host, running_hub, start_serve
from tests.plainkit import PlainJoin, assert_plain, workshop_session
from tests.sshkit import SSHClient, ssh_binary
from tests.webkit import SPECTRUM, axe_violations, chromium, coded_session, join_page, phone

WIDTH = 100


async def test_plain_mode_says_the_start_the_last_ten_seconds_the_end_and_a_stop_once_each(tmp_path):
    async with running_hub(workshop_session()) as hub:
        host = await join_host(hub.url)
        ann = await PlainJoin(hub.url, width=WIDTH, data_dir=str(tmp_path)).start()
        bryn = await PlainJoin(hub.url, width=WIDTH, name="Bryn", data_dir=str(tmp_path), lang="cy").start()
        try:
            await host.until(lambda p: p.attendance is not None and p.attendance.plain == 2, timeout=30)
            question = next(i for i, q in enumerate(hub.session.deck.questions) if q.x is not None and not q.several)
            await host.request(lambda s: Command(s, Action.GOTO, question))
            await host.request(lambda s: Command(s, Action.TIMER, question, 12))
            await ann.expect("Timer: 0:1[12] to go on this question; voting locks when it ends.")
            await ann.expect("Ten seconds left.", timeout=10)
            await ann.expect("Time is up.", timeout=15)
            await ann.expect("Voting is now locked.")
            await bryn.expect("Deg eiliad ar ôl.")
            await bryn.expect("Mae'r amser ar ben.")
            await host.request(lambda s: Command(s, Action.TIMER_ONLY, question, 90))
            await ann.expect("Timer: 1:30 to go on this question.")
            ann.mark()
            ann.type("again")  # a screen reader's user asks how long is left
            await ann.expect(r"Timer: 1:(30|2\d) to go on this question\.")
            await host.request(lambda s: Command(s, Action.STOP_TIMER, question))
            await ann.expect("The facilitator stopped the timer.")
            await bryn.expect("Mae'r hwylusydd wedi stopio'r amserydd.")
            ann.type("quit")
            bryn.type("quit")
            await ann.wait()
            await bryn.wait()
        finally:
            ann.kill()
            bryn.kill()
        for person in (ann, bryn):
            assert_plain(bytes(person.output), WIDTH - 1)
        text = ann.text
        for line in ("Ten seconds left.", "Time is up.", "The facilitator stopped the timer.", "Deg eiliad ar ôl."):
            assert (text + bryn.text).count(line) == 1, line
        assert "One minute left." not in text, "it started with less than a minute to go"
        assert "Amserydd: 0:1" in bryn.text


async def test_over_real_openssh_the_header_shows_the_time_left_and_the_end_in_english_and_welsh(tmp_path):
    ssh_binary()
    options = SSHOptions(port=0, key_dir=tmp_path, workers=1)  # the app runs in a gateway worker process
    async with HubRunner(workshop_session(), HOST_TOKEN, "127.0.0.1", 0, ssh=options) as hosted:
        assert hosted.ssh_port, hosted.ssh_problem
        host = await join_host(hosted.local_url)
        question = next(i for i, q in enumerate(hosted.hub.session.deck.questions) if q.x is not None and not q.several)
        await host.request(lambda s: Command(s, Action.GOTO, question))
        ann = await SSHClient(hosted.ssh_port, "ann").start()
        welsh = {"LANG": "cy_GB.UTF-8", "LC_ALL": "", "LANGUAGE": ""}
        gwen = await SSHClient(hosted.ssh_port, "gwen", env=welsh, extra=("-o", "SendEnv=LANG")).start()
        try:
            await ann.expect("question")
            await gwen.expect("cwestiwn")
            await host.request(lambda s: Command(s, Action.TIMER, question, 5))
            await ann.expect(r"⏱ 0:0[45] left")
            await gwen.expect(r"⏱ 0:0[45] ar ôl")
            await ann.expect(r"⏱ time is up")
            await ann.expect(r"locked")
            await gwen.expect(r"⏱ mae'r amser ar ben")
            await host.request(lambda s: Command(s, Action.OPEN, question))
            await host.request(lambda s: Command(s, Action.TIMER_ONLY, question, 150))
            await ann.expect(r"⏱ 2:(30|29) left")
        except BaseException:
            ann.kill()
            gwen.kill()
            raise
        for person in (ann, gwen):
            await person.leave()
            assert await person.wait() == 0


async def test_the_phone_page_shows_the_time_left_and_its_live_region_says_each_moment_once():
    async with (
        running_hub(coded_session()) as hub,
        chromium() as browser,
        phone(browser, bypass_csp=True) as page,  # axe-core is injected as a script
    ):
        # The phone's clock is wrong by years (and moved on by the test): the time left is the hub's all the same.
        await page.clock.install(time=datetime(2001, 1, 1, tzinfo=UTC))
        host = await join_host(hub.url)
        await join_page(page, hub.url)
        await host.request(lambda s: Command(s, Action.GOTO, SPECTRUM))
        await host.request(lambda s: Command(s, Action.TIMER_ONLY, SPECTRUM, 75))
        countdown, live = page.locator("#countdown"), page.locator("#timer-live")
        await expect(countdown).to_have_text(re.compile(r"⏱ 1:1[45] left"))
        await expect(countdown).to_have_attribute("role", "timer")
        await expect(live).to_have_text(re.compile(r"Timer: 1:1[45] to go on this question\."))
        assert await axe_violations(page) == []
        await page.clock.run_for(16_000)
        await expect(countdown).to_have_text(re.compile(r"⏱ 0:5\d left"))
        await expect(live).to_have_text("One minute left.")
        await page.clock.run_for(50_000)
        await expect(countdown).to_have_text(re.compile(r"⏱ 0:0\d left"))
        await expect(live).to_have_text("Ten seconds left.")
        await expect(countdown).to_have_class("countdown soon")
        assert await axe_violations(page) == []
        await host.request(lambda s: Command(s, Action.STOP_TIMER, SPECTRUM))
        await page.clock.run_for(500)
        await expect(countdown).to_be_hidden()
        await expect(live).to_have_text("The facilitator stopped the timer.")

        await page.get_by_role("button", name="Cymraeg").click()
        await host.request(lambda s: Command(s, Action.TIMER, SPECTRUM, 2))
        await page.clock.run_for(300)
        await expect(live).to_contain_text("bydd y pleidleisio'n cloi")
        await page.clock.run_for(2_500)  # the page counts to 0, the hub's clock then locks
        await expect(countdown).to_have_text("⏱ mae'r amser ar ben")
        await expect(live).to_have_text("Mae'r amser ar ben.")
        await expect(page.locator("#status")).to_contain_text("ar glo")
        assert await axe_violations(page) == []


async def test_kill_9_then_resume_a_running_countdown_runs_on_and_an_overdue_one_ends(tmp_path):
    served = await start_serve(data=tmp_path)
    url, token = served.url, served.token
    host = await join(url, Hello(host_token=token))
    await host.request(lambda s: Command(s, Action.GOTO, SPECTRUM))
    await host.request(lambda s: Command(s, Action.TIMER, SPECTRUM, 600))
    await host.request(lambda s: Command(s, Action.TIMER_ONLY, 2, 2))  # replaced by the next
    await host.request(lambda s: Command(s, Action.TIMER, SPECTRUM, 3))
    await served.stop(signal.SIGKILL)
    await asyncio.sleep(3.2)  # the countdown runs out while no hub runs

    port = served.port
    served = await start_serve("--resume", data=tmp_path, port=port)
    try:
        ann = await join(url, Hello(name="Ann"))
        await ann.until(lambda p: p.state is not None and p.state.open is False)
        reply = await ann.request(lambda s: Vote(s, SPECTRUM, 1))
        assert isinstance(reply, Error) and reply.refusal == Refusal.LOCKED, "ended and locked, as it would have"
        host = await join(url, Hello(host_token=token))
        await host.request(lambda s: Command(s, Action.OPEN, SPECTRUM))
        await host.request(lambda s: Command(s, Action.TIMER, SPECTRUM, 300))
    finally:
        await served.stop(signal.SIGKILL)
    served = await start_serve("--resume", data=tmp_path, port=port)
    try:
        bea = await join(url, Hello(name="Bea"))
        timer = None
        while timer is None:
            message = await bea.recv()
            timer = message if isinstance(message, Timer) else None
        assert timer.seconds == 300 and 280_000 < timer.left_ms < 300_000, "still running, by the hub's clock"
        assert bea.state is not None and bea.state.open
    finally:
        await served.stop()
    await the_exports_say_what_each_countdown_did(tmp_path)


async def exported(data, *args: str) -> None:
    process = await asyncio.create_subprocess_exec(
        *COPROTERM, "export", "--data-dir", str(data), *args, stderr=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    _, err = await process.communicate()
    assert process.returncode == 0, err.decode()


async def the_exports_say_what_each_countdown_did(data) -> None:
    """The countdowns of the session above, through two kill -9s, in the JSON and the CSV (English and Welsh)."""
    await exported(data, "--format", "json", "-o", str(data / "s.json"))
    await exported(data, "--format", "csv", "--lang", "en", "-o", str(data / "en"))
    await exported(data, "--format", "csv", "--lang", "cy", "-o", str(data / "cy"))
    questions = json.loads((data / "s.json").read_text())["questions"]
    spectrum, other = questions[SPECTRUM]["timers"], questions[2]["timers"]
    assert [(c["seconds"], c["locks"], c["end"], c["locked"]) for c in spectrum] == [
        (600, True, "replaced", False),
        (3, True, "ran out", True),  # while no hub ran: its end is its deadline, logged on resuming
        (300, True, "running", False),
    ]
    assert [(c["seconds"], c["locks"], c["end"], c["locked"]) for c in other] == [(2, False, "replaced", False)]
    assert all(c["started"] and c["ended"] for c in spectrum[:2]) and spectrum[2]["ended"] is None
    ran_out = spectrum[1]
    took = datetime.fromisoformat(ran_out["ended"]) - datetime.fromisoformat(ran_out["started"])
    assert took.total_seconds() == 3, ran_out  # its deadline: three seconds after it started
    assert "timers" not in questions[0]

    def rows(path):
        return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))

    english = rows(data / "en" / "timers.csv")
    assert [(r["question"], r["seconds"], r["locks voting at its end"], r["how it ended"], r["voting locked"])
            for r in english] == [
        ("2", "600", "yes", "replaced by another timer", "no"),
        ("2", "3", "yes", "ran out", "yes"),
        ("2", "300", "yes", "still running at the end of the log", "no"),
        ("3", "2", "no", "replaced by another timer", "no"),
    ]  # fmt: skip
    welsh = rows(data / "cy" / "amseryddion.csv")
    assert [(r["cwestiwn"], r["eiliadau"], r["sut y daeth i ben"], r["pleidleisio ar glo"]) for r in welsh] == [
        ("2", "600", "disodlwyd gan amserydd arall", "na"),
        ("2", "3", "daeth yr amser i ben", "ie"),
        ("2", "300", "yn dal i redeg ar ddiwedd y log", "na"),
        ("3", "2", "disodlwyd gan amserydd arall", "na"),
    ]
    assert all(r["dechreuwyd"] for r in welsh) and [bool(r["daeth i ben"]) for r in welsh] == [True, True, False, True]
