"""The addresses people in the room can type to reach this machine."""

from __future__ import annotations

import contextlib
import fcntl
import ipaddress
import socket
import struct

_SIOCGIFADDR = 0x8915


def lan_ipv4_addresses() -> list[str]:
    """This machine's IPv4 addresses other than loopback, best first (private ranges)."""
    found: set[str] = set()
    with contextlib.suppress(OSError):
        for _, name in socket.if_nameindex():
            address = _interface_ipv4(name)
            if address:
                found.add(address)
    if not found:
        with contextlib.suppress(OSError):
            for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET):
                found.add(str(info[4][0]))
    usable = [a for a in found if not ipaddress.ip_address(a).is_loopback]
    return sorted(usable, key=lambda a: (not ipaddress.ip_address(a).is_private, a))


def _interface_ipv4(name: str) -> str | None:
    """The IPv4 address of one interface (Linux ioctl; None where unsupported)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            packed = fcntl.ioctl(probe.fileno(), _SIOCGIFADDR, struct.pack("256s", name[:15].encode()))
        except OSError:
            return None
    return socket.inet_ntoa(packed[20:24])


WILDCARDS = frozenset({"0.0.0.0", "", "::"})
"""Bind addresses that mean every interface ("::" every IPv6 and IPv4 one)."""


def everywhere(bind_host: str) -> bool:
    """Whether a hub bound to ``bind_host`` listens on every interface."""
    return bind_host in WILDCARDS


def join_hosts(bind_host: str) -> list[str]:
    """The hosts people in the room can type for a hub bound to ``bind_host``, best first."""
    return (lan_ipv4_addresses() or ["127.0.0.1"]) if everywhere(bind_host) else [bind_host]


def local_host(bind_host: str) -> str:
    """Where a process on this machine reaches a hub bound to ``bind_host``."""
    return "127.0.0.1" if everywhere(bind_host) else bind_host


def with_port(host: str, port: int) -> str:
    """``HOST:PORT``, with an IPv6 address in brackets."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def join_targets(bind_host: str, port: int) -> list[str]:
    """What to put after ``coproterm join`` for a hub bound to ``bind_host:port``."""
    return [with_port(host, port) for host in join_hosts(bind_host)]
