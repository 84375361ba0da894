"""The phone page as HTTP: a real hub on port 0, asked by raw sockets and real websocket clients."""

from __future__ import annotations

import asyncio
import base64
import gzip
import hashlib
import re
from pathlib import Path

import pytest
from websockets.exceptions import InvalidStatus

from coproterm.core.client_messages import Hello
from coproterm.core.hub_messages import Welcome
from coproterm.core.wire import decode, encode
from coproterm.server.web import Page
from tests.hubkit import dial, join, running_hub

WEB = Path(__file__).resolve().parent.parent / "coproterm" / "web"


async def ask(url: str, request: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send raw bytes to the hub's port; its status, headers and body."""
    host, port = url.removeprefix("ws://").rsplit(":", 1)
    reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(request)
    await writer.drain()
    data = await asyncio.wait_for(reader.read(), 10)
    writer.close()
    if not data:
        return 0, {}, b""
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return int(lines[0].split()[1]), headers, body


def get(path: str = "/", method: str = "GET", *extra: str) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", *extra, "", ""]
    return "\r\n".join(lines).encode()


async def test_the_page_is_served_gzipped_with_its_etag_and_policy():
    async with running_hub() as hub:
        status, headers, body = await ask(hub.url, get("/?code=ABCD", "GET", "Accept-Encoding: gzip, br"))
        assert status == 200
        assert headers["content-encoding"] == "gzip"
        assert headers["content-type"] == "text/html; charset=utf-8"
        assert int(headers["content-length"]) == len(body) <= 20 * 1024
        html = gzip.decompress(body).decode()
        assert html.startswith("<!doctype html>")
        policy = headers["content-security-policy"]
        assert "default-src 'none'" in policy and "connect-src 'self'" in policy and "unsafe" not in policy
        script = re.search(r"<script>(.*)</script>", html, re.S).group(1)
        digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
        assert f"script-src 'sha256-{digest}'" in policy
        etag = headers["etag"]

        status, headers, body = await ask(hub.url, get("/", "GET", f"If-None-Match: {etag}"))
        assert (status, body) == (304, b"")
        status, headers, body = await ask(hub.url, get("/", "HEAD", "Accept-Encoding: gzip"))
        assert status == 200 and body == b"" and headers["etag"] == etag
        status, headers, body = await ask(hub.url, get("/"))
        assert status == 200 and "content-encoding" not in headers and body.startswith(b"<!doctype html>")


async def test_the_page_makes_no_request_elsewhere():
    html = Page.load().html.decode()
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html), "no external resources"
    assert "@import" not in html and "url(" not in html


@pytest.mark.parametrize(
    ("request_bytes", "expected"),
    [
        (get("/admin"), 404),
        (get("/index.html"), 404),
        (get("/../etc/passwd"), 404),
        (get("/", "POST"), 405),
        (get("/", "PUT"), 405),
        (get("/", "DELETE"), 405),
        (get("/", "OPTIONS"), 405),
        (get("/" + "a" * 9000), 414),
        (get("/", "GET", "X-Big: " + "b" * 9000), 431),
        (get("/", "GET", *(f"X-H{i}: 1" for i in range(200))), 431),
    ],
)
async def test_other_paths_methods_and_oversized_requests_are_refused(request_bytes, expected):
    async with running_hub() as hub:
        status, headers, _ = await ask(hub.url, request_bytes)
        assert status == expected
        if expected == 405:
            assert headers["allow"] == "GET, HEAD"


async def test_a_request_with_a_body_is_dropped_unanswered():
    async with running_hub() as hub:
        status, _, _ = await ask(hub.url, get("/", "GET", "Content-Length: 5")[:-2] + b"\r\nhello")
        assert status == 0


async def test_a_page_from_another_origin_cannot_open_the_socket():
    async with running_hub() as hub:
        with pytest.raises(InvalidStatus) as refused:
            await dial(hub.url, origin="http://evil.example")
        assert refused.value.response.status_code == 403
        host = hub.url.removeprefix("ws://")
        with pytest.raises(InvalidStatus):
            await dial(hub.url, origin=f"http://{host}.evil.example")
        with pytest.raises(InvalidStatus):
            await dial(hub.url, origin="null")
        # The page the hub served itself, and clients with no Origin (the terminal app, the gateway), may.
        socket = await dial(hub.url, origin=f"http://{host}")
        await socket.send(encode(Hello(name="Web")))
        assert isinstance(decode(await socket.recv()), Welcome)
        none = await join(hub.url, Hello(name="Terminal"))
        assert isinstance(none.welcome, Welcome)


async def test_no_web_serves_no_page_but_the_socket_still_works():
    async with running_hub(page=None) as hub:
        status, _, body = await ask(hub.url, get("/"))
        assert status == 426 and b"<html" not in body
        assert isinstance((await join(hub.url)).welcome, Welcome)


def test_the_page_never_puts_text_in_as_html():
    source = (WEB / "page.js").read_text() + (WEB / "page.html").read_text()
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"):
        assert sink not in source, sink


def test_the_page_fits_its_budget():
    page = Page.load()
    assert len(page.gzipped) <= 20 * 1024
    assert gzip.decompress(page.gzipped) == page.html


async def test_serve_with_no_web_says_no_phone_address_and_serves_no_page(tmp_path):
    from tests.hubkit import start_serve

    served = await start_serve("--ssh-port", "0", "--no-mdns", "--no-web", data=tmp_path)
    try:
        assert "on a phone" not in served.said
        status, _, body = await ask(served.url, get("/"))
        assert status == 426 and b"<html" not in body
    finally:
        await served.stop()
    served = await start_serve("--ssh-port", "0", "--no-mdns", data=tmp_path)
    try:
        link = re.search(r"on a phone: (http://\S+/\?code=[A-Z0-9]+)", served.said).group(1)
        status, _, body = await ask("ws://" + link.removeprefix("http://").split("/")[0], get("/"))
        assert status == 200 and body.startswith(b"<!doctype html>")
    finally:
        await served.stop()
