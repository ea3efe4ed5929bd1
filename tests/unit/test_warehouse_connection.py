"""The job's DuckDB connection honours the operator's memory cap, and otherwise picks one that fits the machine."""

from __future__ import annotations

import duckdb
import pytest

from models import settings
from pipelines.resources import Warehouse

GB = 2**30


def _limit(con) -> str:
    return con.execute("select current_setting('memory_limit')").fetchall()[0][0]


def test_memory_limit_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("CRM_WAREHOUSE", str(tmp_path / "bank.duckdb"))
    monkeypatch.setenv("CRM_DUCKDB_MEMORY_LIMIT", "512MB")
    with Warehouse().connect() as con:
        assert _limit(con) == "488.2 MiB"  # 512 MB as DuckDB prints it


def test_unset_limit_is_the_budget_not_duckdbs_default(tmp_path, monkeypatch):
    monkeypatch.setenv("CRM_WAREHOUSE", str(tmp_path / "bank.duckdb"))
    monkeypatch.delenv("CRM_DUCKDB_MEMORY_LIMIT", raising=False)
    monkeypatch.setattr(settings, "_machine_memory", lambda: 64 * GB)
    monkeypatch.setattr(settings.os, "sched_getaffinity", lambda pid: {0, 1})
    with Warehouse().connect() as con, duckdb.connect() as plain:
        assert _limit(con) == "4.0 GiB"
        assert _limit(plain) != _limit(con)


@pytest.mark.parametrize(
    ("threads", "memory", "budget"),
    [(2, 23 * GB, 4 * GB), (16, 8 * GB, 4 * GB), (1, 1 * GB, 1 * GB), (64, 512 * GB, 128 * GB)],
)
def test_budget_is_two_gb_per_thread_within_half_the_memory(monkeypatch, threads, memory, budget):
    monkeypatch.setattr(settings, "_machine_memory", lambda: memory)
    monkeypatch.setattr(settings.os, "sched_getaffinity", lambda pid: set(range(threads)))
    assert settings.memory_budget() == budget


def test_identity_matching_connections_keep_the_budget(monkeypatch):
    # Splink's in-memory DuckDB (training and scoring) had DuckDB's default, 80% of RAM, beside the work file's.
    from models.identity.engine import DuckEngine
    from models.identity.match.training import _db

    monkeypatch.delenv("CRM_DUCKDB_MEMORY_LIMIT", raising=False)
    monkeypatch.setattr(settings, "_machine_memory", lambda: 64 * GB)
    monkeypatch.setattr(settings.os, "sched_getaffinity", lambda pid: {0, 1})
    engine = DuckEngine()
    con, _ = _db(None)
    try:
        assert _limit(engine.con) == _limit(con) == "4.0 GiB"
    finally:
        engine.close()
        con.close()
