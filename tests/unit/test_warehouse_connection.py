"""The job's DuckDB connection honours the operator's memory cap."""

from __future__ import annotations

from pipelines.resources import Warehouse


def test_memory_limit_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("CRM_WAREHOUSE", str(tmp_path / "bank.duckdb"))
    monkeypatch.setenv("CRM_DUCKDB_MEMORY_LIMIT", "512MB")
    with Warehouse().connect() as con:
        limit = con.execute("select current_setting('memory_limit')").fetchall()[0][0]
    assert limit == "488.2 MiB", limit  # 512 MB as DuckDB prints it

    monkeypatch.delenv("CRM_DUCKDB_MEMORY_LIMIT")
    with Warehouse().connect() as con:
        default = con.execute("select current_setting('memory_limit')").fetchall()[0][0]
    assert default != limit
