"""A participant's own record of a workshop, to take home: the questions, their answers, the room's where shown.

Made from what this participant's client was told (:class:`coproterm.core.view.SessionView`),
never from the session's log (see :mod:`coproterm.core.takehome`, which also gives it as
plain text). The room's results appear only for questions whose results this client saw
revealed (as they stood when last seen), and the room's words only from the revealed
wall. One small self-contained HTML file: no script, no font, nothing fetched.
"""

from __future__ import annotations

import re
from html import escape

from coproterm.core.i18n import Language
from coproterm.core.takehome import Line, record_lines
from coproterm.core.view import SessionView

STYLE = """
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1d2330; }
main { max-width: 720px; margin: 0 auto; padding: 1.25rem 1rem 2.5rem; }
h1 { font-size: 1.5rem; margin: 0 0 .25rem; } h2 { font-size: 1.1rem; margin: 1.5rem 0 .25rem; }
section { border-top: 1px solid #d8dce3; break-inside: avoid; }
.mine { font-weight: 700; } .meta { color: #5b6475; font-size: .9rem; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; }
th, td { text-align: left; padding: .15rem .4rem; border-bottom: 1px solid #d8dce3; overflow-wrap: anywhere; }
td.n { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
tr.yours td { font-weight: 700; }
"""


def record_html(view: SessionView, when: str) -> str:
    """The record as one small self-contained HTML file, in the view's language."""
    lang = view.language
    t = lang.t
    title = view.deck.title if view.deck is not None else ""
    heading = t("My answers: {title}", title=title)
    kept = t("Kept {when}. Your own choices and answers; the room's results only where they were shown to you.",
             when=when)  # fmt: skip
    parts = [
        "<!doctype html>",
        f'<html lang="{lang.html_lang}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(heading)}</title><style>{STYLE}</style></head><body><main>",
        f'<h1>{escape(heading)}</h1><p class="meta">{escape(kept)}</p>',
    ]
    for line in record_lines(view):
        parts.append(_html_line(line, lang))
    parts.append("</main></body></html>")
    return "\n".join(parts) + "\n"


def _html_line(line: Line, lang: Language) -> str:
    t = lang.t
    you, none = t("You:"), t("You did not answer.")
    out = [f"<section><h2>{line.number}. {escape(line.prompt)}</h2>"]
    if line.yours:
        items = "".join(f"<li>{escape(text)}</li>" for text in line.yours)
        out.append(f'<p class="mine">{escape(you)}</p><ul class="mine">{items}</ul>')
    else:
        out.append(f'<p class="meta">{escape(none)}</p>')
    if line.move:
        out.append(f"<p>{escape(line.move)}</p>")
    if line.room:
        room = t("The room, as shown:")
        rows = "".join(
            f'<tr class="{"yours" if yours else "room"}"><td>{escape(label)}</td><td class="n">{count} · {pct}</td></tr>'
            for label, count, pct, yours in line.room
        )
        out.append(f'<p class="meta">{escape(room)}</p><table>{rows}</table>')
    if line.words:
        used = t("The words used most")
        words = ", ".join(f"{word} ({count})" for word, count in line.words)
        out.append(f'<p class="meta">{escape(used)}: {escape(words)}</p>')
    out.append("</section>")
    return "".join(out)


def record_name(title: str, when: str) -> str:
    """A file name for the record: the workshop's title and the day, in letters a file system takes anywhere."""
    stem = re.sub(r"[^\w-]+", "-", f"{title}-{when}", flags=re.ASCII).strip("-").lower()[:80] or "coproterm"
    return f"{stem}.html"
