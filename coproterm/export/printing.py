"""The report on paper: an A4 print stylesheet, and a PDF through a Chromium found on this machine.

A browser's "Save as PDF" and ``coproterm export --format pdf`` give the same
document: the first page the workshop at a glance, each question's details on
pages of their own, folded parts opened, and nothing told by colour alone (every
bar and cell carries its figure).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path

STYLE = """
@page { size: A4; margin: 14mm 12mm; }
@media print {
  body { font-size: 11pt; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  main { max-width: none; padding: 0; }
  a { color: inherit; text-decoration: none; }
  .glance { break-after: page; }
  .glance { font-size: 9.5pt; line-height: 1.35; }
  .glance h1 { font-size: 17pt; }
  .glance h2 { font-size: 11pt; margin: .5rem 0 .1rem; }
  .glance .facts strong { font-size: 12pt; }
  .glance .cards { grid-template-columns: 1fr 1fr; }
  .glance table.heat { font-size: 8.5pt; margin: .25rem 0; }
  .glance table.heat td { height: 1.35rem; }
  .glance ol.key { font-size: 8.5pt; columns: 2; }
  .glance figcaption, .glance .meta { font-size: 8.5pt; }
  .glance p.more { display: none; }
  h2.details, h2.part { break-before: page; }
  h2.details + h2.part { break-before: avoid; }
  section { break-inside: auto; }
  figure, table, ul.bars li, details { break-inside: avoid; }
  h2, h3 { break-after: avoid; }
  details::details-content { content-visibility: visible; display: block; }
  details > summary { list-style: none; font-weight: 600; color: var(--ink); }
  details > summary::-webkit-details-marker { display: none; }
  table.heat td { border: 1px solid #9aa1ad; }
  ul.bars .bar span { border: 1px solid #1d2330; }
}
"""
"""Added to the report's stylesheet (the page's own rules carry on under it)."""


BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome", "msedge")
"""Names a Chromium goes by on a PATH (Linux packages, Chrome, Edge)."""
INSTALLED = (
    "/Applications/Chromium.app/Contents/MacOS/Chromium",
    "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
    r"C:\Program Files\Google\Chrome\Application\chrome.exe",
    r"C:\Program Files (x86)\Microsoft\Edge\Application\msedge.exe",
    r"C:\Program Files\Microsoft\Edge\Application\msedge.exe",
)
"""Where macOS and Windows keep one, off the PATH."""
PRINT_SECONDS = 120


class NoBrowser(RuntimeError):
    """No Chromium could be found (or it would not print): the message says what to do instead."""


def find_chromium(environ: Mapping[str, str]) -> str | None:
    """A Chromium (or Chrome, or Edge) on this machine: ``COPROTERM_CHROMIUM`` if set, else the usual places."""
    chosen = environ.get("COPROTERM_CHROMIUM")
    if chosen:
        return shutil.which(chosen) or (chosen if Path(chosen).is_file() else None)
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    return next((path for path in INSTALLED if Path(path).is_file()), None)


def print_pdf(html: str, output: Path, browser: str) -> None:
    """``html`` printed to ``output`` (A4, as the print stylesheet lays it out) by ``browser``, headless and offline.

    The report loads nothing from anywhere; every name lookup is refused all the
    same, and the browser runs in a profile of its own that is thrown away.
    """
    with tempfile.TemporaryDirectory(prefix="coproterm-pdf-") as work:
        page = Path(work) / "report.html"
        page.write_text(html, encoding="utf-8")
        printed = Path(work) / "report.pdf"
        command = [
            browser,
            "--headless",
            "--disable-gpu",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-extensions",
            "--host-resolver-rules=MAP * ~NOTFOUND",
            f"--user-data-dir={Path(work) / 'profile'}",
            "--no-pdf-header-footer",
            f"--print-to-pdf={printed}",
            page.as_uri(),
        ]
        if getattr(os, "geteuid", lambda: 1)() == 0:
            command.insert(1, "--no-sandbox")  # Chromium refuses to run as root with its sandbox
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=PRINT_SECONDS, check=False)
        except (OSError, subprocess.TimeoutExpired) as error:
            raise NoBrowser(f"{browser} could not print the report: {error}") from None
        if not printed.is_file() or not printed.read_bytes().startswith(b"%PDF"):
            why = (done.stderr.strip().splitlines() or [f"exit status {done.returncode}"])[-1]
            raise NoBrowser(f"{browser} could not print the report: {why}")
        shutil.copyfile(printed, output)
