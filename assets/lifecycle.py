"""Customer lifecycle: stage per customer and month-end, and the month-to-month moves."""

from datetime import date

import dagster as dg

from models import status
from models.lifecycle import build_lifecycle
from assets.value import NightConfig
from models.value import markdown_table
from pipelines.catalogue import table_metadata
from pipelines.partitions import daily_partitions
from pipelines.resources import Warehouse


@dg.asset(
    deps=[dg.AssetKey("contribution_monthly")],
    group_name="value",
    partitions_def=daily_partitions,
    owners=["team:crm-data"],
    pool="duckdb",
    kinds={"duckdb", "sql"},
    metadata=table_metadata("customer_lifecycle_history"),
)
def customer_lifecycle(
    context: dg.AssetExecutionContext, config: NightConfig, warehouse: Warehouse
) -> dg.MaterializeResult:
    """Lifecycle stage of every customer (acquisition, growth, maturity, decline, lapsed).

    Judged at every month-end of the data by documented rules on tenure, the trend in deposits,
    contribution and activity, and the product count (`models/lifecycle.py`), kept up to date each
    night in `marts.customer_lifecycle_monthly` for the customers whose inputs changed (everyone when a
    month-end has passed, or `full`); tonight's version (the last month-end on or before
    the date, with the stage a month earlier) goes to `marts.customer_lifecycle_history`.
    """
    as_of = date.fromisoformat(context.partition_key)
    with warehouse.connect() as con:
        res = build_lifecycle(con, as_of, full=config.full)
        total = sum(res["stages"].values())
        why = None if total else "no month-end with accounts or activity in the data yet"
        status.record(con, as_of, "customer_lifecycle", status.INSUFFICIENT_HISTORY if why else status.OK, why)
    return dg.MaterializeResult(
        metadata={
            "customers": total,
            "recomputed": res["recomputed"],
            "dagster/row_count": total,
            "stages": dg.MetadataValue.json(res["stages"]),
            "monthly_rows": res["monthly_rows"],
            "months": res["months"],
            "flows": dg.MetadataValue.md(
                markdown_table(["from", "to", "customers"], [tuple(r) for r in res["flows"][:15]])
            ),
        }
    )


lifecycle_assets = [customer_lifecycle]
