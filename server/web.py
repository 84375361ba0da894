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
import ipaddress
import logging
import time
from collections.abc import Collection
from dataclasses import dataclass
from html import escape
from importlib import resources
from urllib.parse import parse_qs, urlsplit

from websockets.datastructures import Headers, MultipleValuesError
from websockets.http11 import Request, Response

from coproterm.core.i18n import ENGLISH, LANGUAGES, language
from coproterm.web.page_words import PAGE_NOSCRIPT, PAGE_TITLE, words_script

log = logging.getLogger("coproterm.web")

PAGE_PACKAGE = "coproterm.web"
SOURCES = ("msgpack.js", "page.js")
"""The page's script, in order: the msgpack codec, then the page."""


def _sha256(text: str) -> str:
    return base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()


@dataclass(frozen=True)
class Served:
    """The page in one language, ready to send: its bytes plain and gzipped, and its ETag."""

    html: bytes
    gzipped: bytes
    etag: str


@dataclass(frozen=True)
class Page:
    """The page in each language the hub speaks, its security policy, and the language it opens in by default."""

    served: dict[str, Served]
    policy: str
    """The Content-Security-Policy: only this page's own inline script and style, sockets to itself."""
    default: str = ENGLISH
    """The hub's language (``--lang``): for a browser that asks for neither Welsh nor English."""

    @property
    def html(self) -> bytes:
        """The page in the hub's language."""
        return self.served[self.default].html

    @property
    def gzipped(self) -> bytes:
        """The page in the hub's language, gzipped."""
        return self.served[self.default].gzipped

    @classmethod
    def load(cls, default: str = ENGLISH) -> Page:
        """Assemble the page from the package's sources (once, when the hub starts), in each language.

        The script (the catalog's words for both languages, then the code) is the same in every
        language, so one policy covers them; the HTML around it is in the language it opens in:
        ``<html lang>``, ``<title>``, ``<noscript>``.
        """
        source = resources.files(PAGE_PACKAGE)
        style = _compact(source.joinpath("page.css").read_text("utf-8"))
        code = "\n".join(_compact(source.joinpath(name).read_text("utf-8")) for name in SOURCES)
        script = words_script() + "\n" + code
        template = source.joinpath("page.html").read_text("utf-8")
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
        served = {}
        for code_name in LANGUAGES:
            lang = language(code_name)
            html = (
                template.replace("{{LANG}}", lang.html_lang)
                .replace("{{TITLE}}", escape(lang.t(PAGE_TITLE)))
                .replace("{{NOSCRIPT}}", escape(lang.t(PAGE_NOSCRIPT)))
                .replace("{{STYLE}}", style)
                .replace("{{SCRIPT}}", script)
            )
            body = html.encode()
            etag = '"' + hashlib.sha256(body).hexdigest()[:20] + '"'
            served[code_name] = Served(body, gzip.compress(body, 9, mtime=0), etag)
        return cls(served, policy, default if default in LANGUAGES else ENGLISH)

    def language_for(self, request: Request) -> str:
        """The language to open in: ``?lang=`` (the QR link's), else the browser's whole
        Accept-Language list in its order of preference, else the hub's own."""
        query = parse_qs(urlsplit(request.path).query)
        for asked in query.get("lang", []):
            if asked in self.served:
                return asked
        return accepted_language(request.headers.get("Accept-Language", ""), tuple(self.served)) or self.default


def accepted_language(header: str, offered: tuple[str, ...]) -> str | None:
    """The first of ``offered`` an Accept-Language header prefers (``fr, cy;q=0.8`` gives ``cy``), or None.

    Every entry counts, by its q (ties in the header's order); ``q=0`` refuses a language.
    """
    ranked: list[tuple[float, int, str]] = []
    for at, item in enumerate(header.split(",")[:50]):
        tag, _, params = item.strip().partition(";")
        primary = tag.strip().lower().split("-")[0]
        q = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if primary in offered and q > 0:
            ranked.append((-q, at, primary))
    return min(ranked)[2] if ranked else None


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


LOCAL_NAMES = frozenset({"localhost"})
"""Names every hub answers to, besides its addresses and the names it is given."""


