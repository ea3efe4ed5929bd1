"""Incremental churn nights: new features, scores and drivers only for customers whose inputs changed.

A churn feature such as "days since the last activity" or "card spend in the last 90 days" moves
every day for every customer, so "unchanged" cannot mean "same values as yesterday". Instead each
customer's values are computed *as of* a date that is a function of the data alone
(`sql/marts/churn_feature_dates.sql`): the later of the last delivery that changed their inputs and
their weekly refresh date. Tonight's values of a customer whose date did not move are last night's
(nothing they read changed), carried and re-dated, with `computed_as_of` saying when they were
computed; the others are computed at their date. A full recomputation (`full=True`) computes every
customer at the same dates, so it publishes the same values: tested in
`tests/integration/test_incremental_night.py`.
"""

from __future__ import annotations

from datetime import date, timedelta

import duckdb
import pandas as pd

from models.churn.explanations import score
from models.churn.features import _frame, features_at, features_of
from models.churn.model import ChurnModel
from models.churn.storage import _has_table, ensure_nightly_tables, read_features
from models.progress import Progress
from models.warehouse import query

REFRESH_DAYS = 7  # every customer is recomputed at least this often, whatever their inputs


def feature_dates(con: duckdb.DuckDBPyConnection, as_of: date, refresh_days: int = REFRESH_DAYS) -> pd.DataFrame:
    """(customer_id, computed_as_of) for every customer of tonight's map."""
    return _frame(
        con,
        "marts/churn_feature_dates",
        as_of=as_of,
        since=as_of - timedelta(days=refresh_days),
        refresh_days=refresh_days,
    )


def previous_nights(con: duckdb.DuckDBPyConnection, as_of: date) -> tuple[date | None, date | None]:
    """The last nights before `as_of` with churn features and with churn scores."""
    ensure_nightly_tables(con)
    features = None
    if _has_table(con, "marts", "churn_features"):
        features = query(con, "marts/previous_features_night", as_of=as_of)[0][0]
    return features, query(con, "marts/previous_risk_night", as_of=as_of)[0][0]


def nightly_features(
    con: duckdb.DuckDBPyConnection, as_of: date, full: bool = False, log=None
) -> tuple[pd.DataFrame, dict]:
    """Tonight's features of every customer (in and out of the scored population): carried from the
    previous night where the computation date did not move, computed at their date otherwise."""
    dates = feature_dates(con, as_of)
    previous, _ = previous_nights(con, as_of)
    carried = pd.DataFrame()
    if previous is not None and not full:
        con.register("feature_dates", dates)
        try:
            carried = _frame(con, "marts/churn_features_carried", as_of=as_of, previous=previous)
        finally:
            con.unregister("feature_dates")
    todo = dates[~dates["customer_id"].isin(carried["customer_id"])] if len(carried) else dates
    parts = [carried] if len(carried) else []
    if len(todo):
        # every computation date in one query: the staging tables are read once, not once per date
        with Progress.watch_sql(log, "churn features", con, total=len(todo), unit="customers"):
            f = features_of(con, todo.rename(columns={"computed_as_of": "as_of_date"}), population_only=False)
        f["computed_as_of"] = f["as_of_date"].astype("datetime64[s]")  # as the per-date frames had it
        f["as_of_date"] = pd.Timestamp(as_of)
        parts.append(f)
        if log:
            for d, n in f.groupby("computed_as_of").size().items():
                log(f"churn features: {n:,} customers computed as of {pd.Timestamp(d).date()}")
    frame = pd.concat(parts, ignore_index=True) if parts else features_at(con, as_of, population_only=False)
    if len(frame):
        frame = frame.sort_values("customer_id", kind="stable").reset_index(drop=True)
    info = {
        "customers": len(frame),
        "computed": int(len(frame) - len(carried)),
        "carried": len(carried),
        "previous_night": str(previous) if previous else None,
        "full": bool(full or previous is None),
    }
    return frame, info


def nightly_scores(
    con: duckdb.DuckDBPyConnection, model: ChurnModel, as_of: date, full: bool = False, log=None
) -> tuple[pd.DataFrame, dict]:
    """Tonight's scores of the population: carried where the features' date and the model version are
    last night's, scored (with drivers) otherwise."""
    features = read_features(con, as_of)
    features = features[features["in_population"]].reset_index(drop=True) if len(features) else features
    _, previous = previous_nights(con, as_of)
    carried = pd.DataFrame()
    if previous is not None and not full:
        carried = _frame(con, "marts/churn_risk_carried", as_of=as_of, previous=previous, model_version=model.version)
    todo = features[~features["customer_id"].isin(carried["customer_id"])] if len(carried) else features
    scored = score(model, todo.reset_index(drop=True), log=log)
    parts = [p for p in (carried, scored) if len(p)]
    out = pd.concat(parts, ignore_index=True) if parts else scored
    if len(out):
        out = out.sort_values("customer_id", kind="stable").reset_index(drop=True)
    return out, {
        "customers": len(out),
        "scored": len(scored),
        "carried": len(carried),
        "previous_night": str(previous) if previous else None,
    }
