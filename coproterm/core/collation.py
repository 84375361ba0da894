"""Alphabetical order in a word's language: Welsh letters are not English ones.

The Welsh alphabet has digraphs that are single letters, each after its first
character's letter: a b c **ch** d **dd** e f **ff** g **ng** h i j l **ll** m n o p
**ph** r **rh** s t **th** u w y. So *chwarae* comes after *cymuned*, *llais* after
*lwc*, *dda* after *dysgu*. (A digraph is read greedily: a word such as *Bangor*,
where n and g are two letters, sorts as if they were one; dictionaries mark those by
hand.) Accents (ŵ, ŷ, â) sort with their letter, and break ties after it.

:func:`sort_key` gives the key for a language code; every face that lists words in
order (the word view, the report) uses it.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

WELSH_LETTERS = ("a", "b", "c", "ch", "d", "dd", "e", "f", "ff", "g", "ng", "h", "i", "j", "l", "ll", "m", "n", "o",
                 "p", "ph", "r", "rh", "s", "t", "th", "u", "w", "y")  # fmt: skip
"""The Welsh alphabet, in order (k, q, v, x, z, from borrowed words, sort after it in their English order)."""
_RANK = {letter: rank for rank, letter in enumerate(WELSH_LETTERS)}
_DIGRAPHS = tuple(letter for letter in WELSH_LETTERS if len(letter) == 2)


def _plain(word: str) -> tuple[str, str]:
    """The word folded, without accents, and the accents apart (for ties)."""
    folded = unicodedata.normalize("NFD", word.casefold())
    base = "".join(c for c in folded if not unicodedata.combining(c))
    return base, folded


def welsh_key(word: str) -> tuple[tuple[int, ...], str]:
    """The key that sorts ``word`` in Welsh alphabetical order."""
    base, folded = _plain(word)
    ranks: list[int] = []
    i = 0
    while i < len(base):
        pair = base[i : i + 2]
        if pair in _DIGRAPHS:
            ranks.append(_RANK[pair])
            i += 2
            continue
        char = base[i]
        # Letters outside the Welsh alphabet keep their own order after it (borrowed k, v, z; digits first).
        if char in _RANK:
            ranks.append(_RANK[char])
        else:
            ranks.append(len(WELSH_LETTERS) + ord(char) if char.isalpha() else ord(char) - 1000)
        i += 1
    return tuple(ranks), folded


def english_key(word: str) -> tuple[tuple[int, ...], str]:
    """The key that sorts ``word`` in English alphabetical order (case and accents aside, then as ties)."""
    base, folded = _plain(word)
    return tuple(ord(c) for c in base), folded


def sort_key(code: str) -> Callable[[str], tuple[tuple[int, ...], str]]:
    """The key function for alphabetical order in language ``code`` ("cy", "en", or "cy+en": Welsh first)."""
    return welsh_key if code.startswith("cy") else english_key
