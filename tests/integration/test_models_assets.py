"""The value, churn and lifetime-value assets through Dagster on a small synthetic bank with a planted signal."""

from __future__ import annotations

import datetime as dt

import duckdb
import numpy as np
import pandas as pd
import pytest

from models.warehouse import run_script
from pipelines.resources import Warehouse
from tests.partitioned import materialize

pytestmark = pytest.mark.slow  # builds and runs whole banks: `-m "not slow"` skips it locally


def create_schema(con) -> None:
    # The real staging and identity DDL, so these tests break if the tables they read change.
    run_script(con, "ingest/create_tables")
    run_script(con, "identity/schema")


FIRST = dt.date(2025, 12, 31)  # the full delivery: 24 month-ends of history up to here


def month_ends(n: int, last: dt.date) -> list[dt.date]:
    out, d = [], last
    for _ in range(n):
        out.append(d)
        d = d.replace(day=1) - dt.timedelta(days=1)
    return out[::-1]


def build_bank(path, n: int = 600, seed: int = 3, daily_days: int = 2) -> None:
    """Customers with a current account (some with a card, a loan or FX). A churner's balance drains over
    the four months before they close everything: the signal the churn model must find."""
    rng = np.random.default_rng(seed)
    ends = month_ends(24, FIRST)
    days = [FIRST + dt.timedelta(days=i + 1) for i in range(daily_days)]
    acc, dep, loan, txn, fx, cmap = [], [], [], [], [], []
    for i in range(n):
        cid = f"C{i:05d}"
        cmap.append(("deposit", f"D{i}", cid, "exact", 1.0, FIRST))
        open_d = dt.date(2020, 1, 1) + dt.timedelta(days=int(rng.integers(0, 1500)))
        # churn month index (into ends) or None
        close_idx = int(rng.integers(6, 30)) if rng.random() < 0.35 else None
        close_date = (
            ends[close_idx] - dt.timedelta(days=int(rng.integers(0, 20)))
            if close_idx is not None and close_idx < 24
            else None
        )
        level = float(np.exp(rng.normal(10, 1)))
        acc.append(
            (
                "deposit",
                f"A{i}",
                f"D{i}",
                "CURRENT",
                "CNY",
                None,
                None,
                None,
                None,
                open_d,
                None,
                close_date,
                "CLOSED" if close_date else "ACTIVE",
                FIRST,
                FIRST,
            )
        )
        has_card = rng.random() < 0.5
        if has_card:
            cmap.append(("card", f"H{i}", cid, "exact", 1.0, FIRST))
            acc.append(
                (
                    "card",
                    f"K{i}",
                    f"H{i}",
                    "CREDIT",
                    "CNY",
                    "GOLD",
                    20000.0,
                    None,
                    None,
                    open_d,
                    None,
                    close_date,
                    "CLOSED" if close_date else "ACTIVE",
                    FIRST,
                    FIRST,
                )
            )
        if rng.random() < 0.2:
            cmap.append(("loan", f"B{i}", cid, "exact", 1.0, FIRST))
            acc.append(
                (
                    "loan",
                    f"L{i}",
                    f"B{i}",
                    "CONSUMER",
                    "CNY",
                    None,
                    None,
                    50000.0,
                    8.0,
                    open_d,
                    dt.date(2030, 1, 1),
                    None,
                    "ACTIVE",
                    FIRST,
                    FIRST,
                )
            )
        if rng.random() < 0.15:
            cmap.append(("fx", f"F{i}", cid, "exact", 1.0, FIRST))
        for k, me in enumerate(ends + days):
            if me < open_d or (close_date and me > close_date):
                continue
            drain = 1.0
            if close_idx is not None:
                to_close = close_idx - k
                drain = 1.0 if to_close > 4 else max(0.02, 0.2 * to_close) if me.day > 20 or k >= 24 else 1.0
            bal = level * drain * float(np.exp(rng.normal(0, 0.05)))
            dep.append((f"A{i}", me, bal, 0.25, FIRST if k < 24 else me))
            if f"L{i}" in {a[1] for a in acc[-3:]}:
                loan.append(
                    (
                        f"L{i}",
                        me,
                        max(0.0, 50000 - 800 * k),
                        0 if rng.random() < 0.95 else 40,
                        300.0,
                        FIRST if k < 24 else me,
                    )
                )
            if has_card and k < 24:
                for t in range(int(rng.poisson(4 * drain))):
                    ts = dt.datetime.combine(me.replace(day=1), dt.time(12)) + dt.timedelta(
                        days=int(rng.integers(0, 27))
                    )
                    if close_date and ts.date() > close_date:
                        continue
                    txn.append(
                        (f"T{i}-{k}-{t}", f"K{i}", ts, float(rng.gamma(2, 200)), "5411", "POS", "PURCHASE", FIRST)
                    )
            if any(c[0] == "fx" and c[2] == cid for c in cmap[-4:]) and k < 24 and rng.random() < 0.3 * drain:
                fx.append(
                    (
                        f"X{i}-{k}",
                        f"F{i}",
                        me - dt.timedelta(days=3),
                        "CNY",
                        "USD",
                        7100.0,
                        1000.0,
                        7.1,
                        float(rng.gamma(2, 10)),
                        "BRANCH",
                        FIRST,
                    )
                )
    con = duckdb.connect(str(path))
    create_schema(con)
    for table, rows in (
        ("staging.account", acc),
        ("staging.deposit_balance", dep),
        ("staging.loan_balance", loan),
        ("staging.card_txn", txn),
        ("staging.fx_deal", fx),
        ("identity.customer_map", cmap),
    ):
        if rows:
            # the leading columns; later ones (e.g. staging.account.changed_on) stay NULL
            cols = [c[0] for c in con.execute(f"describe {table}").fetchall()][: len(rows[0])]
            frame = pd.DataFrame(rows, columns=cols)  # noqa: F841
            con.execute(f"insert into {table} ({', '.join(cols)}) select * from frame")
    con.close()


