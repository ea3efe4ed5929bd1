import dagster as dg


# One process writes DuckDB (single-writer file), so the nightly job runs in-process.
nightly_job = dg.define_asset_job(
    name="nightly",
    selection=dg.AssetSelection.all(),
    executor_def=dg.in_process_executor,
    description="Ingest the night's four deliveries, resolve customers, score value/churn/LTV, publish.",
)
