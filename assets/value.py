"""Customer value: monthly profit contribution, value tiers with migration, product holding."""

from datetime import date

import dagster as dg

from models import status
from models.progress import Progress
from models.value import (
    build_contribution_monthly,
    build_product_holding,
    compute_value_tiers,
    markdown_table,
)
from models.warehouse import query
from pipelines.catalogue import table_metadata
from pipelines.partitions import daily_partitions
from pipelines.resources import Warehouse

COMMON = dict(
    group_name="value",
    partitions_def=daily_partitions,
    owners=["team:crm-data"],
    pool="duckdb",
)


class NightConfig(dg.Config):
    """Incremental by default; `full` recomputes every month of every customer (same values, more time)."""

    full: bool = False


@dg.asset(
    deps=[dg.AssetKey("customer_resolution")],
    kinds={"duckdb", "sql"},
    **COMMON,
    metadata=table_metadata("contribution_monthly"),
)
def contribution_monthly(
    context: dg.AssetExecutionContext, config: NightConfig, warehouse: Warehouse
) -> dg.MaterializeResult:
    """Monthly profit contribution (CNY) per customer: deposits, loans, cards, FX and servicing cost.

    Attributed by tonight's customer map. Each night recomputes the months its delivery touched for
    every customer, and the whole history of the customers whose records or accounts changed (a merge
    or split re-attributes their history); `full` recomputes everything. A month's deposit and loan figures come from each account's last balance in the month:
    deposit spread over the funds-transfer price, loan margin over the cost of funds less expected
    loss by days-past-due bucket (and the realised loss on write-off); cards earn interchange,
    cash-advance fees, fees and interest; FX its deal margins; every open account costs a fixed
    servicing fee. Rule and constants: `models/value.py`, `models/contribution_rules.py`.
    """
    as_of = date.fromisoformat(context.partition_key)
    with warehouse.connect() as con, Progress.watch_sql(context.log.info, "contribution_monthly", con):
        res = build_contribution_monthly(con, as_of, full=config.full)
    context.log.info(
        f"contribution_monthly: {res['rows']} rows, {res['customers']} customers, {res['months']} months; "
        f"recomputed {res['recomputed']}"
    )
    recent = res.pop("recent_months")
    return dg.MaterializeResult(
        metadata={
            **{k: v for k, v in res.items()},
            "dagster/row_count": res["rows"],
            "recent_months": dg.MetadataValue.md(
                markdown_table(
                    ["month", "customers", "deposit", "loan", "card", "fx", "servicing", "total"],
                    [tuple(r) for r in recent],
                )
            ),
        }
    )


class TierConfig(dg.Config):
    """Tier shares among profitable customers (12-month contribution > 0)."""

    top_share: float = 0.01  # TOP: this share of profitable customers, by contribution
    gold_share: float = 0.09  # GOLD: the next share


@dg.asset(deps=[contribution_monthly], kinds={"duckdb", "sql"}, **COMMON, metadata=table_metadata("value_tier_history"))
def value_tier(context: dg.AssetExecutionContext, config: TierConfig, warehouse: Warehouse) -> dg.MaterializeResult:
    """Value tier per customer from the trailing 12-month profit contribution, and tier migration.

    LOW: contribution below zero (costs more than the customer brings). Among profitable customers,
    TOP is the top 1% by contribution, GOLD the next 9%, GENERAL everyone else (shares configurable).
    The window is the 12 months ending with the business date's month. Also writes
    `marts.tier_migration`: each customer's move between the last two complete month-ends, tiers
    computed with the same rule over the history.
    """
    as_of = date.fromisoformat(context.partition_key)
    with warehouse.connect() as con:
        res = compute_value_tiers(con, as_of, config.top_share, config.gold_share)
        # No contribution yet (an identity-only feed, a first night): tiers published empty, said so.
        why = (
            None
            if res.customers
            else (
                f"no profit contribution in the 12 months to {as_of:%Y-%m}: no account or activity rows delivered yet"
            )
        )
        status.record(con, as_of, "value_tier", status.INSUFFICIENT_HISTORY if why else status.OK, why)
    shares = {
        r[0]: {
            "customers": r[1],
            "share_customers": round(r[3], 4),
            "share_profit": None if r[4] is None else round(r[4], 4),
        }
        for r in res.summary
    }
    thresholds = {r[0]: r[5] for r in res.summary if r[0] in ("TOP", "GOLD")}
    context.log.info(
        f"value tiers: {res.customers:,} customers; "
        + ", ".join(
            f"{t} {v['customers']:,}" + ("" if v["share_profit"] is None else f" ({v['share_profit']:.0%} of profit)")
            for t, v in shares.items()
        )
    )
    return dg.MaterializeResult(
        metadata={
            "customers": res.customers,
            "dagster/row_count": res.customers,
            "top_share": config.top_share,
            "gold_share": config.gold_share,
            "min_contribution_12m_top": thresholds.get("TOP"),
            "min_contribution_12m_gold": thresholds.get("GOLD"),
            "tiers": dg.MetadataValue.md(
                markdown_table(
                    [
                        "tier",
                        "customers",
                        "profit 12m (CNY)",
                        "share of customers",
                        "share of profit",
                        "lowest contribution",
                    ],
                    [tuple(r) for r in res.summary],
                )
            ),
            "tier_shares": dg.MetadataValue.json(shares),
            "migration_months": f"{res.prev_month} -> {res.last_month}",
            "migration": dg.MetadataValue.json(res.moves),
        }
    )


