"""Next best product: propensity per customer and product not held, from a point-in-time model."""

from datetime import date

import dagster as dg
import pandas as pd

from models import next_best_product as nbp
from models import status
from models.status import InsufficientHistory
from models.warehouse import query
from pipelines.catalogue import table_metadata
from pipelines.partitions import daily_partitions
from pipelines.resources import Warehouse


class NextBestProductConfig(dg.Config):
    retrain: bool = False  # force a new version; otherwise the last one is reused for up to 30 days
    full: bool = False  # re-score every customer (same published rows, more time); else only the changed ones


@dg.asset(
    deps=[dg.AssetKey("churn_features"), dg.AssetKey("product_holding")],
    group_name="value",
    partitions_def=daily_partitions,
    owners=["team:crm-data"],
    pool="duckdb",
    kinds={"duckdb", "scikitlearn"},
    metadata=table_metadata("next_best_product_history"),
)
def next_best_product(
    context: dg.AssetExecutionContext, config: NextBestProductConfig, warehouse: Warehouse
) -> dg.MaterializeResult:
    """Propensity of each customer to take each product they do not hold within 90 days, ranked.

    A multi-class gradient-boosting model trained at past month-ends (features as of the month-end:
    the churn features, products held, age; label: products opened in the next 90 days), validated
    out of time against the popularity rule (`models/next_best_product.py`). A version is reused for
    30 days; each is recorded in `marts.next_best_product_model` with its hit rates. Incremental: only
    customers whose churn features' date, product holding or model version moved (or new ones) are
    re-scored, as of their features' `computed_as_of`; the rest keep last night's rows (`nbp.nightly`).
    """
    as_of = date.fromisoformat(context.partition_key)
    model_dir = warehouse.work_path.parent / "models"
    with warehouse.connect() as con:
        try:
            model, trained = nbp.model_for(con, as_of, model_dir, retrain=config.retrain, log=context.log.info)
        except InsufficientHistory as exc:
            nbp.write(
                con,
                pd.DataFrame(
                    columns=["customer_id", "product", "propensity", "rank", "model_version", "computed_as_of"]
                ),
                as_of,
            )
            nbp.latest_version(con)  # the version table exists, so publication finds it
            status.record(con, as_of, "next_best_product", status.INSUFFICIENT_HISTORY, exc.reason)
            context.log.warning(f"next_best_product published empty for {as_of}: {exc.reason}")
            return dg.MaterializeResult(
                metadata={"status": status.INSUFFICIENT_HISTORY, "reason": exc.reason, "dagster/row_count": 0}
            )
        info = nbp.nightly(con, model, as_of, full=config.full, log=context.log.info)
        status.record(con, as_of, "next_best_product")
        # summarised in the warehouse: tonight's carried rows are never read
        top = query(con, "nbp/top_products", as_of=as_of)
        rows = query(con, "nbp/rows_tonight", as_of=as_of)[0][0]
    carried = (
        f", {info['carried']:,} carried from {info['previous_night']}"
        if info["previous_night"]
        else " (first or full night: no values carried)"
    )
    context.log.info(f"next best product: {info['scored']:,} customers scored{carried}")
    return dg.MaterializeResult(
        metadata={
            **info,
            "model_version": model.version,
            "trained_tonight": trained,
            "fit_seconds": model.seconds,
            "validation": dg.MetadataValue.json(model.metrics),
            "dagster/row_count": int(rows),
            "top_product_counts": dg.MetadataValue.json({k: int(v) for k, v in top}),
        }
    )


nbp_assets = [next_best_product]
