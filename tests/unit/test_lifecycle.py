"""Lifecycle stages on hand-built customers, one per stage, through the real SQL."""

from __future__ import annotations

import datetime as dt

import duckdb

from models.lifecycle import build_lifecycle
from models.value import build_contribution_monthly
from models.warehouse import run_script

D = dt.date
MONTHS = [D(2025, m, 1) for m in range(1, 13)]


def month_end(d: dt.date) -> dt.date:
    return (d.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)


def customer(con, cid, open_date, balances, product="CURRENT", close=None):
    con.execute("insert into identity.customer_map values ('deposit', ?, ?, 'exact', 1.0, null)", [cid, cid])
    con.execute(
        "insert into staging.account (system, account_key, source_key, product, currency, open_date, close_date, status) "
        "values ('deposit', ?, ?, ?, 'CNY', ?, ?, ?)",
        [f"A{cid}", cid, product, open_date, close, "CLOSED" if close else "ACTIVE"],
    )
    rows = [(f"A{cid}", month_end(m), b, 0.2) for m, b in zip(MONTHS, balances) if b is not None]
    con.executemany("insert into staging.deposit_balance values (?, ?, ?, ?, null)", rows)


def test_one_customer_per_stage():
    con = duckdb.connect()
    run_script(con, "ingest/create_tables")
    run_script(con, "identity/schema")
    steady = [50_000.0] * 12
    customer(con, "MATURE", D(2020, 1, 1), steady)
    customer(con, "DRIFT", D(2020, 1, 1), steady[:9] + [40_000.0, 30_000.0, 20_000.0])  # 20k < 75% of 50k
    customer(con, "NEW", D(2025, 9, 10), [None] * 8 + [5_000.0] * 4)
    customer(con, "GONE", D(2020, 1, 1), steady[:10] + [50.0, None], close=D(2025, 12, 5))
    customer(con, "SILENT", D(2020, 1, 1), steady[:8] + [40.0] * 4)  # under the floor, no activity
    customer(con, "GROW", D(2020, 1, 1), steady)
    con.execute("insert into identity.customer_map values ('loan', 'GROWL', 'GROW', 'exact', 1.0, null)")
    con.execute(
        "insert into staging.account (system, account_key, source_key, product, currency, open_date, status) "
        "values ('loan', 'LGROW', 'GROWL', 'AUTO', 'CNY', '2025-10-15', 'ACTIVE')"
    )
    con.executemany(
        "insert into staging.loan_balance values ('LGROW', ?, 100000, 0, 0, null)",
        [(month_end(m),) for m in MONTHS[9:]],
    )
    as_of = D(2025, 12, 31)
    build_contribution_monthly(con, as_of)
    res = build_lifecycle(con, as_of)
    stage = dict(con.execute("select customer_id, stage from marts.customer_lifecycle_history").fetchall())
    assert stage == {
        "MATURE": "maturity",
        "DRIFT": "decline",
        "NEW": "acquisition",
        "GONE": "lapsed",
        "SILENT": "lapsed",
        "GROW": "growth",
    }
    assert res["stages"] == {"acquisition": 1, "growth": 1, "maturity": 1, "decline": 1, "lapsed": 2}
    # history: the drifting customer was mature until its deposits fell, then declined for two month-ends
    drift = con.execute(
        "select month, stage, previous_stage from marts.customer_lifecycle_monthly "
        "where customer_id = 'DRIFT' order by month"
    ).fetchall()
    assert [r[1] for r in drift[-4:]] == ["maturity", "maturity", "decline", "decline"]
    assert drift[-2][2] == "maturity"
    months_in = con.execute(
        "select months_in_stage from marts.customer_lifecycle_history where customer_id = 'DRIFT'"
    ).fetchall()[0][0]
    assert months_in == 2
    # a mid-month night judges the last complete month-end
    build_contribution_monthly(con, D(2026, 1, 12))
    build_lifecycle(con, D(2026, 1, 12))
    assert con.execute(
        "select distinct month_end from marts.customer_lifecycle_history where as_of_date = '2026-01-12'"
    ).fetchall() == [(as_of,)]


def test_a_daily_night_recomputes_only_the_customers_whose_month_ends_changed():
    con = duckdb.connect()
    run_script(con, "ingest/create_tables")
    run_script(con, "identity/schema")
    steady = [50_000.0] * 12
    customer(con, "MATURE", D(2020, 1, 1), steady)
    customer(con, "DRIFT", D(2020, 1, 1), steady[:9] + [40_000.0, 30_000.0, 20_000.0])
    nights = [D(2026, 1, 5), D(2026, 1, 6)]
    build_contribution_monthly(con, nights[0])
    assert build_lifecycle(con, nights[0])["recomputed"] == "every customer"

    def stages():
        return dict(con.execute("select customer_id || month, stage from marts.customer_lifecycle_monthly").fetchall())

    before = stages()
    # The next delivery restates DRIFT's December balance (back-dated into a judged month-end).
    con.execute(
        "update staging.deposit_balance set balance = 50000, delivery_date = ? "
        "where acct_no = 'ADRIFT' and balance_date = '2025-12-31'",
        [nights[1]],
    )
    build_contribution_monthly(con, nights[1])
    res = build_lifecycle(con, nights[1])
    assert res["recomputed"] == "1 customer(s) changed since 2026-01-05"
    after = stages()
    assert after["DRIFT2025-12-31"] == "maturity" and before["DRIFT2025-12-31"] == "decline"
    assert {k: v for k, v in after.items() if k.startswith("MATURE")} == {
        k: v for k, v in before.items() if k.startswith("MATURE")
    }
    incremental = con.execute("select * from marts.customer_lifecycle_monthly order by all").fetchall()
    assert build_lifecycle(con, nights[1], full=True)["recomputed"] == "every customer"
    assert con.execute("select * from marts.customer_lifecycle_monthly order by all").fetchall() == incremental
