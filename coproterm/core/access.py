"""Join codes: short, spoken aloud in a room, typed on a phone.

Four letters from an alphabet without look-alikes (no O/0, I/1/L, S/5, Z/2,
B/8, G/6, Q), compared without regard to case or spaces.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable

ALPHABET = "ACDEFHJKMNPRTUVWXY"
CODE_LENGTH = 4


def new_join_code(randbelow: Callable[[int], int]) -> str:
    """A fresh code, drawing with ``randbelow`` (``secrets.randbelow`` in the shells)."""
    return "".join(ALPHABET[randbelow(len(ALPHABET))] for _ in range(CODE_LENGTH))


def normal_code(typed: str) -> str:
    """What someone typed, as a code: upper case, no spaces or dashes."""
    return "".join(ch for ch in typed.upper() if ch.isalnum())


def code_matches(typed: str | None, code: str) -> bool:
    """Whether a typed code is the session's code (in constant time)."""
    return typed is not None and hmac.compare_digest(normal_code(typed).encode(), code.encode())
