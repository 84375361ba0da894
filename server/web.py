"""The phone page: the hub's own port answers plain HTTP ``GET /`` with one self-contained page.

The page (``coproterm/web``: HTML, CSS, JS and the page's own msgpack codec) is
assembled (comments and indentation left out), hashed and gzipped once, when the hub starts; every request after
that is a dictionary lookup. It is served through websockets' ``process_request``
hook, so there is no second web server: a request that asks to upgrade goes on
to the websocket handshake, after its ``Origin`` is checked (a page from another
site must not drive a participant's socket); anything else is the page, a 304,
a 404 or a 405. Request lines and headers past websockets' own limits (8 KiB a
line, 128 headers) are refused by websockets before they get here (414, 431),
and a request with a body is dropped unanswered.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import http
from dataclasses import dataclass
from importlib import resources
from urllib.parse import urlsplit

from websockets.datastructures import Headers
from websockets.http11 import Request, Response

PAGE_PACKAGE = "coproterm.web"
SOURCES = ("msgpack.js", "page.js")
"""The page's script, in order: the msgpack codec, then the page."""


def _sha256(text: str) -> str:
    return base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()


@dataclass(frozen=True)
class Page:
    """The page, ready to send: its bytes plain and gzipped, its ETag and its security policy."""

    html: bytes
    gzipped: bytes
    etag: str
    policy: str
    """The Content-Security-Policy: only this page's own inline script and style, sockets to itself."""

    @classmethod
    def load(cls) -> Page:
        """Assemble the page from the package's sources (once, when the hub starts)."""
        source = resources.files(PAGE_PACKAGE)
        style = _compact(source.joinpath("page.css").read_text("utf-8"))
        script = "\n".join(_compact(source.joinpath(name).read_text("utf-8")) for name in SOURCES)
        template = source.joinpath("page.html").read_text("utf-8")
        html = template.replace("{{STYLE}}", style).replace("{{SCRIPT}}", script)
        policy = "; ".join(
            [
                "default-src 'none'",
                f"script-src 'sha256-{_sha256(script)}'",
                f"style-src 'sha256-{_sha256(style)}'",
                "connect-src 'self'",
                "img-src data:",
                "base-uri 'none'",
                "form-action 'none'",
                "frame-ancestors 'none'",
            ]
        )
        body = html.encode()
        etag = '"' + hashlib.sha256(body).hexdigest()[:20] + '"'
        return cls(body, gzip.compress(body, 9, mtime=0), etag, policy)


def _compact(code: str) -> str:
    """CSS or JS without its ``/* … */`` comments, indentation and blank lines: what a phone need not download.

    Quoted strings are passed over whole, so a ``/*`` inside one stays. (The sources use no
    ``//`` comments, and no regular expression with a quote or ``/*`` in it.)
    """
    kept: list[str] = []
    at, quote = 0, ""
    while at < len(code):
        ch = code[at]
        if quote:
            kept.append(ch)
            if ch == "\\":
                kept.append(code[at + 1 : at + 2])
                at += 1
            elif ch == quote:
                quote = ""
        elif ch in "\"'`":
            quote = ch
            kept.append(ch)
        elif code.startswith("/*", at):
            end = code.find("*/", at + 2)
            if end < 0:
                raise ValueError("an unclosed comment in the page's source")
            at = end + 1
        else:
            kept.append(ch)
        at += 1
    return "\n".join(line.strip() for line in "".join(kept).splitlines() if line.strip())


def same_origin(origin: str, host: str | None) -> bool:
    """Whether a browser's ``Origin`` is the page this hub served (the ``Host`` it was asked for)."""
    parts = urlsplit(origin)
    return parts.scheme in ("http", "https") and host is not None and parts.netloc.lower() == host.strip().lower()


def _response(status: http.HTTPStatus, headers: list[tuple[str, str]], body: bytes = b"") -> Response:
    return Response(status.value, status.phrase, Headers(headers), body)


def _plain(status: http.HTTPStatus, text: str, extra: list[tuple[str, str]] | None = None) -> Response:
    body = text.encode()
    headers = [
        ("Content-Type", "text/plain; charset=utf-8"),
        ("Content-Length", str(len(body))),
        ("X-Content-Type-Options", "nosniff"),
        ("Cache-Control", "no-store"),
        ("Connection", "close"),
        *(extra or []),
    ]
    return _response(status, headers, body)


def _accepts_gzip(request: Request) -> bool:
    for item in request.headers.get("Accept-Encoding", "").split(","):
        name, _, params = item.strip().partition(";")
        if name.strip().lower() in ("gzip", "*") and params.replace(" ", "") not in ("q=0", "q=0.0", "q=0.00"):
            return True
    return False


def _matches(request: Request, etag: str) -> bool:
    wanted = request.headers.get("If-None-Match")
    if wanted is None:
        return False
    return any(tag.strip().removeprefix("W/") in (etag, "*") for tag in wanted.split(","))


def answer(page: Page | None, request: Request) -> Response | None:
    """What the hub answers an HTTP request with; None lets the websocket handshake go on."""
    if request.headers.get("Upgrade", "").lower() == "websocket":
        origin = request.headers.get("Origin")
        if origin is not None and not same_origin(origin, request.headers.get("Host")):
            return _plain(http.HTTPStatus.FORBIDDEN, "This hub's socket is open to its own page only.\n")
        return None  # the terminal app and the SSH gateway send no Origin
    if request.method not in ("GET", "HEAD"):
        return _plain(http.HTTPStatus.METHOD_NOT_ALLOWED, "Only GET and HEAD.\n", [("Allow", "GET, HEAD")])
    if page is None:
        return None  # --no-web: websockets answers 426 Upgrade Required
    if request.path.split("?", 1)[0] != "/":
        return _plain(http.HTTPStatus.NOT_FOUND, "Not here: the page is at /.\n")
    common = [
        ("ETag", page.etag),
        ("Cache-Control", "no-cache"),
        ("Vary", "Accept-Encoding"),
        ("Content-Security-Policy", page.policy),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "no-referrer"),
        ("Cross-Origin-Opener-Policy", "same-origin"),
        ("Connection", "close"),
    ]
    if _matches(request, page.etag):
        return _response(http.HTTPStatus.NOT_MODIFIED, common)
    gzipped = _accepts_gzip(request)
    body = page.gzipped if gzipped else page.html
    headers = [
        ("Content-Type", "text/html; charset=utf-8"),
        ("Content-Length", str(len(body))),
        *([("Content-Encoding", "gzip")] if gzipped else []),
        *common,
    ]
    return _response(http.HTTPStatus.OK, headers, b"" if request.method == "HEAD" else body)
