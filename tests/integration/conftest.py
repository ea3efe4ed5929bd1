"""Fixtures of the fault suites (test_faults*.py): one healthy warehouse per session, copied per case."""

from __future__ import annotations

import shutil

import pytest

from crm.nightly import run_nightly
from tests.integration.fault_kit import _counts, _env, _sha


@pytest.fixture(scope="session")
def base(tmp_path_factory, small_bank):
    """A healthy warehouse with the first two dates published, and a reference run of all three."""
    from models.ingest.landing import complete_dates

    root = tmp_path_factory.mktemp("faults")
    dates = complete_dates(small_bank["landing"])
    assert len(dates) == 3
    healthy = root / "healthy"
    (healthy / "dagster_home").mkdir(parents=True)
    with pytest.MonkeyPatch.context() as mp:
        for k, v in _env(healthy, small_bank["landing"]).items():
            mp.setenv(k, v)
        assert run_nightly(as_of=dates[1]).ok
    reference = root / "reference"
    shutil.copytree(healthy, reference)
    with pytest.MonkeyPatch.context() as mp:
        for k, v in _env(reference, small_bank["landing"]).items():
            mp.setenv(k, v)
        assert run_nightly().ok
    return {"healthy": healthy, "dates": dates, "landing": small_bank["landing"], "expected": _counts(reference)}


@pytest.fixture
def case(base, tmp_path, monkeypatch):
    """A private copy of the healthy warehouse and of the landing folder for one fault."""
    root = tmp_path / "case"
    shutil.copytree(base["healthy"], root)
    landing = tmp_path / "landing"
    shutil.copytree(base["landing"], landing)
    env = _env(root, landing)
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    published = root / "wh" / "bank.duckdb"
    return {
        **base,
        "root": root,
        "landing": landing,
        "env": env,
        "published": published,
        "published_sha": _sha(published),
        "last": base["dates"][-1],
    }
