"""Expected customer lifetime value."""

from datetime import date

import dagster as dg
import pandas as pd

from models import status
from models.catalogue import columns
from models.ltv import compute_ltv, write_ltv
from models.progress import Progress
from models.status import InsufficientHistory
from models.value import markdown_table
from pipelines.catalogue import table_metadata
from pipelines.partitions import daily_partitions
from pipelines.resources import Warehouse


class LtvConfig(dg.Config):
    horizon_months: int = 36  # months of future counted
    discount_rate: float = 0.08  # annual, applied monthly
    full: bool = False  # compute every customer tonight (the same values as an incremental night, more time)


@dg.asset(
    deps=[dg.AssetKey("contribution_monthly"), dg.AssetKey("value_tier"), dg.AssetKey("churn_risk")],
    group_name="lifetime_value",
    partitions_def=daily_partitions,
    owners=["team:crm-data"],
    pool="duckdb",
    kinds={"duckdb", "scipy"},
    metadata=table_metadata("lifetime_value_history"),
)
def lifetime_value(context: dg.AssetExecutionContext, config: LtvConfig, warehouse: Warehouse) -> dg.MaterializeResult:
    """Expected lifetime value (CNY) per customer over 36 months, discounted at 8% a year.

    Balance-driven contribution (deposits, servicing, card fees and interest: the last 3 months'
    run-rate; loans amortised to maturity, net of the write-off a leaving customer books) times the
    survival implied by the calibrated 90-day churn probability, plus
    transaction-driven contribution (card interchange, FX margin) forecast with BG/NBD and
    Gamma-Gamma fitted weekly on the whole transaction history, plus new business (what customers of
    the same value and tenure band opened later in the bank's past year, shared out by contribution
    and survival), discounted monthly. Written to
    `marts.lifetime_value_history`, replacing the date. Incremental: each value is computed as of its
    customer's churn-features date; customers whose date, churn score and fitted parameters did not
    move keep last night's value (`models/ltv.py`).
    """
    as_of = date.fromisoformat(context.partition_key)
    with warehouse.connect() as con:
        try:
            with Progress.watch_sql(context.log.info, "lifetime value", con):
                frame, info = compute_ltv(
                    con, as_of, config.horizon_months, config.discount_rate, full=config.full, log=context.log.info
                )
        except InsufficientHistory as exc:
            write_ltv(con, pd.DataFrame(columns=[c.name for c in columns("lifetime_value_history")]), as_of)
            status.record(con, as_of, "lifetime_value", status.INSUFFICIENT_HISTORY, exc.reason)
            context.log.warning(f"lifetime_value published empty for {as_of}: {exc.reason}")
            return dg.MaterializeResult(
                metadata={
                    "customers": 0,
                    "dagster/row_count": 0,
                    "status": status.INSUFFICIENT_HISTORY,
                    "reason": exc.reason,
                }
            )
        write_ltv(con, frame, as_of)
        status.record(con, as_of, "lifetime_value")
    context.log.info(
        f"lifetime value: {info['computed']:,} customers computed, {info['carried']:,} carried "
        f"from {info['previous_night']}; parameters fitted on {info['params_fitted_on']}"
    )
    top = frame.sort_values("expected_ltv_cny", ascending=False).head(10)
    return dg.MaterializeResult(
        metadata={
            "customers": len(frame),
            "dagster/row_count": len(frame),
            "horizon_months": config.horizon_months,
            "discount_rate": config.discount_rate,
            "total_expected_ltv_cny": float(frame["expected_ltv_cny"].sum()),
            "total_expected_value_12m_cny": float(frame["expected_value_12m_cny"].sum()),
            "median_ltv_cny": float(frame["expected_ltv_cny"].median()) if len(frame) else 0.0,
            "computed": info["computed"],
            "carried": info["carried"],
            "previous_night": info["previous_night"],
            "params_fitted_on": info["params_fitted_on"],
            "btyd_params": dg.MetadataValue.json(info["params"]),
            "top_customers": dg.MetadataValue.md(
                markdown_table(
                    ["customer", "LTV (CNY)", "12m value", "survival 12m", "txns 12m"],
                    [
                        (
                            r.customer_id,
                            float(r.expected_ltv_cny),
                            float(r.expected_value_12m_cny),
                            float(r.survival_12m),
                            float(r.expected_txns_12m),
                        )
                        for r in top.itertuples()
                    ],
                )
            ),
        }
    )


ltv_assets = [lifetime_value]
