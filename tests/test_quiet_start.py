"""No third-party warning reaches a person's terminal: host, join, serve, demo and the SSH workers, each in a pty."""

from __future__ import annotations

import asyncio
import os
import re
import signal

import pytest

from tests.ptykit import COPROTERM, InPty, free_port

QUIET = {"PYTHONWARNINGS": "", "LANG": "en_GB.UTF-8"}
"""As a person's shell starts it: no warning options of the test run's own."""


@pytest.fixture(autouse=True)
def no_warning_options(monkeypatch):
    monkeypatch.delenv("PYTHONWARNINGS", raising=False)


def assert_quiet(program: InPty) -> None:
    said = program.raw
    assert not re.search(r"Warning\b", said), said[-3000:]
    assert "DSA is deprecated" not in said


async def test_serve_with_ssh_workers_prints_no_warning(tmp_path):
    serve = await InPty(
        [*COPROTERM, "serve", "--host", "127.0.0.1", "--port", "0", "--ssh-port", str(free_port()),
         "--ssh-workers", "2", "--no-mdns", "--data-dir", str(tmp_path)],
        env=QUIET,
    ).start()  # fmt: skip
    try:
        await serve.expect("Ctrl-C stops the hub", timeout=60)
        await asyncio.sleep(1)  # the workers' own start-up (they import asyncssh) is logged onto this terminal
    finally:
        os.kill(serve.pid, signal.SIGINT)
        await serve.wait(timeout=40)
    assert "ssh -p" in serve.raw, "the SSH workers started"
    assert_quiet(serve)


async def test_host_and_its_dashboard_print_no_warning_from_start_to_close(tmp_path):
    host = await InPty(
        [*COPROTERM, "host", "--host", "127.0.0.1", "--port", "0", "--ssh-port", str(free_port()), "--no-mdns",
         "--data-dir", str(tmp_path)],
        env=QUIET,
    ).start()  # fmt: skip
    try:
        await host.expect("Join", timeout=60)
        await asyncio.sleep(1)
        host.type("q")  # nobody has joined: it closes at once, and says what became of the session
        assert await host.wait(timeout=40) == 0
    finally:
        if not host.closed:
            host.kill()
    assert_quiet(host)
    assert "The session has ended" in host.shown.text, host.shown.text[-800:]


async def test_demo_prints_no_warning(tmp_path):
    demo = await InPty(
        [*COPROTERM, "demo", "--host", "127.0.0.1", "--port", "0", "--ssh-port", str(free_port()), "--no-mdns",
         "--participants", "3", "--data-dir", str(tmp_path)],
        env=QUIET,
    ).start()  # fmt: skip
    try:
        await demo.expect("3 connected", timeout=60)
        demo.type("q")
        await demo.expect("Close", timeout=10)
        demo.type("y")
        assert await demo.wait(timeout=40) == 0
    finally:
        if not demo.closed:
            demo.kill()
    assert_quiet(demo)


async def test_join_prints_no_warning(tmp_path):
    port = free_port()
    serve = await InPty(
        [*COPROTERM, "serve", "--host", "127.0.0.1", "--port", str(port), "--ssh-port", "0", "--no-mdns",
         "--data-dir", str(tmp_path)],
        env=QUIET,
    ).start()  # fmt: skip
    try:
        await serve.expect("Ctrl-C stops the hub", timeout=60)
        join = await InPty(
            [*COPROTERM, "join", f"127.0.0.1:{port}", "--name", "Ann", "--no-mdns"],
            env={**QUIET, "COPROTERM_DATA_DIR": str(tmp_path)},
        ).start()
        try:
            await join.expect("Welcome|Question|question", timeout=60)
            await join.leave()
            await join.wait(timeout=20)
        finally:
            if not join.closed:
                join.kill()
        assert_quiet(join)
    finally:
        os.kill(serve.pid, signal.SIGINT)
        await serve.wait(timeout=40)
    assert_quiet(serve)
