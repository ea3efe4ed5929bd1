"""Scores with their drivers: the calibrated probability, its band and the three features raising it most, in words."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy.special import expit
from sklearn.ensemble import HistGradientBoostingClassifier
from threadpoolctl import threadpool_limits

from models.churn.features import HORIZON_DAYS
from models.churn.model import FIT_THREADS, ChurnModel
from models.progress import Progress

# Risk bands on the calibrated 90-day probability.
HIGH_CUTOFF = 0.30

MEDIUM_CUTOFF = 0.10


def _driver_estimator(model: ChurnModel):
    # The uncalibrated classifier ranks the drivers: the calibration is monotone, and substituting k
    # features through the calibrator too would cost more for the same order.
    members = getattr(model.estimator, "calibrated_classifiers_", None)
    member = members[0].estimator if members else model.estimator
    return getattr(member, "estimator", member)  # FrozenEstimator -> the fitted classifier


def probabilities(model: ChurnModel, df: pd.DataFrame) -> np.ndarray:
    """Calibrated churn probability of each row of `df` (no drivers)."""
    with threadpool_limits(limits=FIT_THREADS):
        return model.estimator.predict_proba(df[model.features].to_numpy(dtype=float))[:, 1]


def contributions(
    model: ChurnModel, df: pd.DataFrame, progress: Progress | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Calibrated probability, and per feature how much the (uncalibrated) score falls when that
    feature is set to its training median."""
    X = df[model.features].to_numpy(dtype=float)
    n, k = X.shape
    p = probabilities(model, df)
    if n == 0:
        return p, np.zeros((0, k))
    member = _driver_estimator(model)
    baseline = np.asarray(model.baseline, dtype=float)
    substitute = _tree_substitution if isinstance(member, HistGradientBoostingClassifier) else _batched_substitution
    contrib = np.zeros((n, k))
    chunk = max(1, 400_000 // max(k, 1)) if substitute is _batched_substitution else 50_000
    for s in range(0, n, chunk):
        block = X[s : s + chunk]
        contrib[s : s + len(block)] = substitute(member, block, baseline)
        if progress is not None:
            progress.advance(len(block))
    return p, contrib


def _batched_substitution(member, X: np.ndarray, baseline: np.ndarray) -> np.ndarray:
    """Score minus the score with each feature at its baseline, one prediction of k x m rows."""
    m, k = X.shape
    big = np.repeat(X[None, :, :], k, axis=0)  # (k, m, k)
    for j in range(k):
        big[j, :, j] = baseline[j]
    pj = member.predict_proba(big.reshape(k * m, k))[:, 1].reshape(k, m)
    return (member.predict_proba(X)[:, 1][None, :] - pj).T


def _tree_substitution(hgb: HistGradientBoostingClassifier, X: np.ndarray, baseline: np.ndarray) -> np.ndarray:
    """The same differences for gradient boosting, walking only the trees and rows a substitution can
    change: a tree that never splits on feature j, or a row whose value and the baseline fall on the same
    side of every threshold on j, gives the same leaf, so its score is reused (same values to ~1e-15 as
    predicting all k x m rows, at about a third of the tree walks; tests/unit/test_churn_drivers.py)."""
    m, k = X.shape
    trees = [iteration[0] for iteration in hgb._predictors]  # binary: one tree per boosting round
    cats, cat_map = hgb._bin_mapper.make_known_categories_bitsets()
    leaf = np.empty((m, len(trees)))
    raw = np.full(m, float(np.ravel(hgb._baseline_prediction)[0]))
    for t, tree in enumerate(trees):
        leaf[:, t] = tree.predict(X, cats, cat_map, FIT_THREADS)
        raw += leaf[:, t]  # in sklearn's order, so the score is the same number it predicts
    p = expit(raw)
    splits: dict[int, list[tuple[int, np.ndarray]]] = {}
    for t, tree in enumerate(trees):
        nodes = tree.nodes[tree.nodes["is_leaf"] == 0]
        for j in np.unique(nodes["feature_idx"]):
            on = nodes[nodes["feature_idx"] == j]
            # a categorical split has no threshold: every row counts as moved there
            splits.setdefault(int(j), []).append((t, on["num_threshold"] if not on["is_categorical"].any() else None))
    contrib = np.zeros((m, k))
    for j, on_j in splits.items():
        x, b = X[:, j], baseline[j]
        if any(th is None for _, th in on_j):
            rows = np.arange(m)
        else:
            thresholds = np.unique(np.concatenate([th for _, th in on_j]))
            # a row goes left at threshold th when x <= th: same count of thresholds below -> same side of all
            moved = np.searchsorted(thresholds, x) != np.searchsorted(thresholds, b)
            rows = np.flatnonzero(moved | (np.isnan(x) != np.isnan(b)))
        if not len(rows):
            continue
        Xs = X[rows]
        Xs[:, j] = b
        delta = np.zeros(len(rows))
        for t, _ in on_j:
            delta += trees[t].predict(Xs, cats, cat_map, FIT_THREADS) - leaf[rows, t]
        contrib[rows, j] = p[rows] - expit(raw[rows] + delta)
    return contrib


def _pct(now: float, before: float) -> float | None:
    if before is None or before <= 0:
        return None
    return (now - before) / before * 100


def describe(feature: str, row: dict) -> str:
    """A driver in words, from the customer's own feature values."""
    g = row.get
    if feature in (
        "deposit_trend_1m",
        "deposit_trend_3m",
        "deposit_trend_6m",
        "deposit_balance_1m",
        "deposit_balance_3m",
        "deposit_balance_6m",
    ):
        months = {"1m": 1, "3m": 3, "6m": 6}[feature[-2:]]
        before = g(f"deposit_balance_{months}m")
        pct = _pct(g("deposit_balance", 0.0), before)
        if pct is None:
            return f"deposit balance CNY {g('deposit_balance', 0.0):,.0f} (none {months} months ago)"
        return f"deposit balance {'down' if pct < 0 else 'up'} {abs(pct):.0f}% in {months} month{'s' * (months > 1)}"
    if feature == "deposit_balance":
        return f"deposit balance CNY {g('deposit_balance', 0.0):,.0f}"
    if feature == "loan_outstanding":
        return f"loan balance CNY {g('loan_outstanding', 0.0):,.0f}"
    if feature == "loan_trend_3m":
        return "loan balance " + ("paid down" if g("loan_trend_3m", 0) < 0 else "up") + " over 3 months"
    if feature == "days_past_due":
        return f"loan {int(g('days_past_due', 0))} days past due"
    if feature in ("card_spend_90d", "card_spend_trend"):
        if g("card_spend_90d", 0) <= 0:
            return "no card spending in 90 days"
        t = g("card_spend_trend", 0.0)
        pct = (math.exp(t) - 1) * 100
        return f"card spend {'down' if pct < 0 else 'up'} {abs(pct):.0f}% vs the 90 days before"
    if feature in ("card_txns_90d", "card_txns_change", "card_txns_365d"):
        n = int(g("card_txns_90d", 0))
        if n == 0:
            return "no card transactions in 90 days"
        return f"{n} card transactions in 90 days ({int(g('card_txns_change', 0)):+d} vs the 90 days before)"
    if feature in ("fx_deals_90d", "fx_deals_365d", "fx_margin_365d"):
        return f"{int(g('fx_deals_90d', 0))} FX deals in 90 days, {int(g('fx_deals_365d', 0))} in 365 days"
    if feature == "days_since_activity":
        return f"no activity for {int(g('days_since_activity', 0))} days"
    if feature in ("closed_90d", "closed_365d"):
        n90, n365 = int(g("closed_90d", 0)), int(g("closed_365d", 0))
        if n90 == 0:
            return f"{n365} account{'s' * (n365 != 1)} closed in the last 12 months"
        return f"{n90} account{'s' * (n90 != 1)} closed in 90 days ({n365} in 12 months)"
    if feature == "opened_90d":
        return f"{int(g('opened_90d', 0))} accounts opened in 90 days"
    if feature in ("maturing_90d", "all_maturing_90d"):
        if g("all_maturing_90d", 0):
            return "every open product matures within 90 days"
        return f"{int(g('maturing_90d', 0))} product(s) maturing within 90 days"
    if feature == "tenure_days":
        return f"customer for {int(g('tenure_days', 0)) // 30} months"
    if feature in ("n_open_accounts", "n_open_products", "n_open_systems"):
        n = int(g("n_open_accounts", 0))
        return f"{n} open account{'s' * (n != 1)} in {int(g('n_open_systems', 0))} system(s)"
    if feature in ("n_deposit_accounts", "n_cards", "n_credit_cards", "n_loans"):
        return f"holds {int(g(feature, 0))} {feature.removeprefix('n_').replace('_', ' ')}"
    return f"{feature} = {g(feature)}"


def risk_band(p: float) -> str:
    return "HIGH" if p >= HIGH_CUTOFF else "MEDIUM" if p >= MEDIUM_CUTOFF else "LOW"


def score(model: ChurnModel, features: pd.DataFrame, horizon_days: int = HORIZON_DAYS, log=None) -> pd.DataFrame:
    """Churn probability, band and three drivers (features raising the risk most) per customer."""
    with (
        threadpool_limits(limits=FIT_THREADS),
        Progress(log, "scoring churn with drivers", total=len(features), unit="customers") as progress,
    ):
        p, contrib = contributions(model, features, progress)  # native threads spin-wait on shared cores
    order = np.argsort(-contrib, axis=1)[:, :3]
    records = features[model.features].to_dict("records")
    drivers = []
    for i, row in enumerate(records):
        texts, seen = [], set()
        for j in order[i]:
            if contrib[i, j] <= 0:
                break
            text = describe(model.features[j], row)
            if text not in seen:
                seen.add(text)
                texts.append(text)
        drivers.append(texts + [None] * (3 - len(texts)))
    out = pd.DataFrame(
        {
            "as_of_date": features["as_of_date"].to_numpy(),
            "customer_id": features["customer_id"].to_numpy(),
            "churn_probability": p,
            "horizon_days": horizon_days,
            "risk_band": [risk_band(x) for x in p],
            "driver_1": [d[0] for d in drivers],
            "driver_2": [d[1] for d in drivers],
            "driver_3": [d[2] for d in drivers],
            "model_version": model.version,
            "computed_as_of": (
                features["computed_as_of"] if "computed_as_of" in features else features["as_of_date"]
            ).to_numpy(),
        }
    )
    return out
