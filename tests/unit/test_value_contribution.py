"""The contribution rule and the value tiers on hand-built rows with hand-computed figures."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from models import contribution_rules as R
from models.value import build_contribution_monthly, build_product_holding, compute_value_tiers
from models.warehouse import run_script

D = dt.date


def create_schema(con) -> None:
    # The real staging and identity DDL, so these tests break if the tables they read change.
    run_script(con, "ingest/create_tables")
    run_script(con, "identity/schema")


def empty_warehouse() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    create_schema(con)
    return con


def account(con, system, key, source, product, open_date, close=None, status="ACTIVE", currency="CNY", rate=None):
    con.execute(
        "insert into staging.account (system, account_key, source_key, product, currency, annual_rate, open_date, "
        "close_date, status) values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [system, key, source, product, currency, rate, open_date, close, status],
    )


def link(con, system, source, customer):
    con.execute("insert into identity.customer_map values (?, ?, ?, 'exact', 1.0, null)", [system, source, customer])


@pytest.fixture
def con():
    con = empty_warehouse()
    link(con, "deposit", "d1", "C1")
    link(con, "loan", "l1", "C1")
    link(con, "card", "h1", "C1")
    link(con, "fx", "f1", "C1")
    link(con, "deposit", "d2", "C2")
    link(con, "loan", "l2", "C2")
    # C1: a CNY TIME deposit and a USD CURRENT deposit, a mortgage 35 days past due, a credit card, FX deals.
    account(con, "deposit", "A1", "d1", "TIME", D(2025, 1, 1))
    account(con, "deposit", "A2", "d1", "CURRENT", D(2025, 1, 1), currency="USD")
    account(con, "loan", "L1", "l1", "MORTGAGE", D(2025, 1, 1), rate=4.5)
    account(con, "card", "K1", "h1", "CREDIT", D(2025, 1, 1))
    # C2: a consumer loan written off in February; a deposit closed in January.
    account(con, "loan", "L2", "l2", "CONSUMER", D(2025, 1, 1), status="WRITTEN_OFF", rate=12.0)
    account(con, "deposit", "A3", "d2", "CURRENT", D(2024, 6, 1), close=D(2025, 1, 20), status="CLOSED")
    bal = [
        ("A1", D(2025, 1, 31), 100000.0, 1.5),
        ("A1", D(2025, 2, 28), 120000.0, 1.5),
        ("A1", D(2025, 2, 15), 999999.0, 1.5),  # not the last row of February: ignored
        ("A2", D(2025, 2, 28), 1000.0, 0.1),
        ("A3", D(2025, 1, 20), 50.0, 0.3),
    ]
    con.executemany("insert into staging.deposit_balance values (?, ?, ?, ?, null)", bal)
    loans = [
        ("L1", D(2025, 1, 31), 500000.0, 0),
        ("L1", D(2025, 2, 28), 490000.0, 35),
        ("L2", D(2025, 1, 31), 20000.0, 95),
        ("L2", D(2025, 2, 28), 18000.0, 120),
        ("L2", D(2025, 3, 31), 0.0, 0),
    ]
    con.executemany("insert into staging.loan_balance values (?, ?, ?, ?, 0, null)", loans)
    txns = [
        ("t1", "K1", dt.datetime(2025, 2, 3, 10), 1000.0, "PURCHASE"),
        ("t2", "K1", dt.datetime(2025, 2, 4, 10), 200.0, "REFUND"),
        ("t3", "K1", dt.datetime(2025, 2, 5, 10), 500.0, "CASH_ADVANCE"),
        ("t4", "K1", dt.datetime(2025, 2, 6, 10), 30.0, "FEE"),
        ("t5", "K1", dt.datetime(2025, 2, 7, 10), 80.0, "INTEREST"),
        ("t6", "K1", dt.datetime(2025, 2, 8, 10), 700.0, "PAYMENT"),
    ]
    con.executemany("insert into staging.card_txn values (?, ?, ?, ?, '5411', 'POS', ?, null)", txns)
    con.execute(
        "insert into staging.fx_deal values ('x1', 'f1', '2025-02-10', 'CNY', 'USD', 7100, 1000, 7.1, 25.5, 'BRANCH', null)"
    )
    con.execute(
        "insert into staging.fx_deal values ('x2', 'f1', '2025-02-20', 'CNY', 'USD', 7100, 1000, 7.1, 4.5, 'BRANCH', null)"
    )
    return con


def month(con, customer, m):
    return con.execute(
        "select deposit_cny, loan_cny, card_cny, fx_cny, servicing_cny, total_cny from marts.contribution_monthly "
        "where customer_id = ? and month = ?",
        [customer, m],
    ).fetchall()[0]


def test_contribution_per_product(con):
    build_contribution_monthly(con, D(2025, 3, 31))
    dep, loan, card, fx, serv, total = month(con, "C1", D(2025, 2, 28))
    exp_dep = (
        120000 * (R.FTP_RATE["TIME"] - 0.015) / 12 + 1000 * R.CNY_PER_UNIT["USD"] * (R.FTP_RATE_FOREIGN - 0.001) / 12
    )
    assert dep == pytest.approx(exp_dep)
    # 35 days past due -> PD bucket 30+ (0.35); mortgage LGD 0.20
    exp_loan = 490000 * (0.045 - R.LOAN_COST_OF_FUNDS) / 12 - 490000 * 0.35 * R.LGD["MORTGAGE"] / 12
    assert loan == pytest.approx(exp_loan)
    exp_card = (1000 - 200) * R.INTERCHANGE_RATE + 500 * R.CASH_ADVANCE_FEE_RATE + 30 + 80
    assert card == pytest.approx(exp_card)
    assert fx == pytest.approx(30.0)
    assert serv == pytest.approx(-4 * R.SERVICING_COST_MONTHLY)
    assert total == pytest.approx(exp_dep + exp_loan + exp_card + 30.0 - 4 * R.SERVICING_COST_MONTHLY)

    # January, PD bucket 0 -> 0.01
    _, loan_jan, *_ = month(con, "C1", D(2025, 1, 31))
    assert loan_jan == pytest.approx(500000 * (0.045 - 0.025) / 12 - 500000 * 0.01 * 0.20 / 12)


def test_write_off_and_servicing_of_closed_accounts(con):
    build_contribution_monthly(con, D(2025, 3, 31))
    # February: last positive outstanding of the written-off loan -> realised loss LGD x 18000 on top of margin/EL.
    _, loan, *_, serv, _ = month(con, "C2", D(2025, 2, 28))
    lgd = R.LGD["CONSUMER"]
    exp = 18000 * (0.12 - 0.025) / 12 - 18000 * 0.80 * lgd / 12 - lgd * 18000
    assert loan == pytest.approx(exp)
    # January: the loan and the deposit closed on the 20th are both serviced; February only the loan.
    dep_jan, _, _, _, serv_jan, _ = month(con, "C2", D(2025, 1, 31))
    assert serv_jan == pytest.approx(-2 * R.SERVICING_COST_MONTHLY)
    assert dep_jan == pytest.approx(50 * (R.FTP_RATE["CURRENT"] - 0.003) / 12)
    assert serv == pytest.approx(-R.SERVICING_COST_MONTHLY)


def test_merge_reattributes_history(con):
    build_contribution_monthly(con, D(2025, 3, 31))
    before = con.execute("select sum(total_cny) from marts.contribution_monthly").fetchall()[0][0]
    con.execute("update identity.customer_map set customer_id = 'C1' where customer_id = 'C2'")
    build_contribution_monthly(con, D(2025, 3, 31))
    customers, after = con.execute(
        "select count(distinct customer_id), sum(total_cny) from marts.contribution_monthly"
    ).fetchall()[0]
    assert customers == 1 and after == pytest.approx(before)


def test_rows_after_as_of_are_ignored(con):
    build_contribution_monthly(con, D(2025, 2, 28))
    months = {m for (m,) in con.execute("select distinct month from marts.contribution_monthly").fetchall()}
    assert max(months) == D(2025, 2, 28)


def tier_warehouse(contribs: list[float]) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("create schema marts")
    con.execute(
        "create table marts.contribution_monthly (customer_id varchar, month date, deposit_cny double, loan_cny double, "
        "card_cny double, fx_cny double, servicing_cny double, total_cny double)"
    )
    rows = []
    for i, c in enumerate(contribs):
        for m in (D(2025, 11, 30), D(2025, 12, 31)):
            # December: each customer earns twice the November figure (so the two month-ends differ)
            v = c / 3 * (2 if m.month == 12 else 1)
            rows.append((f"C{i:04d}", m, v, 0, 0, 0, 0, v))
    con.executemany("insert into marts.contribution_monthly values (?, ?, ?, ?, ?, ?, ?, ?)", rows)
    return con


def test_tier_thresholds():
    # 1000 customers: 50 loss-makers, 10 at exactly zero, 940 profitable with distinct contributions.
    contribs = [-10.0 - i for i in range(50)] + [0.0] * 10 + [float(i + 1) for i in range(940)]
    con = tier_warehouse(contribs)
    res = compute_value_tiers(con, D(2025, 12, 31), top_share=0.01, gold_share=0.09)
    tiers = dict(con.execute("select tier, count(*) from marts.value_tier_history group by tier").fetchall())
    assert tiers["LOW"] == 50
    assert tiers["TOP"] == 10  # ceil(1% of 940)
    assert tiers["GOLD"] == 94 - 10  # 10% of 940, less TOP
    assert tiers["GENERAL"] == 1000 - 50 - 94
    top_min = con.execute("select min(contribution_12m) from marts.value_tier_history where tier = 'TOP'").fetchall()[
        0
    ][0]
    gold_max = con.execute("select max(contribution_12m) from marts.value_tier_history where tier = 'GOLD'").fetchall()[
        0
    ][0]
    assert top_min > gold_max
    low_max = con.execute("select max(contribution_12m) from marts.value_tier_history where tier = 'LOW'").fetchall()[
        0
    ][0]
    assert low_max < 0
    # migration between Nov and Dec month-ends: same ordering both months -> everybody SAME (Nov has no prior
    # months so every customer existed in both windows).
    assert res.last_month == D(2025, 12, 31) and res.prev_month == D(2025, 11, 30)
    assert res.moves == {"SAME": 1000}
    # a configured share changes the split
    compute_value_tiers(con, D(2025, 12, 31), top_share=0.05, gold_share=0.05)
    tiers = dict(con.execute("select tier, count(*) from marts.value_tier_history group by tier").fetchall())
    assert tiers["TOP"] == 47


def test_tier_migration_moves():
    con = tier_warehouse([5.0, 100.0, -3.0])
    con.execute(
        "update marts.contribution_monthly set total_cny = -50 where customer_id = 'C0001' and month = '2025-12-31'"
    )
    con.execute("insert into marts.contribution_monthly values ('NEW1', '2025-12-31', 1, 0, 0, 0, 0, 1)")
    compute_value_tiers(con, D(2026, 1, 10), top_share=0.34, gold_share=0.0)  # mid-January: last month-end Dec
    moves = dict(con.execute("select customer_id, move from marts.tier_migration").fetchall())
    assert moves["C0001"] == "DOWN" and moves["NEW1"] == "NEW" and moves["C0002"] == "SAME"
    assert moves["C0000"] == "UP"  # GENERAL in Nov (C0001 was TOP), TOP in Dec


def test_product_holding_next_product(con):
    # Three more customers who went CURRENT -> CREDIT, one CURRENT -> MORTGAGE: CURRENT-only holders get CREDIT.
    for i, nxt in enumerate(["CREDIT", "CREDIT", "MORTGAGE", None]):
        link(con, "deposit", f"dx{i}", f"X{i}")
        account(con, "deposit", f"AX{i}", f"dx{i}", "CURRENT", D(2024, 1, 1))
        if nxt:
            system = "card" if nxt == "CREDIT" else "loan"
            link(con, system, f"s{i}", f"X{i}")
            account(con, system, f"N{i}", f"s{i}", nxt, D(2024, 6, 1))
    build_product_holding(con, D(2025, 3, 31))
    rows = {
        r[0]: r[1:]
        for r in con.execute(
            "select customer_id, products, n_products, has_credit_card, next_product, next_product_rate "
            "from marts.product_holding"
        ).fetchall()
    }
    # out of CURRENT: 2x CREDIT, 1x MORTGAGE, and C2 took CONSUMER while holding CURRENT
    assert rows["X3"] == ("CURRENT", 1, False, "CREDIT", pytest.approx(2 / 4))
    assert rows["X0"][:3] == ("CREDIT,CURRENT", 2, True)
    assert rows["C1"][0] == "CREDIT,CURRENT,FX,MORTGAGE,TIME"
    assert rows["C2"][1] == 0  # closed deposit, written-off loan: nothing held


def test_product_holding_carries_only_unchanged_customers(con):
    # X0's FX deal leaves the 365-day window on the second night; X1's account opens that day; C2 holds
    # nothing and nothing of it changes: only X0 and X1 must be recomputed, and the result must be the full one.
    link(con, "fx", "fx0", "X0")
    con.execute(
        "insert into staging.fx_deal values ('x9', 'fx0', '2024-04-01', 'CNY', 'USD', 7100, 1000, 7.1, 3.0, "
        "'BRANCH', '2024-04-01')"
    )
    link(con, "deposit", "dx1", "X1")
    account(con, "deposit", "AX1", "dx1", "TIME", D(2025, 4, 1))
    build_product_holding(con, D(2025, 3, 31))
    night = D(2025, 4, 1)
    res = build_product_holding(con, night)
    query = "select * exclude (as_of_date) from marts.product_holding where as_of_date = ? order by customer_id"
    incremental = con.execute(query, [night]).fetchall()
    assert res["carried"] == res["customers"] - 2 and res["carried"] > 0
    held = {r[0]: r[1] for r in incremental}
    assert held["X0"] == "" and held["X1"] == "TIME"
    full = build_product_holding(con, night, full=True)
    assert full["carried"] == 0 and con.execute(query, [night]).fetchall() == incremental
