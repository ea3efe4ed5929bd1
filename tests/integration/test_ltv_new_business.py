"""Lifetime value forecasts what customers open later, from the bank's own history: on the session's
generated bank the customers known a year before the date opened products since, so tonight's forecast
holds a positive new-business part; the same bank without any later opening forecasts none."""

from __future__ import annotations

import shutil
from datetime import timedelta

import duckdb
import pytest

from models.ltv import compute_ltv

pytestmark = pytest.mark.slow  # needs the session's whole-bank runs


def _ltv(path, night):
    con = duckdb.connect(str(path))
    try:
        con.execute("delete from marts.ltv_params")  # refit tonight, on this warehouse's history
        frame, _ = compute_ltv(con, night, full=True)
        fitted = con.execute(
            "select count(*) from marts.ltv_params where kind = 'new_business' and name like 'rate|%' and value > 0"
        ).fetchall()[0][0]
    finally:
        con.close()
    return frame, fitted


def test_lifetime_value_counts_products_opened_later_and_none_when_nobody_ever_opened_one(base, tmp_path):
    night = base["dates"][-1]
    work = tmp_path / "bank.work.duckdb"
    shutil.copy(base["healthy"].parent / "reference" / "wh" / "bank.work.duckdb", work)

    frame, fitted = _ltv(work, night)
    nb = frame.set_index("customer_id")["new_business_12m_cny"]
    assert fitted > 0 and (nb > 0).sum() > 0 and nb.sum() > 0

    # The same bank where nobody ever opened anything after joining: every account opened after a
    # customer's first one, and FX deals of customers who came to FX later, are gone.
    con = duckdb.connect(str(work))
    try:
        con.execute(
            "create temp table later as select a.system, a.account_key from staging.account as a "
            "join identity.customer_map as m on m.system = a.system and m.source_key = a.source_key "
            "qualify a.open_date > min(a.open_date) over (partition by m.customer_id)"
        )
        assert con.execute("select count(*) from later").fetchall()[0][0] > 0
        con.execute("delete from staging.account where (system, account_key) in (select * from later)")
        for table, key in (
            ("deposit_balance", "acct_no"),
            ("loan_balance", "contract_no"),
            ("card_txn", "card_acct_id"),
        ):
            con.execute(f"delete from staging.{table} where {key} not in (select account_key from staging.account)")
        con.execute("delete from staging.fx_deal where trade_date > ?", [night - timedelta(days=800)])
    finally:
        con.close()
    frame, fitted = _ltv(work, night)
    assert fitted == 0 and (frame["new_business_12m_cny"] == 0).all()
