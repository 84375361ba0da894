"""Secrets stay out of the process list: the host token and the SSH passcode from a variable, a file or a prompt."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from coproterm.commands.hub_setup import SecretError, read_secret
from tests.hubkit import start_serve

COPROTERM = [sys.executable, "-m", "coproterm"]


def run(*args: str, env: dict[str, str] | None = None, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*COPROTERM, *args], capture_output=True, text=True, timeout=60, input=stdin, env={**os.environ, **(env or {})}
    )


def test_a_secret_comes_from_the_command_line_a_file_or_the_environment(tmp_path, monkeypatch):
    secret = tmp_path / "token"
    secret.write_text("from-the-file\nsecond line ignored\n")
    monkeypatch.setenv("SOME_SECRET", " from-the-variable ")
    assert read_secret("typed", secret, "SOME_SECRET", what="token") == "typed"
    assert read_secret(None, secret, "SOME_SECRET", what="token") == "from-the-file"
    assert read_secret(None, None, "SOME_SECRET", what="token") == "from-the-variable"
    monkeypatch.delenv("SOME_SECRET")
    assert read_secret(None, None, "SOME_SECRET", what="token", ask=True) is None, "no terminal: nobody to ask"
    with pytest.raises(SecretError, match=r"cannot read the token from .*missing: there is no such file or folder"):
        read_secret(None, tmp_path / "missing", "SOME_SECRET", what="token")
    (tmp_path / "blank").write_text("\n")
    with pytest.raises(SecretError, match="holds no token"):
        read_secret(None, tmp_path / "blank", "SOME_SECRET", what="token")


def test_help_says_where_else_secrets_can_come_from():
    host = run("host", "--help").stdout
    assert "$COPROTERM_HOST_TOKEN" in host and "--token-file" in host and "(ps)" in host
    serve = run("serve", "--help").stdout
    assert "$COPROTERM_SSH_PASSCODE" in serve and "--ssh-passcode-file" in serve


def test_attach_without_a_token_says_every_way_to_give_one(tmp_path):
    result = run("host", "--attach", "ws://127.0.0.1:1")
    assert result.returncode == 2
    assert "$COPROTERM_HOST_TOKEN" in result.stderr and "--token-file" in result.stderr
    missing = run("host", "--attach", "ws://127.0.0.1:1", "--token-file", str(tmp_path / "nope"))
    assert missing.returncode == 2 and "cannot read the host token from" in missing.stderr


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize("source", ["variable", "file", "stdin"])
async def test_the_ssh_passcode_need_not_be_on_the_command_line(tmp_path, monkeypatch, source):
    args = ["--ssh-port", str(free_port()), "--no-mdns", "--data-dir", str(tmp_path)]
    if source == "variable":
        monkeypatch.setenv("COPROTERM_SSH_PASSCODE", "purple otter")
    elif source == "file":
        (tmp_path / "passcode").write_text("purple otter\n")
        args += ["--ssh-passcode-file", str(tmp_path / "passcode")]
    else:
        args += ["--ssh-passcode-file", "-"]
    served = await start_serve(*args, stdin_text="purple otter\n" if source == "stdin" else None)
    try:
        said = Path(f"/proc/{served.process.pid}/cmdline").read_bytes()
        assert b"purple" not in said, "the passcode is in the process list"
        assert "passcode asked" in served.said
    finally:
        await served.stop()
