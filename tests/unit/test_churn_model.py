"""Churn features are point-in-time; the model finds a planted signal and is calibrated."""

from __future__ import annotations

import datetime as dt
import importlib.util
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from models.churn.explanations import describe, risk_band, score
from models.churn.features import features_at, labelled_month_ends, snapshot_windows, snapshots
from models.churn.model import ChurnModel, _candidates, calibration_rows, metrics, split_windows, train_churn_model

_spec = importlib.util.spec_from_file_location(
    "models_bank", Path(__file__).resolve().parents[1] / "integration" / "test_models_assets.py"
)
bank = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bank)


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    path = tmp_path_factory.mktemp("churn") / "w.duckdb"
    bank.build_bank(path, n=400, seed=7)
    con = duckdb.connect(str(path))
    yield con
    con.close()


def test_features_ignore_rows_after_as_of(con):
    d = dt.date(2025, 6, 30)
    before = features_at(con, d)
    con.execute("begin")
    # future rows of every kind: balances, loans, card transactions, FX deals, a new account, and closures
    con.execute(
        "insert into staging.deposit_balance select acct_no, date '2025-07-15', 1e9, 0.1, date '2025-07-15' "
        "from staging.deposit_balance where balance_date = date '2025-06-30'"
    )
    con.execute(
        "insert into staging.loan_balance select contract_no, date '2025-07-02', 1, 99, 0, null from staging.loan_balance "
        "where as_of = date '2025-06-30'"
    )
    con.execute(
        "insert into staging.card_txn select txn_id || 'f', card_acct_id, txn_time + interval 40 day, amount * 9, mcc, "
        "channel, txn_type, delivery_date from staging.card_txn where txn_time >= timestamp '2025-06-01' "
        "and txn_time < timestamp '2025-07-01'"
    )
    con.execute(
        "insert into staging.fx_deal select deal_id || 'f', client_ref, date '2025-07-05', sell_ccy, buy_ccy, sell_amount, "
        "buy_amount, rate, 1000, channel, null from staging.fx_deal"
    )
    con.execute(
        "insert into staging.account select 'deposit', 'NEWACC', source_key, 'TIME', 'CNY', null, null, null, null, "
        "date '2025-07-01', null, null, 'ACTIVE', null, null, null from staging.account where system = 'deposit' limit 5"
    )
    con.execute("update staging.account set close_date = date '2025-08-01', status = 'CLOSED' where close_date is null")
    after = features_at(con, d)
    con.execute("rollback")
    pd.testing.assert_frame_equal(before.reset_index(drop=True), after.reset_index(drop=True))


def test_model_finds_planted_signal_and_is_calibrated(con):
    dates = labelled_month_ends(con, dt.date(2025, 12, 31))
    assert dates[0] == dt.date(2024, 7, 31) and dates[-1] == dt.date(2025, 9, 30)
    train_dates, val_dates = split_windows(dates, validate_months=3, train_months=12)
    assert max(train_dates) < min(val_dates)  # out of time
    train, val = snapshots(con, train_dates), snapshots(con, val_dates)
    model = train_churn_model(train, val, "t1")
    m = model.metrics
    assert m["auc"] > 0.85
    assert 0 <= m["ece"] < 0.05 and m["brier"] < m["base_rate"]  # better than predicting the base rate
    cal = model.calibration
    assert sum(n for *_, n in cal) == len(val)
    # calibration table: probabilities in [0, 1], rising groups, top group observed rate >> bottom group's
    preds = [p for p, _, _ in cal]
    assert preds == sorted(preds) and all(0 <= p <= 1 for p in preds)
    assert cal[-1][1] > cal[0][1] + 0.3

    scores = score(model, features_at(con, dt.date(2025, 12, 31)))
    assert scores["churn_probability"].between(0, 1).all()
    assert set(scores["risk_band"]) <= {"HIGH", "MEDIUM", "LOW"}
    high = scores[scores["risk_band"] == "HIGH"]
    assert high["driver_1"].notna().all()
    assert high["driver_1"].str.contains("deposit balance|account|activity").mean() > 0.5


