"""The hub's HTTP side under abuse: duplicated headers, sockets on other paths, names rebound to the hub.

A real hub on port 0, asked with raw HTTP from another loopback address (127.0.0.2: not the hub's own).
"""

from __future__ import annotations

import asyncio
import base64
import logging
import os

import pytest

from coproterm.client.discovery import host_label
from coproterm.core.client_messages import Hello
from coproterm.core.hub_messages import Welcome
from coproterm.core.wire import decode, encode
from coproterm.server.logs import bounded_file
from tests.hubkit import dial, join, running_hub

ATTACKER = "127.0.0.2"


async def head(url: str, lines: list[str]) -> tuple[int, bytes]:
    """Send one request's lines from the attacker's address; the status and what followed it (until close
    or, for a 101, the end of the head)."""
    host, port = url.removeprefix("ws://").rsplit(":", 1)
    reader, writer = await asyncio.open_connection(host, int(port), local_addr=(ATTACKER, 0))
    writer.write(("\r\n".join([*lines, "", ""])).encode())
    await writer.drain()
    try:
        data = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
        status = int(data.split(b" ", 2)[1])
        body = b"" if status == 101 else await asyncio.wait_for(reader.read(), 10)
    except asyncio.IncompleteReadError as short:
        data, status, body = short.partial, 0, b""
    writer.close()
    return status, data + body


def upgrade(host: str, origin: str | None, path: str = "/") -> list[str]:
    """A browser's websocket handshake, as it asks for ``host``."""
    key = base64.b64encode(os.urandom(16)).decode()
    lines = [f"GET {path} HTTP/1.1", f"Host: {host}", "Upgrade: websocket", "Connection: Upgrade"]
    lines += [f"Sec-WebSocket-Key: {key}", "Sec-WebSocket-Version: 13"]
    return lines + ([f"Origin: {origin}"] if origin else [])


@pytest.mark.parametrize(
    ("header", "handshake"),
    [
        ("Accept-Encoding: gzip", False),
        ('If-None-Match: "x"', False),
        ("Origin: http://a", True),
        ("Upgrade: websocket", False),
    ],
)
async def test_a_duplicated_header_is_a_400_and_one_short_line(header, handshake, caplog):
    caplog.set_level(logging.INFO)
    async with running_hub() as hub:
        port = hub.url.rsplit(":", 1)[1]
        for _ in range(30):
            lines = upgrade(f"127.0.0.1:{port}", None) if handshake else ["GET / HTTP/1.1", f"Host: 127.0.0.1:{port}"]
            status, answer = await head(hub.url, [*lines, header, header])
            assert status == 400, answer[:200]
            assert b"came twice" in answer
        honest = await join(hub.url)  # the hub serves on
        assert isinstance(honest.welcome, Welcome)
    said = [r for r in caplog.records if "twice" in r.getMessage() or r.exc_info]
    assert len(said) == 1, [r.getMessage() for r in caplog.records]
    assert said[0].exc_info is None and len(said[0].getMessage()) < 200


async def test_the_socket_opens_at_slash_only():
    async with running_hub() as hub:
        port = hub.url.rsplit(":", 1)[1]
        for path in ("/admin", "/x/y", "/index.html"):
            status, _ = await head(hub.url, upgrade(f"127.0.0.1:{port}", None, path))
            assert status == 404, path
        status, _ = await head(hub.url, upgrade(f"127.0.0.1:{port}", None, "/?code=ABCD"))
        assert status == 101
        assert isinstance((await join(hub.url)).welcome, Welcome)


