"""Next best product: per customer, the propensity to take each product not held within 90 days.

Trained point in time, like the churn model: at historic month-ends t whose 90 following days are in
the data, the features are the churn features at t (`sql/marts/churn_features.sql`), the products held
at t and the age (`sql/nbp/holdings.sql`); the label is each product opened in (t, t + 90 days] that was
not held at t (`sql/nbp/openings.sql`), or none. One multi-class gradient-boosting model (classes: none
and the products); customers who opened nothing are sampled down and weighted back up, so the class
probabilities stay the rates of the data. A customer who took two products gives two rows.

The baseline is popularity: the products most often taken, in the same training rows, by customers
holding exactly the same product set (the `next_product` rule of `crm.product_holding`, kept to
three). Both are scored out of time on the last labelled month-ends: hit rate at k = share of the
customers who took a new product whose top k products include one they took.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import duckdb
import joblib
import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier
from threadpoolctl import threadpool_limits

from models import churn as ch
from models.status import InsufficientHistory
from models.value import prepare_accounts
from models.warehouse import replace_date_rows, run_script

PRODUCTS = ("CURRENT", "TIME", "NOTICE", "DEBIT", "CREDIT", "MORTGAGE", "AUTO", "CONSUMER", "BUSINESS", "FX")
NONE = "NONE"
HORIZON_DAYS = 90
TRAIN_MONTHS = 6  # labelled month-ends trained on
VALIDATE_MONTHS = 2  # the later labelled month-ends scored out of time
MIN_MONTHS = 3
MAX_TRAIN_ROWS = 150_000
NONE_SHARE = 0.25  # customers who took nothing: this share of them is kept (weighted back by 1/share)
MAX_AGE_DAYS = 30  # a model version is reused this many days
HGB_PARAMS = dict(max_iter=150, learning_rate=0.08, max_leaf_nodes=15, min_samples_leaf=40, l2_regularization=1.0)


def _held_columns() -> list[str]:
    return [f"held_{p.lower()}" for p in PRODUCTS]


def frame_at(con: duckdb.DuckDBPyConnection, as_of: date) -> pd.DataFrame:
    """Features of every customer of the churn population on `as_of`, with products held and age."""
    f = ch.features_at(con, as_of)
    prepare_accounts(con, as_of)
    h = ch._frame(con, "nbp/holdings", as_of=as_of)
    f = f.merge(h, on="customer_id", how="left")
    f["products"] = f["products"].fillna("")
    wrapped = "," + f["products"] + ","
    for p, col in zip(PRODUCTS, _held_columns()):
        f[col] = wrapped.str.contains(f",{p},", regex=False).astype(int)
    f["age_years"] = f["age_years"].astype(float)
    return f


def feature_names(f: pd.DataFrame) -> list[str]:
    return [c for c in f.columns if c not in ("as_of_date", "customer_id", "products", "taken")]


def labels_at(con: duckdb.DuckDBPyConnection, f: pd.DataFrame, as_of: date) -> pd.Series:
    """Per customer of `f`, the set of products taken in (as_of, as_of + 90 days] and not held on as_of."""
    prepare_accounts(con, as_of + timedelta(days=HORIZON_DAYS))
    o = ch._frame(con, "nbp/openings", as_of=as_of, horizon_end=as_of + timedelta(days=HORIZON_DAYS))
    taken = o.groupby("customer_id")["product"].agg(set)
    held = f.set_index("customer_id")["products"].str.split(",").apply(set)
    out = f["customer_id"].map(taken).apply(lambda s: s if isinstance(s, set) else set())
    return pd.Series([t - held.get(c, set()) for c, t in zip(f["customer_id"], out)], index=f.index)


def snapshots(con: duckdb.DuckDBPyConnection, dates: list[date], log=None) -> pd.DataFrame:
    frames = []
    for d in dates:
        f = frame_at(con, d)
        f["taken"] = labels_at(con, f, d).to_numpy()
        f["as_of_date"] = d
        frames.append(f)
        if log:
            log(
                f"next-best-product snapshot {d}: {len(f)} customers, {(f['taken'].str.len() > 0).sum()} took a product"
            )
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def _rows(snap: pd.DataFrame, rng: np.random.Generator, max_rows: int) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """One row per (customer, product taken), or a sampled 'none' row; labels and weights."""
    took = snap[snap["taken"].str.len() > 0]
    none = snap[snap["taken"].str.len() == 0]
    keep = rng.random(len(none)) < NONE_SHARE
    pos = took.loc[took.index.repeat(took["taken"].str.len())]
    y_pos = np.concatenate([sorted(s) for s in took["taken"]]) if len(took) else np.array([], dtype=object)
    X = pd.concat([pos, none[keep]], ignore_index=True)
    y = np.concatenate([y_pos, np.full(int(keep.sum()), NONE)]).astype(object)
    w = np.concatenate([np.ones(len(pos)), np.full(int(keep.sum()), 1 / NONE_SHARE)])
    if len(X) > max_rows:
        idx = np.sort(rng.choice(len(X), max_rows, replace=False))
        X, y, w = X.iloc[idx].reset_index(drop=True), y[idx], w[idx]
    return X, y, w


@dataclass
class NextBestProductModel:
    version: str
    features: list[str]
    estimator: object
    popular: dict[str, list[str]]  # product set -> products most often taken next
    popular_all: list[str]  # fallback: over every product set
    metrics: dict = field(default_factory=dict)
    train_from: date | None = None
    train_to: date | None = None
    validate_from: date | None = None
    validate_to: date | None = None
    n_train: int = 0
    trained_as_of: date | None = None
    seconds: float = 0.0

    def propensities(self, f: pd.DataFrame) -> pd.DataFrame:
        """Long frame (row, customer_id, product, propensity, rank) over the products each row's customer
        does not hold; `row` is the position in `f` (a snapshot may hold a customer at several dates)."""
        with threadpool_limits(limits=ch.FIT_THREADS):
            proba = self.estimator.predict_proba(f[self.features].to_numpy(dtype=float))
        cls = list(self.estimator.classes_)
        wide = np.column_stack([proba[:, cls.index(p)] if p in cls else np.zeros(len(f)) for p in PRODUCTS])
        held = f[_held_columns()].to_numpy(dtype=bool)
        row, col = np.nonzero(~held)
        long = pd.DataFrame(
            {
                "row": row,
                "customer_id": f["customer_id"].to_numpy()[row],
                "product": np.array(PRODUCTS, dtype=object)[col],
                "propensity": wide[row, col],
            }
        )
        long = long.sort_values(["row", "propensity", "product"], ascending=[True, False, True], kind="stable")
        long["rank"] = long.groupby("row").cumcount() + 1
        return long.reset_index(drop=True)

    def baseline(self, f: pd.DataFrame, k: int = 3) -> pd.Series:
        """The popularity rule's top k products per customer (not held)."""
        out = []
        for products in f["products"]:
            held = set(products.split(","))
            ranked = [p for p in self.popular.get(products, []) + self.popular_all if p not in held]
            out.append(list(dict.fromkeys(ranked))[:k])
        return pd.Series(out, index=f.index)

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        joblib.dump(self, path)

    @staticmethod
    def load(path: Path) -> "NextBestProductModel":
        return joblib.load(path)