def test_training_snapshots_of_a_bounded_sample_of_whole_customers(con):
    dates = split_windows(labelled_month_ends(con, dt.date(2025, 12, 31)), 3, 12)[0]
    everyone = snapshots(con, dates)
    cap = len(everyone) // 4
    sample = snapshots(con, dates, max_rows=cap)
    # about the cap (a second band tops up a first that assumed everyone is scored on every date)
    assert 0.5 * cap <= len(sample) <= 1.3 * cap
    # whole customers: each sampled customer's rows are exactly its rows in the full snapshots
    keys = ["as_of_date", "customer_id"]
    picked = everyone[everyone["customer_id"].isin(sample["customer_id"])].sort_values(keys).reset_index(drop=True)
    pd.testing.assert_frame_equal(sample.sort_values(keys).reset_index(drop=True), picked, check_like=True)
    assert snapshots(con, dates, max_rows=cap)["customer_id"].tolist() == sample["customer_id"].tolist()
    assert len(snapshots(con, dates, max_rows=10**9)) == len(everyone)  # everyone fits: no sample


def test_training_and_validation_snapshots_in_one_pass_are_each_windows_own(con):
    train_dates, val_dates = split_windows(labelled_month_ends(con, dt.date(2025, 12, 31)), 3, 12)
    cap = len(snapshots(con, train_dates)) // 3
    together = snapshot_windows(con, [(train_dates, cap), (val_dates, None)])
    apart = [snapshots(con, train_dates, max_rows=cap), snapshots(con, val_dates)]
    for one_pass, alone, dates in zip(together, apart, (train_dates, val_dates)):
        assert sorted({d.date() for d in one_pass["as_of_date"]}) == dates
        pd.testing.assert_frame_equal(one_pass, alone)
    with pytest.raises(ValueError, match="must not share a date"):
        snapshot_windows(con, [(train_dates, None), (train_dates[-1:], None)])


def test_metrics_and_bands():
    y = np.array([0, 0, 1, 1])
    p = np.array([0.1, 0.2, 0.8, 0.9])
    m = metrics(y, p)
    assert m["auc"] == 1.0 and m["top_decile_precision"] == 1.0
    assert m["ece"] == pytest.approx(0.15)
    assert [risk_band(x) for x in (0.05, 0.1, 0.29, 0.3)] == ["LOW", "MEDIUM", "MEDIUM", "HIGH"]
    assert (
        describe("deposit_trend_3m", {"deposit_balance": 400.0, "deposit_balance_3m": 1000.0})
        == "deposit balance down 60% in 3 months"
    )
    assert describe("closed_365d", {"closed_90d": 0, "closed_365d": 2}) == "2 accounts closed in the last 12 months"
    assert describe("closed_90d", {"closed_90d": 1, "closed_365d": 2}) == "1 account closed in 90 days (2 in 12 months)"


def _toy(n=600, seed=0):
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(
        {
            "deposit_balance": rng.lognormal(8, 2, n),
            "tenure_days": rng.integers(30, 3000, n).astype(float),
            "n_open_accounts": rng.integers(0, 4, n).astype(float),
        }
    )
    y = (rng.random(n) < 1 / (1 + np.exp(np.log(X["deposit_balance"]) - 6))).astype(int)
    return X, y


@pytest.mark.parametrize("kind", ["logistic", "hist_gradient_boosting"])
def test_every_candidate_saves_and_loads(kind, tmp_path):
    """Whichever candidate wins, the model file can be written and read back (the logistic one held a closure)."""
    X, y = _toy()
    features = list(X.columns)
    est = _candidates(features)[kind].fit(X.to_numpy(dtype=float), y)
    model = ChurnModel(version="p", kind=kind, features=features, estimator=est, baseline=np.zeros(len(features)))
    model.save(tmp_path / "m.pkl")
    back = ChurnModel.load(tmp_path / "m.pkl")
    np.testing.assert_allclose(back.predict(X), model.predict(X))


def _frame(X, y, day, start=0):
    f = X.copy()
    f.insert(0, "customer_id", [f"C{i}" for i in range(start, start + len(f))])
    f.insert(0, "as_of_date", pd.Timestamp(day))
    f["churned"] = y
    return f


