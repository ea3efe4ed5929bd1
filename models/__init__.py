"""Pure pipeline logic (no Dagster): ingestion, identity resolution, value, churn, lifetime value."""
