"""What each `coproterm` command does; coproterm/cli.py only parses."""

from __future__ import annotations

import sys


def fail(message: str) -> int:
    """Say what went wrong on stderr; the exit status for a refused command."""
    print(f"coproterm: {message}", file=sys.stderr)
    return 2
