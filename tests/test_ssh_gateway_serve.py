"""A hub with no SSH of its own (``serve --ssh-port 0``) still has a gateway secret, so a separate
``coproterm ssh-gateway`` proves itself and its participants count at their own address."""

from __future__ import annotations

from pathlib import Path

from coproterm.core.client_messages import Hello
from tests.hubkit import join, start_serve
from tests.sshkit import SSHClient, remote_gateway, ssh_binary


async def test_a_serve_without_ssh_writes_a_secret_that_a_separate_gateway_proves(tmp_path: Path):
    ssh_binary()
    data = tmp_path / "hub"
    served = await start_serve("--ssh-port", "0", "--no-mdns", data=data)
    try:
        secret = (data / "gateway_secret").read_text().strip()
        assert secret, "the hub wrote this start's secret, though it serves no SSH itself"
        url = served.url
        host = await join(url, Hello(host_token=served.token))
        async with remote_gateway(url, tmp_path, secret) as (_gateway, port):
            dai = await SSHClient(port, "dai", source="127.0.0.2").start()
            await dai.expect("co-production mean to you", timeout=60)
            # over_ssh counts only participants a gateway vouched for: the hub took the gateway's proof.
            await host.until(lambda p: p.attendance is not None and p.attendance.over_ssh == 1, timeout=20)
            await dai.leave()
            assert await dai.wait() == 0
        await host.socket.close()
    finally:
        await served.stop()


async def test_a_gateway_with_another_secret_is_not_trusted_by_a_serve_without_ssh(tmp_path: Path):
    ssh_binary()
    data = tmp_path / "hub"
    served = await start_serve("--ssh-port", "0", "--no-mdns", data=data)
    try:
        url = served.url
        host = await join(url, Hello(host_token=served.token))
        async with remote_gateway(url, tmp_path, "an-old-secret") as (_gateway, port):
            dai = await SSHClient(port, "dai", source="127.0.0.2").start()
            await dai.expect("co-production mean to you", timeout=60)
            await host.until(lambda p: p.attendance is not None and p.attendance.joined == 1, timeout=20)
            assert host.attendance is not None and host.attendance.over_ssh == 0
            await dai.leave()
            assert await dai.wait() == 0
        await host.socket.close()
    finally:
        await served.stop()
