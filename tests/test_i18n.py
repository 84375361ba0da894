"""Cymraeg and English: the catalog is complete, languages are per person, decks carry both."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from coproterm.core.deck import (
    BUILTIN_DECKS,
    DeckError,
    builtin_deck,
    deck_from_data,
    deck_to_data,
    localise,
    parse_deck,
)
from coproterm.core.i18n import BILINGUAL, ENGLISH, WELSH, from_locale, language, placeholders

ROOT = Path(__file__).resolve().parent.parent
CATALOG = ROOT / "coproterm" / "locale" / "cy" / "LC_MESSAGES" / "coproterm.po"
KEYWORDS = {"t": None, "tn": (1, 2), "N_": None, "Nn_": (1, 2), "Binding": (3,)}
"""The extractor's keywords, as docs/cymraeg.md gives them to pybabel."""


def _welsh_catalog():
    with CATALOG.open("rb") as file:
        return read_po(file, locale="cy")


def _ids(message_id: str | tuple[str, ...]) -> tuple[str, ...]:
    return message_id if isinstance(message_id, tuple) else (message_id,)


def test_every_catalog_string_has_welsh_with_the_same_placeholders() -> None:
    catalog = _welsh_catalog()
    problems = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        english = _ids(message.id)
        if not all(strings) or message.fuzzy:
            problems.append(f"no Welsh for {english[0]!r}")
            continue
        wanted = set().union(*(placeholders(text) for text in english))
        for welsh in strings:
            if placeholders(welsh) != wanted:
                problems.append(f"{english[0]!r}: placeholders {sorted(placeholders(welsh))} not {sorted(wanted)}")
    assert not problems, "\n".join(problems)


def test_every_string_marked_in_the_code_is_in_the_catalog() -> None:
    known = {_ids(message.id)[0] for message in _welsh_catalog() if message.id}
    method_map = [("**.py", "python")]
    missing = []
    for package in ("coproterm", "server"):
        for filename, _line, message, _comments, _context in extract_from_dir(
            ROOT / package, method_map, keywords=KEYWORDS
        ):
            first = message[0] if isinstance(message, tuple) else message
            if first and first not in known:
                missing.append(f"{package}/{filename}: {first!r}")
    assert not missing, "run the catalog update in docs/cymraeg.md; not in the catalog:\n" + "\n".join(missing)


def test_the_compiled_catalog_is_the_po_compiled() -> None:
    """The .mo shipped in the package says what the .po says (a fresh install needs no build step)."""
    welsh = language(WELSH)
    for message in _welsh_catalog():
        if message.id and isinstance(message.id, str):
            assert welsh.t(message.id) == message.string, message.id


def test_a_language_is_a_value_not_a_process_setting() -> None:
    cy, en = language(WELSH), language(ENGLISH)
    assert cy.t("question {number} of {count}", number=2, count=9) == "cwestiwn 2 o 9"
    assert en.t("question {number} of {count}", number=2, count=9) == "question 2 of 9"
    assert cy.other() is en and en.other() is cy
    both = language(BILINGUAL)
    assert both.t("Results") == "Canlyniadau", "the interface's words in Welsh; the deck's in both"
    assert both.pick("consultation", "ymgynghori", join=" | ") == "ymgynghori | consultation"
    assert cy.pick("consultation", "") == "consultation"  # no Welsh given: the English stays
    assert cy.html_lang == "cy" and en.html_lang == "en"
    with pytest.raises(ValueError, match="unknown language 'fr'"):
        language("fr")


@pytest.mark.parametrize(
    ("environment", "expected"),
    [
        ({"LANG": "cy_GB.UTF-8"}, "cy"),
        ({"LANG": "en_GB.UTF-8"}, "en"),
        ({"LC_ALL": "cy_GB.UTF-8", "LANG": "en_GB.UTF-8"}, "cy"),
        ({"LC_ALL": "C", "LANG": "cy_GB.UTF-8"}, "en"),
        ({"LC_MESSAGES": "cy_GB", "LANG": "en_US.UTF-8"}, "cy"),
        ({"LANGUAGE": "fr:cy", "LANG": "fr_FR.UTF-8"}, "cy"),
        ({"LANG": "fr_FR.UTF-8"}, "en"),
        ({}, "en"),
    ],
)
def test_the_locale_decides_the_language(environment: dict[str, str], expected: str) -> None:
    assert from_locale(environment) == expected


def test_a_fresh_process_reads_welsh_with_no_build_step() -> None:
    code = "from coproterm.core.i18n import language; print(language('cy').t('Results'))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd="/")
    assert out.stdout.strip() == "Canlyniadau"


# -- bilingual decks ---------------------------------------------------------------

SMALL = """
title = "Where we work"
title_cy = "Ble rydym yn gweithio"

[scales.s]
title = "A ladder"
title_cy = "Ysgol"

[[scales.s.groups]]
label = "doing for"
label_cy = "gwneud ar gyfer"

[[scales.s.positions]]
label = "consultation"
label_cy = "ymgynghori"
group = "doing for"
example = "surveys"
notes = ["one", "two"]
notes_cy = ["un", "dau"]

[[scales.s.positions]]
label = "participation"
group = "doing for"

[[questions]]
prompt = "Where?"
prompt_cy = "Ble?"
board = "s"
"""


