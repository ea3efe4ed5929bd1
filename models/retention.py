"""Whom to call first: customers ranked by value at risk (90-day churn probability x lifetime value if
retained: the published lifetime value already discounts churn),
with churn drivers, value tier and relationship-manager branch (`sql/marts/retention_priority.sql`)."""

from __future__ import annotations

from datetime import date

import duckdb

from models import status
from models.status import InsufficientHistory
from models.warehouse import query, replace_date_rows, run_script


def build_retention_priority(con: duckdb.DuckDBPyConnection, as_of: date) -> dict[str, object]:
    """marts.retention_priority_history for `as_of`; raises InsufficientHistory (the date left empty)
    when churn risk or lifetime value could not be computed."""
    run_script(con, "marts/retention_priority_table")
    for output in ("churn_risk", "lifetime_value"):
        why = status.insufficient(con, as_of, output)
        if why:
            run_script(con, "marts/retention_priority_clear", as_of=as_of)
            raise InsufficientHistory("retention_priority", f"needs {output}, not available yet: {why}")
    run_script(con, "marts/retention_priority", as_of=as_of)
    replace_date_rows(con, "marts.retention_priority_history", "as_of_date", as_of, rows="retention_tonight")
    customers, at_risk, top5 = query(con, "marts/retention_figures", as_of=as_of)[0]
    return {
        "customers": customers,
        "value_at_risk_cny": float(at_risk or 0),
        "top_5pct_share": float(top5 / at_risk) if at_risk else 0.0,
    }
