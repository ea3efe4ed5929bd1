"""Run `sql/` files: DuckDB splits them into statements, and each gets the `$params` it names."""

from __future__ import annotations

from typing import Any

import duckdb

from models.settings import sql_text


def _bound(name: str, named: set[str], params: dict[str, Any]) -> dict[str, Any]:
    missing = named - params.keys()
    if missing:
        raise ValueError(f"sql/{name}.sql needs parameter(s) {', '.join(sorted(missing))}")
    return {k: params[k] for k in named}


def run_script(con: duckdb.DuckDBPyConnection, name: str, **params: Any) -> None:
    """Execute every statement of `sql/<name>.sql` in order."""
    for stmt in con.extract_statements(sql_text(name)):
        con.execute(stmt.query, _bound(name, stmt.named_parameters, params))


def execute(con: duckdb.DuckDBPyConnection, name: str, **params: Any) -> duckdb.DuckDBPyConnection:
    """The single statement of `sql/<name>.sql`, executed: fetch its result as rows or a frame."""
    (stmt,) = con.extract_statements(sql_text(name))
    return con.execute(stmt.query, _bound(name, stmt.named_parameters, params))


def query(con: duckdb.DuckDBPyConnection, name: str, **params: Any) -> list[tuple]:
    """Rows of the single statement in `sql/<name>.sql`."""
    return execute(con, name, **params).fetchall()
