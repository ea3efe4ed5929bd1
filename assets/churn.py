"""Churn: point-in-time features, a calibrated model trained on history, nightly risk scores."""

from datetime import date

import dagster as dg

from models.churn.storage import empty_risk, model_in_use, write_risk
from models.churn import nightly
from models.churn import versions
from models import status
from models.status import InsufficientHistory
from models.value import markdown_table
from models.warehouse import query
from pipelines.catalogue import table_metadata
from pipelines.partitions import daily_partitions
from pipelines.resources import Warehouse

COMMON = dict(
    group_name="churn",
    partitions_def=daily_partitions,
    owners=["team:crm-data"],
    pool="duckdb",
)


class NightConfig(dg.Config):
    """Incremental by default; `full` recomputes every customer (same published values, more time)."""

    full: bool = False


@dg.asset(deps=[dg.AssetKey("customer_resolution")], kinds={"duckdb", "sql"}, **COMMON)
def churn_features(
    context: dg.AssetExecutionContext, config: NightConfig, warehouse: Warehouse
) -> dg.MaterializeResult:
    """Point-in-time churn features per customer on the business date (`marts.churn_features`).

    Tenure, open accounts, products and systems, deposit balance and its 1/3/6-month trends, loan
    outstanding and days past due, card spend and transaction trends, FX deals, days since the last
    activity, recent closures and maturities. Only rows dated on or before the date and accounts
    opened by then are used; a later close date is unknown on the date. The same SQL
    (`sql/marts/churn_features.sql`) builds the training snapshots. Incremental: only customers whose
    inputs changed (or due their weekly refresh) are recomputed; the rest keep last night's values and
    their `computed_as_of` date (`models/churn/nightly.py`).
    """
    as_of = date.fromisoformat(context.partition_key)
    with warehouse.connect() as con:
        info = nightly.nightly_features(con, as_of, full=config.full, log=context.log.info)
        # summarised in the warehouse: tonight's carried rows are never read
        summary = query(con, "marts/churn_features_summary", as_of=as_of) if info["customers"] else []
    context.log.info(
        f"churn features: {info['computed']:,} customers computed, {info['carried']:,} carried "
        f"from {info['previous_night']}"
    )
    return dg.MaterializeResult(
        metadata={
            **info,
            "dagster/row_count": info["customers"],
            "features": len(summary),
            "summary": dg.MetadataValue.md(markdown_table(["feature", "mean", "median", "max"], summary)),
        }
    )


class ChurnModelConfig(dg.Config):
    """Training options; the defaults are what the nightly job uses."""

    retrain: bool = False  # force a new version; otherwise reuse the last one while it is fresh
    max_age_days: int = 30  # reuse the last version while trained this many business days ago or less
    validate_months: int = 3  # last labelled month-ends held out, out of time
    train_months: int = 12  # month-ends before them used for training
    calibration: str = "isotonic"  # or "sigmoid"


@dg.asset(
    deps=[churn_features], kinds={"duckdb", "scikitlearn"}, **COMMON, metadata=table_metadata("churn_model_version")
)
def churn_model(
    context: dg.AssetExecutionContext, config: ChurnModelConfig, warehouse: Warehouse
) -> dg.MaterializeResult:
    """The churn model: a calibrated classifier trained on historic month-end snapshots.

    Labels come from the data (churn within 90 days: all accounts closed, or balance under 100 CNY
    with no card/FX activity) at month-ends whose 90 following days are observed. Logistic regression
    and gradient boosting are fitted once on the training window, calibrated (isotonic) on held-out
    training customers and compared on the later validation month-ends; the better AUC wins. The current
    version is reused while younger than `max_age_days` unless `retrain` is set; a model trained tonight
    is saved beside the work file (`models/churn_<version>.pkl`) as a candidate and becomes a version in
    `marts.churn_model_version` only once its blocking quality check has passed (`models/churn/versions.py`).
    """
    as_of = date.fromisoformat(context.partition_key)
    with warehouse.connect() as con:
        out = versions.train_or_reuse(
            con,
            as_of,
            warehouse.work_path.parent / "models",
            retrain=config.retrain,
            max_age_days=config.max_age_days,
            validate_months=config.validate_months,
            train_months=config.train_months,
            calibration=config.calibration,
            log=context.log.info,
        )
    if out.reason:
        context.log.warning(f"churn model not trained for {as_of}: {out.reason}")
        return dg.MaterializeResult(
            metadata={"status": status.INSUFFICIENT_HISTORY, "reason": out.reason, "trained_tonight": False}
        )
    if not out.trained_tonight:
        return dg.MaterializeResult(
            metadata={
                "model_version": out.version,
                "trained_tonight": False,
                "validation_auc": float(out.current["auc"]),
                "model_kind": out.current["model_kind"],
            }
        )
    model, m = out.model, out.model.metrics
    return dg.MaterializeResult(
        metadata={
            "model_version": out.version,
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
            "path": str(out.path),
        }
    )


