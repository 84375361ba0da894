"""A participant's own record of a workshop, to take home: the questions, their answers, the room's where shown.

Made from what this participant's client was told (:class:`coproterm.core.view.SessionView`),
never from the session's log: it can hold nothing of anyone else's that the room
was not shown. The room's results appear only for questions whose results this
client saw revealed (as they stood when last seen), and the room's words only
from the revealed wall. One small self-contained HTML file (no script, no font,
nothing fetched), and the same as plain text for a terminal (printed at the end of an SSH session).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape

from coproterm.core.boards import Question
from coproterm.core.i18n import Language
from coproterm.core.movement import own_move
from coproterm.core.view import SessionView
from coproterm.export.shares import share

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


@dataclass(frozen=True, slots=True)
class Line:
    """One question of the record: what the person said, and what the room was shown."""

    number: int
    prompt: str
    yours: tuple[str, ...]
    """Their choice(s), answer(s), or nothing."""
    move: str = ""
    """Their own move, on a question compared with an earlier one."""
    room: tuple[tuple[str, int, str, bool], ...] = ()
    """The room's revealed tally: (label, count, share, whether it is theirs)."""
    words: tuple[tuple[str, int], ...] = ()


def record_lines(view: SessionView) -> list[Line]:
    """The record of every question of the deck, in the view's language, from what this client knows."""
    deck = view.deck
    if deck is None:
        return []
    lines = []
    for index, question in enumerate(deck.questions):
        vote = view.votes.get(index)
        chosen = set(question.chosen(vote)) if vote is not None and question.cells else set()
        if question.answers is not None:
            yours = tuple(text for _, text in sorted(view.written.mine.get(index, {}).items()) if text)
        else:
            yours = tuple(_cell_label(question, cell) for cell in sorted(chosen))
        move = ""
        if question.compare is not None and question.x is not None and vote is not None:
            before = view.votes.get(question.compare)
            if before is not None:
                move = own_move(question.x, before, vote, view.language)
        room: tuple[tuple[str, int, str, bool], ...] = ()
        counts = view.seen.get(index)
        if counts is not None and question.cells and len(counts) == question.cells:
            whole = view.seen_people.get(index, sum(counts)) if question.several else sum(counts)
            room = tuple(
                (_cell_label(question, cell), count, share(count, whole), cell in chosen)
                for cell, count in enumerate(counts)
                if count or question.y is None  # a grid's empty cells say nothing
            )
        words = view.seen_words.get(index, ())[:10]
        lines.append(Line(index + 1, question.prompt, yours, move, room, words))
    return lines


def _cell_label(question: Question, cell: int) -> str:
    """A cell as people read it: "4. consultation", or on a grid "4. consultation · complex"."""
    assert question.x is not None
    x, y = question.coordinates(cell)
    label = f"{x + 1}. {question.x.positions[x].label}"
    return label if question.y is None else f"{label} · {question.y.positions[y].label}"


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


def record_text(view: SessionView, when: str) -> str:
    """The record as plain text lines, for a terminal (an SSH session prints it as it ends)."""
    t = view.language.t
    title = view.deck.title if view.deck is not None else ""
    you, none, room = t("You:"), t("You did not answer."), t("The room, as shown:")
    lines = [t("My answers: {title}", title=title), when, ""]
    for line in record_lines(view):
        lines.append(f"{line.number}. {line.prompt}")
        lines.extend(f"   {you} {text}" for text in line.yours)
        if not line.yours:
            lines.append(f"   {none}")
        if line.move:
            lines.append(f"   {line.move}")
        if line.room:
            lines.append(f"   {room}")
            lines.extend(
                f"     {'*' if yours else ' '} {label}: {count} ({pct})" for label, count, pct, yours in line.room
            )
        lines.append("")
    return "\n".join(lines)


def record_name(title: str, when: str) -> str:
    """A file name for the record: the workshop's title and the day, in letters a file system takes anywhere."""
    stem = re.sub(r"[^\w-]+", "-", f"{title}-{when}", flags=re.ASCII).strip("-").lower()[:80] or "coproterm"
    return f"{stem}.html"
