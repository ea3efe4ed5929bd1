"""An incremental daily night publishes what a full recomputation of that night publishes.

The session's reference warehouse ran the last daily night incrementally (the default); here a copy of
the warehouse before that night runs it with `full=True` (every customer and month recomputed), and
the published tables of that date must agree (floats within 1e-9)."""

from __future__ import annotations

import shutil

import duckdb
import numpy as np
import pandas as pd
import pytest
from dagster import AssetKey, DagsterInstance

from crm.nightly import run_nightly
from tests.integration.fault_kit import _env

pytestmark = pytest.mark.slow  # builds and runs whole banks: `-m "not slow"` skips it locally

# Published table -> its key columns; each is compared on the last night's rows (or whole, undated).
TABLES = {
    "churn_risk_history": ["customer_id"],
    "lifetime_value_history": ["customer_id"],
    "value_tier_history": ["customer_id"],
    "contribution_monthly": ["customer_id", "month"],
    "product_holding_history": ["customer_id"],
    "customer_lifecycle_history": ["customer_id"],
    "customer_lifecycle_monthly": ["customer_id", "month"],
    "next_best_product_history": ["customer_id", "product"],
}


def _published(root, table, night) -> pd.DataFrame:
    con = duckdb.connect(str(root / "wh" / "bank.duckdb"), read_only=True)
    try:
        dated = "as_of_date" in {r[0] for r in con.execute(f"describe crm.{table}").fetchall()}
        where = "where as_of_date = ?" if dated else ""
        df = con.execute(f"select * from crm.{table} {where}", [night] if dated else []).df()
    finally:
        con.close()
    return df.sort_values(TABLES[table]).reset_index(drop=True)


def _assert_same(a: pd.DataFrame, b: pd.DataFrame, table: str) -> None:
    assert list(a.columns) == list(b.columns), table
    assert len(a) == len(b) and len(a) > 0, (table, len(a), len(b))
    for col in a.columns:
        if pd.api.types.is_float_dtype(a[col]):
            x, y = a[col].to_numpy(float), b[col].to_numpy(float)
            assert np.array_equal(np.isnan(x), np.isnan(y)), (table, col)
            worst = np.nanmax(np.abs(x - y), initial=0.0)
            assert worst <= 1e-9, (table, col, worst)
        else:
            assert a[col].astype(str).tolist() == b[col].astype(str).tolist(), (table, col)


def _metadata(root, asset: str) -> dict:
    instance = DagsterInstance.from_config(str(root / "dagster_home"))
    event = instance.get_latest_materialization_event(AssetKey(asset))
    return {k: v.value for k, v in event.asset_materialization.metadata.items()}


def test_incremental_night_equals_a_full_recomputation(base, tmp_path, monkeypatch):
    night = base["dates"][-1]
    full = tmp_path / "full"
    shutil.copytree(base["healthy"], full)  # the warehouse before the last night
    for k, v in _env(full, base["landing"]).items():
        monkeypatch.setenv(k, v)
    monkeypatch.setenv("CRM_LOG_LEVEL", "INFO")
    assert run_nightly(full=True).ok

    reference = base["healthy"].parent / "reference"  # the same night, run incrementally
    for table in TABLES:
        _assert_same(_published(reference, table, night), _published(full, table, night), table)

    # The reference night did carry customers over: their values say they were computed before it.
    risk = _published(reference, "churn_risk_history", night)
    carried = (pd.to_datetime(risk["computed_as_of"]).dt.date < night).sum()
    assert 0 < carried < len(risk)
    incremental, recomputed = _metadata(reference, "churn_risk"), _metadata(full, "churn_risk")
    assert incremental["carried"] > 0 and incremental["scored_tonight"] < incremental["customers"]
    assert recomputed["carried"] == 0 and recomputed["scored_tonight"] == recomputed["customers"]
    assert str(_metadata(reference, "contribution_monthly")["recomputed"]).startswith("1 month(s)")
    assert _metadata(full, "contribution_monthly")["recomputed"] == "all months, every customer"

    # Lifetime value and holdings carried customers too; a value is dated as its customer's churn features.
    for asset in ("lifetime_value", "product_holding"):
        incremental, recomputed = _metadata(reference, asset), _metadata(full, asset)
        assert 0 < incremental["carried"] < incremental["customers"], asset
        assert incremental["carried"] + incremental["computed"] == incremental["customers"], asset
        assert recomputed["carried"] == 0 and recomputed["computed"] == recomputed["customers"], asset
    nbp, recomputed = _metadata(reference, "next_best_product"), _metadata(full, "next_best_product")
    assert 0 < nbp["carried"] < nbp["customers"] and nbp["scored"] + nbp["carried"] == nbp["customers"]
    assert recomputed["carried"] == 0 and recomputed["scored"] == recomputed["customers"]
    ltv = _published(reference, "lifetime_value_history", night).merge(risk, on="customer_id", suffixes=("", "_risk"))
    assert len(ltv) > 0 and (ltv["computed_as_of"] == ltv["computed_as_of_risk"]).all()

    # Lifecycle rows were recomputed only for the customers whose judged month-ends read something new
    # (none here: the night delivers nothing back-dated; tests/unit/test_lifecycle.py restates a month).
    changed = str(_metadata(reference, "customer_lifecycle")["recomputed"])
    assert "changed since" in changed and int(changed.split()[0].replace(",", "")) < len(risk), changed
    assert _metadata(full, "customer_lifecycle")["recomputed"] == "every customer"