class QualityConfig(dg.Config):
    auc_margin: float = 0.02  # the new version may lose at most this much validation AUC


@dg.asset_check(asset=churn_model, blocking=True)
def model_quality_not_worse(
    context: dg.AssetCheckExecutionContext, config: QualityConfig, warehouse: Warehouse
) -> dg.AssetCheckResult:
    """Tonight's newly trained model's validation AUC is not worse than the current version's by more
    than the margin; until it passes, the model is not recorded as a version and nothing is scored."""
    as_of = date.fromisoformat(context.partition_key) if context.has_partition_key else None
    with warehouse.connect() as con:
        passed, meta = versions.quality(con, as_of, config.auc_margin)
    return dg.AssetCheckResult(passed=passed, metadata=meta)


@dg.asset(
    deps=[churn_features, churn_model],
    kinds={"duckdb", "scikitlearn"},
    **COMMON,
    metadata=table_metadata("churn_risk_history"),
)
def churn_risk(context: dg.AssetExecutionContext, config: NightConfig, warehouse: Warehouse) -> dg.MaterializeResult:
    """Calibrated 90-day churn probability per customer, risk band and three drivers in words.

    Bands: HIGH from 0.30, MEDIUM from 0.10, LOW below. A driver is a feature whose own value
    raises the customer's probability most compared with a typical customer's value of it
    (the probability recomputed with that feature set to its training median), e.g. "deposit
    balance down 60% in 3 months". Written to `marts.churn_risk_history`, replacing the date. Only
    customers whose features were recomputed tonight, or scored by another model version, are scored.
    """
    as_of = date.fromisoformat(context.partition_key)
    with warehouse.connect() as con:
        promoted = versions.promote(con, as_of)  # tonight's candidate passed its blocking check to get here
        if promoted:
            context.log.info(f"churn model {promoted} recorded as the current version")
        try:
            model = model_in_use(con, as_of)
        except InsufficientHistory as exc:
            write_risk(con, empty_risk(), as_of)
            status.record(con, as_of, "churn_risk", status.INSUFFICIENT_HISTORY, exc.reason)
            context.log.warning(f"churn_risk published empty for {as_of}: {exc.reason}")
            return dg.MaterializeResult(
                metadata={
                    "customers": 0,
                    "dagster/row_count": 0,
                    "status": status.INSUFFICIENT_HISTORY,
                    "reason": exc.reason,
                }
            )
        info = nightly.nightly_scores(con, model, as_of, full=config.full, log=context.log.info)
        status.record(con, as_of, "churn_risk")
        # the metadata is summarised in the warehouse: tonight's rows are never read whole
        (customers, mean_p, expected), *_ = query(con, "marts/churn_risk_totals", as_of=as_of)
        bands = query(con, "marts/churn_risk_bands", as_of=as_of)
        drivers = query(con, "marts/churn_risk_drivers", as_of=as_of)
        top = query(con, "marts/churn_risk_top", as_of=as_of)
    carried = (
        f", {info['carried']:,} carried from {info['previous_night']}"
        if info["previous_night"]
        else " (first night: no values to carry)"
    )
    context.log.info(f"churn risk: {info['scored']:,} customers scored{carried}")
    return dg.MaterializeResult(
        metadata={
            "customers": int(customers),
            "scored_tonight": info["scored"],
            "features_read": info["features_read"],
            "carried": info["carried"],
            "dagster/row_count": int(customers),
            "model_version": model.version,
            "mean_probability": float(mean_p),
            "expected_churners_90d": float(expected),
            "bands": dg.MetadataValue.md(
                markdown_table(["band", "customers", "mean probability"], [tuple(r) for r in bands])
            ),
            "common_drivers": dg.MetadataValue.md(markdown_table(["driver", "customers"], drivers)),
            "top_risk": dg.MetadataValue.md(
                markdown_table(
                    ["customer", "probability", "driver 1", "driver 2"],
                    [(c, float(p), d1, d2) for c, p, d1, d2 in top],
                )
            ),
        }
    )


churn_assets = [churn_features, churn_model, churn_risk]
churn_checks = [model_quality_not_worse]
