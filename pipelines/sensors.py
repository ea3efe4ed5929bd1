import dagster as dg
import duckdb

from pipelines.jobs import nightly_job
from pipelines.partitions import daily_partitions


@dg.sensor(job=nightly_job, minimum_interval_seconds=300, default_status=dg.DefaultSensorStatus.RUNNING)
def deliveries_complete(context: dg.SensorEvaluationContext):
    """Start the nightly run for each business date whose four deliveries are complete, oldest first;
    a date some system has not finished delivering holds back every later date (as `crm run` does)."""
    from models import settings
    from models.ingest.landing import dates_to_run, scan_landing
    from models.publish import published_dates
    from pipelines.partitions import business_date_window

    state = scan_landing(settings.landing_dir(), *business_date_window())
    for notice in state.notices:
        context.log.warning(notice)
    try:
        published = published_dates(settings.warehouse_path())  # the analyst file: a run holds the work file
    except duckdb.IOException as e:  # an analyst holds the file read-write: try again next tick
        return dg.SkipReason(f"cannot read the published dates: {str(e).splitlines()[0]}")
    todo, _, waiting = dates_to_run(state.complete, state.pending, published, None, False)
    if not todo:
        return dg.SkipReason(f"no new complete delivery ({len(waiting)} date(s) waiting for an earlier one)")
    # run_key makes each date start once, however often the sensor ticks; the run queue runs them in order.
    return dg.SensorResult(
        run_requests=[dg.RunRequest(run_key=d.isoformat(), partition_key=d.isoformat()) for d in todo],
        dynamic_partitions_requests=[daily_partitions.build_add_request([d.isoformat() for d in todo])],
    )