def test_reported_calibration_is_measured_on_data_the_calibrator_never_saw():
    """ECE and Brier come from the later window; the calibrator is fitted on held-out training customers.
    The validation window's churn rate is shifted up: a calibrator fitted on it would hide the shift (ECE ~ 0)."""
    X, y = _toy(6000, seed=1)
    Xv, yv = _toy(3000, seed=2)
    yv = np.where(np.random.default_rng(3).random(len(yv)) < 0.15, 1, yv)
    train, val = _frame(X, y, "2025-01-31"), _frame(Xv, yv, "2025-04-30", start=100_000)
    lines = []
    model = train_churn_model(train, val, "h", log=lines.append)
    held = calibration_rows(train["customer_id"])
    assert model.n_calibrate == held.sum() and model.n_train == len(train) - held.sum()
    assert 0.1 < held.mean() < 0.3
    m = metrics(val["churned"].to_numpy(), model.predict(val))
    assert m == pytest.approx(model.metrics, nan_ok=True)
    assert model.metrics["ece"] > 0.08  # the shift shows
    assert sum(n for *_, n in model.calibration) == len(val)
    assert any(line.startswith("fitting logistic on ") for line in lines)
    capped = train_churn_model(train, val, "c", max_train_rows=4000, max_validate_rows=1000)
    assert capped.n_train + capped.n_calibrate == 4000 and capped.n_validate == 1000


def test_progress_logs_rows_rate_and_time_left_while_a_step_runs():
    import time

    from models.progress import Progress

    lines = []
    with Progress(lines.append, "scoring x", total=1000, unit="customers", every=0.05) as p:
        for _ in range(5):
            time.sleep(0.06)
            p.advance(100)
    progress = [line for line in lines if "so far" in line]
    assert len(progress) >= 3 and all(line.startswith("scoring x: ") for line in progress)
    assert any("/1,000 customers (" in line and "customers/s" in line and " left" in line for line in progress)
    assert lines[-1].startswith("scoring x: 500 customers done in")
    with Progress(None, "silent"):  # no logger: no thread, no error
        pass


def test_every_candidate_can_be_saved_and_loaded(tmp_path):
    """Whichever candidate wins is pickled beside the work file and loaded by later nights."""
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.frozen import FrozenEstimator

    rng = np.random.default_rng(0)
    features = ["deposit_balance", "tenure_days", "n_open_accounts"]
    X = rng.normal(size=(400, 3)) * [1e4, 300, 2]
    y = (X[:, 0] + rng.normal(size=400) * 1e4 < 0).astype(int)
    for kind, base in _candidates(features).items():
        est = CalibratedClassifierCV(FrozenEstimator(base.fit(X, y)), method="isotonic").fit(X, y)
        model = ChurnModel(version=kind, kind=kind, features=features, estimator=est, baseline=np.median(X, axis=0))
        model.save(tmp_path / f"{kind}.pkl")
        loaded = ChurnModel.load(tmp_path / f"{kind}.pkl")
        frame = pd.DataFrame(X, columns=features)
        np.testing.assert_array_equal(loaded.predict(frame), model.predict(frame))


def test_a_model_saved_before_churn_became_a_package_still_loads(tmp_path, monkeypatch):
    """Versions pickled by models/churn.py name `models.churn.ChurnModel` and `models.churn._compress_money`."""
    from models.churn import model as churn_model

    X, y = _toy()
    features = list(X.columns)
    est = _candidates(features)["logistic"].fit(X.to_numpy(dtype=float), y)
    model = ChurnModel(version="old", kind="logistic", features=features, estimator=est, baseline=np.zeros(3))
    monkeypatch.setattr(ChurnModel, "__module__", "models.churn")
    monkeypatch.setattr(churn_model._compress_money, "__module__", "models.churn")
    with churn_model._saved_before_the_package():  # the old names resolve while saving, as they did then
        model.save(tmp_path / "old.pkl")
    monkeypatch.undo()
    assert b"models.churn\x94" in (tmp_path / "old.pkl").read_bytes()  # pickled under the old module name
    back = ChurnModel.load(tmp_path / "old.pkl")
    assert isinstance(back, ChurnModel)
    np.testing.assert_allclose(back.predict(X), model.predict(X))
    import models.churn as package

    assert not hasattr(package, "ChurnModel")  # the old names exist only while loading
