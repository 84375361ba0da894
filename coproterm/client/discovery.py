"""Finding sessions on the local network (mDNS / DNS-SD, with zeroconf).

A hub advertises itself as a ``_coproterm._tcp`` service whose TXT record
carries the session's title, how many are connected, and whether a join code is
needed. :func:`browse` reports each one it hears of. Venue Wi-Fi often isolates
clients and blocks multicast: then nothing is found, or the network refuses
outright (:class:`DiscoveryUnavailable`), and people type the address instead.
"""

from __future__ import annotations

import asyncio
import errno
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from coproterm.core.view import clean_text

if TYPE_CHECKING:
    from zeroconf import InterfaceChoice

SERVICE_TYPE = "_coproterm._tcp.local."


class DiscoveryUnavailable(OSError):
    """This machine cannot use multicast DNS here (no interface, or the network forbids it)."""


@dataclass(frozen=True, slots=True)
class Found:
    """A session heard of on the network."""

    name: str
    """The service instance name (unique on the network)."""
    title: str
    host: str
    port: int
    participants: int
    code_required: bool

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"


def _interfaces(addresses: Sequence[str] | None) -> list[str] | InterfaceChoice:
    from zeroconf import InterfaceChoice

    return list(addresses) if addresses else InterfaceChoice.All


async def browse(on_found: Callable[[Found], None], *, seconds: float, interfaces: Sequence[str] | None = None) -> None:
    """Listen for sessions for ``seconds``, calling ``on_found`` for each (again when it changes)."""
    from zeroconf import IPVersion, ServiceStateChange
    from zeroconf.asyncio import AsyncServiceBrowser, AsyncServiceInfo, AsyncZeroconf

    try:
        zeroconf = AsyncZeroconf(interfaces=_interfaces(interfaces), ip_version=IPVersion.V4Only)
    except OSError as error:
        # The strerror is the system's English: faces name the error by its errno instead.
        name = errno.errorcode.get(error.errno or 0) or type(error).__name__
        raise DiscoveryUnavailable(error.errno, name) from None
    lookups: set[asyncio.Task[None]] = set()

    async def look_up(name: str) -> None:
        info = AsyncServiceInfo(SERVICE_TYPE, name)
        if await info.async_request(zeroconf.zeroconf, 3000):
            found = _found(name, info)
            if found is not None:
                on_found(found)

    def changed(zeroconf: object, service_type: str, name: str, state_change: ServiceStateChange) -> None:
        if state_change in (ServiceStateChange.Added, ServiceStateChange.Updated):
            task = asyncio.create_task(look_up(name))
            lookups.add(task)
            task.add_done_callback(lookups.discard)

    browser = AsyncServiceBrowser(zeroconf.zeroconf, [SERVICE_TYPE], handlers=[changed])
    try:
        await asyncio.sleep(seconds)
    finally:
        await browser.async_cancel()
        for task in lookups:
            task.cancel()
        await zeroconf.async_close()


def _found(name: str, info: object) -> Found | None:
    properties = {k.decode(): (v or b"").decode("utf-8", "replace") for k, v in info.properties.items()}  # type: ignore[attr-defined]
    addresses = info.parsed_addresses()  # type: ignore[attr-defined]
    if not addresses or info.port is None:  # type: ignore[attr-defined]
        return None
    try:
        participants = int(properties.get("participants", "0"))
    except ValueError:
        participants = 0
    return Found(
        name=name,
        # Anyone on the network can advertise: no escapes or bidi tricks reach the terminal.
        title=clean_text(properties.get("title", name.removesuffix("." + SERVICE_TYPE)), lines=False)[:80],
        host=addresses[0],
        port=int(info.port),  # type: ignore[attr-defined]
        participants=participants,
        code_required=properties.get("code") == "1",
    )


def host_label() -> str:
    """A short name for this machine, for the service's instance name."""
    return socket.gethostname().split(".")[0][:20] or "coproterm"