@pytest.fixture(scope="module")
def bank(tmp_path_factory):
    root = tmp_path_factory.mktemp("models_bank")
    wh = Warehouse(landing_dir=str(root / "landing"), published=str(root / "bank.duckdb"))
    build_bank(wh.work_path)
    return wh


@pytest.fixture(scope="module")
def first_night(bank):
    """The value, churn, lifetime-value and retention assets materialised for FIRST on the module's bank
    (the tests that read what they wrote need it, whichever runs first)."""
    from assets.churn import churn_assets, churn_checks
    from assets.ltv import ltv_assets
    from assets.retention import retention_assets
    from assets.value import value_assets, value_checks

    with duckdb.connect(str(bank.work_path)) as con:  # deposit records carry the open branch
        con.execute(
            "insert into staging.party (system, source_key, branch, since_date) "
            "select system, source_key, 'BR' || (hash(source_key) % 4), date '2020-01-01' "
            "from identity.customer_map where system = 'deposit'"
        )
    result = materialize(
        [*value_assets, *churn_assets, *ltv_assets, *retention_assets, *value_checks, *churn_checks],
        resources={"warehouse": bank},
        partition_key=str(FIRST),
    )
    return result


def test_value_churn_ltv_assets_materialize(bank, first_night):
    from assets.churn import churn_assets
    from assets.ltv import ltv_assets
    from assets.value import value_assets

    result = first_night
    assert result.success
    con = duckdb.connect(str(bank.work_path), read_only=True)
    try:
        tiers = dict(con.execute("select tier, count(*) from marts.value_tier_history group by 1").fetchall())
        assert set(tiers) <= {"TOP", "GOLD", "GENERAL", "LOW"} and tiers.get("TOP", 0) >= 1
        auc = con.execute("select auc from marts.churn_model_version").fetchall()[0][0]
        assert auc > 0.7
        risk = con.execute(
            "select count(*), min(churn_probability), max(churn_probability), count(driver_1) "
            "from marts.churn_risk_history"
        ).fetchall()[0]
        assert risk[0] > 0 and 0 <= risk[1] <= risk[2] <= 1 and risk[3] > 0
        ltv = con.execute("select count(*), sum(expected_ltv_cny) from marts.lifetime_value_history").fetchall()[0]
        assert ltv[0] > 0
        moves = con.execute("select count(*) from marts.tier_migration").fetchall()[0][0]
        assert moves > 0
        # whom to call first: value at risk = churn probability x lifetime value if retained, ranked, with tier and branch
        listed, wrong_var, wrong_tier, no_branch, max_share = con.execute(
            "select count(*), count(*) filter (where abs(p.value_at_risk_cny - r.churn_probability * l.ltv_if_retained_cny) > 1e-6), "
            "count(*) filter (where p.value_tier is distinct from t.tier), count(*) filter (where p.branch is null), "
            "max(p.cumulative_share) "
            "from marts.retention_priority_history as p "
            "join marts.churn_risk_history as r using (as_of_date, customer_id) "
            "join marts.lifetime_value_history as l using (as_of_date, customer_id) "
            "join marts.value_tier_history as t using (as_of_date, customer_id)"
        ).fetchall()[0]
        eligible = con.execute(
            "select count(*) from marts.churn_risk_history join marts.lifetime_value_history "
            "using (as_of_date, customer_id) where ltv_if_retained_cny > 0"
        ).fetchall()[0][0]
        assert listed == eligible > 0 and wrong_var == wrong_tier == no_branch == 0 and abs(max_share - 1) < 1e-9
        ranked = con.execute(
            "select priority_rank, value_at_risk_cny from marts.retention_priority_history order by priority_rank"
        ).fetchall()
        assert [r[0] for r in ranked] == list(range(1, listed + 1))
        assert all(a[1] >= b[1] for a, b in zip(ranked, ranked[1:]))
        branch_ranks = con.execute(
            "select branch, count(*), min(branch_rank), max(branch_rank) "
            "from marts.retention_priority_history group by branch"
        ).fetchall()
        assert len(branch_ranks) > 1 and all(lo == 1 and hi == n for _, n, lo, hi in branch_ranks)
    finally:
        con.close()
    checks = {c.check_name: c.passed for c in result.get_asset_check_evaluations()}
    assert checks["model_quality_not_worse"]

    # the next business date reuses the model and scores again
    result = materialize(
        [*value_assets, *churn_assets, *ltv_assets],
        resources={"warehouse": bank},
        partition_key=str(FIRST + dt.timedelta(days=1)),
    )
    assert result.success
    meta = result.asset_materializations_for_node("churn_model")[0].metadata
    assert meta["trained_tonight"].value is False


