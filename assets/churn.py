"""Churn: point-in-time features, a calibrated model trained on history, nightly risk scores."""


from datetime import date
from pathlib import Path

import dagster as dg
import pandas as pd

from models import churn as ch
from models import status
from models.status import InsufficientHistory
from models.value import markdown_table
from pipelines.partitions import daily_partitions
from pipelines.resources import Warehouse

COMMON = dict(
    group_name="churn",
    partitions_def=daily_partitions,
    owners=["team:crm-data"],
    pool="duckdb",
)


@dg.asset(deps=[dg.AssetKey("customer_resolution")], kinds={"duckdb", "sql"}, **COMMON)
def churn_features(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
    """Point-in-time churn features per customer on the business date (`marts.churn_features`).

    Tenure, open accounts, products and systems, deposit balance and its 1/3/6-month trends, loan
    outstanding and days past due, card spend and transaction trends, FX deals, days since the last
    activity, recent closures and maturities. Only rows dated on or before the date and accounts
    opened by then are used; a later close date is unknown on the date. The same SQL
    (`sql/marts/churn_features.sql`) builds the training snapshots.
    """
    as_of = date.fromisoformat(context.partition_key)
    with warehouse.connect() as con:
        f = ch.features_at(con, as_of)
        ch.write_features(con, f, as_of)
    desc = f[ch.feature_columns(f)].describe().T[["mean", "50%", "max"]].round(2)
    return dg.MaterializeResult(
        metadata={
            "customers": len(f),
            "dagster/row_count": len(f),
            "features": len(ch.feature_columns(f)),
            "summary": dg.MetadataValue.md(desc.to_markdown() if hasattr(desc, "to_markdown") else str(desc)),
        }
    )


class ChurnModelConfig(dg.Config):
    """Training options; the defaults are what the nightly job uses."""

    retrain: bool = False  # force a new version; otherwise reuse the last one while it is fresh
    max_age_days: int = 30  # reuse the last version while trained this many business days ago or less
    validate_months: int = 3  # last labelled month-ends held out, out of time
    train_months: int = 12  # month-ends before them used for training
    calibration: str = "isotonic"  # or "sigmoid"


@dg.asset(deps=[churn_features], kinds={"duckdb", "scikitlearn"}, **COMMON)
def churn_model(context: dg.AssetExecutionContext, config: ChurnModelConfig, warehouse: Warehouse) -> dg.MaterializeResult:
    """The churn model: a calibrated classifier trained on historic month-end snapshots.

    Labels come from the data (churn within 90 days: all accounts closed, or balance under 100 CNY
    with no card/FX activity) at month-ends whose 90 following days are observed. Logistic regression
    and gradient boosting are fitted once on the training window, calibrated (isotonic) on held-out
    training customers and compared on the later validation month-ends; the better AUC wins. Each version is recorded in
    `marts.churn_model_version` and saved beside the work file (`models/churn_<version>.pkl`).
    Reused while younger than `max_age_days` unless `retrain` is set.
    """
    as_of = date.fromisoformat(context.partition_key)
    model_dir = warehouse.work_path.parent / "models"
    with warehouse.connect() as con:
        last = ch.latest_version(con)
        fresh = (
            last is not None
            and last.get("model_path")
            and pd.notna(last.get("trained_as_of"))
            and 0 <= (as_of - pd.Timestamp(last["trained_as_of"]).date()).days <= config.max_age_days
        )
        if fresh and not config.retrain and Path(last["model_path"]).exists():
            context.log.info(f"reusing churn model {last['model_version']} (trained for {last['trained_as_of']})")
            status.record(con, as_of, "churn_model")
            return dg.MaterializeResult(
                metadata={"model_version": last["model_version"], "trained_tonight": False,
                          "validation_auc": float(last["auc"]), "model_kind": last["model_kind"]}
            )
        try:
            dates = ch.labelled_month_ends(con, as_of)
            train_dates, val_dates = ch.split_windows(dates, config.validate_months, config.train_months)
            context.log.info(f"training on {train_dates[0]}..{train_dates[-1]}, validating on {val_dates[0]}..{val_dates[-1]}")
            train = ch.snapshots(con, train_dates, log=context.log.info)
            val = ch.snapshots(con, val_dates, log=context.log.info)
            version = f"{as_of:%Y%m%d}-{pd.Timestamp.now(tz='UTC'):%H%M%S}"
            model = ch.train_churn_model(train, val, version, calibration=config.calibration, log=context.log.info)
        except InsufficientHistory as exc:
            # A young bank: no model yet is a stated status, and the customer view still goes out.
            context.log.warning(f"churn model not trained for {as_of}: {exc.reason}")
            ch.ensure_tables(con)
            status.record(con, as_of, "churn_model", status.INSUFFICIENT_HISTORY, exc.reason)
            return dg.MaterializeResult(metadata={"status": status.INSUFFICIENT_HISTORY, "reason": exc.reason,
                                                  "trained_tonight": False})
        model.trained_as_of = as_of
        path = model_dir / f"churn_{version}.pkl"
        model.save(path)
        ch.record_version(con, model, path)
        status.record(con, as_of, "churn_model")
    m = model.metrics
    return dg.MaterializeResult(
        metadata={
            "model_version": version,
            "trained_tonight": True,
            "model_kind": model.kind,
            "validation_auc": m["auc"],
            "validation_brier": m["brier"],
            "validation_ece": m["ece"],
            "top_decile_precision": m["top_decile_precision"],
            "base_rate": m["base_rate"],
            "train_window": f"{model.train_from}..{model.train_to} ({model.n_train} rows)",
            "validate_window": f"{model.validate_from}..{model.validate_to} ({model.n_validate} rows)",
            "candidates": dg.MetadataValue.json(model.candidates),
            "calibration": dg.MetadataValue.md(
                markdown_table(["mean predicted", "observed", "customers"], model.calibration)
            ),
            "path": str(path),
        }
    )


class QualityConfig(dg.Config):
    auc_margin: float = 0.02  # the new version may lose at most this much validation AUC


@dg.asset_check(asset=churn_model, blocking=True)
def model_quality_not_worse(
    context: dg.AssetCheckExecutionContext, config: QualityConfig, warehouse: Warehouse
) -> dg.AssetCheckResult:
    """The latest model version's validation AUC is not worse than the previous version's by more than the margin."""
    with warehouse.connect() as con:
        ch.ensure_tables(con)
        rows = con.execute(
            "select model_version, auc from marts.churn_model_version order by trained_at desc limit 2"
        ).fetchall()
        why = None
        if not rows and context.has_partition_key:
            why = status.insufficient(con, date.fromisoformat(context.partition_key), "churn_model")
    if not rows:
        # No model because the history is too short is a stated status, not a worse model.
        if why:
            return dg.AssetCheckResult(passed=True, metadata={"status": status.INSUFFICIENT_HISTORY, "reason": why})
        return dg.AssetCheckResult(passed=False, metadata={"reason": "no model version recorded"})
    if len(rows) == 1:
        return dg.AssetCheckResult(passed=True, metadata={"model_version": rows[0][0], "auc": rows[0][1], "previous": "none"})
    (new_v, new_auc), (old_v, old_auc) = rows
    return dg.AssetCheckResult(
        passed=bool(new_auc >= old_auc - config.auc_margin),
        metadata={"model_version": new_v, "auc": new_auc, "previous_version": old_v, "previous_auc": old_auc,
                  "margin": config.auc_margin},
    )


@dg.asset(deps=[churn_features, churn_model], kinds={"duckdb", "scikitlearn"}, **COMMON)
def churn_risk(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
    """Calibrated 90-day churn probability per customer, risk band and three drivers in words.

    Bands: HIGH from 0.30, MEDIUM from 0.10, LOW below. A driver is a feature whose own value
    raises the customer's probability most compared with a typical customer's value of it
    (the probability recomputed with that feature set to its training median), e.g. "deposit
    balance down 60% in 3 months". Written to `marts.churn_risk_history`, replacing the date.
    """
    as_of = date.fromisoformat(context.partition_key)
    with warehouse.connect() as con:
        try:
            model = ch.model_in_use(con, as_of)
        except InsufficientHistory as exc:
            ch.write_risk(con, ch.empty_risk(), as_of)
            status.record(con, as_of, "churn_risk", status.INSUFFICIENT_HISTORY, exc.reason)
            context.log.warning(f"churn_risk published empty for {as_of}: {exc.reason}")
            return dg.MaterializeResult(metadata={"customers": 0, "dagster/row_count": 0,
                                                  "status": status.INSUFFICIENT_HISTORY, "reason": exc.reason})
        f = ch.read_features(con, as_of)
        if f.empty:
            f = ch.features_at(con, as_of)
        scores = ch.score(model, f)
        ch.write_risk(con, scores, as_of)
        status.record(con, as_of, "churn_risk")
    bands = scores.groupby("risk_band")["churn_probability"].agg(["count", "mean"]).reset_index()
    top = scores.sort_values("churn_probability", ascending=False).head(10)
    drivers = pd.concat([scores["driver_1"], scores["driver_2"], scores["driver_3"]]).dropna()
    drivers = drivers.str.replace(r"[\d,.]+", "#", regex=True).value_counts().head(8)
    return dg.MaterializeResult(
        metadata={
            "customers": len(scores),
            "dagster/row_count": len(scores),
            "model_version": model.version,
            "mean_probability": float(scores["churn_probability"].mean()) if len(scores) else 0.0,
            "expected_churners_90d": float(scores["churn_probability"].sum()),
            "bands": dg.MetadataValue.md(markdown_table(["band", "customers", "mean probability"],
                                                        [tuple(r) for r in bands.itertuples(index=False)])),
            "common_drivers": dg.MetadataValue.md(markdown_table(["driver", "customers"], list(drivers.items()))),
            "top_risk": dg.MetadataValue.md(markdown_table(
                ["customer", "probability", "driver 1", "driver 2"],
                [(r.customer_id, float(r.churn_probability), r.driver_1, r.driver_2) for r in top.itertuples()],
            )),
        }
    )


churn_assets = [churn_features, churn_model, churn_risk]
churn_checks = [model_quality_not_worse]
