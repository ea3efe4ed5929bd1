"""Report pieces on hand-made published tables: NEW customers in tier migration, the retention slot."""

from __future__ import annotations

import datetime as dt

import duckdb

from models import report


def test_tier_migration_shows_new_customers():
    con = duckdb.connect()
    con.execute("create schema crm")
    con.execute(
        "create table crm.tier_migration (as_of_date date, month date, customer_id varchar, "
        "from_tier varchar, to_tier varchar, move varchar)"
    )
    con.execute(
        "insert into crm.tier_migration values ('2026-10-31', '2026-10-31', 'C1', null, 'GOLD', 'NEW'), "
        "('2026-10-31', '2026-10-31', 'C2', 'GOLD', 'TOP', 'UP')"
    )
    html = "".join(report._migration_parts(con, dt.date(2026, 10, 31)))
    assert "<td class='t'>NEW</td>" in html and "None" not in html
    assert '"NEW"' in html  # a row of the heatmap too


def test_retention_slot_renders_a_head_query_result():
    empty = "".join(report.retention_list_parts([], []))
    assert "not published yet" in empty
    cols = ["rank", "customer_id", "value_at_risk_cny", "tier", "branch"]
    html = "".join(
        report.retention_list_parts(cols, [(1, "C9", 12_345.6, "GOLD", "BJ01"), (2, "C7", 999.0, "TOP", "SH02")])
    )
    assert "C9" in html and "12,346" in html and "plotly-graph-div" in html
