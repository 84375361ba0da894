"""Plain mode's pure parts: lines that fit, ASCII for a terminal without UTF-8, what a typed line means."""

from __future__ import annotations

import pytest

from coproterm.core.deck import builtin_deck
from coproterm.plain.commands import parse
from coproterm.plain.text import printable, to_ascii, wrap

DECK = builtin_deck()
TEXT, SEVERAL, SPECTRUM, GRID, TALK = 0, 1, 7, 11, 13


def test_words_are_wrapped_whole_and_no_line_is_wider_than_the_terminal():
    text = "Where does your work live on the spectrum of interactions, and how complex is it?"
    for width in (1, 5, 12, 30, 79):
        lines = wrap(text, width, indent="   ")
        assert all(len(line) <= width for line in lines)
        assert " ".join(" ".join(lines).split()) == text or width < 14  # a word longer than the line is cut
    assert wrap(text, 30) == ["Where does your work live on", "the spectrum of interactions,", "and how complex is it?"]
    assert wrap("1. Value all participants, and build on their strengths", 30, indent="   ")[1].startswith("   ")


def test_no_escape_or_control_character_is_ever_printed():
    assert printable("a\x1b[2Jb\x07c\u202ed\te\nf") == "a[2Jbcd e\nf"
    assert "\x1b" not in "".join(wrap("\x1b]0;title\x07hello", 20))


def test_ascii_for_a_terminal_without_utf8_keeps_welsh_readable():
    assert to_ascii("Cymraeg: ŵyr, tŷ, perswâd … “dyfyniad” – 🙂") == 'Cymraeg: wyr, ty, perswad ... "dyfyniad" - ?'
    assert wrap("Yn cysylltu…", 40, ascii_only=True) == ["Yn cysylltu..."]


@pytest.mark.parametrize(
    ("question", "typed", "word", "choice"),
    [
        (SPECTRUM, "4", "vote", 3),
        (SPECTRUM, "0", "vote", None),
        (SPECTRUM, "7", "problem", None),
        (SPECTRUM, "4 5", "problem", None),
        (SEVERAL, "1 3", "vote", 0b101),
        (SEVERAL, "1,3", "vote", 0b101),
        (SEVERAL, "1 2 3", "problem", None),
        (GRID, "4 2", "vote", 1 * 6 + 3),
        (GRID, "4", "problem", None),
        (GRID, "7 1", "problem", None),
        (TALK, "2", "problem", None),
        (SPECTRUM, "HELP", "help", None),
        (SPECTRUM, "cymorth", "help", None),
        (SPECTRUM, "iaith", "language", None),
        (SPECTRUM, "canlyniadau", "results", None),
        (SPECTRUM, "gadael", "quit", None),
        (SPECTRUM, "consultation", "problem", None),
    ],
)
def test_a_typed_line_is_understood_on_each_kind_of_question(question, typed, word, choice):
    command = parse(typed, DECK.questions[question])
    assert (command.word, command.choice) == (word, choice)


def test_on_an_open_question_anything_but_a_command_word_is_an_answer():
    assert parse("Share power, 2 ways", DECK.questions[TEXT]).text == "Share power, 2 ways"
    assert parse("mine", DECK.questions[TEXT]).word == "mine"
    edit = parse("edit 2 Shared power", DECK.questions[TEXT])
    assert (edit.word, edit.choice, edit.text) == ("edit", 1, "Shared power")
    assert (parse("dileu 3", DECK.questions[TEXT]).word, parse("dileu 3", DECK.questions[TEXT]).choice) == ("remove", 2)
    assert parse("remove 2 things", DECK.questions[TEXT]).word == "answer", "an answer that starts with the word"
