"""Other machines for a test: a network namespace of its own, with as many addresses as it asks for.

The namespace is joined to this one by a virtual cable (veth): the hub listens
on the near end's address, and attack traffic comes from the far side's
addresses, as from other laptops in the room. Sockets are made inside the
namespace by one thread that entered it (``setns`` moves only the calling
thread), and then used from the test's event loop like any other; programs
(OpenSSH) run there with :attr:`Namespace.via`. Linux and root only: the
fixture skips elsewhere.
"""

from __future__ import annotations

import asyncio
import ctypes
import os
import shutil
import socket
import subprocess
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import pytest

CLONE_NEWNET = 0x40000000


def _ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True)


@dataclass
class Namespace:
    """A network namespace with ``addresses`` on the far side, and ``hub`` (this side's address) to listen on."""

    name: str
    hub: str
    addresses: list[str]
    _thread: ThreadPoolExecutor = field(default_factory=lambda: ThreadPoolExecutor(1))

    @property
    def via(self) -> tuple[str, ...]:
        """The command prefix that runs a program inside the namespace."""
        return (shutil.which("ip") or "ip", "netns", "exec", self.name)

    def _enter(self) -> None:
        libc = ctypes.CDLL(None, use_errno=True)
        fd = os.open(f"/var/run/netns/{self.name}", os.O_RDONLY)
        try:
            if libc.setns(fd, CLONE_NEWNET) != 0:
                raise OSError(ctypes.get_errno(), "setns")
        finally:
            os.close(fd)

    def start(self) -> None:
        self._thread.submit(self._enter).result()

    def _connect(self, host: str, port: int, source: str) -> socket.socket:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            sock.bind((source, 0))
            sock.settimeout(10)
            sock.connect((host, port))
            sock.setblocking(False)
        except OSError:
            sock.close()
            raise
        return sock

    async def connect(self, port: int, source: str) -> socket.socket:
        """A TCP connection to the hub's address and ``port``, made from ``source`` inside the namespace."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._thread, self._connect, self.hub, port, source)

    def close(self) -> None:
        self._thread.shutdown(wait=True)


def make_namespace(tag: str, count: int) -> Iterator[Namespace]:
    """Make a namespace with ``count`` addresses (10.23x.N.2 …) and a veth to it; removed afterwards."""
    if os.geteuid() != 0 or shutil.which("ip") is None:
        pytest.skip("needs root and iproute2 for a network namespace")
    n = (os.getpid() + sum(map(ord, tag))) % 200 + 20
    name, near, far = f"ct-{tag}-{n}", f"ct{tag[:4]}{n}h", f"ct{tag[:4]}{n}n"
    subprocess.run(["ip", "netns", "del", name], capture_output=True)
    subprocess.run(["ip", "link", "del", near], capture_output=True)
    addresses = [f"10.233.{n}.{2 + i}" for i in range(count)]
    try:
        _ip("netns", "add", name)
        _ip("link", "add", near, "type", "veth", "peer", "name", far)
        _ip("link", "set", far, "netns", name)
        _ip("addr", "add", f"10.233.{n}.1/24", "dev", near)
        _ip("link", "set", near, "up")
        for address in addresses:
            _ip("netns", "exec", name, "ip", "addr", "add", f"{address}/24", "dev", far)
        _ip("netns", "exec", name, "ip", "link", "set", far, "up")
        _ip("netns", "exec", name, "ip", "link", "set", "lo", "up")
    except subprocess.CalledProcessError as error:
        subprocess.run(["ip", "netns", "del", name], capture_output=True)
        pytest.skip(f"no network namespace here: {error.stderr.decode().strip()}")
    space = Namespace(name, f"10.233.{n}.1", addresses)
    try:
        space.start()
        yield space
    finally:
        space.close()
        subprocess.run(["ip", "netns", "del", name], capture_output=True)
        subprocess.run(["ip", "link", "del", near], capture_output=True)


@pytest.fixture
def room() -> Iterator[Namespace]:
    """A namespace with 24 addresses: other machines in the room, to attack from and to join from."""
    yield from make_namespace("room", 24)


@pytest.fixture
def cable():
    """A namespace and a veth pair: (the hub's address, the command that runs a program on the far side, pull)."""
    if os.geteuid() != 0 or shutil.which("ip") is None:
        pytest.skip("needs root and iproute2 for a network namespace")
    n = os.getpid() % 200 + 20
    name, near, far = f"ct-cable-{n}", f"ctc{n}h", f"ctc{n}n"
    subprocess.run(["ip", "netns", "del", name], capture_output=True)
    subprocess.run(["ip", "link", "del", near], capture_output=True)
    try:
        _ip("netns", "add", name)
        _ip("link", "add", near, "type", "veth", "peer", "name", far)
        _ip("link", "set", far, "netns", name)
        _ip("addr", "add", f"10.231.{n}.1/30", "dev", near)
        _ip("link", "set", near, "up")
        _ip("netns", "exec", name, "ip", "addr", "add", f"10.231.{n}.2/30", "dev", far)
        _ip("netns", "exec", name, "ip", "link", "set", far, "up")
    except subprocess.CalledProcessError as error:
        pytest.skip(f"no network namespace here: {error.stderr.decode().strip()}")

    def pull(back: bool = False) -> None:
        # down: no FIN, no RST, silence; back: the cable put back in
        _ip("netns", "exec", name, "ip", "link", "set", far, "up" if back else "down")

    try:
        yield f"10.231.{n}.1", (shutil.which("ip") or "ip", "netns", "exec", name), pull
    finally:
        subprocess.run(["ip", "netns", "del", name], capture_output=True)
        subprocess.run(["ip", "link", "del", near], capture_output=True)
