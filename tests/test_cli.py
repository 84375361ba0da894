"""The `coproterm` command as a user runs it: a real process, real signals."""

from __future__ import annotations

import asyncio
import subprocess
import sys

import pytest

from coproterm.core.client_messages import Command, Hello, Vote
from coproterm.core.wire_terms import Action
from tests.hubkit import join, start_serve

COPROTERM = [sys.executable, "-m", "coproterm"]


async def test_serve_hosts_a_session_and_stops_cleanly_on_ctrl_c():
    served = await start_serve()
    try:
        host = await join(served.url, Hello(host_token=served.token))
        ann = await join(served.url)
        assert ann.welcome.deck["title"] == "Co-production and citizen involvement"
        await host.request(lambda seq: Command(seq, Action.GOTO, 1))
        await ann.request(lambda seq: Vote(seq, 1, 2))
        await host.until(lambda p: p.tally and p.tally.question == 1 and p.tally.counts[2] == 1)
    finally:
        code = await served.stop()
    assert code == 0
    assert "Stopping" in served.stdout
    assert "Traceback" not in served.stderr


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*COPROTERM, *args], capture_output=True, text=True, timeout=30)


def test_a_broken_deck_is_a_clear_error(tmp_path):
    deck = tmp_path / "broken.toml"
    deck.write_text('title = "x"\n[[questions]]\nprompt = "Well?"\nboard = "nowhere"\n')
    result = run("serve", "--deck", str(deck))
    assert result.returncode == 2
    assert f"coproterm: {deck}: questions[0].board: no scale named 'nowhere'" in result.stderr
    assert "Traceback" not in result.stderr


async def test_a_port_in_use_is_a_clear_error():
    served = await start_serve()
    try:
        port = str(served.port)
        result = await asyncio.to_thread(run, "serve", "--host", "127.0.0.1", "--port", port)
        assert result.returncode == 2
        assert f"port {port} is already in use" in result.stderr
    finally:
        await served.stop()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("join", "host:notaport"), "is not HOST or HOST:PORT"),
        (("host", "--attach", "ws://127.0.0.1:1"), "--attach needs the hub's host token"),
        (("demo", "--participants", "9999"), "--participants takes a number from 0 to 500"),
    ],
)
def test_bad_arguments_are_clear_errors(args, message):
    result = run(*args)
    assert result.returncode == 2
    assert message in result.stderr


def test_no_command_prints_help():
    result = run()
    assert result.returncode == 2
    assert "serve" in result.stdout and "join" in result.stdout


async def test_tests_keep_sessions_and_keys_out_of_the_users_data_directory(tmp_path_factory):
    import os
    from pathlib import Path

    private = Path(os.environ["COPROTERM_DATA_DIR"])
    assert private.is_relative_to(tmp_path_factory.getbasetemp()), "conftest gives every test its own data dir"
    served = await start_serve()  # no --data-dir, as a user would run it
    try:
        sessions = list((private / "sessions").glob("*.sqlite3"))
        assert len(sessions) == 1, "the session went somewhere else"
        assert any(private.glob("*key*")), "the SSH host key went somewhere else"
    finally:
        await served.stop()
