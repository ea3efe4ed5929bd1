"""The nightly HTML report: one self-contained file per business date, charts drawn by plotly.

plotly's JavaScript is inlined once (`<script id="plotly-js">`), so the file opens from disk with no
network. It reads only the published analyst file, so it shows exactly what analysts see.
"""

from __future__ import annotations

from datetime import date
from html import escape
from pathlib import Path

import duckdb
import plotly.graph_objects as go
from plotly.offline import get_plotlyjs

from models.warehouse import execute, query

STYLE = """
body{font-family:system-ui,sans-serif;margin:2em auto;max-width:1240px;color:#222;padding:0 1em}
h1{font-size:1.6em}h2{border-bottom:2px solid #2b6cb0;padding-bottom:.2em;margin:1.8em 0 .6em}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(560px,1fr));gap:1.2em;align-items:start}
.card{border:1px solid #e2e8f0;border-radius:6px;padding:.6em .8em;background:#fff;overflow-x:auto}
.card.wide{grid-column:1/-1}.card h3{font-size:1em;margin:.1em 0 .5em}.card p.note{color:#555;font-size:13px;margin:.2em 0}
table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ddd;padding:3px 8px;text-align:right}
th{background:#f4f4f4}td.t,th.t{text-align:left}
"""
TIER_ORDER = ["NEW", "TOP", "GOLD", "GENERAL", "LOW"]
STAGE_ORDER = ["acquisition", "growth", "maturity", "decline", "lapsed"]
STAGE_COLOUR = {
    "acquisition": "#4299e1",
    "growth": "#48bb78",
    "maturity": "#718096",
    "decline": "#ed8936",
    "lapsed": "#e53e3e",
    "new": "#b794f4",
}
CONFIG = {"displayModeBar": False, "responsive": True}


# ----------------------------------------------------------------------------------------- blocks


def card(title: str, body: str, wide: bool = False) -> str:
    """A heading and its own chart or table, kept together (`wide`: across the whole row)."""
    return f"<div class='card{' wide' if wide else ''}'><h3>{escape(title)}</h3>{body}</div>"


