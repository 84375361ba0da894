"""Decks: the built-in workshop, TOML files, and errors that say where and why."""

from __future__ import annotations

import pytest

from coproterm.core.boards import Kind
from coproterm.core.deck import (
    DeckError,
    deck_from_data,
    deck_to_data,
    default_deck,
    load_deck,
    parse_deck,
)

MINIMAL = """
title = "Tiny"
[scales.yn]
title = "Yes or no"
[[scales.yn.positions]]
label = "yes"
[[scales.yn.positions]]
label = "no"
[[questions]]
prompt = "Well?"
board = "yn"
"""


def test_default_deck_is_the_seed_workshop():
    deck = default_deck()
    assert deck.title == "Co-production and citizen involvement"
    spectrum, complexity = deck.scales
    assert [p.label for p in spectrum.positions] == [
        "coercion / protection",
        "education / persuasion",
        "information",
        "consultation",
        "participation",
        "co-production / involvement",
    ]
    assert [(g.label, g.start, g.stop) for g in spectrum.groups] == [
        ("doing to", 0, 2),
        ("doing for", 2, 5),
        ("doing with", 5, 6),
    ]
    assert spectrum.positions[3].example == "surveys, urban planning, FixMyStreet"
    assert spectrum.positions[0].narrative == "We have a duty to act to ensure people's safety."
    assert [p.label for p in complexity.positions] == [
        "simple",
        "complicated",
        "complex",
        "chaotic",
    ]
    assert "call in the specialists" in complexity.positions[1].notes
    assert "gather the people" in complexity.positions[2].notes
    prompts = [q.prompt for q in deck.questions]
    assert "Where does your work live on the spectrum of interactions?" in prompts
    assert "Is your work simple, complicated, or complex?" in prompts
    kinds = [q.kind for q in deck.questions]
    assert kinds.count(Kind.GRID) == 1 and Kind.SCALE in kinds
    written = [q.prompt for q in deck.questions if q.kind is Kind.TEXT]
    assert "What does co-production mean to you?" in written
    assert "Give me one reason why we should co-produce this" in written
    grid = next(q for q in deck.questions if q.kind is Kind.GRID)
    assert (grid.width, grid.height, grid.cells) == (6, 4, 24)


def test_grid_cells_map_both_ways():
    grid = next(q for q in default_deck().questions if q.kind is Kind.GRID)
    assert grid.cell(5, 3) == 23
    assert grid.coordinates(23) == (5, 3)
    assert grid.describe(grid.cell(3, 2)) == "consultation · complex"
    with pytest.raises(IndexError):
        grid.cell(6, 0)
    with pytest.raises(IndexError):
        grid.coordinates(24)


def test_plain_form_round_trips():
    deck = default_deck()
    assert deck_from_data(deck_to_data(deck)) == deck


def test_minimal_deck_file(tmp_path):
    path = tmp_path / "tiny.toml"
    path.write_text(MINIMAL)
    deck = load_deck(path)
    assert deck.questions[0].cells == 2
    assert deck.scales[0].positions[1].key == "no"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda t: t.replace('board = "yn"', 'board = "maybe"'),
            "questions[0].board: no scale named 'maybe'",
        ),
        (
            lambda t: t.replace('prompt = "Well?"', "prompt = 3"),
            "questions[0].prompt: expected text, not int",
        ),
        (
            lambda t: t.replace('title = "Tiny"', 'title = "Tiny"\ncolour = "red"'),
            "colour: unknown key",
        ),
        (lambda t: "questions = []\n" + t.split("[[questions]]")[0], "at least one question"),
        (lambda t: t.replace('title = "Tiny"', 'title = "Tiny'), "not valid TOML"),
        (
            lambda t: t.replace('[[scales.yn.positions]]\nlabel = "no"\n', ""),
            "scales.yn.positions: a scale has 2 to 12 positions, not 1",
        ),
        (lambda t: t.replace('board = "yn"', 'board = ["yn"]'), "a grid is two scale names"),
        (lambda t: t.replace('board = "yn"', "board = 4"), "expected a scale name"),
        (lambda t: t.replace('label = "no"', 'label = "no"\ngroup = "g"'), "defines no groups"),
    ],
)
def test_errors_name_the_file_the_key_and_the_problem(tmp_path, change, message):
    path = tmp_path / "broken.toml"
    path.write_text(change(MINIMAL))
    with pytest.raises(DeckError) as caught:
        load_deck(path)
    assert str(caught.value).startswith(str(path))
    assert message in str(caught.value)


