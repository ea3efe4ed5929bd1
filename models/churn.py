"""Churn: point-in-time features, labels from the data, a calibrated model, scores with drivers.

Churn definition (the label, computed from the delivered data only): a customer churns in
(D, D+90 days] when either
  1. every account they held on D is closed by D+90 and no new account was opened in between, or
  2. their total balance on D+90 (deposits in CNY at fixed spot rates + loan outstanding, from each
     account's last balance row on or before D+90) is below 100 CNY and they made no card
     transaction (purchase, cash advance, payment or refund) and no FX deal during the 90 days.
An account counts as closed from its close date, or, for a closed/settled/written-off account
without one, from its last activity. The customers scored (and labelled) on D are those with an
open account on D or an FX deal in the 365 days up to D. Training labels are taken at historic
month-ends whose 90 following days are in the data.

Features (`sql/marts/churn_features.sql`) use only rows dated on or before D and accounts opened on
or before D; a close date after D is unknown on D and the current account status is never used.
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import duckdb
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

from models import status
from models.progress import Progress
from models.status import InsufficientHistory
from models.warehouse import execute, query, replace_date_rows, run_script

HORIZON_DAYS = 90
ID_COLUMNS = ("as_of_date", "customer_id", "computed_as_of", "in_population")
# Risk bands on the calibrated 90-day probability.
HIGH_CUTOFF = 0.30
MEDIUM_CUTOFF = 0.10
# Training rows sampled at most; a share of the training customers is held out to fit the calibrator.
MAX_TRAIN_ROWS = 300_000
MAX_VALIDATE_ROWS = 300_000  # AUC's standard error at ~9k churners is ~0.001; scoring more only costs time
CALIBRATION_SHARE = 0.2
PER_MILLION = 1_000_000  # training samples are bands of a customer-id hash, in parts per million
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


def _frame(con: duckdb.DuckDBPyConnection, name: str, **params) -> pd.DataFrame:
    return execute(con, name, **params).df()


def features_at(
    con: duckdb.DuckDBPyConnection,
    as_of: date,
    customers: pd.Series | None = None,
    population_only: bool = True,
    band: tuple[int, int] | None = None,
) -> pd.DataFrame:
    """Point-in-time features on `as_of` of `customers` (default: every customer of tonight's map, or
    those whose id hashes into `band`, per million), only those in the scored population unless
    `population_only` is false (then with `in_population`)."""
    if band is not None:
        run_script(con, "marts/feature_scope_sample", lo=band[0], hi=band[1])
    elif customers is None:
        run_script(con, "marts/feature_scope_all")
    else:
        con.register("feature_scope_frame", pd.DataFrame({"customer_id": customers.astype(str).to_numpy()}))
        try:
            con.execute("create or replace temp table feature_scope as select customer_id from feature_scope_frame")
        finally:
            con.unregister("feature_scope_frame")
    df = _frame(con, "marts/churn_features", as_of=as_of)
    df["days_since_activity"] = df["days_since_activity"].fillna(df["tenure_days"]).astype(float)
    if population_only:
        df = df[df["in_population"]].drop(columns=["in_population"]).reset_index(drop=True)
    return df


def feature_columns(df: pd.DataFrame) -> list[str]:
    return [c for c in df.columns if c not in ID_COLUMNS]


def labels_at(
    con: duckdb.DuckDBPyConnection, features: pd.DataFrame, as_of: date, horizon_days: int = HORIZON_DAYS
) -> pd.Series:
    """Churn label (0/1) of each customer of `features` over (as_of, as_of + horizon]."""
    population = features[["customer_id", "n_open_accounts"]]  # noqa: F841 (used by the SQL)
    con.register("population", population)
    try:
        lab = _frame(con, "marts/churn_labels", as_of=as_of, horizon_end=as_of + timedelta(days=horizon_days))
    finally:
        con.unregister("population")
    return features[["customer_id"]].merge(lab, on="customer_id", how="left")["churned"].fillna(0).astype(int)


def data_span(con: duckdb.DuckDBPyConnection, as_of: date) -> tuple[date, date]:
    """First and last dates with balance data up to `as_of`."""
    first, last = con.execute(
        "select min(d), max(d) from (select balance_date as d from staging.deposit_balance where balance_date <= $a "
        "union all select as_of from staging.loan_balance where as_of <= $a)",
        {"a": as_of},
    ).fetchall()[0]
    return first, last


def month_end(d: date) -> date:
    nxt = (d.replace(day=28) + timedelta(days=4)).replace(day=1)
    return nxt - timedelta(days=1)


def month_ends_between(start: date, end: date) -> list[date]:
    out, d = [], month_end(start)
    while d <= end:
        out.append(d)
        d = month_end(d + timedelta(days=1))
    return out


def labelled_month_ends(
    con: duckdb.DuckDBPyConnection, as_of: date, warmup_months: int = 6, horizon_days: int = HORIZON_DAYS
) -> list[date]:
    """Month-ends whose next `horizon_days` are observed by `as_of`, after a warm-up for trend features."""
    first, last = data_span(con, as_of)
    if first is None:
        return []
    ends = month_ends_between(first, min(last, as_of) - timedelta(days=horizon_days))
    return ends[warmup_months:]


def snapshots(
    con: duckdb.DuckDBPyConnection,
    dates: list[date],
    horizon_days: int = HORIZON_DAYS,
    log=None,
    max_rows: int | None = None,
) -> pd.DataFrame:
    """Features and labels at each of `dates`. With `max_rows`, of a sample of whole customers (a band
    of an id hash) sized to about that many rows: computing every customer at every month-end and then
    sampling rows cost time in proportion to the bank (1M persons: 15M feature rows for 300k used).
    The first band assumes every customer is scored at every date; a second band tops it up."""
    customers = query(con, "marts/customer_count")[0][0]
    full = max_rows is None or customers * len(dates) <= max_rows
    hi = PER_MILLION if full else max(1, math.ceil(PER_MILLION * max_rows / (customers * len(dates))))
    frames = _snapshot_band(con, dates, None if full else (0, hi), horizon_days, log)
    rows = sum(len(f) for f in frames)
    if not full and 0 < rows < 0.8 * max_rows and hi < PER_MILLION:
        wider = min(PER_MILLION, math.ceil(hi * max_rows / rows))
        frames += _snapshot_band(con, dates, (hi, wider), horizon_days, log)
        hi = wider
    if log and not full:
        log(f"snapshots of {hi / 1e4:.2f}% of customers: {sum(len(f) for f in frames):,} rows")
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def _snapshot_band(con, dates: list[date], band: tuple[int, int] | None, horizon_days: int, log) -> list[pd.DataFrame]:
    frames = []
    with Progress(log, "labelled month-end snapshots", total=len(dates), unit="month-ends") as progress:
        for d in dates:
            f = features_at(con, d, band=band)
            f["churned"] = labels_at(con, f, d, horizon_days).to_numpy()
            frames.append(f)
            progress.advance(1)
            if log:
                log(f"snapshot {d}: {len(f):,} customers, churn rate {f['churned'].mean():.3f}")
    return frames


# ---------------------------------------------------------------------------------------- model


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
        return joblib.load(path)


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
) -> ChurnModel:
    """Fit every candidate once on the training window less a held-out share of its customers, calibrate
    it on that share, and keep the one with the best out-of-time validation AUC (then Brier). The
    validation window lies strictly after the training window and is never used to fit or calibrate,
    so its AUC, Brier and ECE are honest. Training uses a random sample of at most `max_train_rows`
    customer-dates and validates on at most `max_validate_rows`: beyond that it costs time and gains
    nothing measurable."""
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
    for name, base in _candidates(features, seed, hgb).items():
        with threadpool_limits(limits=threads):
            with Progress(log, f"fitting {name} on {len(Xf):,} rows") as hb:
                base.fit(Xf, yf)
            # The fitted classifier is frozen: the calibrator alone is fitted, on the held-out customers.
            model = CalibratedClassifierCV(FrozenEstimator(base), method=calibration).fit(Xc, yc)
            started = time.perf_counter()
            pv = model.predict_proba(Xv)[:, 1]
        timing[name] = {
            "fit_seconds": round(hb.seconds, 2),
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


# ---------------------------------------------------------------------------------------- scoring


def _driver_estimator(model: ChurnModel):
    # The uncalibrated classifier ranks the drivers: the calibration is monotone, and substituting k
    # features through the calibrator too would cost more for the same order.
    members = getattr(model.estimator, "calibrated_classifiers_", None)
    return members[0].estimator if members else model.estimator


def contributions(
    model: ChurnModel, df: pd.DataFrame, progress: Progress | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Calibrated probability, and per feature how much the (uncalibrated) score falls when that
    feature is set to its training median, computed in batched predictions."""
    X = df[model.features].to_numpy(dtype=float)
    n, k = X.shape
    p = model.estimator.predict_proba(X)[:, 1]
    if n == 0:
        return p, np.zeros((0, k))
    member = _driver_estimator(model)
    raw = member.predict_proba(X)[:, 1]
    contrib = np.zeros((n, k))
    chunk = max(1, 400_000 // max(k, 1))
    for s in range(0, n, chunk):
        Xs = X[s : s + chunk]
        m = len(Xs)
        big = np.repeat(Xs[None, :, :], k, axis=0)  # (k, m, k)
        for j in range(k):
            big[j, :, j] = model.baseline[j]
        pj = member.predict_proba(big.reshape(k * m, k))[:, 1].reshape(k, m)
        contrib[s : s + m] = (raw[s : s + m][None, :] - pj).T
        if progress is not None:
            progress.advance(m)
    return p, contrib


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


# ---------------------------------------------------------------------------------------- warehouse


def ensure_tables(con: duckdb.DuckDBPyConnection) -> None:
    run_script(con, "marts/churn_model_version")


def latest_version(con: duckdb.DuckDBPyConnection) -> dict | None:
    found = con.execute(
        "select count(*) from duckdb_tables() where schema_name = 'marts' and table_name = 'churn_model_version'"
    ).fetchall()[0][0]
    if not found:
        return None
    df = con.execute("select * from marts.churn_model_version order by trained_at desc limit 1").df()
    return None if df.empty else df.iloc[0].to_dict()


def model_in_use(con: duckdb.DuckDBPyConnection, as_of: date) -> ChurnModel:
    """The latest model version; InsufficientHistory when tonight's training found too little history."""
    last = latest_version(con)
    if last is None:
        reason = status.insufficient(con, as_of, "churn_model")
        if reason:
            raise InsufficientHistory("churn_risk", f"no churn model yet: {reason}")
        raise RuntimeError("no churn model version: materialize churn_model first")
    return ChurnModel.load(Path(last["model_path"]))


RISK_COLUMNS = [
    "as_of_date",
    "customer_id",
    "churn_probability",
    "horizon_days",
    "risk_band",
    "driver_1",
    "driver_2",
    "driver_3",
    "model_version",
    "computed_as_of",
]


def empty_risk() -> pd.DataFrame:
    return pd.DataFrame(columns=RISK_COLUMNS)


def record_version(con: duckdb.DuckDBPyConnection, model: ChurnModel, path: Path) -> None:
    ensure_tables(con)
    m = model.metrics
    con.execute("delete from marts.churn_model_version where model_version = ?", [model.version])
    con.execute(
        "insert into marts.churn_model_version values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            model.version,
            model.trained_at,
            model.trained_as_of,
            model.kind,
            model.train_from,
            model.train_to,
            model.validate_from,
            model.validate_to,
            model.n_train,
            model.n_validate,
            m["auc"],
            m["brier"],
            m["ece"],
            m["top_decile_precision"],
            m["base_rate"],
            json.dumps(
                {
                    "features": model.features,
                    "kind": model.kind,
                    "calibration": f"{getattr(model.estimator, 'method', '?')}, fitted on "
                    f"{getattr(model, 'n_calibrate', 0)} held-out training rows",
                    "candidates": model.candidates,
                    "horizon_days": HORIZON_DAYS,
                }
            ),
            str(path),
        ],
    )
    con.execute("delete from marts.churn_calibration where model_version = ?", [model.version])
    con.executemany(
        "insert into marts.churn_calibration values (?, ?, ?, ?)",
        [[model.version, a, b, c] for a, b, c in model.calibration],
    )


