from datetime import date

import dagster as dg

# One partition per business date; a partition's key is the delivery folder's date (YYYY-MM-DD).
FIRST_BUSINESS_DATE = "2024-01-01"
# Business dates are Beijing dates: a partition exists once its day has ended in Asia/Shanghai.
daily_partitions = dg.DailyPartitionsDefinition(start_date=FIRST_BUSINESS_DATE, timezone="Asia/Shanghai")


def business_date_window() -> tuple[date, date | None]:
    """First and latest business date a run can take: deliveries dated outside wait or are ignored."""
    last = daily_partitions.get_last_partition_key()
    return date.fromisoformat(FIRST_BUSINESS_DATE), date.fromisoformat(last) if last else None