class TierBoundsConfig(dg.Config):
    """Bounds on each tier's share of all tiered customers; outside them the check warns."""

    top_min: float = 0.002
    top_max: float = 0.03
    gold_min: float = 0.02
    gold_max: float = 0.20
    low_max: float = 0.50


@dg.asset_check(asset=value_tier, blocking=False)
def tier_shares_within_bounds(
    context: dg.AssetCheckExecutionContext, config: TierBoundsConfig, warehouse: Warehouse
) -> dg.AssetCheckResult:
    """Each tier's share of customers stays within the configured bounds (a drift alarm, not a stop)."""
    as_of = None
    if context.has_partition_key:
        as_of = date.fromisoformat(context.partition_key)
    with warehouse.connect() as con:
        if as_of is None:
            as_of = query(con, "marts/tier_latest_date")[0][0]
        why = status.insufficient(con, as_of, "value_tier")
    if why:
        return dg.AssetCheckResult(
            passed=True,
            severity=dg.AssetCheckSeverity.WARN,
            metadata={"as_of": str(as_of), "status": status.INSUFFICIENT_HISTORY, "reason": why},
        )
    with warehouse.connect() as con:
        rows = query(con, "marts/tier_shares", as_of=as_of)
    share = {t: float(s) for t, s in rows}
    top, gold, low = share.get("TOP", 0.0), share.get("GOLD", 0.0), share.get("LOW", 0.0)
    failures = []
    if not config.top_min <= top <= config.top_max:
        failures.append(f"TOP share {top:.4f} outside [{config.top_min}, {config.top_max}]")
    if not config.gold_min <= gold <= config.gold_max:
        failures.append(f"GOLD share {gold:.4f} outside [{config.gold_min}, {config.gold_max}]")
    if low > config.low_max:
        failures.append(f"LOW share {low:.4f} above {config.low_max}")
    return dg.AssetCheckResult(
        passed=not failures,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={
            "as_of": str(as_of),
            "shares": dg.MetadataValue.json(share),
            "failures": "; ".join(failures) or "none",
        },
    )


@dg.asset(
    deps=[dg.AssetKey("customer_resolution")],
    kinds={"duckdb", "sql"},
    **COMMON,
    metadata=table_metadata("product_holding_history"),
)
def product_holding(
    context: dg.AssetExecutionContext, config: NightConfig, warehouse: Warehouse
) -> dg.MaterializeResult:
    """Products and systems each customer holds on the business date, with the next likely product.

    The next product is the one (not yet held) that customers holding exactly the same product set
    most often took next, learned from account opening dates (and first FX deals) in the history,
    refitted weekly. Incremental: only customers whose accounts, FX deals or records changed since the
    previous night are recomputed, the others' holdings carried; `full` recomputes everyone.
    """
    as_of = date.fromisoformat(context.partition_key)
    with warehouse.connect() as con:
        res = build_product_holding(con, as_of, full=config.full)
        why = None if res["avg_products"] > 0 else "no account or FX records delivered yet: no holdings to learn from"
        status.record(con, as_of, "product_holding", status.INSUFFICIENT_HISTORY if why else status.OK, why)
    context.log.info(
        f"product holding: {res['computed']:,} customers computed, {res['carried']:,} carried "
        f"from {res['previous_night']}; next products fitted on {res['next_product_fitted_on']}"
    )
    top_sets = res.pop("top_sets")
    return dg.MaterializeResult(
        metadata={
            **res,
            "dagster/row_count": res["customers"],
            "top_product_sets": dg.MetadataValue.md(
                markdown_table(["products", "customers", "next product", "rate"], [tuple(r) for r in top_sets])
            ),
        }
    )


value_assets = [contribution_monthly, value_tier, product_holding]
value_checks = [tier_shares_within_bounds]
