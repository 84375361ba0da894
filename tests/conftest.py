"""Shared fixtures. NO_COLOR is unset so snapshots render the same everywhere."""

from __future__ import annotations

import itertools
import os

import pytest

from coproterm.core.deck import default_deck
from coproterm.core.session import Session

os.environ.pop("NO_COLOR", None)

HOST_TOKEN = "test-host-token"


def counting_tokens():
    """Deterministic resume tokens: 16 bytes from a counter."""
    counter = itertools.count(1)
    return lambda: next(counter).to_bytes(16, "big")


@pytest.fixture
def session() -> Session:
    return Session(default_deck(), HOST_TOKEN, counting_tokens())
