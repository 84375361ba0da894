"""Moved to :mod:`coproterm.core.limits` (the limits are protocol rules, owned by the core)."""

from coproterm.core.limits import *  # noqa: F403
from coproterm.core.limits import NewcomerLimit  # noqa: F401
