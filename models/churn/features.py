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
) -> pd.DataFrame:
    """Features of every customer of tonight's map (or of those in `band`) at each of `dates`, in one query."""
    if band is None:
        run_script(con, "marts/feature_scope_all", dates=list(dates))
    else:
        run_script(con, "marts/feature_scope_sample", lo=band[0], hi=band[1], dates=list(dates))
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
    # every month-end in one query: the staging tables are read once, not once per month-end
    with Progress.watch_sql(log, f"labelled month-end snapshots ({len(dates)} month-ends)", con):
        f = features_on(con, dates, band=band)
        f["churned"] = labels_at(con, f, horizon_days=horizon_days).to_numpy()
    if log:
        for d, g in f.groupby("as_of_date"):
            log(f"snapshot {pd.Timestamp(d).date()}: {len(g):,} customers, churn rate {g['churned'].mean():.3f}")
    return [f] if len(f) else []
