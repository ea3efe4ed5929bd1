"""The one composition root: every asset, check, job, schedule and sensor of the pipeline."""

import dagster as dg

from assets import churn as churn_stage
from assets import identity as identity_stage
from assets import ingest as ingest_stage
from assets import lifecycle as lifecycle_stage
from assets import next_best_product as nbp_stage
from assets import ltv as ltv_stage
from assets import publish as publish_stage
from assets import retention as retention_stage
from assets import value as value_stage
from pipelines.jobs import nightly_job
from pipelines.resources import default_resources
from pipelines.schedules import nightly_schedule
from pipelines.sensors import deliveries_complete

defs = dg.Definitions(
    assets=[
        *ingest_stage.ingest_assets,
        *identity_stage.identity_assets,
        *value_stage.value_assets,
        *lifecycle_stage.lifecycle_assets,
        *nbp_stage.nbp_assets,
        *churn_stage.churn_assets,
        *ltv_stage.ltv_assets,
        *retention_stage.retention_assets,
        *publish_stage.publish_assets,
    ],
    asset_checks=[
        *ingest_stage.ingest_checks,
        *getattr(identity_stage, "identity_checks", []),
        *getattr(value_stage, "value_checks", []),
        *getattr(churn_stage, "churn_checks", []),
    ],
    jobs=[nightly_job],
    schedules=[nightly_schedule],
    sensors=[deliveries_complete],
    resources=default_resources(),
)
