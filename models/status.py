"""Per-output status of a night: an output that cannot be computed yet is a known state, not a failure.

A model step that finds too little history raises `InsufficientHistory` (and only that: any other
error still stops the night). The asset catches it, publishes the output empty for the date and
records the status and reason in `marts.output_status`, which is published as `crm.output_status`.
"""

from __future__ import annotations

from datetime import date

import duckdb

from models.warehouse import query, replace_date_rows, run_script

OK = "OK"
INSUFFICIENT_HISTORY = "INSUFFICIENT_HISTORY"


class InsufficientHistory(Exception):
    """Too little history to compute `output` on this date; `reason` says what is missing."""

    def __init__(self, output: str, reason: str):
        super().__init__(f"{output}: {reason}")
        self.output = output
        self.reason = reason


def record(
    con: duckdb.DuckDBPyConnection, as_of: date, output: str, status: str = OK, reason: str | None = None
) -> None:
    """Set the status of `output` for `as_of` (a rerun replaces it)."""
    run_script(con, "status/create")
    replace_date_rows(
        con,
        "marts.output_status",
        "as_of_date",
        as_of,
        "status/record",
        also={"output": output},
        as_of=as_of,
        output=output,
        status=status,
        reason=reason,
    )


def of(con: duckdb.DuckDBPyConnection, as_of: date, output: str) -> tuple[str, str | None] | None:
    """(status, reason) recorded for `output` on `as_of`, or None. Read-only (asset checks call it)."""
    if not con.execute(
        "select count(*) from duckdb_tables() where schema_name = 'marts' and table_name = 'output_status'"
    ).fetchall()[0][0]:
        return None
    rows = query(con, "status/read", as_of=as_of, output=output)
    return (rows[0][0], rows[0][1]) if rows else None


def insufficient(con: duckdb.DuckDBPyConnection, as_of: date, output: str) -> str | None:
    """The reason `output` is INSUFFICIENT_HISTORY on `as_of`, else None."""
    found = of(con, as_of, output)
    return found[1] if found and found[0] == INSUFFICIENT_HISTORY else None
