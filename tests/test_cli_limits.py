"""A hub holds as many people as its open-file limit allows, raises that limit itself, and says when it is short."""

from __future__ import annotations

import resource
import signal
import subprocess
import sys
from pathlib import Path

COPROTERM = [sys.executable, "-m", "coproterm"]


def serve_with_file_limit(soft: int, hard: int, *args: str, data: Path) -> tuple[str, str, str]:
    """Run `serve` under an open-file limit until it is serving; its /proc limits, stdout and stderr."""

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))

    process = subprocess.Popen(
        [
            *COPROTERM,
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--ssh-port",
            "0",
            "--no-mdns",
            "--data-dir",
            str(data),
            *args,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=limit,
    )
    try:
        lines = []
        while not lines or "Ctrl-C" not in lines[-1]:
            line = process.stdout.readline()
            assert line, process.stderr.read()
            lines.append(line)
        limits = Path(f"/proc/{process.pid}/limits").read_text()
    finally:
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)
    return limits, "".join(lines) + out, err


def open_files(limits: str) -> tuple[str, str]:
    line = next(line for line in limits.splitlines() if line.startswith("Max open files"))
    return tuple(line.split()[3:5])


def test_serve_raises_its_soft_open_file_limit_to_the_hard_one(tmp_path):
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    hard = 16384 if hard == resource.RLIM_INFINITY else min(hard, 16384)  # room for the default 5000
    limits, _, err = serve_with_file_limit(256, hard, data=tmp_path)
    assert open_files(limits) == (str(hard), str(hard))
    assert "lowered" not in err


def test_a_low_hard_limit_lowers_the_participant_limit_and_says_so(tmp_path):
    _, _, err = serve_with_file_limit(256, 256, data=tmp_path)
    assert "--max-participants lowered to 64: this process may open only 256 files" in err
    assert "5000 is the default" in err
    _, _, asked = serve_with_file_limit(256, 256, "--max-participants", "100", data=tmp_path)
    assert "lowered to 64" in asked and "100 were asked for" in asked
    _, _, enough = serve_with_file_limit(256, 256, "--max-participants", "50", data=tmp_path)
    assert "lowered" not in enough
