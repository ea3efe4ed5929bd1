"""The nightly HTML report: one self-contained file per business date, charts drawn as inline SVG.

It reads only the published analyst file, so it shows exactly what analysts see.
"""

from __future__ import annotations

from datetime import date
from html import escape
from pathlib import Path

import duckdb

from crm.settings import sql_text
from crm.sql import query
from models import svg_charts as chart

STYLE = """
body{font-family:system-ui,sans-serif;margin:2em auto;max-width:1200px;color:#222}
section{display:flex;flex-wrap:wrap;gap:1.5em;align-items:flex-start}
figure{margin:0}figcaption{font-weight:600;margin-bottom:.3em}
table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ddd;padding:3px 8px;text-align:right}
th{background:#f4f4f4}h2{border-bottom:2px solid #2b6cb0;padding-bottom:.2em;margin-top:1.6em}
"""


def _rows(con, name: str, as_of: date) -> list[tuple]:
    return query(con, f"report/{name}", as_of=as_of)


def _has_table(con, name: str) -> bool:
    return bool(
        con.execute(
            "select count(*) from duckdb_tables() where schema_name = 'crm' and table_name = ?", [name]
        ).fetchall()[0][0]
    )


def sections(con: duckdb.DuckDBPyConnection, as_of: date) -> list[tuple[str, list[str]]]:
    out: list[tuple[str, list[str]]] = []

    # An output that could not be computed shows its status and reason instead of empty charts.
    gaps = _rows(con, "output_status", as_of) if _has_table(con, "output_status") else []
    if gaps:
        out.append(("Outputs not computed tonight", [chart.table(["output", "status", "reason"], gaps, "Status")]))
    missing = {output: [f"<p>{escape(status)}: {escape(reason or '')}</p>"] for output, status, reason in gaps}

    out.append(("Customers and profit by value tier", missing.get("value_tier") or _tier_parts(con, as_of)))

    moves = _rows(con, "tier_migration", as_of)
    out.append(("Tier migration (last two month-ends)", [chart.table(["from", "to", "customers"], moves, "Moves")]))

    out.append(("Churn risk", missing.get("churn_risk") or _churn_parts(con, as_of)))
    out.append(("Lifetime value", missing.get("lifetime_value") or _ltv_parts(con, as_of)))

    per_customer = _rows(con, "records_per_customer", as_of)
    rules = _rows(con, "match_rules", as_of)
    out.append((
        "Linkage quality",
        [
            chart.bars(
                [("6+" if r == 6 else str(r)) for r, _ in per_customer],
                {"customers": [n for _, n in per_customer]},
                "Customers by number of source records",
            ),
            chart.bars([r for r, _ in rules], {"records": [n for _, n in rules]}, "Source records by match rule"),
        ],
    ))

    deliveries = _rows(con, "deliveries", as_of)
    reasons = _rows(con, "quarantine", as_of)
    per_system: dict[str, int] = {}
    for system, *_rest, quarantined in deliveries:
        per_system[system] = per_system.get(system, 0) + quarantined
    out.append((
        "Data quality",
        [
            chart.bars(list(per_system), {"quarantined rows": list(per_system.values())}, "Quarantined rows per system"),
            chart.table(["system", "file", "kind", "read", "staged", "quarantined"], deliveries, "Deliveries"),
            chart.table(["system", "file", "field", "reason", "action", "rows"], reasons, "Quarantine reasons"),
        ],
    ))
    return out


def _tier_parts(con, as_of: date) -> list[str]:
    tiers = _rows(con, "tier_summary", as_of)
    labels = [t[0] for t in tiers]
    curve = _rows(con, "profit_concentration", as_of)
    return [
        chart.bars(
            labels,
            {"share of customers": [t[3] for t in tiers], "share of profit": [t[4] for t in tiers]},
            "Share of customers and of 12-month profit per tier",
            fmt="{:.0%}",
        ),
        chart.lines(
            {"cumulative profit share": [(0.0, 0.0)] + [(float(x), float(y or 0)) for x, y in curve]},
            "Profit concentration: top x% of customers hold y% of profit",
            diagonal=True,
        ),
        chart.table(["tier", "customers", "profit 12m (CNY)", "share customers", "share profit"], tiers, "Tiers"),
    ]


def _churn_parts(con, as_of: date) -> list[str]:
    dist = _rows(con, "churn_distribution", as_of)
    churn_parts = [
        chart.bars([f"{b:.2f}" for b, _ in dist], {"customers": [n for _, n in dist]}, "Customers by 90-day churn probability"),
        chart.table(["band", "customers", "mean probability"], _rows(con, "churn_bands", as_of), "Risk bands"),
    ]
    if _has_table(con, "churn_calibration"):
        cal = _rows(con, "churn_calibration", as_of)
        churn_parts.append(
            chart.lines(
                {"validation": [(float(p), float(o)) for p, o, _ in cal]},
                "Calibration on the validation window: predicted (x) vs observed (y)",
                diagonal=True,
            )
        )
    churn_parts.append(_model_table(con, as_of))
    return churn_parts


def _ltv_parts(con, as_of: date) -> list[str]:
    ltv = _rows(con, "ltv_distribution", as_of)
    return [
        chart.bars([b for b, _, _ in ltv], {"customers": [n for _, n, _ in ltv]}, "Customers by expected lifetime value (CNY)"),
        chart.table(["band", "customers", "total LTV (CNY)"], ltv, "Lifetime value bands"),
    ]


def _model_table(con, as_of: date) -> str:
    cur = con.execute(sql_text("report/churn_model"), {"as_of": as_of})
    names = [d[0] for d in cur.description]
    rows = cur.fetchall()
    return chart.table(["metric", "value"], list(zip(names, rows[0])) if rows else [], "Churn model version in use")


def render(published: Path, as_of: date) -> str:
    con = duckdb.connect(str(published), read_only=True)
    try:
        body = "".join(
            f"<h2>{escape(title)}</h2><section>{''.join(parts)}</section>" for title, parts in sections(con, as_of)
        )
    finally:
        con.close()
    return (
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>CRM nightly report {as_of}</title><style>{STYLE}</style></head>"
        f"<body><h1>CRM nightly report: business date {as_of}</h1>{body}</body></html>"
    )


def write_report(published: Path, as_of: date, reports_dir: Path) -> Path:
    reports_dir.mkdir(parents=True, exist_ok=True)
    target = reports_dir / f"{as_of.isoformat()}.html"
    tmp = target.with_suffix(".html.tmp")
    tmp.write_text(render(published, as_of), encoding="utf-8")
    tmp.replace(target)
    return target
