"""Churn features and labels of every date in one query equal the per-date queries they replaced.

Training reads 15 month-ends and a night reads each changed customer at their own date; both used to run
`sql/reference/churn_features_per_date.sql` (and the labels') once per date. On the session's generated
bank (tests/integration/conftest.py) the one-pass frames must give the same values (floats within 1e-9,
relative above 1)."""

from __future__ import annotations

from datetime import timedelta

import duckdb
import numpy as np
import pandas as pd
import pytest

from models.churn.features import HORIZON_DAYS, features_of, labelled_month_ends, snapshots
from models.warehouse import execute

pytestmark = pytest.mark.slow  # uses the session's generated bank run through its nights


@pytest.fixture(scope="module")
def con(base):
    con = duckdb.connect(str(base["healthy"] / "wh" / "bank.work.duckdb"), read_only=True)
    yield con
    con.close()


def _customers(con) -> list[str]:
    return [c for (c,) in con.execute("select distinct customer_id from identity.customer_map order by 1").fetchall()]


def _per_date(con, points: pd.DataFrame, labels: bool) -> pd.DataFrame:
    """The reference: the per-date queries, once per date of `points` (customer_id, as_of_date)."""
    frames = []
    for d, group in points.groupby("as_of_date"):
        d = pd.Timestamp(d).date()
        con.register("scope_frame", group[["customer_id"]])
        try:
            con.execute("create or replace temp table feature_scope as select distinct customer_id from scope_frame")
        finally:
            con.unregister("scope_frame")
        f = execute(con, "reference/churn_features_per_date", as_of=d).df()
        f["days_since_activity"] = f["days_since_activity"].fillna(f["tenure_days"]).astype(float)
        if labels:
            f = f[f["in_population"]].drop(columns=["in_population"]).reset_index(drop=True)
            con.register("population", f[["customer_id", "n_open_accounts"]])
            try:
                lab = execute(
                    con, "reference/churn_labels_per_date", as_of=d, horizon_end=d + timedelta(days=HORIZON_DAYS)
                ).df()
            finally:
                con.unregister("population")
            f["churned"] = f[["customer_id"]].merge(lab, on="customer_id", how="left")["churned"].fillna(0).astype(int)
        frames.append(f)
    return pd.concat(frames, ignore_index=True)


def _assert_same(new: pd.DataFrame, old: pd.DataFrame) -> None:
    keys = ["as_of_date", "customer_id"]
    new, old = new.sort_values(keys).reset_index(drop=True), old.sort_values(keys).reset_index(drop=True)
    assert list(new.columns) == list(old.columns)
    assert len(new) == len(old) and len(new) > 0, (len(new), len(old))
    for col in new.columns:
        if pd.api.types.is_float_dtype(new[col]):
            x, y = new[col].to_numpy(float), old[col].to_numpy(float)
            assert np.array_equal(np.isnan(x), np.isnan(y)), col
            worst = np.nanmax(np.abs(x - y) / np.maximum(1.0, np.abs(y)), initial=0.0)
            assert worst <= 1e-9, (col, worst)
        else:
            assert new[col].astype(str).tolist() == old[col].astype(str).tolist(), col


def test_training_snapshots_in_one_pass_equal_the_per_date_queries(con, base):
    dates = labelled_month_ends(con, base["dates"][-1])
    assert len(dates) >= 10
    new = snapshots(con, dates)
    # the reference, on every customer of the map at each date, then the population filter and labels
    points = pd.DataFrame([(c, d) for d in dates for c in _customers(con)], columns=["customer_id", "as_of_date"])
    everyone = _per_date(con, points, labels=True)
    assert 0 < new["churned"].sum() < len(new)
    _assert_same(new, everyone)

    # The comparison sees a difference: one feature of one row off by a millionth, one label flipped.
    for col, change in (("deposit_balance", lambda v: v * (1 + 1e-6) + 1e-6), ("churned", lambda v: 1 - v)):
        spoiled = new.copy()
        spoiled.loc[len(spoiled) // 2, col] = change(spoiled.loc[len(spoiled) // 2, col])
        with pytest.raises(AssertionError):
            _assert_same(spoiled, everyone)


def test_a_nights_features_at_each_customers_own_date_equal_the_per_date_queries(con, base):
    # A night computes each changed customer as of their own date (any day, not only month-ends).
    night = base["dates"][-1]
    customers = _customers(con)
    days = [night - timedelta(days=k) for k in (0, 1, 3, 6, 40, 200)]
    points = pd.DataFrame(
        {"customer_id": customers, "as_of_date": [days[i % len(days)] for i in range(len(customers))]}
    )
    new = features_of(con, points, population_only=False)
    assert new["as_of_date"].nunique() == len(days) and (~new["in_population"]).any()
    _assert_same(new, _per_date(con, points, labels=False))
