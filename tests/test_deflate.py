"""The hub compresses its large frames (the deck) and nothing else, and keeps no zlib state.

Bytes off a raw TCP socket that offers permessage-deflate as a browser does; a real
websockets client with the clients' own extension; the hub's own connections looked at
after traffic. The phone page in Chromium (which offers deflate by itself) is walked by
tests/test_web_browser.py and the other page tests.
"""

from __future__ import annotations

import asyncio
import base64
import os
import struct
import zlib
from urllib.parse import urlsplit

from websockets.asyncio.client import connect

from coproterm.core.client_messages import Hello, Vote
from coproterm.core.hub_messages import Ack, Error, State, Welcome
from coproterm.core.wire import decode, encode
from coproterm.deflate import LARGE, LargeMessagesDeflate, client_extensions
from tests.hubkit import running_hub


async def _frame(reader: asyncio.StreamReader) -> tuple[bool, bytes]:
    """The next data frame from the hub (pings passed over): (RSV1, the payload as sent)."""
    while True:
        first, second = await reader.readexactly(2)
        size = second & 0x7F
        if size == 126:
            (size,) = struct.unpack("!H", await reader.readexactly(2))
        elif size == 127:
            (size,) = struct.unpack("!Q", await reader.readexactly(8))
        payload = await reader.readexactly(size)
        if not first & 0x08:  # control frames (ping, pong, close) have the opcode's high bit
            return bool(first & 0x40), payload


def _masked(payload: bytes) -> bytes:
    """A client's binary frame (clients mask, RFC 6455)."""
    mask = os.urandom(4)
    body = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    assert len(payload) < 126
    return bytes([0x82, 0x80 | len(payload)]) + mask + body


async def test_the_welcome_travels_compressed_and_small_frames_do_not():
    async with running_hub() as hub:
        where = urlsplit(hub.url)
        reader, writer = await asyncio.open_connection(where.hostname, where.port)
        key = base64.b64encode(os.urandom(16)).decode()
        writer.write(
            (
                f"GET / HTTP/1.1\r\nHost: {where.netloc}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
                "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n"
            ).encode()
        )
        head = (await reader.readuntil(b"\r\n\r\n")).decode().lower()
        assert "101" in head.split("\r\n")[0]
        assert "permessage-deflate" in head and "client_no_context_takeover" in head

        writer.write(_masked(encode(Hello(name="Ann", language="en"))))
        compressed, payload = await _frame(reader)
        assert compressed, "the welcome (the deck) is compressed"
        frame = zlib.decompressobj(wbits=-15).decompress(payload + b"\x00\x00\xff\xff")
        welcome = decode(frame)
        assert isinstance(welcome, Welcome) and welcome.deck["questions"]
        assert len(payload) < len(frame) / 2, (len(payload), len(frame))

        flag, payload = await _frame(reader)
        assert not flag, "small frames go as they are"
        assert isinstance(decode(payload), State)
        writer.close()


async def test_a_client_with_the_extension_reads_everything_and_no_connection_keeps_zlib_state():
    async with running_hub() as hub, connect(hub.url, compression=None, extensions=client_extensions()) as socket:
        assert isinstance(socket.protocol.extensions[0], LargeMessagesDeflate)
        await socket.send(encode(Hello(name="Ann", language="cy")))
        welcome = decode(await socket.recv())
        assert isinstance(welcome, Welcome) and len(encode(welcome)) >= LARGE
        await socket.send(encode(Vote(1, 1, 3)))
        while not isinstance(answer := decode(await socket.recv()), (Ack, Error)):
            pass  # the updates before the vote's answer (sent small, as they are)
        assert answer.seq == 1
        (served,) = hub.hub._sockets.values()
        (extension,) = served.protocol.extensions
        assert isinstance(extension, LargeMessagesDeflate)
        assert not hasattr(extension, "encoder") and not hasattr(extension, "decoder"), (
            "a connection keeps no compressor or window between messages"
        )


async def test_a_client_that_offers_no_compression_gets_none():
    async with running_hub() as hub, connect(hub.url, compression=None) as socket:
        assert socket.protocol.extensions == []
        await socket.send(encode(Hello(name="Ann")))
        assert isinstance(decode(await socket.recv()), Welcome)
