"""Next best product: per customer, the propensity to take each product not held within 90 days.

Trained point in time, like the churn model: at historic month-ends t whose 90 following days are in
the data, the features are the churn features at t (`sql/marts/churn_features.sql`), the products held
at t, the current-account balance trend, age, employment, nationality and best card
(`sql/nbp/holdings.sql`); the label is each product opened in (t, t + 90 days] that was not held at t
(`sql/nbp/openings.sql`), or none. Two gradient-boosting models: whether the customer takes any new
product (customers who opened nothing sampled down and weighted back up, so its probability stays the
rate of the data), and which product, given one is taken (trained on the takers only: a customer who
took two products gives two rows). The propensity of a product not held is P(take) x P(product | take)
renormalised over the products not held; the ranking is the second model's. Splitting them costs one
tree per boosting round for the rare event and ten trees on a few thousand takers for the choice, where
one multi-class model over everyone grew eleven trees a round on tens of thousands of rows.

The baseline is popularity: the products most often taken, in the same training rows, by customers
holding exactly the same product set (the `next_product` rule of `crm.product_holding`, kept to
three); beside it plain popularity (the products most often taken overall, less those held). All are
scored out of time on the last labelled month-ends: hit rate at k = share of the
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

from models.churn.features import _frame, features_at, features_of, labelled_month_ends
from models.churn.model import FIT_THREADS
from models.progress import Progress
from models.status import InsufficientHistory
from models.value import prepare_accounts
from models.warehouse import execute, query, replace_date_rows, run_script

PRODUCTS = ("CURRENT", "TIME", "NOTICE", "DEBIT", "CREDIT", "MORTGAGE", "AUTO", "CONSUMER", "BUSINESS", "FX")
NONE = "NONE"
HORIZON_DAYS = 90
TRAIN_MONTHS = 12  # labelled month-ends trained on (6 found too few takers: docs/maintainers.md)
VALIDATE_MONTHS = 2  # the later labelled month-ends scored out of time
MIN_MONTHS = 3
MAX_TRAIN_ROWS = 60_000  # the take model's rows: all takers, the others sampled to fill (bounds fit and snapshots)
NONE_SHARE = 0.25  # customers who took nothing: this share of them is kept (weighted back by 1/share)
MAX_AGE_DAYS = 30  # a model version is reused this many days
# Which product, given one is taken: ten classes on the takers only. 200 rounds at 0.05 on 12 month-ends
# found more first products than 40 at 0.2 on 6 (docs/maintainers.md); a version is reused for 30 days.
HGB_PARAMS = dict(max_iter=200, learning_rate=0.05, max_leaf_nodes=15, min_samples_leaf=40, l2_regularization=1.0)
# Whether any new product is taken: one tree a round.
TAKE_PARAMS = dict(max_iter=60, learning_rate=0.15, max_leaf_nodes=15, min_samples_leaf=40, l2_regularization=1.0)


def _held_columns() -> list[str]:
    return [f"held_{p.lower()}" for p in PRODUCTS]


def _holdings(con: duckdb.DuckDBPyConnection, as_of: date) -> pd.DataFrame:
    prepare_accounts(con, as_of)
    return _frame(con, "nbp/holdings", as_of=as_of)


def frame_at(
    con: duckdb.DuckDBPyConnection,
    as_of: date,
    customers: pd.Series | None = None,
    holdings: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Features of the customers of the churn population on `as_of` (all, or those of `customers`),
    with products held and age."""
    f = features_at(con, as_of, customers)
    return _with_holdings(f, _holdings(con, as_of) if holdings is None else holdings)


def _with_holdings(f: pd.DataFrame, h: pd.DataFrame, on: str | list[str] = "customer_id") -> pd.DataFrame:
    """The churn features `f` with the holdings `h` (sql/nbp/holdings.sql) and one held_ column a product."""
    f = f.merge(h, on=on, how="left")
    f["products"] = f["products"].fillna("")
    wrapped = "," + f["products"] + ","
    for p, col in zip(PRODUCTS, _held_columns()):
        f[col] = wrapped.str.contains(f",{p},", regex=False).astype(int)
    f["age_years"] = f["age_years"].astype(float)
    return f


def feature_names(f: pd.DataFrame) -> list[str]:
    return [c for c in f.columns if c not in ("as_of_date", "customer_id", "products", "taken", "weight")]


_NOTHING = frozenset()  # the label of every customer who took nothing


