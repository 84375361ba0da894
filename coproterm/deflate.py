"""Compression for the few large frames: the welcome's deck, a translation, a full wall.

permessage-deflate (RFC 7692) as both ends negotiate it, but a message is compressed only
when it is large (a sender may leave any message uncompressed: RSV1 says which), and no
zlib state outlives a message on either side (no context takeover). The hub's fan-out of
small frames (tallies, states, acks: a few dozen bytes, to thousands) costs nothing more, and
a connection holds no compressor or window between messages: its memory stays where it was.
Browsers offer the extension by themselves; `coproterm join` and the SSH workers offer it here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from websockets.extensions.base import Extension
from websockets.extensions.permessage_deflate import (
    ClientPerMessageDeflateFactory,
    PerMessageDeflate,
    ServerPerMessageDeflateFactory,
)
from websockets.frames import CTRL_OPCODES, Frame, Opcode
from websockets.typing import ExtensionParameter

LARGE = 1024
"""Bytes from which a message is compressed: below it, deflate's header and flush cost more than they save."""


class LargeMessagesDeflate(PerMessageDeflate):
    """permessage-deflate that compresses only a whole message of :data:`LARGE` bytes or more."""

    def encode(self, frame: Frame) -> Frame:
        whole_and_large = frame.fin and frame.opcode is not Opcode.CONT and len(frame.data) >= LARGE
        if frame.opcode in CTRL_OPCODES or not whole_and_large:
            return frame
        return super().encode(frame)


def _large_only(extension: PerMessageDeflate) -> LargeMessagesDeflate:
    return LargeMessagesDeflate(
        extension.remote_no_context_takeover,
        extension.local_no_context_takeover,
        extension.remote_max_window_bits,
        extension.local_max_window_bits,
        extension.compress_settings,
    )


class HubDeflate(ServerPerMessageDeflateFactory):
    """The hub's side: neither end keeps a compression context between messages."""

    def __init__(self) -> None:
        super().__init__(server_no_context_takeover=True, client_no_context_takeover=True)

    def process_request_params(
        self, params: Sequence[ExtensionParameter], accepted_extensions: Sequence[Extension]
    ) -> tuple[list[ExtensionParameter], PerMessageDeflate]:
        response, extension = super().process_request_params(params, accepted_extensions)
        return response, _large_only(extension)


class ClientDeflate(ClientPerMessageDeflateFactory):
    """A client's side (`coproterm join`, the SSH workers), asking the same of the hub."""

    def __init__(self) -> None:
        super().__init__(server_no_context_takeover=True, client_no_context_takeover=True)

    def process_response_params(
        self, params: Sequence[ExtensionParameter], accepted_extensions: Sequence[Extension]
    ) -> PerMessageDeflate:
        return _large_only(super().process_response_params(params, accepted_extensions))


def hub_extensions() -> list[Any]:
    """The ``extensions`` a hub serves with (and ``compression=None``: these replace the default)."""
    return [HubDeflate()]


def client_extensions() -> list[Any]:
    """The ``extensions`` a client connects with (and ``compression=None``)."""
    return [ClientDeflate()]
