import dagster as dg

from pipelines.jobs import nightly_job


@dg.sensor(job=nightly_job, minimum_interval_seconds=300, default_status=dg.DefaultSensorStatus.RUNNING)
def deliveries_complete(context: dg.SensorEvaluationContext):
    """Start the nightly run for a business date once all four systems' deliveries are complete."""
    from crm import settings
    from models.ingest.control import complete_dates

    for business_date in complete_dates(settings.landing_dir()):
        key = business_date.isoformat()
        # run_key makes each date start once, however often the sensor ticks.
        yield dg.RunRequest(run_key=key, partition_key=key)
