from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import dagster as dg

BEIJING = ZoneInfo("Asia/Shanghai")
# The earliest business date this installation accepts: an older folder is a stray copy, not a delivery.
FIRST_BUSINESS_DATE = "2024-01-01"
# One partition per delivered business date (key YYYY-MM-DD), added when its run is requested, so the
# UI lists the dates the bank delivered instead of every day since FIRST_BUSINESS_DATE as missing.
daily_partitions = dg.DynamicPartitionsDefinition(name="business_date")


def last_business_date(now: datetime | None = None) -> date:
    """The latest business date that has ended in Beijing: yesterday there."""
    return (now or datetime.now(BEIJING)).astimezone(BEIJING).date() - timedelta(days=1)


def business_date_window() -> tuple[date, date]:
    """First and latest business date a run can take: deliveries dated outside wait or are ignored."""
    return date.fromisoformat(FIRST_BUSINESS_DATE), last_business_date()


def add_business_dates(instance: dg.DagsterInstance, dates: list[date]) -> None:
    """Make `dates` partitions of the instance (a run of a date needs its partition)."""
    keys = [d.isoformat() for d in dates]
    missing = [k for k in keys if not instance.has_dynamic_partition(daily_partitions.name, k)]
    if missing:
        instance.add_dynamic_partitions(daily_partitions.name, missing)
