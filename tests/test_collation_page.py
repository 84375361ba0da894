"""The phone page sorts Welsh words as the hub does: its JavaScript copy of core/collation.py, run in Chromium."""

from __future__ import annotations

import random
from importlib import resources

from coproterm.core.collation import english_key, welsh_key

WORDS = [
    "cymuned", "chwarae", "Chwarel", "cyd", "cyd-gynhyrchu", "cydgynhyrchu", "Cydweithio", "cwm", "côr",
    "dysgu", "dda", "ddoe", "Dafydd", "DDRAIG", "dŵr", "dwr", "Dŵr",
    "fferm", "ffordd", "Ffion", "fel", "fy", "gwaith", "gêm", "gardd", "ngardd", "nghymru", "Ngwynedd", "gŵyl",
    "llais", "Llanelli", "lwc", "lôn", "Lloyd", "llŷn", "Llŷn", "llyn", "mab", "Môn", "nant",
    "pobl", "phobl", "Pwllheli", "PHENNAETH", "rhwydwaith", "Rhys", "rydym", "rhaid", "Rhagfyr",
    "tŷ", "ty", "tŵr", "twr", "thŷ", "theatr", "Thomas", "tal", "tân", "tan",
    "ŵyr", "wyth", "Ŵy", "wy", "yr", "ŷd", "ysgol", "Ysbyty", "âr", "Aber", "ar", "bangor", "Bangor", "bach",
    "Kinnock", "zebra", "vân", "2026", "3ydd", "ôl", "o", "ei", "eich", "é", "ïodin", "iaith",
]  # fmt: skip
"""Welsh words with every digraph (ch dd ff ng ll ph rh th), circumflexes and other accents, capitals, borrowed
letters (k, v, z) and digits, in no order."""


def _page_collation() -> str:
    """The page's own collation code, cut from page.js as the hub serves it (from its comment to the drawing)."""
    script = resources.files("coproterm.web").joinpath("page.js").read_text("utf-8")
    start = script.index("/* Welsh alphabetical order")
    end = script.index("/* -- drawing", start)
    return script[start:end]


async def test_the_page_and_the_hub_sort_welsh_words_alike():
    from tests.webkit import chromium

    shuffled = WORDS[:]
    random.Random(30).shuffle(shuffled)
    hub = sorted(shuffled, key=welsh_key)
    async with chromium() as browser:
        page = await browser.new_page()
        sorted_in_chromium = await page.evaluate(
            "([code, words]) => { const order = new Function(code + '; return welshOrder;')();"
            " return words.slice().sort(order); }",
            [_page_collation(), shuffled],
        )
    assert sorted_in_chromium == hub
    # The order is Welsh, not English: the check would fail on a copy that lost the digraphs.
    assert hub.index("cymuned") < hub.index("chwarae") < hub.index("dafydd".capitalize())
    assert hub.index("lwc") < hub.index("llais") and hub.index("gwaith") < hub.index("ngardd") < hub.index("iaith")
    assert hub != sorted(shuffled, key=english_key)
