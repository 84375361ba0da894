"""The addresses people in the room can type to reach this machine, best first.

The interfaces come from ``ifaddr`` (as zeroconf finds them: Linux, macOS and
Windows alike). The interface that carries the default route comes first: on a
laptop at a venue that is its Wi-Fi or its cable. Interfaces nobody else in the
room can reach (containers' and virtual machines' bridges, VPN tunnels,
link-local addresses) are left out, unless there is nothing else.
"""

from __future__ import annotations

import contextlib
import fnmatch
import ipaddress
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass

VIRTUAL_NAMES = (
    # Linux: containers, virtual machines, VPNs and bridges
    "docker*", "br-*", "veth*", "virbr*", "vmnet*", "vboxnet*", "lxcbr*", "lxdbr*", "podman*", "cni*",
    "flannel*", "cali*", "tun*", "tap*", "wg*", "tailscale*", "zt*", "ppp*",
    # macOS: VPN tunnels, Apple's peer-to-peer links, internet sharing's bridge
    "utun*", "awdl*", "llw*", "bridge*", "anpi*", "ap1",
)  # fmt: skip
"""Interface names (as the system gives them, shell patterns) of networks people in the room cannot reach."""
VIRTUAL_WORDS = (
    "virtual", "vethernet", "hyper-v", "vmware", "virtualbox", "vpn", "tap-windows", "wireguard", "tailscale",
    "zerotier", "anyconnect", "fortinet", "globalprotect", "loopback", "wsl", "docker",
)  # fmt: skip
"""Words in an interface's description (Windows names its adapters "vEthernet (WSL)", "TAP-Windows Adapter V9"…)."""

ROUTE_PROBE = "198.51.100.1"
"""A documentation address (TEST-NET-2): connecting a UDP socket to it sends nothing, but picks the address the
default route would use."""


@dataclass(frozen=True, slots=True)
class Interface:
    """One IPv4 address of one of this machine's network interfaces."""

    name: str
    """The system's name for the interface (``wlan0``, ``en0``, a GUID on Windows)."""
    address: str
    description: str = ""
    """What the system calls it for people (Windows: "Wi-Fi", "vEthernet (WSL)"); often the name again."""

    @property
    def virtual(self) -> bool:
        """A network that only this machine (its containers, virtual machines or a VPN) is on."""
        name = self.name.lower()
        if any(fnmatch.fnmatchcase(name, pattern) for pattern in VIRTUAL_NAMES):
            return True
        words = self.description.lower()
        return any(word in words for word in VIRTUAL_WORDS) or ipaddress.ip_address(self.address).is_link_local


def interfaces() -> list[Interface]:
    """This machine's IPv4 addresses, one per interface address, in the order the system lists them."""
    import ifaddr  # zeroconf's own way of finding interfaces, on every platform

    found = []
    with contextlib.suppress(OSError, ValueError):
        for adapter in ifaddr.get_adapters():
            for ip in adapter.ips:
                if isinstance(ip.ip, str):  # IPv4; an IPv6 one is a tuple
                    found.append(Interface(str(adapter.name), ip.ip, str(adapter.nice_name or "")))
    return found


def default_route_address() -> str | None:
    """The address this machine's default route leaves from (None: no default route)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect((ROUTE_PROBE, 9))
            address = str(probe.getsockname()[0])
        except OSError:
            return None
    return None if address in ("0.0.0.0", "") else address


def rank(found: Iterable[Interface], default_route: str | None = None) -> list[str]:
    """The addresses people in the room can reach, best first: the default route's interface, then the rest.

    Loopback and the virtual networks are left out; if nothing else is left, the
    virtual ones are better than nothing (a laptop sharing its connection as a hotspot).
    """
    candidates = [i for i in found if not ipaddress.ip_address(i.address).is_loopback]
    routed = {i.name for i in candidates if i.address == default_route}

    def order(i: Interface) -> tuple[bool, bool, bool]:
        ip = ipaddress.ip_address(i.address)
        return (i.name not in routed, i.address != default_route, not ip.is_private)

    real = [i for i in candidates if not i.virtual]
    chosen = real or [i for i in candidates if not ipaddress.ip_address(i.address).is_link_local] or candidates
    return list(dict.fromkeys(i.address for i in sorted(chosen, key=order)))  # stable: the system's order otherwise


def lan_ipv4_addresses(
    find: Callable[[], list[Interface]] = interfaces, route: Callable[[], str | None] = default_route_address
) -> list[str]:
    """This machine's IPv4 addresses people in the room can reach, best first (see :func:`rank`)."""
    found = find()
    if not found:
        with contextlib.suppress(OSError):
            for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET):
                found.append(Interface("", str(info[4][0])))
    return rank(found, route())


WILDCARDS = frozenset({"0.0.0.0", "", "::"})
"""Bind addresses that mean every interface ("::" every IPv6 and IPv4 one)."""


def everywhere(bind_host: str) -> bool:
    """Whether a hub bound to ``bind_host`` listens on every interface."""
    return bind_host in WILDCARDS


def join_hosts(bind_host: str, advertise: str | None = None) -> list[str]:
    """The hosts people in the room can type for a hub bound to ``bind_host``, best first.

    ``advertise`` (``--advertise``: an address or a name such as ``coproterm.local``) comes first when given.
    """
    found = (lan_ipv4_addresses() or ["127.0.0.1"]) if everywhere(bind_host) else [bind_host]
    if advertise:
        return [advertise, *(host for host in found if host != advertise)]
    return found


def local_host(bind_host: str) -> str:
    """Where a process on this machine reaches a hub bound to ``bind_host``."""
    return "127.0.0.1" if everywhere(bind_host) else bind_host


def with_port(host: str, port: int) -> str:
    """``HOST:PORT``, with an IPv6 address in brackets."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def join_targets(bind_host: str, port: int, advertise: str | None = None) -> list[str]:
    """What to put after ``coproterm join`` for a hub bound to ``bind_host:port``."""
    return [with_port(host, port) for host in join_hosts(bind_host, advertise)]


def advertised_ipv4(host: str) -> list[str]:
    """The IPv4 addresses to put in the network advertisement for ``host`` (a name is looked up; [] if it cannot be)."""
    try:
        return [str(ipaddress.IPv4Address(host))]
    except ValueError:
        pass
    with contextlib.suppress(OSError, UnicodeError):
        return list(dict.fromkeys(str(info[4][0]) for info in socket.getaddrinfo(host, None, socket.AF_INET)))
    return []
