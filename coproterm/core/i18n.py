"""Two languages, Cymraeg and English: gettext catalogs shipped in the package, one :class:`Language` per person.

Every string a person reads goes through :meth:`Language.t` (or :meth:`Language.tn` for a
count), with named placeholders filled after translation, so a translator may move them::

    lang = language("cy")
    lang.t("question {number} of {count}", number=2, count=9)   # "cwestiwn 2 o 9"

A language is a value held by whoever draws for one person (an app, an SSH session),
never a process-wide setting: one gateway process serves people reading different
languages. The compiled catalog (``coproterm/locale/cy/LC_MESSAGES/coproterm.mo``) is read
once per process and shared; it is immutable.

Strings defined away from a language (module constants, key bindings) are marked with
:func:`N_` for the extractor and translated where they are drawn. English is the source
language: its "catalog" is the identity.

Bilingual mode (``"cy+en"``) is for the projector: the workshop's own words (the deck:
questions, labels, help) in both languages, Welsh first, as bilingual signage in Wales is
laid out; the interface's few words around them in Welsh. (Doubling every status
fragment made the projected screen unreadable in both languages: the snapshots of
tests/test_snapshots_cymraeg.py showed it.)
"""

from __future__ import annotations

import gettext
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Final

DOMAIN: Final = "coproterm"
ENGLISH: Final = "en"
WELSH: Final = "cy"
BILINGUAL: Final = "cy+en"
LANGUAGES: Final = (WELSH, ENGLISH)
"""The languages a person may choose, Welsh first."""
CHOICES: Final = (WELSH, ENGLISH, BILINGUAL)
"""Every mode a face may draw in (bilingual is for a projected dashboard)."""

_PLACEHOLDER = re.compile(r"(?<!\{)\{([A-Za-z_][A-Za-z0-9_]*)(?:![rsa])?(?::[^{}]*)?\}")


def N_(message: str) -> str:
    """Mark a string for the catalog without translating it (it is translated where it is drawn)."""
    return message


def Nn_(singular: str, plural: str) -> tuple[str, str]:
    """Mark a pair for the catalog as one plural entry (translated where the count is known)."""
    return singular, plural


def plural_form(code: str, count: int) -> int:
    """Which of a language's plural forms ``count`` takes: the .po's ``Plural-Forms`` rule (Welsh has six)."""
    if code == ENGLISH:
        return 0 if count == 1 else 1
    catalog = _catalog(WELSH)
    return int(catalog.plural(count)) if isinstance(catalog, gettext.GNUTranslations) else int(count != 1)  # type: ignore[attr-defined]


def placeholders(message: str) -> set[str]:
    """The named placeholders of a catalog string (``{count}`` ...)."""
    return set(_PLACEHOLDER.findall(message))


@cache
def _catalog(code: str) -> gettext.NullTranslations:
    if code == ENGLISH:
        return gettext.NullTranslations()
    path = resources.files("coproterm").joinpath(f"locale/{code}/LC_MESSAGES/{DOMAIN}.mo")
    with path.open("rb") as file:
        return gettext.GNUTranslations(file)


@dataclass(frozen=True, slots=True)
class Language:
    """One person's language: how every string they read is chosen."""

    code: str
    """``"cy"``, ``"en"``, or ``"cy+en"`` (both, Welsh first)."""
    _welsh: gettext.NullTranslations = field(repr=False, compare=False)

    @property
    def welsh(self) -> bool:
        """Whether Welsh is shown (alone or first)."""
        return self.code != ENGLISH

    @property
    def bilingual(self) -> bool:
        """Whether both languages are shown together."""
        return self.code == BILINGUAL

    @property
    def html_lang(self) -> str:
        """The value of an HTML ``lang`` attribute for this language."""
        return ENGLISH if self.code == ENGLISH else WELSH

    def t(self, message: str, /, **values: object) -> str:
        """The message in this language, its ``{placeholders}`` filled."""
        if self.code == ENGLISH:
            return message.format(**values) if values else message
        welsh = self._welsh.gettext(message)
        return welsh.format(**values) if values else welsh

    def tn(self, singular: str, plural: str, count: int, /, **values: object) -> str:
        """The message for ``count`` things in this language (``{count}`` is filled too)."""
        if self.code == ENGLISH:
            return (singular if count == 1 else plural).format(count=count, **values)
        return self._welsh.ngettext(singular, plural, count).format(count=count, **values)

    def pick(self, english: str, welsh: str, *, join: str = "\n") -> str:
        """One of a pair of texts a deck gives (Welsh falls back to English where the deck has none)."""
        if self.code == ENGLISH or not welsh:
            return english
        if self.bilingual and welsh != english:
            return f"{welsh}{join}{english}"
        return welsh

    def other(self) -> Language:
        """The language the "Cymraeg / English" key switches to."""
        return language(ENGLISH if self.welsh else WELSH)


@cache
def language(code: str) -> Language:
    """The language for a code (``"cy"``, ``"en"``, ``"cy+en"``); ``ValueError`` for any other."""
    if code not in CHOICES:
        raise ValueError(f"unknown language {code!r}: expected one of {', '.join(CHOICES)}")
    return Language(code, _catalog(WELSH) if code != ENGLISH else _catalog(ENGLISH))


def from_locale(environment: Mapping[str, str], default: str = ENGLISH) -> str:
    """The language a locale environment asks for (``LANG=cy_GB.UTF-8`` is Welsh).

    POSIX order: ``LANGUAGE`` (a list), then ``LC_ALL``, ``LC_MESSAGES``, ``LANG``; the
    first that is set decides. Anything but Welsh or English gives ``default``.
    """
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = environment.get(name, "")
        if not value:
            continue
        for entry in value.split(":"):
            code = entry.split(".")[0].split("@")[0].split("_")[0].lower()
            if code in LANGUAGES:
                return code
            if code in ("c", "posix") and name != "LANGUAGE":
                return default
        if name != "LANGUAGE":
            return default
    return default
