"""Churn drivers by tree walks give the same contributions as substituting every feature in every row."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.frozen import FrozenEstimator

from models.churn.explanations import _batched_substitution, contributions, describe, score
from models.churn.model import ChurnModel


def _data(n: int = 3000, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(
        {
            "deposit_balance": rng.lognormal(9, 1.5, n),
            "days_since_activity": rng.integers(0, 200, n).astype(float),
            "n_loans": rng.choice([0, 0, 0, 1, 2], n).astype(float),  # mostly at the median: rows skipped
            "closed_90d": rng.choice([0, 0, 0, 0, 1], n).astype(float),
            "card_spend_trend": np.where(rng.random(n) < 0.2, np.nan, rng.normal(0, 1, n)),  # missing values
        }
    )
    logit = -2 + 0.02 * X["days_since_activity"] - 0.4 * np.log(X["deposit_balance"] / 1e4) + X["closed_90d"]
    logit = logit + np.nan_to_num(X["card_spend_trend"]) * -0.8 + 0.5 * X["n_loans"]
    return X, (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)


@pytest.mark.parametrize("calibrated", [False, True])
def test_tree_walks_give_the_contributions_of_substituting_everything(calibrated):
    X, y = _data()
    hgb = HistGradientBoostingClassifier(max_iter=60, max_leaf_nodes=15, random_state=0).fit(X.to_numpy(), y)
    est = CalibratedClassifierCV(FrozenEstimator(hgb), method="isotonic").fit(X.to_numpy(), y) if calibrated else hgb
    features = list(X.columns)
    baseline = np.nanmedian(X.to_numpy(), axis=0)
    model = ChurnModel(version="t", kind="hist_gradient_boosting", features=features, estimator=est, baseline=baseline)
    Xn = X.to_numpy(dtype=float)

    p, contrib = contributions(model, X)

    expected = _batched_substitution(hgb, Xn, baseline)
    np.testing.assert_allclose(contrib, expected, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(p, est.predict_proba(Xn)[:, 1])
    assert (contrib == 0).any() and (np.abs(contrib) > 1e-3).any()  # some rows skipped, some moved
    assert (np.isnan(Xn[:, 4]) & (contrib[:, 4] != 0)).any()  # a missing value moved by its substitution


def test_scores_name_the_same_drivers_either_way():
    X, y = _data(seed=1)
    hgb = HistGradientBoostingClassifier(max_iter=40, random_state=0).fit(X.to_numpy(), y)
    features = list(X.columns)
    model = ChurnModel(
        version="t", kind="hist_gradient_boosting", features=features, estimator=hgb, baseline=np.nanmedian(X, axis=0)
    )
    f = X.assign(as_of_date=pd.Timestamp("2025-01-31"), customer_id=[f"C{i}" for i in range(len(X))])
    out = score(model, f)
    expected = _batched_substitution(hgb, X.to_numpy(dtype=float), model.baseline)
    top = np.argsort(-expected, axis=1)[:, 0]
    rows = X.to_dict("records")
    want = [describe(features[t], rows[i]) if expected[i, t] > 0 else None for i, t in enumerate(top)]
    assert [d if isinstance(d, str) else None for d in out["driver_1"]] == want
    assert out["driver_1"].notna().sum() > len(X) / 2