def own_host(host: str | None, names: Collection[str]) -> bool:
    """Whether a ``Host`` header names this hub: an IP address, ``localhost`` or one of ``names``.

    DNS rebinding (a page from ``evil.example`` whose name comes to resolve to the hub) always
    asks for the attacker's name; an address typed or scanned is the hub reached as itself.
    """
    if host is None:
        return False
    host = host.strip().lower()
    if host.startswith("["):
        name = host[1 : host.find("]")] if "]" in host else host
    else:
        name = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
    name = name.rstrip(".")
    try:
        ipaddress.ip_address(name)
        return True
    except ValueError:
        pass
    return name in LOCAL_NAMES or name.endswith(".localhost") or name in names


class _Quiet:
    """One log line per kind of refusal a minute at most: a flood of bad requests must not flood the log."""

    def __init__(self, every: float = 60.0) -> None:
        self.every = every
        self._said: dict[str, tuple[float, int]] = {}

    def say(self, what: str) -> None:
        now = time.monotonic()
        last, skipped = self._said.get(what, (-self.every, 0))
        if now - last < self.every:
            self._said[what] = (last, skipped + 1)
            return
        more = f" ({skipped} more like it in the last minute)" if skipped else ""
        log.info("%s%s", what, more)
        self._said[what] = (now, 0)


_quiet = _Quiet()


def answer(page: Page | None, request: Request, names: Collection[str] = ()) -> Response | None:
    """What the hub answers an HTTP request with; None lets the websocket handshake go on.

    ``names`` are the host names this hub is reached by besides its addresses and ``localhost``
    (its mDNS name, an advertised name): a browser asking for any other gets a 421, so a page
    whose name was rebound to the hub can neither read the page nor open a socket.
    """
    try:
        return _answer(page, request, names)
    except MultipleValuesError as error:
        _quiet.say(f"refused a request with a header given twice: {error}")
        return _plain(http.HTTPStatus.BAD_REQUEST, f"A header came twice: {error}.\n")


def _answer(page: Page | None, request: Request, names: Collection[str]) -> Response | None:
    path = request.path.split("?", 1)[0]
    if request.headers.get("Upgrade", "").lower() == "websocket":
        if path != "/":
            _quiet.say("refused a websocket handshake on another path than /")
            return _plain(http.HTTPStatus.NOT_FOUND, "Not here: the socket is at /.\n")
        origin = request.headers.get("Origin")
        if origin is None:
            return None  # the terminal app and the SSH gateway send no Origin: no browser, nothing to rebind
        if not own_host(request.headers.get("Host"), names):
            _quiet.say("refused a browser's handshake for a name that is not this hub's")
            return _plain(http.HTTPStatus.MISDIRECTED_REQUEST, "This hub does not answer to that name.\n")
        if not same_origin(origin, request.headers.get("Host")):
            return _plain(http.HTTPStatus.FORBIDDEN, "This hub's socket is open to its own page only.\n")
        return None
    if request.method not in ("GET", "HEAD"):
        return _plain(http.HTTPStatus.METHOD_NOT_ALLOWED, "Only GET and HEAD.\n", [("Allow", "GET, HEAD")])
    if page is None:
        return None  # --no-web: websockets answers 426 Upgrade Required
    if path != "/":
        return _plain(http.HTTPStatus.NOT_FOUND, "Not here: the page is at /.\n")
    if not own_host(request.headers.get("Host"), names):
        _quiet.say("refused a page request for a name that is not this hub's")
        return _plain(http.HTTPStatus.MISDIRECTED_REQUEST, "This hub does not answer to that name.\n")
    served = page.served[page.language_for(request)]
    common = [
        ("ETag", served.etag),
        ("Cache-Control", "no-cache"),
        ("Vary", "Accept-Encoding, Accept-Language"),
        ("Content-Language", page.language_for(request)),
        ("Content-Security-Policy", page.policy),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "no-referrer"),
        ("Cross-Origin-Opener-Policy", "same-origin"),
        ("Connection", "close"),
    ]
    if _matches(request, served.etag):
        return _response(http.HTTPStatus.NOT_MODIFIED, common)
    gzipped = _accepts_gzip(request)
    body = served.gzipped if gzipped else served.html
    headers = [
        ("Content-Type", "text/html; charset=utf-8"),
        ("Content-Length", str(len(body))),
        *([("Content-Encoding", "gzip")] if gzipped else []),
        *common,
    ]
    return _response(http.HTTPStatus.OK, headers, b"" if request.method == "HEAD" else body)
