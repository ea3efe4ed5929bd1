"""The BTYD summary is the same to the last bit on every run: the lifetime-value fit amplifies a
difference in its last bits (1e-15) into one in the eighth digit of lifetime value, so an
incremental night and a full recomputation of it would disagree."""

from __future__ import annotations

from datetime import date

import duckdb
import numpy as np

from models.value import load_rules
from models.warehouse import execute, run_script


def _bank(con: duckdb.DuckDBPyConnection, customers: int, days: int) -> None:
    n = customers * days
    con.execute("create schema staging; create schema identity")
    con.execute(
        "create temp table account_customer as select 'card' as system, 'A' || i as account_key, "
        "'C' || i as customer_id from range(?) as t(i)",
        [customers],
    )
    con.execute(
        "create table identity.customer_map as select 'fx' as system, 'F' || i as source_key, "
        "'C' || i as customer_id from range(?) as t(i)",
        [customers],
    )
    con.execute(
        """
        create table staging.card_txn as
        select 'A' || (i % $c) as card_acct_id, date '2026-01-01' + (i // $c)::integer * interval 1 day as txn_time,
               (hash(i) % 1000000) / 997.0 as amount, 'PURCHASE' as txn_type
        from range($n) as t(i)""",
        {"c": customers, "n": n},
    )
    con.execute(
        """
        create table staging.fx_deal as
        select 'F' || (i % $c) as client_ref, date '2026-01-01' + (i // $c)::integer as trade_date,
               (hash(i + 7) % 100000) / 991.0 as margin_cny
        from range($n) as t(i)""",
        {"c": customers, "n": n},
    )


def test_btyd_summary_is_bit_identical_across_runs():
    con = duckdb.connect()
    con.execute("set threads = 4")
    _bank(con, customers=2_000, days=150)
    run_script(con, "marts/ltv_fit_scope", as_of=date(2026, 6, 30))  # the population fit's summary
    load_rules(con)
    runs = [execute(con, "marts/btyd_summary").df() for _ in range(8)]
    first = runs[0]["monetary_value"].to_numpy()
    assert len(first) == 4_000 and (first > 0).all()
    for other in runs[1:]:
        assert np.array_equal(first, other["monetary_value"].to_numpy())
