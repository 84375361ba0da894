"""A hub holds as many people as its open-file limit allows, raises that limit itself, and says when it is short."""

from __future__ import annotations

import resource
from pathlib import Path

from tests.hubkit import start_serve


async def serve_with_file_limit(soft: int, hard: int, *args: str, data: Path) -> tuple[str, str, str]:
    """Run `serve` under an open-file limit until it is serving; its /proc limits, stdout and stderr."""

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))

    served = await start_serve("--ssh-port", "0", "--no-mdns", *args, data=data, preexec_fn=limit)
    try:
        limits = Path(f"/proc/{served.process.pid}/limits").read_text()
    finally:
        await served.stop()
    return limits, served.said + served.stdout, served.stderr


def open_files(limits: str) -> tuple[str, str]:
    line = next(line for line in limits.splitlines() if line.startswith("Max open files"))
    return tuple(line.split()[3:5])


async def test_serve_raises_its_soft_open_file_limit_to_the_hard_one(tmp_path):
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    hard = 16384 if hard == resource.RLIM_INFINITY else min(hard, 16384)  # room for the default 5000
    limits, _, err = await serve_with_file_limit(256, hard, data=tmp_path)
    assert open_files(limits) == (str(hard), str(hard))
    assert "lowered" not in err


async def test_a_low_hard_limit_lowers_the_participant_limit_and_says_so(tmp_path):
    _, _, err = await serve_with_file_limit(256, 256, data=tmp_path)
    assert "--max-participants lowered to 64: this process may open only 256 files" in err
    assert "5000 is the default" in err
    _, _, asked = await serve_with_file_limit(256, 256, "--max-participants", "100", data=tmp_path)
    assert "lowered to 64" in asked and "100 were asked for" in asked
    _, _, enough = await serve_with_file_limit(256, 256, "--max-participants", "50", data=tmp_path)
    assert "lowered" not in enough
