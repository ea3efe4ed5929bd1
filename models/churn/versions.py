"""Churn model selection and versioning: reuse the current version while fresh, else train a candidate.

A newly trained model is a *candidate* (`marts.churn_model_candidate`) until its blocking quality
check (`assets/churn.py` `model_quality_not_worse`, which only reads) has passed; only then does
`promote` record it as a version (`marts.churn_model_version`, `marts.churn_calibration`). A rejected
candidate is never current: the next night compares its own candidate with the last accepted version.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd

from models.churn.features import labelled_month_ends, snapshot_windows
from models.churn.model import ChurnModel, MAX_TRAIN_ROWS, MAX_VALIDATE_ROWS, split_windows, train_churn_model
from models.churn.storage import ensure_tables, record_version
from models import status
from models.status import InsufficientHistory
from models.warehouse import query, replace_date_rows, run_script


@dataclass
class Outcome:
    """What the model step did tonight."""

    trained_tonight: bool
    version: str | None = None
    model: ChurnModel | None = None  # the candidate, when trained tonight
    path: Path | None = None
    current: dict | None = None  # the accepted version in use, when reused
    reason: str | None = None  # INSUFFICIENT_HISTORY reason


def _has(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    return bool(
        con.execute(
            "select count(*) from duckdb_tables() where schema_name = 'marts' and table_name = ?", [table]
        ).fetchall()[0][0]
    )


def current(con: duckdb.DuckDBPyConnection) -> dict | None:
    """The latest accepted version (read-only)."""
    if not _has(con, "churn_model_version"):
        return None
    rows = query(con, "marts/churn_version_latest")
    keys = ("model_version", "auc", "model_path", "trained_as_of", "model_kind")
    return dict(zip(keys, rows[0])) if rows else None


def candidate(con: duckdb.DuckDBPyConnection, as_of: date) -> dict | None:
    """The candidate trained for night `as_of` (read-only)."""
    if not _has(con, "churn_model_candidate"):
        return None
    rows = query(con, "marts/churn_candidate_read", as_of=as_of)
    return dict(zip(("model_version", "auc", "model_path"), rows[0])) if rows else None


def train_or_reuse(
    con: duckdb.DuckDBPyConnection,
    as_of: date,
    model_dir: Path,
    retrain: bool = False,
    max_age_days: int = 30,
    validate_months: int = 3,
    train_months: int = 12,
    calibration: str = "isotonic",
    log=None,
) -> Outcome:
    """Reuse the current version while trained `max_age_days` or fewer days ago (and not `retrain`);
    otherwise train, save and register a candidate. InsufficientHistory becomes an outcome with a reason."""
    ensure_tables(con)
    run_script(con, "marts/churn_candidate_clear", as_of=as_of)
    last = current(con)
    if last is not None and not retrain and last["model_path"] and Path(last["model_path"]).exists():
        trained = pd.Timestamp(last["trained_as_of"]).date() if pd.notna(last["trained_as_of"]) else None
        if trained is not None and 0 <= (as_of - trained).days <= max_age_days:
            if log:
                log(f"reusing churn model {last['model_version']} (trained for {trained})")
            status.record(con, as_of, "churn_model")
            return Outcome(trained_tonight=False, version=last["model_version"], current=last)
    try:
        dates = labelled_month_ends(con, as_of)
        train_dates, val_dates = split_windows(dates, validate_months, train_months)
        if log:
            log(f"training on {train_dates[0]}..{train_dates[-1]}, validating on {val_dates[0]}..{val_dates[-1]}")
        # training and validation month-ends in one pass over the staging tables
        train, val = snapshot_windows(con, [(train_dates, MAX_TRAIN_ROWS), (val_dates, MAX_VALIDATE_ROWS)], log=log)
        version = f"{as_of:%Y%m%d}-{pd.Timestamp.now(tz='UTC'):%H%M%S}"
        model = train_churn_model(train, val, version, calibration=calibration, log=log)
    except InsufficientHistory as exc:
        # A young bank: no model yet is a stated status, and the customer view still goes out.
        status.record(con, as_of, "churn_model", status.INSUFFICIENT_HISTORY, exc.reason)
        return Outcome(trained_tonight=False, reason=exc.reason)
    model.trained_as_of = as_of
    path = model_dir / f"churn_{version}.pkl"
    model.save(path)
    replace_date_rows(
        con,
        "marts.churn_model_candidate",
        "as_of_date",
        as_of,
        "marts/churn_candidate",
        as_of=as_of,
        model_version=version,
        trained_at=model.trained_at,
        auc=model.metrics["auc"],
        model_path=str(path),
    )
    status.record(con, as_of, "churn_model")
    return Outcome(trained_tonight=True, version=version, model=model, path=path)


def promote(con: duckdb.DuckDBPyConnection, as_of: date) -> str | None:
    """Record tonight's candidate as a version: called downstream of the blocking check, so only a
    candidate that passed it gets here. Returns the version recorded, if any."""
    found = candidate(con, as_of)
    if found is None or query(con, "marts/churn_version_exists", model_version=found["model_version"])[0][0]:
        return None
    model = ChurnModel.load(Path(found["model_path"]))
    record_version(con, model, Path(found["model_path"]))
    return model.version


def quality(con: duckdb.DuckDBPyConnection, as_of: date | None, margin: float) -> tuple[bool, dict]:
    """The blocking check's verdict (read-only): tonight's candidate's validation AUC is not worse than the
    current version's by more than `margin`. No candidate tonight (a reused version) passes; so does no
    model at all when the history is too short, a stated status."""
    new = candidate(con, as_of) if as_of is not None else None
    old = current(con)
    if new is None:
        if old is not None:
            return True, {"model_version": old["model_version"], "auc": old["auc"], "trained_tonight": False}
        why = status.insufficient(con, as_of, "churn_model") if as_of is not None else None
        if why:
            return True, {"status": status.INSUFFICIENT_HISTORY, "reason": why}
        return False, {"reason": "no model version recorded"}
    meta = {"model_version": new["model_version"], "auc": new["auc"], "margin": margin}
    if old is None or old["model_version"] == new["model_version"]:
        return True, {**meta, "previous": "none"}
    meta.update(previous_version=old["model_version"], previous_auc=old["auc"])
    return bool(new["auc"] >= old["auc"] - margin), meta
