"""The Dagster definitions load and carry the groups, checks, schedule and sensor operators rely on."""

from __future__ import annotations

import importlib
from pathlib import Path

import dagster as dg

ROOT = Path(__file__).resolve().parents[2]


def test_required_packages_are_this_repository():
    # Generic names (pipelines, assets, models, quality) must not resolve to an installed dist.
    for name in ("pipelines", "assets", "models", "quality", "crm"):
        module = importlib.import_module(name)
        assert Path(module.__file__).resolve().is_relative_to(ROOT), name


def test_definitions_groups_schedule_and_sensor():
    from pipelines.definitions import defs

    specs = {s.key.to_user_string(): s for s in defs.resolve_all_asset_specs()}
    groups = {s.group_name for s in specs.values()}
    assert {"ingest", "identity", "value", "churn", "lifetime_value", "publish"} <= groups
    for key in ("deposit_extract", "card_extract", "loan_extract", "fx_extract", "customer_resolution",
                "value_tier", "churn_risk", "lifetime_value", "published_warehouse"):
        assert key in specs, key
        assert specs[key].description, f"{key} has no description"
        assert specs[key].owners, f"{key} has no owner"
        assert specs[key].partitions_def is not None, f"{key} is not partitioned by business date"

    schedule = defs.resolve_schedule_def("nightly_schedule")
    assert schedule.default_status == dg.DefaultScheduleStatus.RUNNING
    sensor = defs.resolve_sensor_def("deliveries_complete")
    assert sensor.default_status == dg.DefaultSensorStatus.RUNNING

    checks = {k.name for c in defs.asset_checks or [] for k in c.check_keys}
    assert checks, "no asset checks"


def test_workspace_points_at_definitions():
    text = (ROOT / "workspace.yaml").read_text()
    assert "pipelines.definitions" in text