def labels_at(con: duckdb.DuckDBPyConnection, f: pd.DataFrame, as_of: date) -> pd.Series:
    """Per customer of `f`, the set of products taken in (as_of, as_of + 90 days] and not held on as_of.
    Needs temp table account_customer (any night's: openings read only its open dates)."""
    o = _frame(con, "nbp/openings", as_of=as_of, horizon_end=as_of + timedelta(days=HORIZON_DAYS))
    # Set arithmetic only for the few who took something, over plain lists (iterating Arrow-backed columns
    # row by row, and a set per customer, cost ~20 s a date at 1M persons); the others share one empty set.
    taken: dict[str, set[str]] = {}
    for c, p in zip(o["customer_id"].tolist(), o["product"].tolist()):
        taken.setdefault(c, set()).add(p)
    out = pd.Series([_NOTHING] * len(f), index=f.index, dtype=object)
    pos = pd.Index(f["customer_id"]).get_indexer(list(taken))
    held = f["products"].to_numpy()
    for t, i in zip(taken.values(), pos):
        if i >= 0:
            out.iat[i] = t - set(str(held[i] or "").split(","))
    return out


def snapshots(
    con: duckdb.DuckDBPyConnection,
    dates: list[date],
    log=None,
    none_share: float = 1.0,
    rng: np.random.Generator | None = None,
    max_none: int | None = None,
) -> pd.DataFrame:
    """Features and labels at each date. The labels (cheap) come first, so the features (the cost) are
    computed only for the customers who took a product and a `none_share` sample of the others, weighted
    back (`weight`); validation needs only the takers (none_share 0). `max_none` bounds the others sampled
    per date, so a large bank's snapshots cost about what a 100k bank's do. The features of every date
    come from one query: the staging tables are read once, not once a date (1M persons: ~15 s a date)."""
    rng = rng if rng is not None else np.random.default_rng(0)
    kept, shares = [], {}
    for d in dates:
        h = _holdings(con, d)
        taken = labels_at(con, h, d)
        took = (taken.str.len() > 0).to_numpy()
        share = none_share if max_none is None else min(none_share, max_none / max(len(h), 1))
        keep = took | (rng.random(len(h)) < share)
        part = h[keep].reset_index(drop=True)
        part["taken"] = taken[keep].to_numpy()
        part["weight"] = np.where(took[keep], 1.0, 1 / share if share > 0 else 0.0)
        part["as_of_date"] = d
        kept.append(part)
        shares[d] = (share, int(took.sum()))
    if not kept:
        return pd.DataFrame()
    kept = pd.concat(kept, ignore_index=True)
    with Progress.watch_sql(log, f"next-best-product snapshots ({len(dates)} month-ends)", con):
        f = features_of(con, kept[["customer_id", "as_of_date"]])
    f["as_of_date"] = pd.to_datetime(f["as_of_date"]).dt.date
    f = _with_holdings(f, kept, on=["customer_id", "as_of_date"])
    f = f[[c for c in f.columns if c not in ("taken", "weight")] + ["taken", "weight"]]  # the columns as before
    if log:
        for d, n in f.groupby("as_of_date").size().items():
            share, took = shares[d]
            log(
                f"next-best-product snapshot {d}: {n} customers ({share:.0%} of those who took nothing), "
                f"{took} took a product"
            )
    return f


def _rows(snap: pd.DataFrame, rng: np.random.Generator, max_rows: int) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """One row per (customer, product taken), or a (sampled) 'none' row; labels and weights. Stratified:
    every taker is kept (up to max_rows) and customers who took nothing fill the rest, weighted back by
    the share kept."""
    took = snap[snap["taken"].str.len() > 0]
    none = snap[snap["taken"].str.len() == 0]
    pos = took.loc[took.index.repeat(took["taken"].str.len())]
    y_pos = np.concatenate([sorted(s) for s in took["taken"]]) if len(took) else np.array([], dtype=object)
    if len(pos) > max_rows:
        idx = np.sort(rng.choice(len(pos), max_rows, replace=False))
        pos, y_pos = pos.iloc[idx], y_pos[idx]
    share = min(1.0, (max_rows - len(pos)) / max(len(none), 1))
    keep = rng.random(len(none)) < share
    X = pd.concat([pos, none[keep]], ignore_index=True)
    y = np.concatenate([y_pos, np.full(int(keep.sum()), NONE)]).astype(object)
    w = np.concatenate([np.ones(len(pos)), none["weight"].to_numpy(float)[keep] / share if share > 0 else []])
    return X, y, w


def _take_rows(X: pd.DataFrame, y: np.ndarray, w: np.ndarray) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """The rows of the take-anything model: each taker once (label 1), the sampled 'none' rows (label 0)."""
    pos = y != NONE
    first = ~X.loc[pos].duplicated(["as_of_date", "customer_id"]).to_numpy()
    keep = ~pos
    keep[np.flatnonzero(pos)[first]] = True
    return X[keep].reset_index(drop=True), pos[keep].astype(int), w[keep]


