"""What each `coproterm` command does; coproterm/cli.py only parses."""

from __future__ import annotations

import argparse
import os
import sys

from coproterm.core.i18n import Language, from_locale, language
from coproterm.core.problems import Problem


def cli_language(args: argparse.Namespace | None = None) -> Language:
    """The language a command speaks to the person at the terminal: its ``--lang``, else the locale (``LANG``)."""
    return language(getattr(args, "lang", None) or from_locale(os.environ))


def fail(message: str | Problem, lang: Language | None = None) -> int:
    """Say what went wrong on stderr (a problem worded in ``lang``, else the locale's); the exit status."""
    text = message.words(lang or cli_language()) if isinstance(message, Problem) else message
    print(f"coproterm: {text}", file=sys.stderr)
    return 2
