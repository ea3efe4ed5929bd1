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

from models.ingest.layout import FILES, MONEY, ROW_KEY
from models.warehouse import query


def reconcile(con: duckdb.DuckDBPyConnection, system: str, business_date: date) -> dict:
    """{"measures": n compared, "mismatches": [...], "duplicates": [...]}; empty lists when it holds."""
    rows, duplicates = [], []
    for spec in FILES[system]:
        if spec.snapshot:
            continue
        staging, keys = f"staging.{spec.target}", ROW_KEY[spec.target]
        rows += query(
            con,
            "ingest/check_reconciliation",
            {"staging": staging, "money": MONEY[spec.target]},
            system=system,
            business_date=business_date,
            file=spec.name,
        )
        ((twice,),) = query(
            con, "ingest/check_unique_activity", {"staging": staging, "keys": keys}, business_date=business_date
        )
        if twice:
            duplicates.append({"table": staging, "key": "+".join(keys), "keys_counted_twice": twice})
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
    return {"measures": len(rows), "mismatches": mismatches, "duplicates": duplicates}


def describe(system: str, business_date: date, outcome: dict) -> str:
    """One line naming system, date, file and measure of every disagreement (never values of rows)."""
    parts = [
        f"{m['file']} {m['measure']}: file {m['in_file']} != staged {m['staged']} + quarantined "
        f"{m['quarantined']} + re-sent {m['resent']}"
        for m in outcome["mismatches"]
    ] + [f"{d['table']}: {d['keys_counted_twice']} {d['key']} held more than once" for d in outcome["duplicates"]]
    return f"{system} {business_date:%Y%m%d}: " + "; ".join(parts) if parts else ""
