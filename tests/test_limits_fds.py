"""A hub out of file descriptors refuses new connections quietly, and serves again when some close."""

from __future__ import annotations

import asyncio
import resource
import signal

from tests.hubkit import join, start_serve


def _few_files() -> None:
    resource.setrlimit(resource.RLIMIT_NOFILE, (80, 80))


async def test_running_out_of_descriptors_is_said_once_not_per_attempt():
    served = await start_serve("--ssh-port", "0", "--no-mdns", preexec_fn=_few_files)
    try:
        target = served.target
        host, port = target.rsplit(":", 1)
        writers = []
        for i in range(2, 10):  # 8 addresses of our own, as many connections as each may hold
            for _ in range(30):
                try:
                    _, writer = await asyncio.open_connection(host, int(port), local_addr=(f"127.0.0.{i}", 0))
                    writers.append(writer)
                except OSError:
                    pass
        await asyncio.sleep(3)  # asyncio retries the accept every second while out of descriptors
        for writer in writers:
            writer.close()
        await asyncio.sleep(1.5)
        peer = await join(f"ws://{target}")
        assert peer.welcome is not None, "serving again once descriptors are free"
        await peer.socket.close()
    finally:
        await served.stop(signal.SIGTERM)
    said = served.stderr
    assert said.count("out of file descriptors") == 1, said[-3000:]
    assert "Traceback" not in said and "out of system resource" not in said
