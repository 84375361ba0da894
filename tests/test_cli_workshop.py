"""The command line for the whole workshop: the built-in decks by name, and a serve of the short one."""

from __future__ import annotations

import subprocess
import sys

from tests.hubkit import start_serve

COPROTERM = [sys.executable, "-m", "coproterm"]


def test_coproterm_decks_lists_the_built_in_decks():
    out = subprocess.run([*COPROTERM, "decks"], capture_output=True, text=True, timeout=60, check=True).stdout
    assert "workshop   Co-production and citizen involvement: 14 questions (WHAT? / WHEN? / WHY? / HOW?)" in out
    assert "short      Co-production and citizen involvement: 6 questions" in out
    assert "--deck NAME" in out


def test_host_help_names_the_built_in_decks_and_presenter_mode():
    out = subprocess.run([*COPROTERM, "host", "--help"], capture_output=True, text=True, timeout=60, check=True).stdout
    flat = " ".join(out.split())
    assert "short: six questions of the same workshop" in flat and "--presenter" in flat


async def test_serve_takes_a_built_in_deck_by_name_and_refuses_an_unknown_one(tmp_path):
    served = await start_serve("--deck", "short", "--no-mdns", data=tmp_path)
    await served.stop()
    assert "6 questions" in served.said
    wrong = subprocess.run(
        [*COPROTERM, "serve", "--deck", "nonesuch.toml", "--data-dir", str(tmp_path), "--no-mdns"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert wrong.returncode != 0 and "nonesuch.toml: cannot read the deck" in wrong.stderr


async def test_the_default_is_the_whole_workshop_and_the_variable_names_another(tmp_path, monkeypatch):
    monkeypatch.delenv("COPROTERM_DECK")
    served = await start_serve("--no-mdns", data=tmp_path / "a")
    await served.stop()
    assert "14 questions" in served.said
    monkeypatch.setenv("COPROTERM_DECK", "short")
    served = await start_serve("--no-mdns", data=tmp_path / "b")
    await served.stop()
    assert "6 questions" in served.said