def write_risk(con: duckdb.DuckDBPyConnection, scores: pd.DataFrame, as_of: date) -> None:
    con.register("risk_tonight", scores)
    try:
        ensure_nightly_tables(con)
        con.execute("begin")
        replace_date_rows(con, "marts.churn_risk_history", "as_of_date", as_of, "marts/churn_risk_rows")
        con.execute("commit")
    finally:
        con.unregister("risk_tonight")


def _has_table(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    return bool(
        con.execute(
            "select count(*) from duckdb_tables() where schema_name = ? and table_name = ?", [schema, table]
        ).fetchall()[0][0]
    )


def ensure_nightly_tables(con: duckdb.DuckDBPyConnection) -> None:
    """The nightly tables, with the columns of incremental nights (added to older warehouses)."""
    con.execute("create schema if not exists marts")
    if (
        _has_table(con, "marts", "churn_features")
        and not con.execute(
            "select count(*) from duckdb_columns() where schema_name = 'marts' and table_name = 'churn_features' "
            "and column_name = 'computed_as_of'"
        ).fetchall()[0][0]
    ):
        con.execute("drop table marts.churn_features")  # derived data of an older layout: recomputed tonight
    con.execute(
        "create table if not exists marts.churn_risk_history (as_of_date date, customer_id varchar, "
        "churn_probability double, horizon_days integer, risk_band varchar, driver_1 varchar, driver_2 varchar, "
        "driver_3 varchar, model_version varchar, computed_as_of date)"
    )
    con.execute("alter table marts.churn_risk_history add column if not exists computed_as_of date")


def write_features(con: duckdb.DuckDBPyConnection, features: pd.DataFrame, as_of: date) -> None:
    ensure_nightly_tables(con)
    if features.empty and not _has_table(con, "marts", "churn_features"):
        return  # no population yet: an empty frame has no column types to create the table from
    con.register("features_tonight", features)
    try:
        con.execute("create schema if not exists marts")
        con.execute("create table if not exists marts.churn_features as select * from features_tonight limit 0")
        con.execute("begin")
        replace_date_rows(con, "marts.churn_features", "as_of_date", as_of, rows="features_tonight")
        con.execute("commit")
    finally:
        con.unregister("features_tonight")


def read_features(con: duckdb.DuckDBPyConnection, as_of: date) -> pd.DataFrame:
    if not _has_table(con, "marts", "churn_features"):
        return pd.DataFrame()
    return con.execute("select * from marts.churn_features where as_of_date = ? order by customer_id", [as_of]).df()
