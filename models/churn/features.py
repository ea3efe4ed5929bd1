"""Churn features and labels at a date (point in time), and training snapshots at labelled month-ends."""

from __future__ import annotations

import math
from datetime import date, timedelta

import duckdb
import pandas as pd

from models.progress import Progress
from models.warehouse import execute, query, run_script

HORIZON_DAYS = 90

ID_COLUMNS = ("as_of_date", "customer_id", "computed_as_of", "in_population")

PER_MILLION = 1_000_000  # training samples are bands of a customer-id hash, in parts per million


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
    if customers is None:
        return features_on(con, [as_of], band=band, population_only=population_only)
    points = pd.DataFrame({"customer_id": customers.astype(str).to_numpy()})
    points["as_of_date"] = as_of
    return features_of(con, points, population_only)


def features_on(
    con: duckdb.DuckDBPyConnection,
    dates: list[date],
    band: tuple[int, int] | None = None,
    population_only: bool = True,
    bands: list[tuple[int, int]] | None = None,
) -> pd.DataFrame:
    """Features of every customer of tonight's map (or of those in `band`, or in each date's own band of
    `bands`) at each of `dates`, in one query."""
    if band is None and bands is None:
        run_script(con, "marts/feature_scope_all", dates=list(dates))
    else:
        bands = bands or [band] * len(dates)
        run_script(
            con,
            "marts/feature_scope_sample",
            dates=list(dates),
            los=[lo for lo, _ in bands],
            his=[hi for _, hi in bands],
        )
    return _features(con, population_only)


def features_of(con: duckdb.DuckDBPyConnection, points: pd.DataFrame, population_only: bool = True) -> pd.DataFrame:
    """Features of each (customer_id, as_of_date) of `points`, every date in one query."""
    con.register("feature_points_frame", points[["customer_id", "as_of_date"]])
    try:
        run_script(con, "marts/feature_scope_points")
    finally:
        con.unregister("feature_points_frame")
    return _features(con, population_only)


def _features(con: duckdb.DuckDBPyConnection, population_only: bool) -> pd.DataFrame:
    run_script(con, "marts/churn_asof_plan")
    df = _frame(con, "marts/churn_features")
    df["days_since_activity"] = df["days_since_activity"].fillna(df["tenure_days"]).astype(float)
    if population_only:
        df = df[df["in_population"]].drop(columns=["in_population"]).reset_index(drop=True)
    return df


def feature_columns(df: pd.DataFrame) -> list[str]:
    return [c for c in df.columns if c not in ID_COLUMNS]


def labels_at(
    con: duckdb.DuckDBPyConnection, features: pd.DataFrame, as_of: date | None = None, horizon_days: int = HORIZON_DAYS
) -> pd.Series:
    """Churn label (0/1) of each row of `features` over (date, date + horizon], the date being `as_of` or,
    without it, each row's `as_of_date`."""
    population = features[["customer_id", "n_open_accounts"]].copy()
    population["as_of_date"] = as_of if as_of is not None else features["as_of_date"]
    run_script(con, "marts/churn_asof_plan")
    con.register("population", population)
    try:
        lab = _frame(con, "marts/churn_labels", horizon_days=horizon_days)
    finally:
        con.unregister("population")
    keys = population[["customer_id", "as_of_date"]].astype({"as_of_date": "datetime64[us]"})
    lab = lab.astype({"as_of_date": "datetime64[us]"})
    return keys.merge(lab, on=["customer_id", "as_of_date"], how="left")["churned"].fillna(0).astype(int)


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


# About this share of the map's customers is scored at a month-end: a sample's first band is sized for
# it, so that a second pass to top the sample up is the exception.
POPULATION_SHARE = 0.8


def snapshots(
    con: duckdb.DuckDBPyConnection,
    dates: list[date],
    horizon_days: int = HORIZON_DAYS,
    log=None,
    max_rows: int | None = None,
) -> pd.DataFrame:
    """Features and labels at each of `dates`. With `max_rows`, of a sample of whole customers (a band
    of an id hash) sized to about that many rows: computing every customer at every month-end and then
    sampling rows cost time in proportion to the bank (1M persons: 15M feature rows for 300k used)."""
    return snapshot_windows(con, [(dates, max_rows)], horizon_days, log)[0]


def snapshot_windows(
    con: duckdb.DuckDBPyConnection,
    windows: list[tuple[list[date], int | None]],
    horizon_days: int = HORIZON_DAYS,
    log=None,
) -> list[pd.DataFrame]:
    """`snapshots` of several windows (dates, max_rows) with disjoint dates, in one pass: training and
    validation read the staging tables once together. Each window's first band assumes
    `POPULATION_SHARE` of the customers scored at every date; a second pass tops up a window short of
    80% of its rows."""
    customers = query(con, "marts/customer_count")[0][0]
    owner = {d: i for i, (dates, _) in enumerate(windows) for d in dates}
    if len(owner) != sum(len(dates) for dates, _ in windows):
        raise ValueError("snapshot windows must not share a date")
    his = []
    for dates, max_rows in windows:
        everyone = max_rows is None or customers * len(dates) <= max_rows
        wanted = PER_MILLION * (max_rows or 0) / max(1, customers * len(dates) * POPULATION_SHARE)
        his.append(PER_MILLION if everyone else min(PER_MILLION, max(1, math.ceil(wanted))))
    frames = [[] for _ in windows]
    _snapshot_pass(con, windows, [(0, hi) for hi in his], owner, frames, horizon_days, log)
    short = {}
    for i, (_, max_rows) in enumerate(windows):
        rows = sum(len(f) for f in frames[i])
        if max_rows is not None and 0 < rows < 0.8 * max_rows and his[i] < PER_MILLION:
            short[i] = (his[i], min(PER_MILLION, math.ceil(his[i] * max_rows / rows)))
    if short:
        _snapshot_pass(con, windows, [short.get(i) for i in range(len(windows))], owner, frames, horizon_days, log)
        for i, (_, wider) in short.items():
            his[i] = wider
    out = [pd.concat(f, ignore_index=True) if f else pd.DataFrame() for f in frames]
    if log:
        for (dates, _), hi, f in zip(windows, his, out):
            log(f"snapshots of {hi / 1e4:.2f}% of customers at {len(dates)} month-ends: {len(f):,} rows")
    return out


def _snapshot_pass(con, windows, bands, owner, frames, horizon_days: int, log) -> None:
    """One query for features and one for labels over every date of the windows given a band (None: skip)."""
    dates = [d for (ds, _), band in zip(windows, bands) if band is not None for d in ds]
    per_date = [band for (ds, _), band in zip(windows, bands) if band is not None for _ in ds]
    # every month-end in one query: the staging tables are read once, not once per month-end
    with Progress.watch_sql(log, f"labelled month-end snapshots ({len(dates)} month-ends)", con):
        f = features_on(con, dates, bands=per_date)
        f["churned"] = labels_at(con, f, horizon_days=horizon_days).to_numpy()
    if not len(f):
        return
    which = f["as_of_date"].map(lambda t: owner[pd.Timestamp(t).date()]).to_numpy()
    for i in range(len(windows)):
        part = f[which == i].reset_index(drop=True)
        if len(part):
            frames[i].append(part)
        if log:
            for d, g in part.groupby("as_of_date"):
                log(f"snapshot {pd.Timestamp(d).date()}: {len(g):,} customers, churn rate {g['churned'].mean():.3f}")
