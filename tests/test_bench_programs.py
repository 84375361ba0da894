"""Every program under bench/ imports: a bench that cannot start gives no figure, and nothing else runs them."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"


@pytest.mark.parametrize("module", sorted(p.stem for p in BENCH.glob("*.py") if p.stem != "__init__"))
def test_the_bench_program_imports(module):
    loaded = importlib.import_module(f"bench.{module}")
    assert loaded.__doc__, f"bench/{module}.py says what it measures"
