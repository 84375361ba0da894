"""The core's one rounding rule for shares, and its Welsh alphabetical order (both pure)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from coproterm.core.collation import english_key, sort_key, welsh_key
from coproterm.core.shares import half_up, percent, shares


def test_one_vote_of_eight_is_the_same_everywhere():
    assert shares([1, 7]) == (12, 88)
    assert shares([1, 0, 0, 0, 0, 7]) == (12, 0, 0, 0, 0, 88)


@given(st.lists(st.integers(0, 1000), min_size=1, max_size=30).filter(lambda c: sum(c) > 0))
def test_the_shares_of_a_question_add_up_to_100_as_shown(counts):
    each = shares(counts)
    assert sum(each) == 100
    for count, share in zip(counts, each, strict=True):
        assert abs(share - 100 * count / sum(counts)) < 1  # never more than a point from the exact share
    bigger = [(c, s) for c, s in zip(counts, each, strict=True)]
    assert all(s1 >= s2 for c1, s1 in bigger for c2, s2 in bigger if c1 > c2)  # more votes: never a smaller share


def test_shares_of_people_each_round_half_up_and_nothing_to_share_is_a_dash():
    assert shares([2, 3, 1], 4) == (50, 75, 25)
    assert shares([1, 1], 8) == (13, 13)
    assert half_up(1, 8) == 13 and half_up(0, 0) == 0
    assert shares([0, 0]) == (0, 0)
    assert percent(12) == "12%" and percent(None) == "–"


def test_welsh_order_has_its_own_letters():
    words = ["llais", "lwc", "cymuned", "chwarae", "dysgu", "dda", "ffydd", "fel", "nant", "ngwaith", "rhwyd", "rym",
             "theatr", "teulu", "pobl", "phen", "gwaith"]  # fmt: skip
    assert sorted(words, key=welsh_key) == [
        "cymuned", "chwarae", "dysgu", "dda", "fel", "ffydd", "gwaith", "ngwaith", "lwc", "llais", "nant",
        "pobl", "phen", "rym", "rhwyd", "teulu", "theatr",
    ]  # fmt: skip
    assert sorted(["Ŵyr", "wyr", "wy"], key=welsh_key) == ["wy", "wyr", "Ŵyr"]
    assert sorted(["llais", "lwc"], key=english_key) == ["llais", "lwc"]
    assert sort_key("cy") is welsh_key and sort_key("cy+en") is welsh_key and sort_key("en") is english_key


def test_the_report_prints_the_shares_the_screens_print():
    """One vote of eight is 12% in the HTML report too, and a group's share is its positions' shares added up."""
    import re

    from coproterm.core.deck import default_deck
    from coproterm.export.charts import table as _table
    from coproterm.tui.widgets.tally import scale_bars

    scale = next(q.x for q in default_deck().questions if q.x is not None and q.x.key == "spectrum")
    counts = (1, 1, 1, 0, 0, 0)  # three groups' shares: 67 (34 + 33) and 33, never 66 + 33 or 67 + 34
    table = _table(scale, counts)
    cells = re.findall(r'<td class="n">(\d+%|–)</td>', table)
    assert cells == ["67%", "34%", "33%", "33%", "33%", "0%", "0%", "0%", "0%"], cells
    screen = scale_bars(scale, counts, 80).plain
    assert "2 · 67%" in screen and "34%" in screen and "33%" in screen
    assert "12%" in _table(scale, (1, 0, 0, 0, 0, 7)) and "12%" in scale_bars(scale, (1, 0, 0, 0, 0, 7), 80).plain
