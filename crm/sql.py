"""Run `sql/` files: split into statements and bind only the `$params` each statement names."""

from __future__ import annotations

import re
from typing import Any

import duckdb

from crm.settings import sql_text

_PARAM = re.compile(r"\$([a-z_][a-z0-9_]*)")


def statements(text: str) -> list[str]:
    # Our SQL files keep ';' out of string literals, so a statement ends at ';' + end of line.
    parts = re.split(r";\s*(?:--[^\n]*)?\n", text + "\n")
    return [p.strip() for p in parts if p.strip() and not _only_comments(p)]


def _only_comments(stmt: str) -> bool:
    return all(not line.strip() or line.strip().startswith("--") for line in stmt.splitlines())


def run_script(con: duckdb.DuckDBPyConnection, name: str, **params: Any) -> None:
    """Execute every statement of `sql/<name>.sql` in order."""
    for stmt in statements(sql_text(name)):
        used = {k: params[k] for k in set(_PARAM.findall(stmt)) if k in params}
        con.execute(stmt, used) if used else con.execute(stmt)


def query(con: duckdb.DuckDBPyConnection, name: str, **params: Any) -> list[tuple]:
    """Rows of the single statement in `sql/<name>.sql`."""
    stmt = sql_text(name)
    used = {k: params[k] for k in set(_PARAM.findall(stmt)) if k in params}
    return con.execute(stmt, used).fetchall()
