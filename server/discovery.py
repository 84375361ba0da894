"""Advertising a hub on the local network, so `coproterm join` finds it by itself."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from typing import TYPE_CHECKING

from coproterm.client.discovery import SERVICE_TYPE, host_label
from coproterm.core.i18n import N_
from coproterm.core.problems import Words, os_reason, said

__all__ = ["Advertiser", "host_label"]
from coproterm.core.session import Session

if TYPE_CHECKING:
    from zeroconf import ServiceInfo
    from zeroconf.asyncio import AsyncZeroconf

log = logging.getLogger("coproterm.discovery")
REFRESH = 10.0
"""Seconds between checks of the participant count in the advertisement."""


class Advertiser:
    """Registers the hub as a ``_coproterm._tcp`` service and keeps its TXT record current."""

    def __init__(
        self, session: Session, port: int, addresses: list[str], interfaces: list[str] | None, server: str | None = None
    ) -> None:
        self.session = session
        self.port = port
        self.addresses = addresses
        """The IPv4 addresses the record carries: the one the facilitator chose to show the room first."""
        self.interfaces = interfaces
        self.server = server
        """The host name the record gives (``--advertise coproterm.local``); None: this machine's own name."""
        self.problem: Words | None = None
        """Why the hub is not advertised, if it is not (worded where it is shown)."""
        self._zeroconf: AsyncZeroconf | None = None
        self._info: ServiceInfo | None = None
        self._refresher: asyncio.Task[None] | None = None

    def _properties(self) -> dict[str, str]:
        return {
            "title": self.session.deck.title[:120],
            "participants": str(self.session.connected),
            "code": "1" if self.session.require_code else "0",
            "v": "1",
        }

    async def start(self) -> None:
        """Advertise; if the network does not allow it, note why and carry on without."""
        from zeroconf import InterfaceChoice, IPVersion
        from zeroconf.asyncio import AsyncZeroconf

        title = "".join(ch for ch in self.session.deck.title if ch not in ".\\")[:40].strip() or "coproterm"
        try:
            zeroconf = AsyncZeroconf(interfaces=self.interfaces or InterfaceChoice.All, ip_version=IPVersion.V4Only)
            self._zeroconf = zeroconf
            self._info = self._service(f"{title} on {host_label()}.{SERVICE_TYPE}")
            await zeroconf.async_register_service(self._info, allow_name_change=True)
        except (OSError, ValueError) as error:
            reason = (
                os_reason(error) if isinstance(error, OSError) and error.errno else Words(N_("the name is not valid"))
            )
            self.problem = said(N_("not advertised on the network: {reason}"), reason=reason)
            log.warning("not advertising on the network: %s", error)
            await self.stop()
            return
        self._refresher = asyncio.create_task(self._refresh())

    def _service(self, name: str) -> ServiceInfo:
        from zeroconf import ServiceInfo

        return ServiceInfo(
            SERVICE_TYPE,
            name,
            addresses=[socket.inet_aton(a) for a in self.addresses],
            port=self.port,
            properties=self._properties(),
            server=f"{self.server or host_label() + '.local'}.".replace("..", "."),
        )

    async def show(self, addresses: list[str]) -> None:
        """Carry ``addresses`` from now on (the facilitator chose another, or the network changed)."""
        if addresses == self.addresses or not addresses:
            return
        self.addresses = addresses
        from zeroconf.asyncio import AsyncZeroconf

        if isinstance(self._zeroconf, AsyncZeroconf) and self._info is not None:
            self._info = self._service(self._info.name)
            with contextlib.suppress(OSError, ValueError):
                await self._zeroconf.async_update_service(self._info)

    async def _refresh(self) -> None:
        from zeroconf.asyncio import AsyncZeroconf

        advertised = self._properties()
        while True:
            await asyncio.sleep(REFRESH)
            current = self._properties()
            if current != advertised and isinstance(self._zeroconf, AsyncZeroconf) and self._info is not None:
                advertised = current
                self._info = self._service(self._info.name)
                with contextlib.suppress(OSError):
                    await self._zeroconf.async_update_service(self._info)

    async def stop(self) -> None:
        from zeroconf.asyncio import AsyncZeroconf

        if self._refresher is not None:
            self._refresher.cancel()
        zeroconf, self._zeroconf = self._zeroconf, None
        if isinstance(zeroconf, AsyncZeroconf):
            with contextlib.suppress(OSError):
                if self._info is not None:
                    await zeroconf.async_unregister_service(self._info)
                await zeroconf.async_close()
