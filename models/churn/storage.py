"""Churn tables of the warehouse: model versions and calibration, the risk history, the nightly features."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd

from models import status
from models.churn.features import HORIZON_DAYS
from models.churn.model import ChurnModel
from models.status import InsufficientHistory
from models.warehouse import replace_date_rows, run_script


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
