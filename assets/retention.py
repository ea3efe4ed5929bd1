"""Retention priority: whom to call first."""

from datetime import date

import dagster as dg

from models import status
from models.retention import build_retention_priority
from models.status import InsufficientHistory
from pipelines.catalogue import table_metadata
from pipelines.partitions import daily_partitions
from pipelines.resources import Warehouse


@dg.asset(
    deps=[dg.AssetKey("lifetime_value"), dg.AssetKey("churn_risk"), dg.AssetKey("value_tier")],
    group_name="lifetime_value",
    partitions_def=daily_partitions,
    owners=["team:crm-data"],
    pool="duckdb",
    kinds={"duckdb", "sql"},
    metadata=table_metadata("retention_priority_history"),
)
def retention_priority(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
    """Whom to call first: every scored customer with a positive lifetime value, ranked by value at risk
    (90-day churn probability x lifetime value if retained), with the three churn drivers, the value tier
    and the relationship-manager branch, overall and within the branch. Written to
    `marts.retention_priority_history`, replacing the date.
    """
    as_of = date.fromisoformat(context.partition_key)
    with warehouse.connect() as con:
        try:
            summary = build_retention_priority(con, as_of)
        except InsufficientHistory as exc:
            status.record(con, as_of, "retention_priority", status.INSUFFICIENT_HISTORY, exc.reason)
            context.log.warning(f"retention_priority published empty for {as_of}: {exc.reason}")
            return dg.MaterializeResult(
                metadata={
                    "customers": 0,
                    "dagster/row_count": 0,
                    "status": status.INSUFFICIENT_HISTORY,
                    "reason": exc.reason,
                }
            )
        status.record(con, as_of, "retention_priority")
    context.log.info(
        f"retention list: {summary['customers']:,} customers, value at risk "
        f"{summary['value_at_risk_cny'] / 1e6:,.2f} M CNY, top 5% hold {summary['top_5pct_share']:.0%}"
    )
    return dg.MaterializeResult(metadata={"dagster/row_count": summary["customers"], **summary})


retention_assets = [retention_priority]
