"""The SSH attacks of `python -m bench.attacks`: each from 127.0.0.2 against the hub's SSH workers.

Each takes the hub's websocket URL, the time to stop and the SSH port, and runs
in a process of its own beside the honest probe (bench/attacks.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from pathlib import Path

import asyncssh

ATTACKER = "127.0.0.2"


class _Client(asyncssh.SSHClient):
    def kbdint_auth_requested(self) -> str:
        return ""

    def kbdint_challenge_received(self, name, instructions, lang, prompts):  # type: ignore[no-untyped-def]
        return [""] * len(prompts)


async def _session(port: int, user: str, env: dict[str | bytes, str | bytes] | None = None):  # type: ignore[no-untyped-def]
    conn, _ = await asyncssh.create_connection(
        _Client, "127.0.0.1", port, username=user, known_hosts=None, client_keys=None, agent_path=None,
        local_addr=(ATTACKER, 0),
    )  # fmt: skip
    channel, _ = await conn.create_session(
        asyncssh.SSHClientSession, term_type="xterm", term_size=(80, 24), encoding=None, env=env or {}
    )
    return conn, channel


async def env_flood(url: str, until: float, port: int) -> None:
    """Sessions each sending 300 variables of 32 KB (9.8 MB), four at a time, again and again."""
    junk: dict[str | bytes, str | bytes] = {f"JUNK_{i}": "x" * 32768 for i in range(300)}

    async def one(n: int) -> None:
        while time.monotonic() < until:
            try:
                conn, _ = await _session(port, f"env{n}", junk)
                await asyncio.sleep(0.5)
                conn.close()
            except (OSError, asyncssh.Error):
                await asyncio.sleep(0.2)

    await asyncio.gather(*(one(n) for n in range(4)))


async def unauthenticated_flood(url: str, until: float, port: int) -> None:
    """Up to 2,000 TCP connections to the SSH port that never log in (held, and opened again when closed)."""
    held: list[asyncio.StreamWriter] = []
    while time.monotonic() < until:
        held = [w for w in held if not w.is_closing()]
        if len(held) < 2000:
            with contextlib.suppress(OSError):
                _, writer = await asyncio.open_connection("127.0.0.1", port, local_addr=(ATTACKER, 0))
                held.append(writer)
                continue
        await asyncio.sleep(0.01)
    for writer in held:
        writer.close()


async def churn(url: str, until: float, port: int) -> None:
    """Six SSH identities reconnecting over and over (each waits for its screen, then leaves)."""

    async def one(n: int) -> None:
        while time.monotonic() < until:
            try:
                conn, _channel = await _session(port, f"churn{n}")
                await asyncio.sleep(1.0)
                conn.close()
                await conn.wait_closed()
            except (OSError, asyncssh.Error):
                await asyncio.sleep(0.2)

    await asyncio.gather(*(one(n) for n in range(6)))


async def held_key(url: str, until: float, port: int) -> None:
    """One SSH participant holding `i` (Cymraeg / English): 30 presses a second."""
    conn, channel = await _session(port, "holder")
    await asyncio.sleep(2)
    while time.monotonic() < until:
        channel.write(b"i")
        await asyncio.sleep(1 / 30)
    conn.close()


SSH_ATTACKS = {
    "SSH env flood (4 sessions x 300 variables of 32 KB)": env_flood,
    "SSH connections never logging in (up to 2,000)": unauthenticated_flood,
    "SSH churn (6 identities reconnecting)": churn,
    "SSH key held (`i`, 30 a second)": held_key,
}


def worker_rss_kib(hub_pid: int) -> int:
    """The SSH workers' resident memory together (the hub's child processes)."""
    total = 0
    children = Path(f"/proc/{hub_pid}/task/{hub_pid}/children").read_text().split()
    for child in children:
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{child}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
    return total
