"""Problems worded where they are read: a catalog message and its values, never an English sentence.

The core and the shells raise a :class:`Problem` (a deck with a mistake, a log that cannot be
opened, a port in use) carrying a message marked with ``N_`` and the values it needs; the
edge words it in its reader's language (:meth:`Problem.words`: ``LANG`` for the command line,
the person's language on a face). ``str()`` of a problem is its English, for logs.

A value may itself be :class:`Words` (a reason inside a sentence: "the disk is full"); it is
worded in the same language. :func:`os_reason` words the operating system's usual errors from
the catalog, so a Welsh screen does not show the C library's English.
"""

from __future__ import annotations

import errno
from dataclasses import dataclass
from typing import Final

from coproterm.core.i18n import ENGLISH, N_, Language, language


@dataclass(frozen=True, slots=True)
class Words:
    """A catalog message with its ``{placeholders}``' values, worded when a language is known."""

    message: str
    """The English (the catalog's key), marked with ``N_`` where it is defined."""
    values: tuple[tuple[str, object], ...] = ()
    """(name, value) pairs; a value that is :class:`Words` is worded in the same language."""
    plural: str = ""
    """For a count: the English plural (``message`` is the singular; the ``count`` value picks the form)."""

    def words(self, lang: Language) -> str:
        """The message in ``lang``, its values filled (and worded)."""
        values = {name: value.words(lang) if isinstance(value, Words) else value for name, value in self.values}
        if self.plural:
            count = values.pop("count")
            assert isinstance(count, int)
            return lang.tn(self.message, self.plural, count, **values)
        return lang.t(self.message, **values)

    def __str__(self) -> str:
        return self.words(language(ENGLISH))


def said(message: str, /, **values: object) -> Words:
    """:class:`Words` from a message and its values as keywords."""
    return Words(message, tuple(values.items()))


def said_n(pair: tuple[str, str], count: int, /, **values: object) -> Words:
    """:class:`Words` for ``count`` things: ``pair`` (marked ``Nn_``) in the plural form for the count (Welsh has six)."""
    singular, plural = pair
    return Words(singular, (("count", count), *values.items()), plural)


class Problem(Exception):
    """Something went wrong that a person must read: worded at the edge (:meth:`words`)."""

    def __init__(self, message: str | Words, /, **values: object) -> None:
        self.said = message if isinstance(message, Words) else said(message, **values)
        super().__init__(str(self.said))

    def words(self, lang: Language) -> str:
        """The problem in ``lang``."""
        return self.said.words(lang)


_OS_REASONS: Final[dict[int, str]] = {
    errno.ENOENT: N_("there is no such file or folder"),
    errno.EACCES: N_("permission denied"),
    errno.EPERM: N_("permission denied"),
    errno.ENOSPC: N_("the disk is full"),
    errno.EROFS: N_("it is read-only"),
    errno.EISDIR: N_("it is a folder, not a file"),
    errno.ENOTDIR: N_("part of the path is not a folder"),
    errno.EEXIST: N_("it exists already"),
    errno.EADDRINUSE: N_("the port is in use"),
    errno.EADDRNOTAVAIL: N_("that address is not one of this machine's"),
    errno.ENODEV: N_("there is no such device"),
    errno.EMFILE: N_("too many open files"),
    errno.ENFILE: N_("too many open files"),
}

OS_ERROR: Final = N_("system error {name}")
"""An operating-system error with no words of its own in the catalog: its symbolic name (``EIO``)."""
OS_DETAIL: Final = N_("system error: {detail}")
"""An ``OSError`` with no error number (one a program raised): its own detail, as it gave it."""


def os_reason(error: OSError) -> Words:
    """Why an operating-system call failed, in catalog words (its symbolic name where there are none)."""
    number = error.errno or 0
    if not number:  # raised by a program, not by the system: its own detail is all there is
        return said(OS_DETAIL, detail=error.strerror or str(error) or type(error).__name__)
    if number in _OS_REASONS:
        return Words(_OS_REASONS[number])
    return said(OS_ERROR, name=errno.errorcode.get(number, str(number)))