async def test_a_name_rebound_to_the_hub_gets_neither_the_page_nor_a_socket():
    """DNS rebinding: a page served as http://evil.example:PORT whose name came to resolve to the hub asks for
    ``Host: evil.example:PORT``, with a matching Origin."""
    async with running_hub() as hub:
        port = hub.url.rsplit(":", 1)[1]
        evil = f"evil.example:{port}"
        status, answer = await head(hub.url, upgrade(evil, f"http://{evil}"))
        assert status == 421, answer[:200]
        status, answer = await head(hub.url, ["GET / HTTP/1.1", f"Host: {evil}"])
        assert status == 421 and b"<html" not in answer
        # Its own names still work: its addresses, localhost, its mDNS name.
        for name in ("127.0.0.1", "localhost", f"{host_label().lower()}.local", "[::1]", "127.0.0.5"):
            where = f"{name}:{port}"
            status, answer = await head(hub.url, ["GET / HTTP/1.1", f"Host: {where}"])
            assert status == 200 and b"<!doctype html>" in answer, name
            status, _ = await head(hub.url, upgrade(where, f"http://{where}"))
            assert status == 101, name
        # A client that is no browser (no Origin: the terminal app, the SSH gateway) may name the hub as it likes:
        # a venue's own DNS name for it, say.
        status, _ = await head(hub.url, upgrade(evil, None))
        assert status == 101
        socket = await dial(hub.url, origin=f"http://127.0.0.1:{port}")
        await socket.send(encode(Hello(name="Phone")))
        assert isinstance(decode(await socket.recv()), Welcome)
        await socket.close()


async def test_an_advertised_name_is_the_hubs_own():
    async with running_hub(names=frozenset({"votes.venue.lan"})) as hub:
        port = hub.url.rsplit(":", 1)[1]
        status, _ = await head(hub.url, ["GET / HTTP/1.1", f"Host: votes.venue.lan:{port}"])
        assert status == 200
        status, _ = await head(hub.url, ["GET / HTTP/1.1", f"Host: votes.venue.lan.evil.example:{port}"])
        assert status == 421


async def test_a_request_flood_leaves_the_log_bounded_and_quiet(tmp_path):
    """GETs, duplicated headers and sockets on wrong paths, 600 of each kind, from 127.0.0.2: hub.log holds a few
    lines of each kind a minute (and counts the rest), never a traceback, and rotates at its bound."""
    path = tmp_path / "hub.log"
    handler = bounded_file(path, max_bytes=4096, backups=2)
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        async with running_hub() as hub:
            port = hub.url.rsplit(":", 1)[1]
            own = f"127.0.0.1:{port}"
            for _ in range(200):
                assert (await head(hub.url, ["GET / HTTP/1.1", f"Host: {own}"]))[0] == 200
                assert (await head(hub.url, ["GET / HTTP/1.1", f"Host: {own}", *["Accept-Encoding: gzip"] * 2]))[
                    0
                ] == 400
                assert (await head(hub.url, upgrade(own, None, "/elsewhere")))[0] == 404
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
        handler.close()
    files = sorted(tmp_path.glob("hub.log*"))
    assert len(files) <= 3 and all(f.stat().st_size <= 4096 + 512 for f in files), [f.stat().st_size for f in files]
    text = "".join(f.read_text() for f in files)
    assert "Traceback" not in text
    assert text.count("HTTP response sent") <= 20
    assert "held back" in text


async def test_chromium_at_a_rebound_name_gets_no_page(tmp_path):
    """The system's Chromium, told that evil.example is 127.0.0.1 (as a rebinding attacker's DNS would tell it),
    opens http://evil.example:PORT/: the hub answers 421, so there is no page and no socket; at the hub's own
    address the same browser gets the page and joins."""
    from playwright.async_api import async_playwright, expect

    from tests.webkit import CHROMIUM, CHROMIUM_ARGS

    async with running_hub() as hub, async_playwright() as playwright:
        port = hub.url.rsplit(":", 1)[1]
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, "--host-resolver-rules=MAP evil.example 127.0.0.1"]
        )
        try:
            page = await browser.new_page()
            answer = await page.goto(f"http://evil.example:{port}/")
            assert answer is not None and answer.status == 421
            assert "does not answer to that name" in await page.content()
            assert hub.session.connected == 0
            answer = await page.goto(f"http://127.0.0.1:{port}/")
            assert answer is not None and answer.status == 200
            await page.get_by_role("button", name="Join").click()
            await expect(page.locator("#link")).to_have_text("Connected")
        finally:
            await browser.close()
