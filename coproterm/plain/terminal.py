"""``coproterm join --plain``: plain mode on this computer's own terminal (standard input and output).

Works the same on Windows, macOS and Linux: input is read by a thread, line by line, as the
terminal's own line editing (and the screen reader's) gives it; nothing POSIX-only is needed.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import sys
import threading
from typing import TYPE_CHECKING, TextIO

from coproterm.client.link import hub_url
from coproterm.core.i18n import N_, language
from coproterm.plain.app import PlainApp

if TYPE_CHECKING:
    from coproterm.client.identities import Identity

FIND_SECONDS = 3.0
"""How long to look for sessions on the network when no address is given."""


def width_of(out: TextIO) -> int:
    """The terminal's width less one: a line that fills the last column makes some terminals add an empty one."""
    return max(1, shutil.get_terminal_size((80, 24)).columns - 1)


def wants_ascii(out: TextIO) -> bool:
    """Whether the terminal takes no UTF-8 (its encoding says so): then every line is ASCII."""
    encoding = (getattr(out, "encoding", None) or "ascii").lower().replace("-", "")
    return encoding not in ("utf8", "utf16", "utf32", "utf8sig")


def _read_lines(loop: asyncio.AbstractEventLoop, queue: asyncio.Queue[str | None], source: TextIO) -> None:
    """In a thread: each line typed, into the queue; None at the end of input."""
    with contextlib.suppress(Exception):
        for line in source:
            loop.call_soon_threadsafe(queue.put_nowait, line.rstrip("\r\n"))
    with contextlib.suppress(RuntimeError):  # the loop may be gone already
        loop.call_soon_threadsafe(queue.put_nowait, None)


async def _find(lang: str, ask: asyncio.Queue[str | None], out: TextIO, *, look: bool) -> str | None:
    """An address: the first session found on the network (where ``look``), else the one the person types."""
    t = language(lang).t
    if look:
        from coproterm.client.discovery import DiscoveryUnavailable, Found, browse

        found: list[Found] = []
        out.write(t("Looking for sessions on this network…") + "\n")
        out.flush()
        with contextlib.suppress(DiscoveryUnavailable, OSError):
            await browse(found.append, seconds=FIND_SECONDS)
        if found:
            out.write(t("Found {title} at {address}.", title=found[0].title, address=found[0].address) + "\n")
            return found[0].address
    out.write(t("No session found. Type the hub's address (HOST or HOST:PORT) and press Enter:") + "\n")
    out.flush()
    return await ask.get()


async def run(address: str | None, name: str, code: str | None, lang: str, *, find: bool = True) -> int:
    """Join in plain mode on this terminal; the exit status."""
    out = sys.stdout
    with contextlib.suppress(AttributeError, ValueError):
        out.reconfigure(errors="replace")  # type: ignore[union-attr]
    loop = asyncio.get_running_loop()
    typed: asyncio.Queue[str | None] = asyncio.Queue()
    threading.Thread(target=_read_lines, args=(loop, typed, sys.stdin), daemon=True).start()
    if not address:
        address = await _find(lang, typed, out, look=find)
    if not address:
        return 1
    try:
        url = hub_url(address)
    except ValueError as error:
        out.write(f"{error}\n")
        return 2

    def write(text: str) -> None:
        out.write(text)
        out.flush()

    app = PlainApp(url, write, lambda: width_of(out), name=name, code=code, lang=lang, ascii_only=wants_ascii(out))
    identity = _claim(url, name)
    if identity is not None:
        app.view.resume = identity.token
        app.on_welcome = identity.keep

    async def feed() -> None:
        while (line := await typed.get()) is not None:
            app.typed(line)
        app.stop(N_("You have left the session; your votes are kept. Thank you."))

    feeding = loop.create_task(feed())
    try:
        await app.run()
    finally:
        feeding.cancel()
        if identity is not None:
            identity.release()
    if app.farewell:
        app.say(app.t(app.farewell))
    return 0 if app.ended or app.farewell else 1


def _claim(url: str, name: str) -> Identity | None:
    """This machine's identity at this hub under this name (to come back after a restart), where it can keep one."""
    try:
        from coproterm.client.identities import Identity
    except ImportError:  # no file locks here (Windows): the app still works, without coming back after a restart
        return None
    return Identity(url, name)
