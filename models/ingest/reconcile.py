"""Reconciliation of a loaded delivery against its own files (pure logic; the blocking asset check in
quality/checks.py reports it).

Per activity file and measure (rows and each money column): the file's own figure, taken at ingestion
from the delivered file itself (`ingest.file_totals`), must equal what staging now holds for the
delivery plus what was quarantined plus what was re-sent (already staged from another delivery);
and no activity id of the delivery may sit in staging twice (it would count twice downstream).
"""

from __future__ import annotations

from datetime import date

import duckdb

from models.warehouse import query


def reconcile(con: duckdb.DuckDBPyConnection, system: str, business_date: date) -> dict:
    """{"measures": n compared, "mismatches": [...], "duplicates": [...]}; empty lists when it holds."""
    rows = query(con, "ingest/check_reconciliation", system=system, business_date=business_date)
    mismatches = [
        {
            "file": f,
            "measure": m,
            "in_file": str(fv),
            "staged": str(s),
            "quarantined": str(q),
            "resent": str(r),
            "difference": str(fv - s - q - r),
        }
        for f, m, fv, s, q, r in rows
        if fv != s + q + r
    ]
    duplicates = [
        {"table": f"staging.{t}", "key": k, "keys_counted_twice": n}
        for t, k, n in query(con, "ingest/check_unique_activity", system=system, business_date=business_date)
    ]
    return {"measures": len(rows), "mismatches": mismatches, "duplicates": duplicates}


def describe(system: str, business_date: date, outcome: dict) -> str:
    """One line naming system, date, file and measure of every disagreement (never values of rows)."""
    parts = [
        f"{m['file']} {m['measure']}: file {m['in_file']} != staged {m['staged']} + quarantined "
        f"{m['quarantined']} + re-sent {m['resent']}"
        for m in outcome["mismatches"]
    ] + [f"{d['table']}: {d['keys_counted_twice']} {d['key']} held more than once" for d in outcome["duplicates"]]
    return f"{system} {business_date:%Y%m%d}: " + "; ".join(parts) if parts else ""
