import dagster as dg

from pipelines.jobs import nightly_job
from pipelines.partitions import add_business_dates, last_business_date


# 02:30 Beijing time, for the previous business date: deliveries land between 22:00 and 01:00. A delivery
# missing by then fails the run with an error naming it; the sensor runs it when it completes.
@dg.schedule(
    job=nightly_job,
    cron_schedule="30 2 * * *",
    execution_timezone="Asia/Shanghai",
    default_status=dg.DefaultScheduleStatus.RUNNING,
)
def nightly_schedule(context: dg.ScheduleEvaluationContext):
    business_date = last_business_date(context.scheduled_execution_time)
    add_business_dates(context.instance, [business_date])
    return dg.RunRequest(run_key=business_date.isoformat(), partition_key=business_date.isoformat())
