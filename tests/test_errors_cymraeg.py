"""Errors and the storage alert in the reader's language: a Welsh screen shows none of the hub's English.

A facilitator's own deck with a mistake, a log that cannot be opened, a port in use: the command
line words them from the catalog with LANG=cy. The storage alert (``State.alert``) travels as a
number and each face words it: the participant app and the dashboard in Pilot, plain mode, the
phone page in Chromium, all on a real hub whose real SQLite log another program has locked.
"""

from __future__ import annotations

import asyncio
import os
import re
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from coproterm.core.alerts import UNKNOWN, WORDS, Alert, words
from coproterm.core.client_messages import Command, Hello, Vote
from coproterm.core.deck import DeckError, parse_deck
from coproterm.core.i18n import ENGLISH, WELSH, language
from coproterm.core.wire_terms import Action
from coproterm.server.hub_runner import HubRunner, prepare
from coproterm.tui.host.app import HostApp
from coproterm.tui.participant.app import ParticipantApp
from tests.cymraegkit import english_in, screen_text
from tests.hubkit import join

CY = language(WELSH)
EN = language(ENGLISH)
ROOT = Path(__file__).resolve().parent.parent
SPECTRUM = 1
"""The short deck's first question with a board."""


def test_every_alert_has_welsh_words_and_no_english():
    for alert in Alert:
        welsh = words(CY, alert)
        assert welsh != words(EN, alert), f"{alert.name} has no Welsh"
        assert not english_in(welsh), f"{alert.name}: {welsh}"
    assert "99" in words(CY, 99) and "diweddarwch coproterm" in words(CY, 99)
    assert words(EN, 99) == UNKNOWN.format(alert=99)
    assert "update coproterm" in words(EN, int(Alert.DISK_FULL), (1,)), "values that do not fit: worded as unknown"


def test_the_doc_lists_every_alert_with_its_words():
    doc = (ROOT / "docs" / "protocol.md").read_text()
    rows = {
        int(n): (name, said) for n, name, said in re.findall(r"^\| (\d+) \| `([A-Z_]+)` \| — \| (.+) \|$", doc, re.M)
    }
    for alert in Alert:
        assert rows.get(int(alert)) == (alert.name, WORDS[alert][0]), f"docs/protocol.md: alert {alert.name}"


def test_a_deck_mistake_is_worded_in_welsh_with_its_place_untouched():
    bad = 'title = "Gweithdy"\n[[questions]]\nprompt = "Ble?"\nboard = "sbectrwm"\n'
    with pytest.raises(DeckError) as caught:
        parse_deck(bad, "gweithdy.toml")
    assert (
        caught.value.words(CY)
        == "gweithdy.toml: questions[0].board: dim graddfa o'r enw 'sbectrwm' (nid yw'r dec yn diffinio'r un)"
    )
    assert str(caught.value) == "gweithdy.toml: questions[0].board: no scale named 'sbectrwm' (the deck defines none)"


