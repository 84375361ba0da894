"""The command line in the person's language: every help text and description of the parser
(marked with N_), and argparse's own words and errors, which it would say in English."""

from __future__ import annotations

import argparse
import functools
from typing import Any

from coproterm.core.deck import BUILTIN_DECKS
from coproterm.core.i18n import N_, Language
from coproterm.core.wire_terms import DEFAULT_PORT, MAX_PARTICIPANTS
from coproterm.server.ssh import DEFAULT_SSH_PORT

ARGPARSE_WORDS = (
    N_("usage: "),
    N_("options"),
    N_("positional arguments"),
    N_("commands"),
    N_("show this help message and exit"),
)
"""The words argparse says itself, in the catalog so that the help is Welsh throughout."""

ARGPARSE_ERRORS = (
    N_("%(prog)s: error: %(message)s\n"),
    N_("argument %(argument_name)s: %(message)s"),
    N_("invalid choice: %(value)r (choose from %(choices)s)"),
    N_("invalid %(type)s value: %(value)r"),
    N_("the following arguments are required: %s"),
    N_("one of the arguments %s is required"),
    N_("unrecognized arguments: %s"),
    N_("not allowed with argument %s"),
    N_("ignored explicit argument %r"),
    N_("expected one argument"),
    N_("expected at most one argument"),
    N_("expected at least one argument"),
    N_("ambiguous option: %(option)s could match %(matches)s"),
    N_("unexpected option string: %s"),
)
"""argparse's own error messages (Python 3.11's wording), in the catalog so that its errors are Welsh too."""


def speak_argparse(lang: Language) -> None:
    """Let argparse say its own errors in ``lang``.

    argparse words them through the module's ``_`` (a process-wide gettext with no Welsh
    catalog); one command line is one person, so the process may speak their language.
    """
    known = set(ARGPARSE_WORDS) | set(ARGPARSE_ERRORS)
    argparse._ = lambda message: lang.t(message) if message in known else message  # type: ignore[attr-defined]


class _Formatter(argparse.HelpFormatter):
    """Help with the usage line's prefix in the person's language."""

    def __init__(self, prog: str, *, usage: str = "usage: ", **options: Any) -> None:
        super().__init__(prog, **options)
        self._usage_prefix = usage

    def add_usage(self, usage: Any, actions: Any, groups: Any, prefix: str | None = None) -> None:
        super().add_usage(usage, actions, groups, self._usage_prefix if prefix is None else prefix)


def translate(parser: argparse.ArgumentParser, lang: Language) -> None:
    """Every help text and description of ``parser`` and its commands in ``lang`` (they are marked with N_)."""
    values = {
        "port": DEFAULT_PORT,
        "ssh_port": DEFAULT_SSH_PORT,
        "most": MAX_PARTICIPANTS,
        "decks": "; ".join(f"{name}: {lang.t(what)}" for name, (_, what) in BUILTIN_DECKS.items()),
    }
    if parser.description:
        parser.description = lang.t(parser.description, **values)
    # argparse's own words (it translates them with a process-wide gettext, which has no Welsh).
    for group in parser._action_groups:
        if group.title in ARGPARSE_WORDS:
            group.title = lang.t(group.title)
    usage = lang.t(ARGPARSE_WORDS[0])
    parser.formatter_class = functools.partial(_Formatter, usage=usage)
    for action in parser._actions:  # argparse keeps its actions here; there is no public way to reach them
        if action.help and action.help is not argparse.SUPPRESS:
            action.help = lang.t(action.help, **values)
        if isinstance(action, argparse._SubParsersAction):
            for choice in action._choices_actions:
                choice.help = lang.t(choice.help, **values) if choice.help else choice.help
            for sub in set(action.choices.values()):
                translate(sub, lang)
