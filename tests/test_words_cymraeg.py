"""Welsh words of the room: a word's mutated forms count as the word, and lists are in Welsh order."""

from __future__ import annotations

import pytest

from coproterm.core.collation import welsh_key
from coproterm.core.word_counts import STOP_WORDS, WordCounts, count_words, words_of


def test_forms_that_can_only_be_mutations_always_count_as_the_radical():
    assert words_of("ein nghymuned") == {"cymuned"}
    assert words_of("fy mhrosiect") == {"prosiect"}
    assert words_of("yn nhrefn") == {"trefn"}
    assert words_of("fy ngwaith") == {"gwaith"}
    assert words_of("o ddysgu") == {"dysgu"}
    assert count_words(["nghymuned"]) == [("cymuned", 1)], "shown as the radical even alone"


def test_forms_that_may_be_words_of_their_own_fold_only_when_the_room_uses_the_radical():
    assert count_words(["gymuned"]) == [("gymuned", 1)], "no radical in the room: left as it is"
    assert count_words(["cymuned gref", "ein gymuned", "a chymuned", "yn ein nghymuned"])[0] == ("cymuned", 4)
    assert dict(count_words(["i bobl", "gyda phobl", "pobl"]))["pobl"] == 3
    assert dict(count_words(["i wneud gwaith", "waith da"]))["gwaith"] == 2
    assert dict(count_words(["ei henw", "enw"]))["enw"] == 2
    assert dict(count_words(["help", "home"])) == {"help": 1, "home": 1}, "English h words are left alone"


def test_the_radical_appearing_or_going_refolds_the_counts():
    counts = WordCounts()
    counts.add(words_of("gymuned"))
    counts.add(words_of("gymuned eto"))
    assert counts.top(5) == [("gymuned", 2)]
    counts.add(words_of("cymuned"))
    assert counts.top(5) == [("cymuned", 3)]
    counts.remove(words_of("cymuned"))
    assert counts.top(5) == [("gymuned", 2)]


def test_one_answer_with_a_word_and_its_mutation_uses_it_once():
    assert words_of("cymuned a gymuned") == {"cymuned"}
    assert words_of("dŵr a dwr") == {"dŵr"}


def test_spellings_and_clitics_count_as_one():
    assert dict(count_words(["cyd-gynhyrchu", "cydgynhyrchu"])) == {"cydgynhyrchu": 2}
    assert dict(count_words(["dwr", "dŵr glân", "dŵr"]))["dŵr"] == 3, "the circumflex is shown"
    assert words_of("gyda'ch gwaith, a'u cartref, â'th gymorth") == {"gwaith", "cartref", "gymorth"}


@pytest.mark.parametrize(
    "word",
    [
        "dros",
        "tros",
        "heb",
        "tan",
        "rhwng",
        "tua",
        "tuag",
        "er",
        "oddi",
        "ti",
        "fo",
        "hwy",
        "rhain",
        "rheini",
        "un",
        "bob",
        "pawb",
        "eraill",
        "peth",
        "pethau",
        "gael",
        "chael",
        "wneud",
        "di",
        "mo",
        "taw",
        "be",
        "roedden",
        "oeddwn",
        "byddan",
        "fyddan",
        "arno",
        "ato",
        "ati",
        "wrthyn",
        "ganddyn",
        "gen",
        "gennym",
    ],
)
def test_welsh_fillers_are_stop_words(word):
    assert word in STOP_WORDS and words_of(f"{word} cymuned") == {"cymuned"}


@pytest.mark.parametrize("word", ["ceir", "ffordd", "gallu"])
def test_content_words_are_counted(word):
    assert words_of(word) == {word}


def test_ties_and_lists_are_in_welsh_alphabetical_order():
    assert sorted(
        ["llais", "lwc", "chwarae", "cymuned", "ddoe", "dyn", "rhan", "rydym", "theatr", "tŷ"], key=welsh_key
    ) == [
        "cymuned",
        "chwarae",
        "dyn",
        "ddoe",
        "lwc",
        "llais",
        "rydym",
        "rhan",
        "tŷ",
        "theatr",
    ]
    assert [w for w, _ in count_words(["llais", "lwc", "chwarae", "cymuned"])] == ["cymuned", "chwarae", "lwc", "llais"]


def test_a_long_welsh_label_is_broken_between_its_parts():
    from coproterm.tui.widgets.text import wrap_words

    assert wrap_words("cydgynhyrchu / cynnwys", 9) == ["cyd-", "gynhyrchu", "/ cynnwys"], "not cydgynhy-/rchu"
    assert wrap_words("cyfranogiad", 10) == ["cyfranog-", "iad"], "not cyfrano-/giad"
    assert wrap_words("ymgynghori", 20) == ["ymgynghori"]