def _popularity(X: pd.DataFrame, y: np.ndarray, w: np.ndarray) -> tuple[dict[str, list[str]], list[str]]:
    df = pd.DataFrame({"products": X["products"].to_numpy(), "taken": y, "w": w})
    df = df[df["taken"] != NONE]
    by_set = (
        df.groupby(["products", "taken"])["w"]
        .sum()
        .reset_index()
        .sort_values(["products", "w", "taken"], ascending=[True, False, True])
    )
    popular = {s: list(g["taken"]) for s, g in by_set.groupby("products")}
    overall = df.groupby("taken")["w"].sum().sort_values(ascending=False)
    return popular, list(overall.index) + [p for p in PRODUCTS if p not in overall.index]


def hit_rates(taken: pd.Series, ranked: pd.Series) -> dict[str, float]:
    """Share of customers who took a product whose top 1 / top 3 recommendations include one they took."""
    m = taken.str.len() > 0
    t, r = taken[m], ranked[m]
    hit = lambda k: float(np.mean([bool(a & set(b[:k])) for a, b in zip(t, r)])) if len(t) else float("nan")  # noqa: E731
    return {"customers_taking": int(m.sum()), "hit_rate_at_1": hit(1), "hit_rate_at_3": hit(3)}


def evaluate(model: NextBestProductModel, snap: pd.DataFrame) -> dict:
    snap = snap.reset_index(drop=True)
    top = model.propensities(snap).groupby("row")["product"].agg(list)
    ranked = pd.Series([top.get(i, []) for i in range(len(snap))], index=snap.index)
    return {
        "model": hit_rates(snap["taken"], ranked),
        "popularity_baseline": hit_rates(snap["taken"], model.baseline(snap)),
    }