def _coproterm(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    welsh = {**os.environ, "LANG": "cy_GB.UTF-8", "LANGUAGE": "", "LC_ALL": "", "LC_MESSAGES": ""}
    welsh.pop("COPROTERM_GATEWAY_SECRET", None)
    return subprocess.run(
        [sys.executable, "-m", "coproterm", *args], capture_output=True, text=True, env=welsh, cwd=cwd, timeout=60
    )


def test_the_command_line_words_start_up_errors_in_welsh(tmp_path_factory):
    here = tmp_path_factory.mktemp("gweithdy")  # a path of no English words
    (here / "dec.toml").write_text('title = "Gweithdy"\n[[questions]]\nprompt = "Ble?"\nboard = 3\n', "utf-8")
    (here / "drwg.toml").write_text('title = "Gweithdy\n', "utf-8")
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    port = str(taken.getsockname()[1])
    data = ("--data-dir", str(here / "data"))
    cases = {
        "disgwylid enw graddfa, neu [x, y] ar gyfer grid": ("serve", "--deck", "dec.toml", *data),
        "nid yw'n TOML dilys (llinell 1, colofn 18)": ("serve", "--deck", "drwg.toml", *data),
        "nid oes ffeil na ffolder o'r fath": ("serve", "--deck", "dim.toml", *data),
        f"mae'r porth {port} eisoes yn cael ei ddefnyddio": ("serve", "--host", "127.0.0.1", "--port", port, *data),
        "dim sesiynau yn y cyfeiriadur": ("serve", "--resume", "2026", *data),
        "eto: cynhaliwch un yn gyntaf": ("export", "--format", "json", *data),
        "mae angen cyfrinach porth yr hwb": ("ssh-gateway", "--hub", "127.0.0.1:8765", *data),
    }
    try:
        for expected, args in cases.items():
            done = _coproterm(*args, cwd=here)
            said = done.stderr.strip()
            assert done.returncode == 2 and expected in said, f"{args}: {said}"
            # what the person gave (file names, TOML keys, the path) is theirs: only the sentence is checked
            sentence = said.replace(str(here), "").replace("questions[0].board", "")
            assert not english_in(sentence), f"{args}: {english_in(sentence)} in {said}"
    finally:
        taken.close()


async def test_the_storage_alert_reaches_every_welsh_face_as_welsh(tmp_path):
    from playwright.async_api import expect

    from tests.plainkit import PlainJoin
    from tests.webkit import chromium, phone

    prepared = prepare(parse_deck((ROOT / "coproterm/core/decks/short.toml").read_text("utf-8")), data=tmp_path)
    async with HubRunner(prepared.session, prepared.host_token, "127.0.0.1", 0, prepared.store) as hosted:
        url = hosted.local_url
        host = await join(url, Hello(host_token=prepared.host_token))
        await host.request(lambda s: Command(s, Action.GOTO, SPECTRUM))
        ann = await join(url)
        gwen = ParticipantApp(url, "Gwen", lang="cy")
        dashboard = HostApp(url, prepared.host_token, lang="cy")
        async with (
            gwen.run_test(size=(80, 24)) as gwen_pilot,
            dashboard.run_test(size=(100, 30)) as host_pilot,
            chromium() as browser,
            phone(browser, extra_http_headers={"Accept-Language": "cy"}) as page,
        ):
            plain = await PlainJoin(url, width=80, name="Gwyn", data_dir=str(tmp_path / "gwyn"), lang="cy").start()
            await plain.expect("(?i)cwestiwn 2")
            await page.goto(url.replace("ws://", "http://", 1) + "/")
            await page.locator("#go").click()
            await expect(page.locator("#link")).to_have_text("Wedi cysylltu")
            other = sqlite3.connect(prepared.store.path, isolation_level=None)
            other.execute("BEGIN EXCLUSIVE")  # another program holds the log
            try:
                await ann.request(lambda s: Vote(s, SPECTRUM, 2))  # refused: the log cannot take it
                welsh = words(CY, Alert.LOG_LOCKED)
                await expect(page.get_by_role("alert")).to_contain_text(welsh)
                assert not english_in(await page.inner_text("body"))
                for app, pilot in ((gwen, gwen_pilot), (dashboard, host_pilot)):
                    async with asyncio.timeout(10):
                        while app.view.state is None or app.view.state.alert != Alert.LOG_LOCKED:
                            await pilot.pause(0.05)
                    await pilot.pause(0.2)
                    shown = screen_text(app.export_screenshot())
                    assert "⚠" in shown and "ysgrifennu" in shown, shown
                    assert not english_in(shown), f"{english_in(shown)}\n{shown}"
                await plain.expect(r"Gan yr hwb: ni ellir ysgrifennu log y sesiwn \(mae rhaglen arall\s+wedi.i gloi\)")
                assert not english_in(plain.text), plain.text
            finally:
                other.execute("ROLLBACK")
                other.close()
                plain.kill()


def test_the_systems_reasons_are_catalog_words():
    import errno

    from coproterm.core.problems import Problem, os_reason, said_n

    assert os_reason(OSError(errno.ENOSPC, "No space left on device")).words(CY) == "mae'r ddisg yn llawn"
    assert os_reason(OSError(errno.EACCES, "Permission denied")).words(CY) == "gwrthodwyd caniatâd"
    assert os_reason(OSError(errno.EIO, "Input/output error")).words(CY) == "gwall system EIO", "a name, not English"
    problem = Problem("cannot read the deck: {reason}", reason=os_reason(OSError(errno.ENOENT, "No such file")))
    assert str(problem) == "cannot read the deck: there is no such file or folder", "str() is the English, for logs"
    assert problem.words(CY) == "methu darllen y dec: nid oes ffeil na ffolder o'r fath"
    counted = said_n(("{count} participant", "{count} participants"), 3)
    assert (str(counted), counted.words(CY)) == ("3 participants", "cyfranogwyr: 3")
