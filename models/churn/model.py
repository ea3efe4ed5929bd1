"""The churn model: candidate estimators, out-of-time selection and calibration, and its metrics."""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss, roc_auc_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler
from threadpoolctl import threadpool_limits

from models.churn.features import HORIZON_DAYS, feature_columns
from models.progress import Progress
from models.status import InsufficientHistory

# Training rows sampled at most; a share of the training customers is held out to fit the calibrator.
# The snapshots cost in proportion to the sample's rows and the fit to the training rows: at 100k persons
# 300k training rows bought 0.001 AUC over 150k for twice the fit's seconds (crm bench churn-training).
MAX_TRAIN_ROWS = 150_000

MAX_VALIDATE_ROWS = 150_000  # AUC's standard error at ~4.5k churners is ~0.0015; scoring more only costs time

CALIBRATION_SHARE = 0.2

# Native threads (OpenMP, BLAS) per fit: on 2 cores shared with other work, OpenMP's spin-waiting made
# the gradient-boosting fit 6x slower with 2 threads than with 1 (crm bench churn).
FIT_THREADS = 1

HGB_PARAMS = dict(max_iter=200, learning_rate=0.1, max_leaf_nodes=31, min_samples_leaf=40, l2_regularization=1.0)

# Money-like features are compressed with a signed log before the logistic regression.
_MONEY = {
    "deposit_balance",
    "deposit_balance_1m",
    "deposit_balance_3m",
    "deposit_balance_6m",
    "loan_outstanding",
    "card_spend_90d",
    "fx_margin_365d",
    "tenure_days",
    "days_since_activity",
    "card_txns_365d",
}


def _signed_log(X):
    return np.sign(X) * np.log1p(np.abs(X))


def _compress_money(X, idx):
    # Module-level (not a closure) so a fitted pipeline pickles.
    X = np.asarray(X, dtype=float).copy()
    X[:, idx] = _signed_log(X[:, idx])
    return X


def _candidates(features: list[str], seed: int = 0, hgb: dict | None = None) -> dict[str, object]:
    money_idx = [i for i, f in enumerate(features) if f in _MONEY]
    return {
        "logistic": make_pipeline(
            FunctionTransformer(_compress_money, kw_args={"idx": money_idx}),
            StandardScaler(),
            LogisticRegression(C=1.0, max_iter=2000),
        ),
        "hist_gradient_boosting": HistGradientBoostingClassifier(**{**HGB_PARAMS, "random_state": seed, **(hgb or {})}),
    }


def metrics(y: np.ndarray, p: np.ndarray, bins: int = 10) -> dict[str, float]:
    y, p = np.asarray(y, dtype=float), np.asarray(p, dtype=float)
    out = {"n": int(len(y)), "base_rate": float(y.mean()) if len(y) else float("nan")}
    out["auc"] = float(roc_auc_score(y, p)) if 0 < y.sum() < len(y) else float("nan")
    out["brier"] = float(brier_score_loss(y, p)) if len(y) else float("nan")
    out["ece"] = expected_calibration_error(y, p, bins)
    k = max(1, int(math.ceil(len(y) / 10)))
    top = np.argsort(-p, kind="stable")[:k]
    out["top_decile_precision"] = float(y[top].mean()) if len(y) else float("nan")
    return out


def expected_calibration_error(y: np.ndarray, p: np.ndarray, bins: int = 10) -> float:
    """Sum over equal-width probability bins of |mean predicted - observed rate| x share of rows."""
    y, p = np.asarray(y, dtype=float), np.asarray(p, dtype=float)
    if not len(y):
        return float("nan")
    idx = np.minimum((p * bins).astype(int), bins - 1)
    ece = 0.0
    for b in range(bins):
        m = idx == b
        if m.any():
            ece += m.mean() * abs(p[m].mean() - y[m].mean())
    return float(ece)


def calibration_table(y: np.ndarray, p: np.ndarray, groups: int = 10) -> list[tuple[float, float, int]]:
    """(mean predicted, observed rate, rows) per group of equal size by predicted probability."""
    order = np.argsort(p, kind="stable")
    out = []
    for chunk in np.array_split(order, groups):
        if len(chunk):
            out.append((float(p[chunk].mean()), float(np.asarray(y)[chunk].mean()), int(len(chunk))))
    return out


@dataclass
class ChurnModel:
    version: str
    kind: str
    features: list[str]
    estimator: object
    baseline: np.ndarray  # per-feature reference values (training medians) for driver substitution
    metrics: dict = field(default_factory=dict)
    candidates: dict = field(default_factory=dict)
    calibration: list = field(default_factory=list)
    train_from: date | None = None
    train_to: date | None = None
    validate_from: date | None = None
    validate_to: date | None = None
    n_train: int = 0
    n_validate: int = 0
    n_calibrate: int = 0  # training-window rows held out to fit the calibrator
    timing: dict = field(default_factory=dict)  # seconds per candidate (fit, validation predictions)
    trained_as_of: date | None = None
    trained_at: datetime | None = None

    def predict(self, df: pd.DataFrame) -> np.ndarray:
        return self.estimator.predict_proba(df[self.features].to_numpy(dtype=float))[:, 1]

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        joblib.dump(self, path)

    @staticmethod
    def load(path: Path) -> "ChurnModel":
        with _saved_before_the_package():
            return joblib.load(path)


# Pickles name classes and functions by module: a model saved while churn was one module
# (models/churn.py) names `models.churn.ChurnModel` and `models.churn._compress_money`.
_PICKLED_AS = ("ChurnModel", "_compress_money")


