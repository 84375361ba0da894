"""Refusals travel as numbers: every one has words in both languages, the doc lists them, the page gets them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from websockets.datastructures import Headers
from websockets.http11 import Request

from coproterm.core.hub_messages import Error
from coproterm.core.i18n import ENGLISH, WELSH, language, plural_form
from coproterm.core.refusals import TABLE, WORDS, Refusal, english, words
from coproterm.core.wire import decode, encode
from coproterm.core.wire_terms import ErrorCode
from coproterm.server.web import Page, accepted_language, answer
from coproterm.web.page_words import PAGE_WORDS, PLURAL_RULES, page_words

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "protocol.md"


def test_every_refusal_has_words_in_both_languages_with_its_values():
    cy = language(WELSH)
    for refusal in Refusal:
        message, names = WORDS[refusal]
        assert set(re.findall(r"\{(\w+)\}", message)) == set(names), refusal.name
        values = tuple(range(7, 7 + len(names)))
        welsh = words(cy, refusal, values)
        assert welsh != english(refusal, values), f"{refusal.name} has no Welsh"
        for value in values:
            assert str(value) in welsh, f"{refusal.name}: the Welsh lost a value"


def test_a_refusal_names_its_values_and_no_words_travel():
    frame = encode(Error(4, ErrorCode.BAD_TEXT, Refusal.ANSWER_TOO_LONG, (200, 345)))
    assert b"characters" not in frame and len(frame) <= 12
    error = decode(frame)
    assert isinstance(error, Error)
    assert (
        words(language(WELSH), error.refusal, error.values)
        == "hyd at 200 nod yn unig a gaiff fod mewn ateb; mae gan hwn 345"
    )
    assert words(language(ENGLISH), error.refusal, error.values) == (
        "an answer may be at most 200 characters long; this one has 345"
    )
    assert "5,000" in words(language(WELSH), Refusal.WALL_FULL, (5000,))


def test_an_unknown_refusal_or_values_that_do_not_fit_are_still_worded():
    assert "99" in words(language(WELSH), 99) and "diweddarwch coproterm" in words(language(WELSH), 99)
    assert "update coproterm" in words(language(ENGLISH), int(Refusal.LOCKED), (1, 2))


def test_the_doc_lists_every_refusal_with_its_number_values_and_error():
    doc = DOC.read_text()
    rows = {
        int(n): (name, values, error)
        for n, name, values, error in re.findall(
            r"^\| (\d+) \| `([A-Z_]+)` \| ([^|]+) \| ([^|]+) \| [^|]+ \|$", doc, re.M
        )
    }
    for refusal in Refusal:
        name, values, error = rows[int(refusal)]
        assert name == refusal.name
        assert re.findall(r"`(\w+)`", values) == list(WORDS[refusal][1])
        assert (TABLE[refusal][0] is None) == ("none" in error), refusal.name
    assert set(rows) == {int(r) for r in Refusal}


@pytest.mark.parametrize(
    ("header", "wanted"),
    [
        ("fr-FR,fr;q=0.9,cy;q=0.8", WELSH),  # Welsh only as a second (third) preference still counts
        ("en-GB,en;q=0.9,cy;q=0.8", ENGLISH),
        ("cy-GB", WELSH),
        ("fr;q=1, en;q=0.5, cy;q=0.7", WELSH),  # by q, not by place
        ("de, cy;q=0", None),
        ("", None),
        ("en;q=bad, cy;q=0.1", WELSH),
    ],
)
def test_the_whole_accept_language_list_is_honoured(header, wanted):
    assert accepted_language(header, (WELSH, ENGLISH)) == wanted


def _get(page: Page, path: str = "/", **headers: str) -> bytes:
    response = answer(page, Request(path, Headers({"Host": "127.0.0.1:8765", **headers})))
    assert response is not None and response.status_code == 200
    return response.body


def test_the_page_opens_in_the_asked_language_then_the_hubs():
    welsh_hub, english_hub = Page.load(WELSH), Page.load(ENGLISH)
    english = _get(english_hub, **{"Accept-Language": "fr"}).decode()
    assert '<html lang="en">' in english and "<title>coproterm: join the vote</title>" in english
    welsh = _get(welsh_hub, **{"Accept-Language": "fr"}).decode()
    assert '<html lang="cy">' in welsh and "<title>coproterm: ymuno â&#x27;r bleidlais</title>" in welsh
    assert "<noscript>Mae angen JavaScript" in welsh
    assert '<html lang="cy">' in _get(english_hub, **{"Accept-Language": "fr, cy;q=0.5"}).decode()
    assert '<html lang="cy">' in _get(english_hub, "/?code=KXPT&lang=cy", **{"Accept-Language": "en"}).decode()
    assert '<html lang="en">' in _get(welsh_hub, "/?lang=en").decode()
    response = answer(english_hub, Request("/", Headers({"Host": "127.0.0.1:8765"})))
    assert response is not None and "Accept-Language" in response.headers["Vary"]


def test_the_page_words_are_the_catalogs_with_every_plural_form():
    cy, en = page_words(WELSH), page_words(ENGLISH)
    assert set(cy["words"]) == set(en["words"]) == set(PAGE_WORDS)  # type: ignore[call-overload]
    assert cy["words"]["towards"] == [  # type: ignore[index]
        "{count} cam tuag at ‘{where}’",
        "{count} cam tuag at ‘{where}’",
        "{count} gam tuag at ‘{where}’",
        "{count} cham tuag at ‘{where}’",
        "{count} cham tuag at ‘{where}’",
        "{count} o gamau tuag at ‘{where}’",
    ]
    assert cy["refusals"][int(Refusal.WRONG_CODE)] == ["nid hwnnw yw cod ymuno'r sesiwn hon", []]  # type: ignore[index]


def test_the_pages_plural_rules_are_the_catalogs():
    for code, rule in PLURAL_RULES.items():
        for n in range(0, 250):
            # the JavaScript conditional chain, read as Python: n == 0 ? 0 : … gives the same form
            parts = [p.strip() for p in rule.split(":")]
            form = None
            for part in parts[:-1]:
                test, _, then = part.partition("?")
                if eval(test.replace("===", "=="), {"n": n}):
                    form = int(then)
                    break
            if form is None:
                form = int(parts[-1])
            assert form == plural_form(code, n), (code, n)
