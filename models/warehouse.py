"""The warehouse I/O layer every stage uses (no Dagster): run `sql/` files with bound `$params`, and
replace one date's rows of a table.

DuckDB splits a file into statements (`extract_statements`); each statement gets the `$params` it names.
Values are always bound. Identifiers cannot be: a file shared by several tables names them `${name}`
(sqlfluff reads that as a plain name), filled from constants (`idents=`, a name or a tuple of names)
through `ident`, which refuses anything but a plain dotted name.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import duckdb

from models.settings import sql_text

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def ident(name: str) -> str:
    """`schema.table` (or a column) quoted for SQL; raises on anything but plain dotted names, so a value
    can never be spliced in by mistake."""
    parts = name.split(".")
    if not all(_NAME.fullmatch(p) for p in parts):
        raise ValueError(f"not a plain SQL identifier: {name!r}")
    return ".".join(f'"{p}"' for p in parts)


_SLOT = re.compile(r"\$\{(\w+)\}")


def sql_of(name: str, idents: dict[str, str | tuple[str, ...]] | None = None) -> str:
    """Text of `sql/<name>.sql` with its `${slot}` identifiers filled from `idents` (quoted by `ident`)."""
    text, idents = sql_text(name), idents or {}
    slots = set(_SLOT.findall(text))
    if slots != idents.keys():
        raise ValueError(f"sql/{name}.sql names identifier(s) {sorted(slots)}, given {sorted(idents)}")

    def fill(m: re.Match) -> str:
        value = idents[m.group(1)]
        return ", ".join(ident(v) for v in ((value,) if isinstance(value, str) else value))

    return _SLOT.sub(fill, text)


def _bound(name: str, named: set[str], params: dict[str, Any]) -> dict[str, Any]:
    missing = named - params.keys()
    if missing:
        raise ValueError(f"sql/{name}.sql needs parameter(s) {', '.join(sorted(missing))}")
    return {k: params[k] for k in named}


def run_script(
    con: duckdb.DuckDBPyConnection, name: str, idents: dict[str, str | tuple[str, ...]] | None = None, **params: Any
) -> None:
    """Execute every statement of `sql/<name>.sql` in order."""
    for stmt in con.extract_statements(sql_of(name, idents)):
        con.execute(stmt.query, _bound(name, stmt.named_parameters, params))


def _single(con: duckdb.DuckDBPyConnection, name: str, idents: dict | None = None):
    (stmt,) = con.extract_statements(sql_of(name, idents))
    return stmt


def execute(
    con: duckdb.DuckDBPyConnection, name: str, idents: dict[str, str | tuple[str, ...]] | None = None, **params: Any
) -> duckdb.DuckDBPyConnection:
    """The single statement of `sql/<name>.sql`, executed: fetch its result as rows or a frame."""
    stmt = _single(con, name, idents)
    return con.execute(stmt.query, _bound(name, stmt.named_parameters, params))


def query(
    con: duckdb.DuckDBPyConnection, name: str, idents: dict[str, str | tuple[str, ...]] | None = None, **params: Any
) -> list[tuple]:
    """Rows of the single statement in `sql/<name>.sql`."""
    return execute(con, name, idents, **params).fetchall()


def replace_date_rows(
    con: duckdb.DuckDBPyConnection,
    table: str,
    date_column: str,
    day: date,
    select: str | None = None,
    *,
    rows: str | None = None,
    also: dict[str, Any] | None = None,
    **params: Any,
) -> None:
    """Replace `table`'s rows of one date: delete those where `date_column = day`, then insert, by
    column name, the rows of the single query in `sql/<select>.sql` (bound to `params`) or every row of
    the table or registered frame `rows`. A rerun of a date replaces it, never doubles it. `also` narrows
    the rows replaced to those whose columns equal its values too (e.g. one system's rows of the date).

    No transaction of its own (DuckDB cannot nest them): callers that need the pair atomic wrap it."""
    if (select is None) == (rows is None):
        raise ValueError("replace_date_rows: give either select (a sql/ file) or rows (a table or frame)")
    target = ident(table)
    also = also or {}
    keys = "".join(f" and {ident(c)} = $k{i}" for i, c in enumerate(also))
    bound = {"day": day} | {f"k{i}": v for i, v in enumerate(also.values())}
    con.execute(f"delete from {target} where {ident(date_column)} = $day{keys}", bound)
    if rows is not None:
        con.execute(f"insert into {target} by name select * from {ident(rows)}")
        return
    stmt = _single(con, select)
    con.execute(f"insert into {target} by name {stmt.query}", _bound(select, stmt.named_parameters, params))