@dataclass
class NextBestProductModel:
    version: str
    features: list[str]
    estimator: object  # which product, given one is taken
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
    taker: object = None  # whether any new product is taken in the horizon
    timings: dict = field(default_factory=dict)

    def propensities(self, f: pd.DataFrame) -> pd.DataFrame:
        """Long frame (row, customer_id, product, propensity, rank) over the products each row's customer
        does not hold; `row` is the position in `f` (a snapshot may hold a customer at several dates)."""
        x = f[self.features].to_numpy(dtype=float)
        with threadpool_limits(limits=FIT_THREADS):
            proba = self.estimator.predict_proba(x)
            take = self.taker.predict_proba(x)[:, list(self.taker.classes_).index(1)]
        cls = list(self.estimator.classes_)
        wide = np.column_stack([proba[:, cls.index(p)] if p in cls else np.zeros(len(f)) for p in PRODUCTS])
        held = f[_held_columns()].to_numpy(dtype=bool)
        # P(product | take) over the products not held, times P(take): a probability of taking it.
        wide = np.where(held, 0.0, wide)
        wide = wide / np.maximum(wide.sum(axis=1, keepdims=True), 1e-12) * take[:, None]
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
        """Same-holdings baseline: per customer the k products (not held) most often taken next by customers
        holding exactly the same product set, then the overall order (the `next_product` idea)."""
        out = []
        for products in f["products"]:
            held = set(products.split(","))
            ranked = [p for p in self.popular.get(products, []) + self.popular_all if p not in held]
            out.append(list(dict.fromkeys(ranked))[:k])
        return pd.Series(out, index=f.index)

    def popularity(self, f: pd.DataFrame, k: int = 3) -> pd.Series:
        """Plain popularity baseline: the k products most often taken overall, less those held."""
        return pd.Series(
            [[p for p in self.popular_all if p not in set(products.split(","))][:k] for products in f["products"]],
            index=f.index,
        )

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
        "same_holdings_baseline": hit_rates(snap["taken"], model.baseline(snap)),
        "plain_popularity_baseline": hit_rates(snap["taken"], model.popularity(snap)),
    }


def train(con: duckdb.DuckDBPyConnection, as_of: date, version: str, log=None, seed: int = 0) -> NextBestProductModel:
    """Train on the labelled month-ends up to `as_of`, validated on the last ones out of time."""
    started = time.perf_counter()
    dates = labelled_month_ends(con, as_of, horizon_days=HORIZON_DAYS)
    if len(dates) < MIN_MONTHS:
        raise InsufficientHistory(
            "next_best_product",
            f"needs at least {MIN_MONTHS} month-ends with 90 days observed after them, has {len(dates)}",
        )
    dates = dates[-(TRAIN_MONTHS + VALIDATE_MONTHS) :]
    n_val = min(VALIDATE_MONTHS, len(dates) - 1)
    train_dates, val_dates = dates[:-n_val], dates[-n_val:]
    rng = np.random.default_rng(seed)
    max_none = MAX_TRAIN_ROWS // len(train_dates)
    snap_train = snapshots(con, train_dates, log, none_share=NONE_SHARE, rng=rng, max_none=max_none)
    snapped = time.perf_counter()
    X, y, w = _rows(snap_train, rng, MAX_TRAIN_ROWS)
    if (y != NONE).sum() < 20:
        raise InsufficientHistory(
            "next_best_product", f"only {(y != NONE).sum()} product openings in the training window"
        )
    features = feature_names(X)
    Xt, yt, wt = _take_rows(X, y, w)
    est = HistGradientBoostingClassifier(**HGB_PARAMS, random_state=seed)
    taker = HistGradientBoostingClassifier(**TAKE_PARAMS, random_state=seed)
    with threadpool_limits(limits=FIT_THREADS):
        est.fit(X.loc[y != NONE, features].to_numpy(dtype=float), y[y != NONE])
        taker.fit(Xt[features].to_numpy(dtype=float), yt, sample_weight=wt)
    fitted = time.perf_counter()
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
        taker=taker,
    )
    # hit rates are judged on the customers who took a product: only they are needed
    model.metrics = evaluate(model, snapshots(con, val_dates, log, none_share=0.0))
    done = time.perf_counter()
    model.seconds = round(done - started, 1)
    model.timings = {
        "training_snapshots": round(snapped - started, 1),
        "fit": round(fitted - snapped, 1),
        "validation": round(done - fitted, 1),
    }
    if log:
        log(
            f"next-best-product model {version}: {len(X)} training rows, {model.seconds} s {model.timings}, "
            f"validation {model.metrics}"
        )
    return model