def train(con: duckdb.DuckDBPyConnection, as_of: date, version: str, log=None, seed: int = 0) -> NextBestProductModel:
    """Train on the labelled month-ends up to `as_of`, validated on the last ones out of time."""
    started = time.perf_counter()
    dates = ch.labelled_month_ends(con, as_of, horizon_days=HORIZON_DAYS)
    if len(dates) < MIN_MONTHS:
        raise InsufficientHistory(
            "next_best_product",
            f"needs at least {MIN_MONTHS} month-ends with 90 days observed after them, has {len(dates)}",
        )
    dates = dates[-(TRAIN_MONTHS + VALIDATE_MONTHS) :]
    n_val = min(VALIDATE_MONTHS, len(dates) - 1)
    train_dates, val_dates = dates[:-n_val], dates[-n_val:]
    snap_train = snapshots(con, train_dates, log)
    rng = np.random.default_rng(seed)
    X, y, w = _rows(snap_train, rng, MAX_TRAIN_ROWS)
    if (y != NONE).sum() < 20:
        raise InsufficientHistory(
            "next_best_product", f"only {(y != NONE).sum()} product openings in the training window"
        )
    features = feature_names(X)
    est = HistGradientBoostingClassifier(**HGB_PARAMS, random_state=seed)
    with threadpool_limits(limits=ch.FIT_THREADS):
        est.fit(X[features].to_numpy(dtype=float), y, sample_weight=w)
    popular, popular_all = _popularity(X, y, w)
    model = NextBestProductModel(
        version,
        features,
        est,
        popular,
        popular_all,
        train_from=train_dates[0],
        train_to=train_dates[-1],
        validate_from=val_dates[0],
        validate_to=val_dates[-1],
        n_train=len(X),
        trained_as_of=as_of,
    )
    model.metrics = evaluate(model, snapshots(con, val_dates, log))
    model.seconds = round(time.perf_counter() - started, 1)
    if log:
        log(f"next-best-product model {version}: {len(X)} training rows, {model.seconds} s, validation {model.metrics}")
    return model


# ------------------------------------------------------------------------------------------ storage


def latest_version(con: duckdb.DuckDBPyConnection) -> dict | None:
    run_script(con, "nbp/version_table")
    df = con.execute("select * from marts.next_best_product_model order by trained_at desc limit 1").df()
    return None if df.empty else df.iloc[0].to_dict()


def record_version(con: duckdb.DuckDBPyConnection, model: NextBestProductModel, path: Path) -> None:
    m, b = model.metrics["model"], model.metrics["popularity_baseline"]
    run_script(con, "nbp/version_table")
    run_script(
        con,
        "nbp/version_record",
        model_version=model.version,
        trained_as_of=model.trained_as_of,
        train_from=model.train_from,
        train_to=model.train_to,
        validate_from=model.validate_from,
        validate_to=model.validate_to,
        n_train=model.n_train,
        customers_taking=m["customers_taking"],
        hit_rate_at_1=m["hit_rate_at_1"],
        hit_rate_at_3=m["hit_rate_at_3"],
        baseline_hit_rate_at_1=b["hit_rate_at_1"],
        baseline_hit_rate_at_3=b["hit_rate_at_3"],
        fit_seconds=model.seconds,
        model_path=str(path),
    )


def model_for(
    con: duckdb.DuckDBPyConnection, as_of: date, model_dir: Path, retrain: bool = False, log=None
) -> tuple[NextBestProductModel, bool]:
    """The model in use tonight: the last version while younger than MAX_AGE_DAYS, else a new one."""
    last = latest_version(con)
    if last is not None and not retrain and Path(last["model_path"]).exists():
        age = (as_of - pd.Timestamp(last["trained_as_of"]).date()).days
        if 0 <= age <= MAX_AGE_DAYS:
            return NextBestProductModel.load(Path(last["model_path"])), False
    version = f"{as_of:%Y%m%d}-{pd.Timestamp.now(tz='UTC'):%H%M%S}"
    model = train(con, as_of, version, log)
    path = model_dir / f"next_best_product_{version}.pkl"
    model.save(path)
    record_version(con, model, path)
    return model, True


def score(con: duckdb.DuckDBPyConnection, model: NextBestProductModel, as_of: date) -> pd.DataFrame:
    f = frame_at(con, as_of)
    out = (
        model.propensities(f).drop(columns="row")
        if len(f)
        else pd.DataFrame(columns=["customer_id", "product", "propensity", "rank"])
    )
    out["model_version"] = model.version
    return out


def write(con: duckdb.DuckDBPyConnection, scores: pd.DataFrame, as_of: date) -> None:
    frame = scores[["customer_id", "product", "propensity", "rank", "model_version"]].copy()  # noqa: F841 (read by SQL)
    frame["propensity"] = frame["propensity"].astype(float).round(5)
    frame["rank"] = frame["rank"].astype("int32")
    con.register("nbp_tonight", frame)
    try:
        run_script(con, "nbp/write", as_of=as_of, horizon_days=HORIZON_DAYS)
        replace_date_rows(con, "marts.next_best_product_history", "as_of_date", as_of, rows="nbp_rows")
    finally:
        con.unregister("nbp_tonight")
