"""The language a report is written in: set by :func:`coproterm.export.html.to_html` for its own
call, and read by every part of the report (the glance, the movement, the answers, the charts)."""

from __future__ import annotations

from contextvars import ContextVar
from datetime import datetime

from coproterm.core.i18n import ENGLISH, Language, language

REPORT_LANGUAGE: ContextVar[Language] = ContextVar("report_language")
"""The language of the report being written (set by :func:`to_html` for its own call only)."""


def t(message: str, /, **values: object) -> str:
    """``message`` in the report's language."""
    return REPORT_LANGUAGE.get(language(ENGLISH)).t(message, **values)


def report_language() -> Language:
    """The language of the report being written (English outside :func:`to_html`)."""
    return REPORT_LANGUAGE.get(language(ENGLISH))


def tn(singular: str, plural: str, count: int, /, **values: object) -> str:
    """The message for ``count`` things in the report's language."""
    return REPORT_LANGUAGE.get(language(ENGLISH)).tn(singular, plural, count, **values)


_DAYS_CY = ("Dydd Llun", "Dydd Mawrth", "Dydd Mercher", "Dydd Iau", "Dydd Gwener", "Dydd Sadwrn", "Dydd Sul")
_MONTHS_CY = (
    "Ionawr", "Chwefror", "Mawrth", "Ebrill", "Mai", "Mehefin",
    "Gorffennaf", "Awst", "Medi", "Hydref", "Tachwedd", "Rhagfyr",
)  # fmt: skip


def date_text(moment: float, until: float | None = None) -> str:
    """A date and time (to ``until``'s time, if given) in the report's language.

    The C library's names are English whatever the locale, so Welsh names are the report's own.
    """
    at = datetime.fromtimestamp(moment)
    end = f"–{datetime.fromtimestamp(until):%H:%M}" if until is not None and until - moment >= 60 else ""
    if not REPORT_LANGUAGE.get(language(ENGLISH)).welsh:
        return at.strftime("%A %-d %B %Y, %H:%M") + end
    return f"{_DAYS_CY[at.weekday()]} {at.day} {_MONTHS_CY[at.month - 1]} {at.year}, {at:%H:%M}{end}"