def _fmt(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return f"{v:,.4f}" if abs(v) < 1 else f"{v:,.2f}" if abs(v) < 1000 else f"{v:,.0f}"
    if isinstance(v, int):
        return f"{v:,}"
    return str(v)


def table(headers: list[str], rows: list[tuple]) -> str:
    text = [bool(rows) and isinstance(v, str) for v in (rows[0] if rows else [None] * len(headers))]
    head = "".join(f"<th class='{'t' if t else ''}'>{escape(h)}</th>" for h, t in zip(headers, text))
    body = "".join(
        "<tr>" + "".join(f"<td class='{'t' if isinstance(v, str) else ''}'>{escape(_fmt(v))}</td>" for v in r) + "</tr>"
        for r in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def figure(fig: go.Figure, x_title: str, y_title: str, height: int = 340, **axes) -> str:
    """A plotly figure as an HTML fragment (the library itself is inlined once in the page head)."""
    fig.update_layout(
        height=height,
        margin=dict(l=70, r=20, t=20, b=60),
        template="plotly_white",
        legend=dict(orientation="h", y=-0.25),
        font=dict(size=12),
    )
    fig.update_xaxes(title_text=x_title, **axes.get("x", {}))
    fig.update_yaxes(title_text=y_title, **axes.get("y", {}))
    return fig.to_html(full_html=False, include_plotlyjs=False, config=CONFIG)


def _bars(x, series: dict[str, list], x_title: str, y_title: str, pct: bool = False, **kw) -> str:
    fig = go.Figure([go.Bar(name=name, x=list(x), y=list(y)) for name, y in series.items()])
    fig.update_layout(barmode="group", showlegend=len(series) > 1)
    return figure(
        fig, x_title, y_title, y={"tickformat": ".0%"} if pct else {"tickformat": ","}, x={"type": "category"}, **kw
    )


def _diagonal_line(points: dict[str, list[tuple[float, float]]], x_title: str, y_title: str) -> str:
    fig = go.Figure(
        [go.Scatter(x=[0, 1], y=[0, 1], mode="lines", name="diagonal", line=dict(dash="dot", color="#a0aec0"))]
    )
    for name, pts in points.items():
        fig.add_trace(go.Scatter(x=[p[0] for p in pts], y=[p[1] for p in pts], mode="lines+markers", name=name))
    return figure(
        fig, x_title, y_title, x={"tickformat": ".0%", "range": [0, 1]}, y={"tickformat": ".0%", "range": [0, 1]}
    )


# ---------------------------------------------------------------------------------------- sections


def _rows(con, name: str, as_of: date) -> list[tuple]:
    return query(con, name, as_of=as_of)


def _has_table(con, name: str) -> bool:
    return bool(
        con.execute(
            "select (select count(*) from duckdb_tables() where schema_name = 'crm' and table_name = ?) "
            "+ (select count(*) from duckdb_views() where schema_name = 'crm' and view_name = ?)",
            [name, name],
        ).fetchall()[0][0]
    )


def sections(con: duckdb.DuckDBPyConnection, as_of: date) -> list[tuple[str, list[str]]]:
    out: list[tuple[str, list[str]]] = []
    # An output that could not be computed shows its status and reason instead of empty charts.
    gaps = _rows(con, "report/output_status", as_of) if _has_table(con, "output_status") else []
    if gaps:
        out.append(("Outputs not computed tonight", [card("Status", table(["output", "status", "reason"], gaps))]))
    missing = {o: [card(o, f"<p class='note'>{escape(s)}: {escape(r or '')}</p>")] for o, s, r in gaps}

    out.append(("Customers and profit by value tier", missing.get("value_tier") or _tier_parts(con, as_of)))
    out.append(("Tier migration (last two month-ends)", _migration_parts(con, as_of)))
    out.append(("Lifecycle stages", missing.get("customer_lifecycle") or _lifecycle_parts(con, as_of)))
    out.append(("Churn risk", missing.get("churn_risk") or _churn_parts(con, as_of)))
    out.append(("Whom to call first: the retention list", retention_list_parts(*retention_head(con, as_of))))
    out.append(("Lifetime value", missing.get("lifetime_value") or _ltv_parts(con, as_of)))
    out.append(("Cross-sell: next best product", missing.get("next_best_product") or _cross_sell_parts(con, as_of)))
    out.append(("Linkage quality", _linkage_parts(con, as_of)))
    out.append(("Data quality", _quality_parts(con, as_of)))
    return out


def _tier_parts(con, as_of: date) -> list[str]:
    tiers = _rows(con, "report/tier_summary", as_of)
    curve = _rows(con, "report/profit_concentration", as_of)
    labels = [t[0] for t in tiers]
    return [
        card(
            "Share of customers and of 12-month profit per tier",
            _bars(
                labels,
                {"share of customers": [t[3] for t in tiers], "share of profit": [t[4] for t in tiers]},
                "value tier",
                "share",
                pct=True,
            ),
        ),
        card(
            "Profit concentration: the top x% of customers hold y% of the profit",
            _diagonal_line(
                {"cumulative profit share": [(0.0, 0.0)] + [(float(x), float(y or 0)) for x, y in curve]},
                "top share of customers (by 12-month contribution)",
                "share of 12-month profit",
            ),
        ),
        card("Tiers", table(["tier", "customers", "profit 12m (CNY)", "share of customers", "share of profit"], tiers)),
    ]


def _migration_parts(con, as_of: date) -> list[str]:
    moves = _rows(con, "report/tier_migration", as_of)
    if not moves:
        return [card("Moves", "<p class='note'>No tier at two month-ends yet.</p>")]
    frm = [t for t in TIER_ORDER if any(m[0] == t for m in moves)]
    to = [t for t in TIER_ORDER if any(m[1] == t for m in moves)]
    grid = [[next((m[2] for m in moves if m[0] == f and m[1] == t), 0) for t in to] for f in frm]
    fig = go.Figure(go.Heatmap(z=grid, x=to, y=frm, colorscale="Blues", texttemplate="%{z:,}", showscale=False))
    return [
        card(
            "Customers by tier at the earlier month-end (NEW: no tier then) and at the later one",
            figure(fig, "tier at the later month-end", "tier at the earlier month-end", y={"autorange": "reversed"}),
        ),
        card("Moves", table(["from", "to", "customers"], moves)),
    ]


def _lifecycle_parts(con, as_of: date) -> list[str]:
    if not _has_table(con, "customer_lifecycle_monthly"):
        return [card("Stages", "<p class='note'>No lifecycle stages published.</p>")]
    stages = _rows(con, "report/lifecycle_stages", as_of)
    flows = _rows(con, "report/lifecycle_flows", as_of)
    months = sorted({m for m, _, _ in stages})
    area = go.Figure(
        [
            go.Bar(
                name=s,
                x=list(months),
                y=[next((n for mm, ss, n in stages if mm == m and ss == s), 0) for m in months],
                marker_color=STAGE_COLOUR[s],
            )
            for s in STAGE_ORDER
        ]
    )
    area.update_layout(barmode="stack")
    moved = [f for f in flows if f[0] != f[1]]  # staying put would dwarf every move
    froms = [s for s in ["new"] + STAGE_ORDER if any(f[0] == s for f in moved)]
    tos = [s for s in STAGE_ORDER if any(f[1] == s for f in moved)]
    nodes = [f"{s} (before)" for s in froms] + tos
    sankey = go.Figure(
        go.Sankey(
            node=dict(label=nodes, color=[STAGE_COLOUR[s] for s in froms + tos], pad=14),
            link=dict(
                source=[froms.index(f) for f, _, _ in moved],
                target=[len(froms) + tos.index(t) for _, t, _ in moved],
                value=[n for _, _, n in moved],
            ),
        )
    )
    sankey.update_layout(height=360, margin=dict(l=10, r=10, t=10, b=10), font=dict(size=12))
    return [
        card(
            "Customers per lifecycle stage at each month-end",
            figure(
                area,
                "month-end",
                "customers",
                height=360,
                y={"tickformat": ","},
                x={"type": "date", "tickformat": "%b %Y", "dtick": "M3"},
            ),
        ),
        card(
            "Customers who changed stage from the month-end before to the latest (left: before, right: now)",
            sankey.to_html(full_html=False, include_plotlyjs=False, config=CONFIG),
        ),
        card("Stage moves into the latest month-end", table(["from", "to", "customers"], flows)),
    ]


def _churn_parts(con, as_of: date) -> list[str]:
    dist = _rows(con, "report/churn_distribution", as_of)
    fig = go.Figure(
        go.Bar(x=[float(b) + 0.025 for b, _ in dist], y=[n for _, n in dist], width=0.048, name="customers")
    )
    parts = [
        card(
            "Customers by 90-day churn probability (5-point buckets)",
            figure(
                fig,
                "90-day churn probability",
                "customers (log scale)",
                x={"tickformat": ".0%", "dtick": 0.1, "range": [0, 1]},
                y={"type": "log", "dtick": 1},
            ),
        ),
        card("Risk bands", table(["band", "customers", "mean probability"], _rows(con, "report/churn_bands", as_of))),
    ]
    if _has_table(con, "churn_calibration"):
        cal = _rows(con, "report/churn_calibration", as_of)
        parts.append(
            card(
                "Calibration on the validation window",
                _diagonal_line(
                    {"validation": [(float(p), float(o)) for p, o, _ in cal]},
                    "predicted churn probability",
                    "observed churn rate",
                ),
            )
        )
    parts.append(card("Churn model version in use", _version_table(con, "report/churn_model", as_of)))
    return parts


def _version_table(con, name: str, as_of: date) -> str:
    cur = execute(con, name, as_of=as_of)
    names = [d[0] for d in cur.description]
    rows = cur.fetchall()
    keep = [i for i, n in enumerate(names) if n not in ("features", "model_path")]  # long JSON, a server path
    return table(["metric", "value"], [(names[i], rows[0][i]) for i in keep] if rows else [])


def _ltv_parts(con, as_of: date) -> list[str]:
    ltv = _rows(con, "report/ltv_distribution", as_of)
    return [
        card(
            "Customers by expected lifetime value",
            _bars(
                [b for b, _, _ in ltv],
                {"customers": [n for _, n, _ in ltv]},
                "expected lifetime value (CNY)",
                "customers",
            ),
        ),
        card("Lifetime value bands", table(["band", "customers", "total LTV (CNY)"], ltv)),
    ]


def _cross_sell_parts(con, as_of: date) -> list[str]:
    if not _has_table(con, "next_best_product_model"):
        return [card("Model", "<p class='note'>No next-best-product model published.</p>")]
    cur = execute(con, "report/cross_sell_model", as_of=as_of)
    names = [d[0] for d in cur.description]
    rows = cur.fetchall()
    if not rows:
        return [card("Model", "<p class='note'>No next-best-product scores for this date.</p>")]
    m = dict(zip(names, rows[0]))
    offers = _rows(con, "report/cross_sell_offers", as_of)
    rates = _bars(
        ["hit rate at 1", "hit rate at 3"],
        {
            "model": [m["hit_rate_at_1"], m["hit_rate_at_3"]],
            "popularity rule": [m["baseline_hit_rate_at_1"], m["baseline_hit_rate_at_3"]],
        },
        "products offered",
        "share of takers hit",
        pct=True,
    )
    return [
        card(
            f"Hit rates out of time ({m['validate_from']} to {m['validate_to']}, {m['customers_taking']:,} customers "
            f"who took a product within 90 days)",
            rates,
        ),
        card(
            "Products offered first tonight",
            _bars([o[0] for o in offers], {"customers": [o[1] for o in offers]}, "product", "customers"),
        ),
        card("Next-best-product model version in use", table(["metric", "value"], list(m.items()))),
        card("Products offered first", table(["product", "customers", "mean propensity"], offers)),
    ]


def retention_head(con, as_of: date) -> tuple[list[str], list[tuple]]:
    """Columns and rows of the retention list's head (crm.retention_priority), or nothing before it exists."""
    if not _has_table(con, "retention_priority_history"):
        return [], []
    cur = execute(con, "report/retention_head", as_of=as_of)
    return [d[0] for d in cur.description], cur.fetchall()


def retention_list_parts(columns: list[str], rows: list[tuple]) -> list[str]:
    """The retention-list section from a head query result (columns, rows), e.g. `report/retention_head`."""
    if not columns:
        return [card("Retention list", "<p class='note'>crm.retention_priority is not published yet.</p>")]
    parts = []
    if "value_at_risk_cny" in columns and "customer_id" in columns:
        i, v = columns.index("customer_id"), columns.index("value_at_risk_cny")
        parts.append(
            card(
                "Value at risk of the first customers on the list",
                _bars([r[i] for r in rows], {"value at risk": [r[v] for r in rows]}, "customer", "value at risk (CNY)"),
            )
        )
    parts.append(card("The first customers to call", table(columns, rows), wide=True))
    return parts


def _linkage_parts(con, as_of: date) -> list[str]:
    per_customer = _rows(con, "report/records_per_customer", as_of)
    rules = _rows(con, "report/match_rules", as_of)
    return [
        card(
            "Customers by number of source records",
            _bars(
                [("6+" if r == 6 else str(r)) for r, _ in per_customer],
                {"customers": [n for _, n in per_customer]},
                "source records per customer",
                "customers",
            ),
        ),
        card(
            "Source records by match rule",
            _bars([r for r, _ in rules], {"records": [n for _, n in rules]}, "match rule", "source records"),
        ),
    ]


def _quality_parts(con, as_of: date) -> list[str]:
    deliveries = _rows(con, "report/deliveries", as_of)
    reasons = _rows(con, "report/quarantine", as_of)
    per_system: dict[str, int] = {}
    for system, *_rest, quarantined in deliveries:
        per_system[system] = per_system.get(system, 0) + quarantined
    return [
        card(
            "Quarantined rows per system",
            _bars(list(per_system), {"quarantined rows": list(per_system.values())}, "source system", "rows"),
        ),
        card("Deliveries", table(["system", "file", "kind", "read", "staged", "quarantined"], deliveries)),
        card("Quarantine reasons", table(["system", "file", "field", "reason", "action", "rows"], reasons), wide=True),
    ]


def render(published: Path, as_of: date) -> str:
    con = duckdb.connect(str(published), read_only=True)
    try:
        body = "".join(
            f"<h2>{escape(title)}</h2><div class='grid'>{''.join(parts)}</div>" for title, parts in sections(con, as_of)
        )
    finally:
        con.close()
    return (
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>CRM nightly report {as_of}</title><style>{STYLE}</style>"
        f"<script id='plotly-js'>{get_plotlyjs()}</script></head>"
        f"<body><h1>CRM nightly report: business date {as_of}</h1>{body}</body></html>"
    )


def write_report(published: Path, as_of: date, reports_dir: Path) -> Path:
    reports_dir.mkdir(parents=True, exist_ok=True)
    target = reports_dir / f"{as_of.isoformat()}.html"
    tmp = target.with_suffix(".html.tmp")
    tmp.write_text(render(published, as_of), encoding="utf-8")
    tmp.replace(target)
    return target
