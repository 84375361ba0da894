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


@pytest.fixture(autouse=True)
def private_data_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test, and every process it starts, keeps sessions, keys and logs in a temporary place.

    Without this, a test that runs `coproterm serve` with no --data-dir fills the
    user's own data directory (and `sessions` and `--resume`) with test sessions.
    """
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("COPROTERM_DATA_DIR", str(home / "coproterm-data"))
    for variable, folder in (
        ("XDG_DATA_HOME", "share"),
        ("XDG_STATE_HOME", "state"),
        ("XDG_CACHE_HOME", "cache"),
        ("XDG_CONFIG_HOME", "config"),
    ):
        monkeypatch.setenv(variable, str(home / folder))
    # Hubs started as processes run the six-question deck the tests' question numbers are written for
    # (the built-in default is the whole workshop; tests/test_cli_workshop.py checks it with this unset).
    monkeypatch.setenv("COPROTERM_DECK", "short")


@pytest.fixture
def session() -> Session:
    return Session(default_deck(), HOST_TOKEN, counting_tokens())