def test_evaluate_against_truth(bank, first_night, tmp_path):
    """churn.evaluate maps customers to persons and scores published and historic dates (truth made here)."""
    from models.churn.evaluate import evaluate_from_warehouse, evaluate_history
    from models.retention_evaluate import evaluate_retention

    con = duckdb.connect(str(bank.work_path))
    try:
        cmap = con.execute("select system, source_key, customer_id as person_id from identity.customer_map").df()
        cmap.to_csv(tmp_path / "source_records.csv", index=False)
        from models.churn.features import features_at, labels_at

        rows = []
        for d in [dt.date(2025, 9, 30), dt.date(2025, 10, 31), FIRST]:
            f = features_at(con, d)
            lab = labels_at(con, f, d)
            for cid, y in zip(f["customer_id"], lab):
                rows.append((cid, d, int(y), 100.0, 0.5, 1200.0))
        pd.DataFrame(
            rows,
            columns=[
                "person_id",
                "business_date",
                "churned_90d",
                "contribution_next_12m",
                "churn_prob_90d",
                "contribution_last_12m",
            ],
        ).to_csv(tmp_path / "outcomes.csv", index=False)
        res = evaluate_from_warehouse(con, tmp_path)
        assert res["churn"]["rows"] > 0 and "ltv" in res
        assert all(t["outcome_se_pct"] >= 0 for t in res["ltv"]["by_tier"].values() if t["persons"] > 1)
        # every churner lost the same value here: ranking by churn probability finds more of it than chance
        ret = evaluate_retention(con, tmp_path)[str(FIRST)]
        assert ret["churners_90d"] > 0 and ret["lost_value_cny"] == 1200.0 * ret["churners_90d"]
        assert 0.05 < ret["captured_by_churn_probability"] <= 1
        assert 0 <= ret["captured_by_value_at_risk"] <= 1 and 0 <= ret["captured_by_lifetime_value"] <= 1
        hist = evaluate_history(con, tmp_path)
        assert hist["rows"] > 0 and hist["auc"] > 0.7
    finally:
        con.close()


def test_a_rejected_model_is_never_the_current_version(tmp_path):
    """A retrained model that fails its blocking check is not recorded and nothing is scored with it; the
    next night still uses (and compares with) the last accepted version."""
    from assets.churn import churn_assets, churn_checks

    wh = Warehouse(landing_dir=str(tmp_path / "landing"), published=str(tmp_path / "bank.duckdb"))
    build_bank(wh.work_path, n=300, seed=5)
    nights = [FIRST, FIRST + dt.timedelta(days=1), FIRST + dt.timedelta(days=2)]

    def night(d, **config):
        return materialize(
            [*churn_assets, *churn_checks],
            resources={"warehouse": wh},
            partition_key=str(d),
            run_config={"ops": config},
            raise_on_error=False,
        )

    assert night(nights[0]).success
    con = duckdb.connect(str(wh.work_path), read_only=True)
    try:
        night_versions = con.execute("select model_version from marts.churn_model_version").fetchall()
    finally:
        con.close()
    assert len(night_versions) == 1
    accepted = night_versions[0][0]

    # Retrained and held to an impossible bar (AUC must beat the current one by 1.0): rejected.
    rejected = night(
        nights[1],
        churn_model={"config": {"retrain": True}},
        churn_model_model_quality_not_worse={"config": {"auc_margin": -1.0}},
    )
    assert [c.passed for c in rejected.get_asset_check_evaluations()] == [False]
    assert not rejected.asset_materializations_for_node("churn_risk")
    candidate = rejected.asset_materializations_for_node("churn_model")[0].metadata["model_version"].value
    assert candidate != accepted

    # The next night reuses the accepted version, its check passes, and it scores with that version.
    after = night(nights[2])
    assert after.success and [c.passed for c in after.get_asset_check_evaluations()] == [True]
    con = duckdb.connect(str(wh.work_path), read_only=True)
    try:
        recorded = [r[0] for r in con.execute("select model_version from marts.churn_model_version").fetchall()]
        used = con.execute(
            "select distinct model_version from marts.churn_risk_history where as_of_date = ?", [nights[2]]
        ).fetchall()
    finally:
        con.close()
    assert recorded == [accepted] and used == [(accepted,)]
