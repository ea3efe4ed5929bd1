"""Publish the night's outputs to the analyst file."""

from datetime import date

import dagster as dg

from models import publish, settings, status
from models.report import write_report
from models.warehouse import run_script
from pipelines.partitions import daily_partitions
from pipelines.resources import Warehouse

FINAL_OUTPUTS = [
    "customer_golden",
    "value_tier",
    "churn_risk",
    "lifetime_value",
    "product_holding",
    "customer_lifecycle",
    "next_best_product",
    "retention_priority",
]


@dg.asset(
    group_name="publish",
    partitions_def=daily_partitions,
    deps=[dg.AssetKey(k) for k in FINAL_OUTPUTS],
    kinds={"duckdb"},
    owners=["team:crm-data"],
    pool="duckdb",
)
def published_warehouse(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
    """The analyst-facing DuckDB file (schema `crm`) for this business date.

    Snapshots the night's customer view, marks the date published, builds the next analyst file
    beside the current one (a copy of it plus tonight's version of each analyst-safe table; no raw
    ID or phone numbers), and swaps it in with one atomic rename, so analysts reading the previous
    version are never disturbed.
    """
    as_of = date.fromisoformat(context.partition_key)
    published = warehouse.published_path
    built = published.with_name(published.name + ".building")
    with warehouse.connect() as con:
        publish.snapshot_customers(con, as_of)
        for output in ("customer", "customer_source", "data_quality"):
            status.record(con, as_of, output)
        run_script(con, "publish/publication_table")
        try:
            counts = publish.build_analyst_file(con, built, as_of, context.run.run_id, previous=published)
            publish.swap_in(built, published)
        except BaseException:
            built.unlink(missing_ok=True)  # never leave a half-built version behind
            raise
        publish.record_publication(con, as_of, context.run.run_id)
    context.log.info(f"published {as_of} to {published}")
    return dg.MaterializeResult(
        metadata={
            "as_of_date": str(as_of),
            "published_file": dg.MetadataValue.path(str(published)),
            **{f"rows/{t}": n for t, n in counts.items()},
        }
    )


@dg.asset(
    group_name="publish",
    partitions_def=daily_partitions,
    deps=[published_warehouse],
    kinds={"html"},
    owners=["team:crm-data"],
)
def nightly_report(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
    """One self-contained HTML report per business date under the reports folder: value tiers
    (the 80/20 picture), tier migration, churn-risk distribution and calibration, lifetime
    value, linkage quality and data quality. Drawn from the published file only."""
    as_of = date.fromisoformat(context.partition_key)
    path = write_report(warehouse.published_path, as_of, settings.reports_dir())
    return dg.MaterializeResult(metadata={"report": dg.MetadataValue.path(str(path))})


publish_assets = [published_warehouse, nightly_report]
