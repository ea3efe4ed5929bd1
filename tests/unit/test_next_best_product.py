"""Next-best-product training rows and propensities on small made-up frames (real scikit-learn fits), and
its point-in-time features on a small synthetic bank."""

from __future__ import annotations

import datetime as dt
import importlib.util
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble import HistGradientBoostingClassifier

from models import next_best_product as nbp

_spec = importlib.util.spec_from_file_location(
    "models_bank", Path(__file__).resolve().parents[1] / "integration" / "test_models_assets.py"
)
bank = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bank)

D = dt.date(2025, 6, 30)


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    path = tmp_path_factory.mktemp("nbp") / "w.duckdb"
    bank.build_bank(path, n=300, seed=7)
    con = duckdb.connect(str(path))
    # the golden record's fields the holdings read (the synthetic bank has no party files)
    con.execute(
        "create table identity.customer_golden as select distinct customer_id, "
        "date '1960-01-01' + (hash(customer_id) % 15000)::integer as birth_date, "
        "null::varchar as employer, 'CN' as nationality from identity.customer_map"
    )
    yield con
    con.close()


def _snapshot(n_takers: int, n_none: int, none_weight: float, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    products = np.array(["TIME", "CREDIT", "MORTGAGE"], dtype=object)
    taken = [{products[i % 3]} for i in range(n_takers)] + [set() for _ in range(n_none)]
    f = pd.DataFrame(
        {
            "customer_id": [f"C{i}" for i in range(n_takers + n_none)],
            "as_of_date": pd.Timestamp("2026-01-31"),
            "products": "CURRENT",
            "signal": [i % 3 + rng.normal(0, 0.2) for i in range(n_takers)] + list(rng.normal(5, 1, n_none)),
            "weight": [1.0] * n_takers + [none_weight] * n_none,
        }
    )
    for p, col in zip(nbp.PRODUCTS, nbp._held_columns()):
        f[col] = int(p == "CURRENT")
    f["taken"] = taken
    return f


def test_training_rows_keep_every_taker_when_capped():
    """Over the row cap, the customers who took nothing are sampled down, never the takers (a uniform
    sample dropped openings, the rare class the model is about), and their weights still add up."""
    snap = _snapshot(n_takers=60, n_none=2000, none_weight=4.0)
    X, y, w = nbp._rows(snap, np.random.default_rng(1), max_rows=400)
    assert len(X) <= 400 + 60  # the sample of 'none' rows is random around its share
    assert (y != nbp.NONE).sum() == 60
    none_weight = w[y == nbp.NONE].sum()
    assert abs(none_weight - 2000 * 4.0) / (2000 * 4.0) < 0.15  # weighted back to what they stand for


def test_propensities_are_take_probability_times_choice_over_products_not_held():
    snap = _snapshot(n_takers=300, n_none=600, none_weight=1.0, seed=2)
    X, y, w = nbp._rows(snap, np.random.default_rng(0), max_rows=10_000)
    feats = ["signal", *nbp._held_columns()]
    choice = HistGradientBoostingClassifier(max_iter=20).fit(
        X.loc[y != nbp.NONE, feats].to_numpy(float), y[y != nbp.NONE]
    )
    Xt, yt, wt = nbp._take_rows(X, y, w)
    assert yt.sum() == 300 and len(Xt) == len(X)  # one row per taker, the 'none' rows as they are
    taker = HistGradientBoostingClassifier(max_iter=20).fit(Xt[feats].to_numpy(float), yt, sample_weight=wt)
    model = nbp.NextBestProductModel("t", feats, choice, {}, list(nbp.PRODUCTS), taker=taker)
    long = model.propensities(snap)
    assert "CURRENT" not in set(long["product"])  # held products are never offered
    take = taker.predict_proba(snap[feats].to_numpy(float))[:, 1]
    sums = long.groupby("row")["propensity"].sum()
    assert np.allclose(sums.to_numpy(), take[sums.index.to_numpy()])
    top = long[long["rank"] == 1].set_index("row")["product"]
    takers = snap.index[snap["taken"].str.len() > 0]
    hit = np.mean([top[i] in snap.at[i, "taken"] for i in takers])
    assert hit > 0.9  # the signal separates the three products


def test_the_two_baselines_rank_by_what_was_taken_and_skip_what_is_held():
    """Same-holdings: what holders of the same product set took most; plain popularity: what everyone took
    most. Neither offers a product the customer holds."""
    X = pd.DataFrame({"products": ["CURRENT"] * 3 + ["CREDIT,CURRENT"] * 6})
    y = np.array(["TIME", "TIME", "MORTGAGE", "FX", "FX", "FX", "FX", "MORTGAGE", "MORTGAGE"], dtype=object)
    popular, overall = nbp._popularity(X, y, np.ones(len(y)))
    model = nbp.NextBestProductModel("t", [], None, popular, overall)
    f = pd.DataFrame({"products": ["CURRENT", "CURRENT,FX", "CREDIT,CURRENT"]})
    same, plain = model.baseline(f, k=2), model.popularity(f, k=2)
    assert same[0] == ["TIME", "MORTGAGE"] and plain[0] == ["FX", "MORTGAGE"]
    assert same[1] == plain[1] == ["MORTGAGE", "TIME"]  # an unseen product set: the overall order, FX held
    assert same[2] == plain[2] == ["FX", "MORTGAGE"]
    assert all("CREDIT" not in r for r in (*same, *plain))


def test_features_ignore_rows_after_as_of(con):
    """Every feature at D is the same once rows dated after D arrive: balances, card transactions, FX
    deals, an account opened and closures."""
    before = nbp.frame_at(con, D)
    con.execute("begin")
    try:
        con.execute(
            "insert into staging.deposit_balance select acct_no, date '2025-07-15', 1e9, 0.1, date '2025-07-15' "
            "from staging.deposit_balance where balance_date = date '2025-06-30'"
        )
        con.execute(
            "insert into staging.card_txn select txn_id || 'f', card_acct_id, txn_time + interval 31 day, amount * 9, "
            "mcc, channel, txn_type, delivery_date from staging.card_txn where txn_time >= timestamp '2025-06-01' "
            "and txn_time < timestamp '2025-07-01'"
        )
        con.execute(
            "insert into staging.fx_deal select deal_id || 'f', client_ref, date '2025-07-05', sell_ccy, buy_ccy, "
            "sell_amount, buy_amount, rate, 1000, channel, null from staging.fx_deal"
        )
        con.execute(
            "insert into staging.account select 'deposit', 'NEWACC', source_key, 'CURRENT', 'CNY', null, null, null, "
            "null, date '2025-07-01', null, null, 'ACTIVE', null, null, null from staging.account "
            "where system = 'deposit' limit 5"
        )
        con.execute(
            "update staging.account set close_date = date '2025-08-01', status = 'CLOSED' where close_date is null"
        )
        after = nbp.frame_at(con, D)
    finally:
        con.execute("rollback")
    pd.testing.assert_frame_equal(before.reset_index(drop=True), after.reset_index(drop=True))


def test_snapshots_of_several_dates_in_one_query_equal_each_date_on_its_own(con):
    """The training snapshots compute every date's features in one query; each date's rows, labels and
    weights are those of that date computed alone (features at the date, products taken after it)."""
    dates = [dt.date(2025, 4, 30), D]
    snap = nbp.snapshots(con, dates, none_share=0.5, rng=np.random.default_rng(3))
    rng = np.random.default_rng(3)
    for d in dates:
        h = nbp._holdings(con, d)
        taken = nbp.labels_at(con, h, d)
        took = (taken.str.len() > 0).to_numpy()
        keep = took | (rng.random(len(h)) < 0.5)
        alone = nbp.frame_at(con, d, h["customer_id"][keep], holdings=h)
        by_id = dict(zip(h["customer_id"], taken))
        got = snap[snap["as_of_date"] == d].reset_index(drop=True)
        assert len(alone) > 50 and got["customer_id"].tolist() == alone["customer_id"].tolist()
        assert got["taken"].tolist() == [by_id[c] for c in alone["customer_id"]]
        assert got["weight"].tolist() == [1.0 if by_id[c] else 2.0 for c in alone["customer_id"]]
        alone["as_of_date"] = d
        pd.testing.assert_frame_equal(got.drop(columns=["taken", "weight"]), alone, check_exact=False, rtol=1e-12)
    assert sum(len(t) > 0 for t in snap["taken"]) > 0