@contextmanager
def _saved_before_the_package() -> Iterator[None]:
    """Let pickle find the old names while a model loads, so a version saved before the split stays usable."""
    import models.churn as package

    found = {"ChurnModel": ChurnModel, "_compress_money": _compress_money}
    added = [name for name in _PICKLED_AS if not hasattr(package, name)]
    for name in added:
        setattr(package, name, found[name])
    try:
        yield
    finally:
        for name in added:
            delattr(package, name)


def calibration_rows(customer_ids: pd.Series, share: float = CALIBRATION_SHARE) -> np.ndarray:
    """Rows held out to fit the calibrator: every month-end of a fixed `share` of customers (by a hash
    of the id), so the calibrator never sees scores of a customer the classifier was fitted on."""
    h = pd.util.hash_pandas_object(customer_ids.astype(str), index=False).to_numpy()
    return (h % 10_000) < share * 10_000


def train_churn_model(
    train: pd.DataFrame,
    validate: pd.DataFrame,
    version: str,
    calibration: str = "isotonic",
    seed: int = 0,
    log=None,
    max_train_rows: int = MAX_TRAIN_ROWS,
    calibration_share: float = CALIBRATION_SHARE,
    hgb: dict | None = None,
    threads: int | None = FIT_THREADS,
    max_validate_rows: int = MAX_VALIDATE_ROWS,
    kinds: tuple[str, ...] | None = None,
) -> ChurnModel:
    """Fit every candidate once on the training window less a held-out share of its customers, calibrate
    it on that share, and keep the one with the best out-of-time validation AUC (then Brier). The
    validation window lies strictly after the training window and is never used to fit or calibrate,
    so its AUC, Brier and ECE are honest. Training uses a random sample of at most `max_train_rows`
    customer-dates and validates on at most `max_validate_rows`: beyond that it costs time and gains
    nothing measurable. `kinds` limits the candidates (the bench measures what each costs)."""
    if len(train) > max_train_rows:
        train = train.sample(max_train_rows, random_state=seed)
    if len(validate) > max_validate_rows:
        validate = validate.sample(max_validate_rows, random_state=seed)
    features = feature_columns(train.drop(columns=["churned"]))
    held = calibration_rows(train["customer_id"], calibration_share)
    X, y = train[features].to_numpy(dtype=float), train["churned"].to_numpy()
    Xf, yf, Xc, yc = X[~held], y[~held], X[held], y[held]
    Xv, yv = validate[features].to_numpy(dtype=float), validate["churned"].to_numpy()
    for part, yy in (("training", yf), ("calibration", yc)):
        if yy.sum() < 10 or yy.sum() > len(yy) - 10:
            # Too few churners (or stayers) seen yet: a young history, not a fault.
            raise InsufficientHistory(
                "churn_model",
                f"too few churned/retained customers to train: {int(yy.sum())} churned of {len(yy)} {part} "
                "customer-dates (needs at least 10 of each)",
            )
    results, timing = {}, {}
    candidates = _candidates(features, seed, hgb)
    for name, base in ((k, v) for k, v in candidates.items() if kinds is None or k in kinds):
        with threadpool_limits(limits=threads):
            with Progress(log, f"fitting {name} on {len(Xf):,} rows") as hb:
                base.fit(Xf, yf)
            # The fitted classifier is frozen: the calibrator alone is fitted, on the held-out customers.
            started = time.perf_counter()
            model = CalibratedClassifierCV(FrozenEstimator(base), method=calibration).fit(Xc, yc)
            calibrated = time.perf_counter() - started
            started = time.perf_counter()
            pv = model.predict_proba(Xv)[:, 1]
        timing[name] = {
            "fit_seconds": round(hb.seconds, 2),
            "calibrate_seconds": round(calibrated, 2),
            "validate_seconds": round(time.perf_counter() - started, 2),
            "iterations": int(getattr(base, "n_iter_", 0)) or None,
        }
        results[name] = (model, metrics(yv, pv), pv)
        if log:
            log(f"candidate {name}: validation {results[name][1]}")
    best = max(results, key=lambda k: (np.nan_to_num(results[k][1]["auc"], nan=-1), -results[k][1]["brier"]))
    model, m, pv = results[best]
    return ChurnModel(
        version=version,
        kind=best,
        features=features,
        estimator=model,
        baseline=np.nanmedian(Xf, axis=0),
        metrics=m,
        candidates={k: v[1] for k, v in results.items()},
        calibration=calibration_table(yv, pv),
        train_from=min(train["as_of_date"]).date() if len(train) else None,
        train_to=max(train["as_of_date"]).date() if len(train) else None,
        validate_from=min(validate["as_of_date"]).date() if len(validate) else None,
        validate_to=max(validate["as_of_date"]).date() if len(validate) else None,
        n_train=int(len(Xf)),
        n_calibrate=int(len(Xc)),
        n_validate=len(validate),
        trained_at=datetime.now(timezone.utc).replace(tzinfo=None),
        timing=timing,
    )


def split_windows(dates: list[date], validate_months: int = 3, train_months: int = 12) -> tuple[list[date], list[date]]:
    if len(dates) < validate_months + 2:
        raise InsufficientHistory(
            "churn_model",
            f"needs at least {validate_months + 2} labelled month-ends (6 months of balance history, then "
            f"{HORIZON_DAYS} days observed after each), has {len(dates)}",
        )
    val = dates[-validate_months:]
    train = dates[:-validate_months][-train_months:]
    return train, val
