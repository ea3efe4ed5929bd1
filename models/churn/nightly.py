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
from models.churn.features import _frame, features_of
from models.churn.model import ChurnModel
from models.churn.storage import _has_table, ensure_nightly_tables, write_features
from models.progress import Progress
from models.warehouse import execute, query, sql_of

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


def nightly_features(con: duckdb.DuckDBPyConnection, as_of: date, full: bool = False, log=None) -> dict:
    """Writes tonight's features of every customer (in and out of the scored population) to
    `marts.churn_features`, replacing the date: rows carried from the previous night where the
    computation date did not move (copied in the warehouse, never read), computed at their date
    otherwise. The first night and a full one compute everyone through the same query."""
    dates = feature_dates(con, as_of)
    previous, _ = previous_nights(con, as_of)
    if not _has_table(con, "marts", "churn_features"):
        # the first night creates the table from the frame's column types: everyone is computed
        frame = features_of(con, dates.rename(columns={"computed_as_of": "as_of_date"}), population_only=False)
        frame = _dated(frame, as_of)
        write_features(con, frame, as_of)
        if not _has_table(con, "marts", "churn_features"):
            # no population yet (an identity-only feed): nothing to create the table from, nothing to count
            return {
                "customers": 0,
                "in_population": 0,
                "computed": 0,
                "carried": 0,
                "previous_night": None,
                "full": True,
            }
        return _feature_info(con, as_of, len(frame), 0, previous, True)
    carried, computed = 0, 0
    con.register("feature_dates", dates)
    con.execute("begin")
    try:
        con.execute("delete from marts.churn_features where as_of_date = ?", [as_of])
        if previous is not None and not full:
            carried = int(execute(con, "marts/churn_features_carry", as_of=as_of, previous=previous).fetchall()[0][0])
        todo = _frame(con, "marts/churn_features_todo", as_of=as_of)
        if len(todo):
            # every computation date in one query: the staging tables are read once, not once per date
            with Progress.watch_sql(log, "churn features", con, total=len(todo), unit="customers"):
                f = _dated(features_of(con, todo, population_only=False), as_of)
            computed = len(f)
            con.register("features_tonight", f)
            try:
                con.execute("insert into marts.churn_features by name select * from features_tonight")
            finally:
                con.unregister("features_tonight")
            if log:
                for d, n in f.groupby("computed_as_of").size().items():
                    log(f"churn features: {n:,} customers computed as of {pd.Timestamp(d).date()}")
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    finally:
        con.unregister("feature_dates")
    return _feature_info(con, as_of, computed, carried, previous, full or previous is None)


def _dated(f: pd.DataFrame, as_of: date) -> pd.DataFrame:
    f["computed_as_of"] = f["as_of_date"].astype("datetime64[s]")  # as the per-date frames had it
    f["as_of_date"] = pd.Timestamp(as_of)
    return f


def _feature_info(con, as_of: date, computed: int, carried: int, previous, full: bool) -> dict:
    ((customers, in_population),) = query(con, "marts/churn_features_tonight", as_of=as_of)
    return {
        "customers": int(customers),
        "in_population": int(in_population),
        "computed": int(computed),
        "carried": int(carried),
        "previous_night": str(previous) if previous else None,
        "full": bool(full),
    }


def nightly_scores(
    con: duckdb.DuckDBPyConnection, model: ChurnModel, as_of: date, full: bool = False, log=None
) -> dict:
    """Writes tonight's scores of the population to `marts.churn_risk_history`, replacing the date: rows
    carried where the features' date and the model version are last night's (copied in the warehouse,
    never read), scored with drivers otherwise. Only the rows to score are read into Python, so the
    work follows the customers whose features moved, not the population."""
    ensure_nightly_tables(con)
    _, previous = previous_nights(con, as_of)
    carried = 0
    con.execute("begin")
    try:
        con.execute("delete from marts.churn_risk_history where as_of_date = ?", [as_of])
        if previous is not None and not full and _has_table(con, "marts", "churn_features"):
            carried = int(
                execute(
                    con, "marts/churn_risk_carry", as_of=as_of, previous=previous, model_version=model.version
                ).fetchall()[0][0]
            )
        todo = (
            _frame(con, "marts/churn_features_to_score", as_of=as_of)
            if _has_table(con, "marts", "churn_features")
            else pd.DataFrame()
        )
        if len(todo):
            scored = score(model, todo, log=log)
            con.register("risk_tonight", scored)
            try:
                con.execute("insert into marts.churn_risk_history by name " + sql_of("marts/churn_risk_rows"))
            finally:
                con.unregister("risk_tonight")
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return {
        "customers": carried + len(todo),
        "scored": len(todo),
        "features_read": len(todo),
        "carried": carried,
        "previous_night": str(previous) if previous else None,
    }
