import dagster as dg

from pipelines.jobs import nightly_job

# 02:30 Beijing time, for the previous business date: deliveries land between 22:00 and 01:00.
nightly_schedule = dg.build_schedule_from_partitioned_job(
    nightly_job,
    hour_of_day=2,
    minute_of_hour=30,
    default_status=dg.DefaultScheduleStatus.RUNNING,
)