def test_a_deck_carries_both_languages_and_each_face_picks() -> None:
    deck = parse_deck(SMALL)
    assert deck_from_data(deck_to_data(deck)) == deck  # the Welcome's deck carries the Welsh too
    assert deck_to_data(deck)["title_cy"] == "Ble rydym yn gweithio"
    welsh = localise(deck, language(WELSH))
    scale = welsh.questions[0].x
    assert scale is not None and welsh.scales[0] is scale  # one scale, localised once
    assert (welsh.title, welsh.questions[0].prompt, scale.title) == ("Ble rydym yn gweithio", "Ble?", "Ysgol")
    assert [p.label for p in scale.positions] == ["ymgynghori", "participation"]  # no Welsh: English stays
    assert scale.positions[0].notes == ("un", "dau") and scale.groups[0].label == "gwneud ar gyfer"
    both = localise(deck, language(BILINGUAL))
    assert both.questions[0].x is not None
    assert both.questions[0].x.positions[0].label == "ymgynghori | consultation"
    assert both.title == "Ble rydym yn gweithio / Where we work"
    assert localise(deck, language(ENGLISH)) is deck


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (('label_cy = "ymgynghori"', "label_cy = 3"), "label_cy: expected text, not int"),
        (('label_cy = "ymgynghori"', 'key_cy = "x"'), "key_cy: unknown key"),
        (('notes_cy = ["un", "dau"]', 'notes_cy = ["un", 2]'), "notes_cy[1]: expected text"),
        (('prompt_cy = "Ble?"', 'prompt_cy = "Ble\\u202e?"'), "prompt_cy: character U+202E is not allowed"),
    ],
)
def test_bad_welsh_in_a_deck_is_a_clear_error(change: tuple[str, str], problem: str) -> None:
    with pytest.raises(DeckError, match=re.escape(problem)):
        parse_deck(SMALL.replace(*change), "small.toml")


@pytest.mark.parametrize("name", list(BUILTIN_DECKS))
def test_every_built_in_deck_is_bilingual_throughout(name: str) -> None:
    deck = builtin_deck(name)
    missing = []
    data = deck_to_data(deck)

    def walk(node: object, where: str) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key in {
                    "title",
                    "source",
                    "label",
                    "note",
                    "example",
                    "narrative",
                    "prompt",
                    "low",
                    "high",
                    "section",
                }:
                    if f"{key}_cy" not in node:
                        missing.append(f"{where}.{key}")
                elif key in ("notes", "details") and len(node.get(f"{key}_cy", [])) != len(value):
                    missing.append(f"{where}.{key}")
                else:
                    walk(value, f"{where}.{key}")
        elif isinstance(node, list):
            for i, item in enumerate(node):
                walk(item, f"{where}[{i}]")

    walk(data, "deck")
    assert not missing, "no Welsh for: " + ", ".join(missing)


def test_no_catalog_call_hides_inside_an_f_string() -> None:
    """On Python 3.11 an f-string is one token: the extractor cannot see a ``t("...")`` inside it."""
    import io
    import tokenize

    inside = re.compile(r"""\{[^{}]*\b(?:t|tn|N_)\(\s*['"]""")
    found = []
    for package in ("coproterm", "server"):
        for path in (ROOT / package).rglob("*.py"):
            source = path.read_text("utf-8")
            for token in tokenize.generate_tokens(io.StringIO(source).readline):
                prefix = token.string[:3].lower()
                is_f_string = token.type == tokenize.STRING and "f" in prefix.split("'")[0].split('"')[0]
                if is_f_string and inside.search(token.string):
                    found.append(f"{path.relative_to(ROOT)}:{token.start[0]}")
    assert not found, "compute the translated text before the f-string: " + ", ".join(found)


@pytest.mark.parametrize(
    ("args", "environment"),
    [(["join", "--lang", "cy", "--help"], {}), (["export", "--help"], {"LANG": "cy_GB.UTF-8"})],
    ids=["--lang", "LANG"],
)
def test_the_command_line_helps_in_welsh(args: list[str], environment: dict[str, str]) -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("LANG", "LC_"))}
    out = subprocess.run(
        [sys.executable, "-m", "coproterm", *args],
        capture_output=True,
        text=True,
        check=True,
        env={**env, **environment},
    ).stdout
    assert out.startswith("defnydd: coproterm"), out
    assert "dangos y neges gymorth hon a gadael" in out and "dewisiadau:" in out
    assert "show this help" not in out


def test_the_command_line_helps_in_english_by_default() -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("LANG", "LC_"))}
    out = subprocess.run(
        [sys.executable, "-m", "coproterm", "join", "--help"], capture_output=True, text=True, check=True, env=env
    ).stdout
    assert out.startswith("usage: coproterm") and "your display name" in out