def test_groups_must_be_unbroken_runs():
    text = MINIMAL.replace(
        '[scales.yn]\ntitle = "Yes or no"',
        '[scales.yn]\ntitle = "Yes or no"\n[[scales.yn.groups]]\nlabel = "a"\n[[scales.yn.groups]]\nlabel = "b"',
    )
    text = text.replace('label = "yes"', 'label = "yes"\ngroup = "a"').replace(
        'label = "no"', 'label = "no"\ngroup = "b"'
    )
    text = text.replace("[[questions]]", '[[scales.yn.positions]]\nlabel = "again"\ngroup = "a"\n[[questions]]', 1)
    with pytest.raises(DeckError, match="'a' must be one unbroken run"):
        parse_deck(text, "deck.toml")


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(DeckError, match="cannot read the deck"):
        load_deck(tmp_path / "nowhere.toml")


def test_wire_deck_of_wrong_shape_is_refused():
    with pytest.raises(DeckError, match="expected a table"):
        deck_from_data(["not", "a", "deck"], "<welcome>")
    with pytest.raises(DeckError, match="questions: is missing"):
        deck_from_data({"title": "x"}, "<welcome>")


def _tiny(**scale_extra: str) -> dict:
    scale = {"title": "Yes or no", "positions": [{"label": "yes"}, {"label": "no"}], **scale_extra}
    return {
        "title": "Tiny",
        "scales": {"yn": scale},
        "questions": [{"prompt": "Well?", "board": "yn"}],
    }


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(questions=[{"prompt": "q"}] * 201), "at most 200 questions, not 201"),
        (
            lambda d: d["scales"].update({"bad name!": d["scales"]["yn"]}),
            "a scale's name is 1 to 40 letters",
        ),
        (
            lambda d: d["scales"]["yn"].update(groups=[{"label": "a"}, {"label": "a"}]),
            "the group 'a' is named twice",
        ),
        (
            lambda d: d["scales"]["yn"]["positions"][0].update(notes=[3]),
            "positions[0].notes[0]: expected text",
        ),
        (
            lambda d: d["scales"]["yn"]["positions"][1].update(label="yes"),
            "two positions share a key",
        ),
        (
            lambda d: d["scales"]["yn"].update(groups=[{"label": "a"}, {"label": "b"}]),
            "expected one of 'a', 'b', not ''",
        ),
        (
            lambda d: d["scales"]["yn"].update(positions="yes,no"),
            "scales.yn.positions: expected an array",
        ),
        (lambda d: d["questions"][0].pop("prompt"), "questions[0].prompt: is missing"),
        (lambda d: d["questions"][0].update(prompt="  "), "questions[0].prompt: must not be empty"),
        (
            lambda d: d["questions"][0].update(note="n" * 1001),
            "questions[0].note: at most 1000 characters",
        ),
    ],
)
def test_structure_errors(change, message):
    data = _tiny()
    change(data)
    with pytest.raises(DeckError) as caught:
        deck_from_data(data, "deck.toml")
    assert message in str(caught.value)


def test_a_group_with_no_positions_is_refused():
    data = _tiny(groups=[{"label": "a"}, {"label": "empty"}])
    for position in data["scales"]["yn"]["positions"]:
        position["group"] = "a"
    with pytest.raises(DeckError, match="the group 'empty' has no positions"):
        deck_from_data(data, "deck.toml")


def test_scale_ends_survive_the_round_trip():
    deck = deck_from_data(_tiny(low="never", high="always"))
    assert (deck.scales[0].low, deck.scales[0].high) == ("never", "always")
    assert deck_from_data(deck_to_data(deck)) == deck
    assert deck.questions[0].describe(1) == "no"
