import dagster as dg

# One partition per business date; a partition's key is the delivery folder's date (YYYY-MM-DD).
daily_partitions = dg.DailyPartitionsDefinition(start_date="2024-01-01")