# ------------------------------------------------------------------------------------------ storage


def latest_version(con: duckdb.DuckDBPyConnection) -> dict | None:
    run_script(con, "nbp/version_table")
    df = execute(con, "nbp/version_latest").df()
    return None if df.empty else df.iloc[0].to_dict()


def record_version(con: duckdb.DuckDBPyConnection, model: NextBestProductModel, path: Path) -> None:
    m, b = model.metrics["model"], model.metrics["same_holdings_baseline"]
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
        model = NextBestProductModel.load(Path(last["model_path"]))
        # a version saved before the take-anything model was split off is retrained
        if 0 <= age <= MAX_AGE_DAYS and getattr(model, "taker", None) is not None:
            return model, False
    version = f"{as_of:%Y%m%d}-{pd.Timestamp.now(tz='UTC'):%H%M%S}"
    model = train(con, as_of, version, log)
    path = model_dir / f"next_best_product_{version}.pkl"
    model.save(path)
    record_version(con, model, path)
    return model, True


def _scored(model: NextBestProductModel, f: pd.DataFrame) -> pd.DataFrame:
    columns = ["customer_id", "product", "propensity", "rank", "model_version", "computed_as_of"]
    if not len(f):
        return pd.DataFrame(columns=columns)
    out = model.propensities(f)
    out["computed_as_of"] = f["computed_as_of"].to_numpy()[out["row"].to_numpy()]
    out["model_version"] = model.version
    return out[columns]


def nightly(
    con: duckdb.DuckDBPyConnection, model: NextBestProductModel, as_of: date, full: bool = False, log=None
) -> dict:
    """Writes tonight's propensities: last night's rows carried (copied in the warehouse, never read) for
    the customers whose churn features' computed_as_of, product holding and model version are last
    night's; the others re-scored with their features as of their own computed_as_of (the churn step's
    rows, read from marts.churn_features) and their holdings at that date, one holdings query per
    distinct date over just those customers. `full` (or no earlier night) re-scores everyone the same way,
    so it publishes the same rows."""
    run_script(con, "nbp/history_table")
    previous = None if full else query(con, "nbp/previous_night", as_of=as_of)[0][0]
    run_script(con, "nbp/dates", as_of=as_of, previous=previous, model_version=model.version)
    todo = _frame(con, "nbp/features_to_score", as_of=as_of)
    frames = []
    for d, part in todo.groupby("computed_as_of", sort=True):
        d = pd.Timestamp(d).date()
        prepare_accounts(con, d)
        run_script(con, "nbp/account_scope", computed_as_of=d)
        h = _frame(con, "nbp/holdings", as_of=d)
        frames.append(_with_holdings(part, h[h["customer_id"].isin(part["customer_id"])]))
        if log:
            log(f"next best product: {len(part):,} customers computed as of {d}")
    f = pd.concat(frames, ignore_index=True) if frames else todo
    scores = _scored(model, f)
    con.execute("begin")
    try:
        write(con, scores, as_of)
        carried = 0
        if previous is not None:
            execute(con, "nbp/carry", as_of=as_of, previous=previous, model_version=model.version)
            carried = int(query(con, "nbp/carried_customers")[0][0])
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    ((customers,),) = query(con, "nbp/customers_tonight", as_of=as_of)
    return {
        "customers": int(customers),
        "scored": int(scores["customer_id"].nunique()),
        "carried": carried,
        "previous_night": str(previous) if previous else None,
        "full": bool(full or previous is None),
        "computed_dates": int(todo["computed_as_of"].nunique()) if len(todo) else 0,
    }


def write(con: duckdb.DuckDBPyConnection, scores: pd.DataFrame, as_of: date) -> None:
    """Replaces the date's rows with `scores`' (no transaction of its own: `nightly` adds the carried rows
    in the same one)."""
    run_script(con, "nbp/history_table")
    frame = scores[  # noqa: F841 (read by SQL)
        ["customer_id", "product", "propensity", "rank", "model_version", "computed_as_of"]
    ].copy()
    frame["propensity"] = frame["propensity"].astype(float).round(5)
    frame["rank"] = frame["rank"].astype("int32")
    frame["computed_as_of"] = pd.to_datetime(frame["computed_as_of"]).astype("datetime64[s]")
    con.register("nbp_tonight", frame)
    try:
        run_script(con, "nbp/write", as_of=as_of, horizon_days=HORIZON_DAYS)
        replace_date_rows(con, "marts.next_best_product_history", "as_of_date", as_of, rows="nbp_rows")
    finally:
        con.unregister("nbp_tonight")
