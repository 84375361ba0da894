"""Decks for the whole workshop: sections, choose several, before and after, details, built-in decks."""

from __future__ import annotations

import pytest

from coproterm.core.deck import (
    BUILTIN_DECKS,
    DeckError,
    builtin_deck,
    deck_from_data,
    deck_to_data,
    default_deck,
    find_deck,
    parse_deck,
)

SCALE = """
title = "t"
[scales.s]
title = "s"
[[scales.s.positions]]
label = "a"
[[scales.s.positions]]
label = "b"
[[scales.s.positions]]
label = "c"
[scales.o]
title = "o"
[[scales.o.positions]]
label = "x"
[[scales.o.positions]]
label = "y"
"""


def deck(questions: str):
    return parse_deck(SCALE + questions, "test")


def test_the_built_in_workshop_runs_in_four_sections_with_every_activity():
    workshop = builtin_deck("workshop")
    sections = list(dict.fromkeys(q.section for q in workshop.questions))
    assert sections == ["WHAT?", "WHEN?", "WHY?", "HOW?"]
    prompts = [q.prompt for q in workshop.questions]
    assert "Which value is strongest in your work today?" in prompts and "Which is hardest?" in prompts
    values = workshop.questions[prompts.index("Which is hardest?")]
    assert values.pick == 2 and values.x.size == 5
    ladders = [q.x.key for q in workshop.questions if q.prompt == "Where is your organisation on the ladder?"]
    assert ladders == ["arnstein", "tlap"]
    assert [
        p.label for p in workshop.questions[prompts.index("Where is your organisation on the ladder?")].x.positions
    ][:3] == ["Manipulation", "Therapy", "Informing"]
    cases = [q for q in workshop.questions if q.prompt.startswith("Case study")]
    assert [len([line for line in q.details if not line.startswith("https://")]) for q in cases] == [4, 4]
    opportunity = workshop.questions[prompts.index("Where do you have a new opportunity to co-produce?")]
    assert (
        workshop.questions[opportunity.compare].prompt == "Where does your work live on the spectrum of interactions?"
    )
    risk = next(q.x for q in workshop.questions if q.x is not None and q.x.key == "risk")
    assert [risk.group_of(i).label for i in range(6)] == ["simple"] * 2 + ["complicated"] * 2 + ["complex"] * 2
    assert risk.positions[0].label == "We all know how to do this"
    assert risk.positions[5].label == "Nobody's done this before"


def test_the_short_deck_keeps_its_six_questions_and_is_the_tests_deck():
    short = builtin_deck("short")
    assert len(short.questions) == 6
    assert deck_to_data(short) == deck_to_data(default_deck())
    assert short.questions[2].compare == 1
    assert [q.section for q in short.questions] == ["WHAT?", "WHAT?", "WHEN?", "WHEN?", "WHEN?", "WHY?"]


@pytest.mark.parametrize("name", list(BUILTIN_DECKS))
def test_every_built_in_deck_travels_to_clients_unchanged(name):
    original = builtin_deck(name)
    data = deck_to_data(original)
    assert deck_from_data(data) == original
    assert deck_to_data(deck_from_data(data)) == data


def test_a_command_line_names_a_file_or_a_built_in_deck(tmp_path):
    assert len(find_deck(None).questions) == len(builtin_deck("workshop").questions)
    assert len(find_deck("short").questions) == 6
    path = tmp_path / "mine.toml"
    path.write_text(SCALE + '[[questions]]\nprompt = "p"\nboard = "s"\n')
    assert find_deck(path).title == "t"
    with pytest.raises(DeckError, match="cannot read"):
        find_deck(tmp_path / "nothing.toml")
    with pytest.raises(DeckError, match="no built-in deck 'long'"):
        builtin_deck("long")


def test_a_section_runs_on_until_another_is_named():
    d = deck(
        """
[[questions]]
prompt = "first"
[[questions]]
section = "WHAT?"
prompt = "a"
[[questions]]
prompt = "b"
[[questions]]
section = "WHEN?"
prompt = "c"
"""
    )
    assert [q.section for q in d.questions] == ["", "WHAT?", "WHAT?", "WHEN?"]


@pytest.mark.parametrize(
    ("questions", "problem"),
    [
        ('prompt = "p"\nboard = "s"\npick = 0', "pick: expected a whole number from 1 to 16"),
        ('prompt = "p"\nboard = "s"\npick = 4', "at most its positions"),
        ('prompt = "p"\nboard = ["s", "o"]\npick = 2', "only a question on one scale"),
        ('prompt = "p"\npick = 2', "only a question on one scale"),
        ('prompt = "p"\nboard = "s"\ncompare = "nope"', "no earlier question has the id 'nope'"),
        ('id = "a b"\nprompt = "p"', "id is 1 to 40 letters"),
        ('prompt = "p"\ndetails = "one"', "details: expected an array"),
        ('prompt = "p"\ndetails = ["\\u001b[31m"]', "details[0]: expected plain text"),
    ],
)
def test_bad_workshop_keys_are_named(questions, problem):
    with pytest.raises(DeckError, match=problem.replace("(", r"\(").replace("[", r"\[")):
        deck("[[questions]]\n" + questions + "\n")


@pytest.mark.parametrize(
    "later",
    [
        'board = "o"\ncompare = "w"',
        'board = "s"\npick = 2\ncompare = "w"',
        'compare = "w"',
    ],
)
def test_a_comparison_is_with_an_earlier_one_choice_question_on_the_same_scale(later):
    with pytest.raises(DeckError, match="compares with an earlier one-choice question on the same scale"):
        deck(f'[[questions]]\nid = "w"\nprompt = "p"\nboard = "s"\n[[questions]]\nprompt = "q"\n{later}\n')


def test_two_questions_cannot_share_an_id():
    with pytest.raises(DeckError, match="two questions share the id 'w'"):
        deck('[[questions]]\nid = "w"\nprompt = "p"\n[[questions]]\nid = "w"\nprompt = "q"\n')


def test_a_pick_several_vote_names_its_positions():
    (q,) = deck('[[questions]]\nprompt = "p"\nboard = "s"\npick = 2\n').questions
    assert q.several and q.chosen(0b101) == (0, 2)
    assert q.describe_choice(0b101) == "a + c"
