"""Shared fixtures: a small generated bank, made by the tests themselves (never committed)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

if os.environ.get("PYTEST_XDIST_WORKER") and not hasattr(sys.modules["__main__"], "__file__"):
    # An xdist worker's __main__ has no file; pyspark (imported by great-expectations when installed)
    # then takes the process for a doctest run and calls sys.exit(0) inside the ingest assets.
    sys.modules["__main__"].__file__ = "pytest-xdist-worker"


@pytest.fixture(autouse=True)
def _demo_key(monkeypatch):
    # Synthetic data only: allow the demo hashing key unless a test says otherwise.
    monkeypatch.setenv("CRM_DEMO", "1")


@pytest.fixture(scope="session")
def small_bank(tmp_path_factory) -> dict[str, Path]:
    """~400 generated persons: a full delivery and two daily ones, with truth."""
    from crm.generator import generate

    root = tmp_path_factory.mktemp("bank")
    landing, truth = root / "landing", root / "truth"
    generate(landing, truth, customers=400, seed=11, daily_deliveries=2)
    return {"landing": landing, "truth": truth, "root": root}


@pytest.fixture
def pipeline_env(tmp_path, monkeypatch, small_bank):
    """Environment for one pipeline instance on tmp files, as the CLI and Dagster see it."""
    monkeypatch.setenv("CRM_LANDING_DIR", str(small_bank["landing"]))
    monkeypatch.setenv("CRM_WAREHOUSE", str(tmp_path / "wh" / "bank.duckdb"))
    monkeypatch.setenv("CRM_REPORTS_DIR", str(tmp_path / "reports"))
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    (tmp_path / "dagster_home").mkdir()
    return {"warehouse": tmp_path / "wh" / "bank.duckdb", **small_bank}
