"""The language a widget draws in: its app's (a :class:`~coproterm.tui.hub_app.HubApp` holds one per person)."""

from __future__ import annotations

from textual.dom import DOMNode

from coproterm.core.i18n import ENGLISH, Language, language


def lang_of(node: DOMNode) -> Language:
    """The language of the app ``node`` belongs to; English for an app that holds none."""
    lang = getattr(node.app, "lang", None)
    return lang if isinstance(lang, Language) else language(ENGLISH)
