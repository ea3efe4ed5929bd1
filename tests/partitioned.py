"""Materialise assets for one business date: the date is a dynamic partition, so the instance gets it first."""

from __future__ import annotations

from datetime import date

import dagster as dg

from pipelines.partitions import add_business_dates


def materialize(assets, partition_key: str, instance: dg.DagsterInstance | None = None, **kwargs):
    instance = instance or dg.DagsterInstance.ephemeral()
    add_business_dates(instance, [date.fromisoformat(partition_key)])
    return dg.materialize(assets, partition_key=partition_key, instance=instance, **kwargs)