def _count(root, sql: str, *params) -> int:
    con = duckdb.connect(str(root / "wh" / "bank.duckdb"), read_only=True)
    try:
        return con.execute(sql, list(params)).fetchall()[0][0]
    finally:
        con.close()


def test_incremental_churn_steps_work_on_the_changed_customers_only(base):
    """The churn steps of a daily night read, compute and score exactly the customers whose computation
    date moved (or model version changed), counted from the published tables; the others' rows are
    carried in the warehouse, never read into the step."""
    night, before = base["dates"][-1], base["dates"][-2]
    reference = base["healthy"].parent / "reference"
    moved = _count(
        reference,
        "select count(*) from crm.churn_risk_history as t left join crm.churn_risk_history as y "
        "on y.as_of_date = ? and y.customer_id = t.customer_id and y.computed_as_of = t.computed_as_of "
        "and y.model_version = t.model_version where t.as_of_date = ? and y.customer_id is null",
        before,
        night,
    )
    population = _count(reference, "select count(*) from crm.churn_risk_history where as_of_date = ?", night)
    risk = _metadata(reference, "churn_risk")
    assert 0 < moved < population
    assert risk["scored_tonight"] == moved and risk["carried"] == population - moved
    assert risk["features_read"] == moved  # not the population: carried rows stay in the warehouse

    features = _metadata(reference, "churn_features")
    assert features["customers"] == features["computed"] + features["carried"]
    assert 0 < features["computed"] < features["customers"]


def test_next_best_product_rescores_only_the_changed_customers(base):
    """A daily night re-scores the customers whose churn features' date, product holding or model version
    moved since the last night, and new customers; the others' rows are carried with their date."""
    night, before = base["dates"][-1], base["dates"][-2]
    reference = base["healthy"].parent / "reference"
    changed = _count(
        reference,
        "select count(distinct t.customer_id) from crm.next_best_product_history as t "
        "left join (select distinct customer_id, computed_as_of, model_version from crm.next_best_product_history "
        "where as_of_date = ?) as y on y.customer_id = t.customer_id and y.computed_as_of = t.computed_as_of "
        "and y.model_version = t.model_version "
        "left join crm.product_holding_history as h1 on h1.as_of_date = t.as_of_date and h1.customer_id = t.customer_id "
        "left join crm.product_holding_history as h0 on h0.as_of_date = ? and h0.customer_id = t.customer_id "
        "where t.as_of_date = ? and (y.customer_id is null or h1.products is distinct from h0.products)",
        before,
        before,
        night,
    )
    customers = _count(
        reference, "select count(distinct customer_id) from crm.next_best_product_history where as_of_date = ?", night
    )
    info = _metadata(reference, "next_best_product")
    assert 0 < changed < customers
    assert info["scored"] == changed and info["carried"] == customers - changed
    assert info["previous_night"] == str(before)
    # carried rows say they were computed before tonight; re-scored ones at their features' date
    stale = _count(
        reference,
        "select count(distinct customer_id) from crm.next_best_product_history where as_of_date = ? "
        "and computed_as_of < as_of_date",
        night,
    )
    assert stale >= info["carried"] > 0
