"""A participant's own record, as plain lines: what they said, and what the room was shown them.

Made from what this participant's client was told (:class:`coproterm.core.view.SessionView`),
never from the session's log, so it can hold nothing of anyone else's that the room
was not shown. Every face offers it: the HTML file (:mod:`coproterm.export.takehome`,
the phone page's own), the SSH goodbye, and plain mode's ``keep``.
"""

from __future__ import annotations

from dataclasses import dataclass

from coproterm.core.boards import Question
from coproterm.core.movement import own_move
from coproterm.core.shares import printed
from coproterm.core.view import SessionView


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
            each = printed(counts, view.seen_people.get(index, sum(counts)) if question.several else None)
            room = tuple(
                (_cell_label(question, cell), count, each[cell], cell in chosen)
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
