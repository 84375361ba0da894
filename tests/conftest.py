"""Shared fixtures. NO_COLOR is unset so snapshots render the same everywhere."""

from __future__ import annotations

import itertools
import os
from pathlib import Path

import pytest

from coproterm.core.deck import default_deck
from coproterm.core.session import Session

pytest_plugins = ["tests.netkit"]  # its fixtures (a cable the test can pull) for every test module

os.environ.pop("NO_COLOR", None)

HOST_TOKEN = "test-host-token"

SLOW_MODULES = frozenset(
    {
        # Real peers in processes of their own: OpenSSH, PuTTY's plink, Dropbear's dbclient,
        # Chromium, `coproterm` commands, mypy for other platforms, pip, espeak-ng, network namespaces.
        "test_addresses",
        "test_agreement_everywhere",
        "test_answers_durable",
        "test_answers_hidden_faces",
        "test_answers_ssh",
        "test_cli",
        "test_cli_limits",
        "test_cli_secrets",
        "test_cli_start",
        "test_cli_workshop",
        "test_cymraeg_everywhere",
        "test_discovery",
        "test_durability",
        "test_ending",
        "test_export_cymraeg",
        "test_export_html",
        "test_export_workshop",
        "test_faces_quitting",
        "test_host_process",
        "test_limits_fds",
        "test_names",
        "test_packaging",
        "test_plain",
        "test_plain_speech",
        "test_plain_ssh",
        "test_portable",
        "test_quiet_start",
        "test_report_files",
        "test_report_glance",
        "test_screens_phone",
        "test_screens_ssh",
        "test_soak",
        "test_ssh",
        "test_ssh_attacks",
        "test_ssh_clients",
        "test_ssh_cymraeg",
        "test_ssh_drawn_whole",
        "test_ssh_gateway_proof",
        "test_ssh_hardening",
        "test_ssh_pulled_cable",
        "test_ssh_quiet",
        "test_ssh_screen",
        "test_ssh_terminals",
        "test_ssh_workers",
        "test_store_damage",
        "test_store_migration",
        "test_store_salvage",
        "test_takehome",
        "test_web_abuse",
        "test_web_browser",
        "test_web_cymraeg",
        "test_web_grid",
        "test_web_msgpack",
        "test_timer_everywhere",
    }
)
"""Test modules marked ``slow``: ``pytest -m "not slow"`` runs the core, the hub in the test's loop and
the faces in Pilot (a couple of minutes); ``pytest`` (and CI) runs everything."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    gone = SLOW_MODULES - {path.stem for path in Path(__file__).parent.glob("test_*.py")}
    if gone:  # a renamed module would quietly join the quick run
        raise pytest.UsageError(f"tests/conftest.py names slow test modules that do not exist: {sorted(gone)}")
    for item in items:
        if item.path.stem in SLOW_MODULES:
            item.add_marker(pytest.mark.slow)


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
