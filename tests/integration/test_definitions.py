"""The Dagster definitions load and carry the groups, checks, schedule and sensor operators rely on."""

from __future__ import annotations

import importlib
import math
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
    for key in (
        "deposit_extract",
        "card_extract",
        "loan_extract",
        "fx_extract",
        "customer_resolution",
        "value_tier",
        "churn_risk",
        "lifetime_value",
        "published_warehouse",
    ):
        assert key in specs, key
        assert specs[key].description, f"{key} has no description"
        assert specs[key].owners, f"{key} has no owner"
        assert specs[key].partitions_def is not None, f"{key} is not partitioned by business date"

    schedule = defs.resolve_schedule_def("nightly_schedule")
    assert schedule.default_status == dg.DefaultScheduleStatus.RUNNING
    sensor = defs.resolve_sensor_def("deliveries_complete")
    assert sensor.default_status == dg.DefaultSensorStatus.RUNNING

    blocking = {spec.name: spec.blocking for c in defs.asset_checks or [] for spec in c.check_specs}
    must_block = [
        "deposit_rows_conserved",
        "card_rows_conserved",
        "loan_rows_conserved",
        "fx_rows_conserved",
        "deposit_reconciled",
        "card_reconciled",
        "loan_reconciled",
        "fx_reconciled",
        "customer_id_per_source_record",
        "model_quality_not_worse",
    ]
    for name in must_block:
        assert blocking.get(name) is True, f"{name} missing or not blocking"
    for name in [
        "deposit_expectations",
        "card_expectations",
        "loan_expectations",
        "fx_expectations",
        "tier_shares_within_bounds",
    ]:
        assert blocking.get(name) is False, f"{name} missing or blocking"


def _sensor_context(instance, defs):
    # As the daemon does: with the instance's ref, requested dates resolve against its partitions.
    return dg.build_sensor_context(instance=instance, instance_ref=instance.get_ref(), definitions=defs)


def test_sensor_requests_complete_dates_in_order_and_waits_for_a_late_system(tmp_path, monkeypatch):
    from datetime import date

    from pipelines.definitions import defs
    from tests.integration.ingest_fixtures import sample_files, write_delivery

    days = [date(2026, 3, 1), date(2026, 3, 2), date(2026, 3, 3)]
    for day in days:
        for system in ("deposit", "card", "loan", "fx"):
            late = day >= days[1] and system == "loan"  # loan is late: its 2 and 3 March deliveries have no control yet
            write_delivery(tmp_path / "landing", system, day, sample_files(system, day), control=not late)
    monkeypatch.setenv("CRM_LANDING_DIR", str(tmp_path / "landing"))
    monkeypatch.setenv("CRM_WAREHOUSE", str(tmp_path / "wh" / "bank.duckdb"))
    sensor = defs.resolve_sensor_def("deliveries_complete")

    def tick():
        with dg.instance_for_test() as instance:
            result = sensor.evaluate_tick(_sensor_context(instance, defs))
        # each requested date is also added as a partition: partitions are the delivered dates
        (added,) = result.dynamic_partitions_requests
        assert list(added.partition_keys) == [r.partition_key for r in result.run_requests]
        return [r.partition_key for r in result.run_requests]

    assert tick() == ["2026-03-01"]
    write_delivery(tmp_path / "landing", "loan", days[1], sample_files("loan", days[1]))
    assert tick() == ["2026-03-01", "2026-03-02"]
    write_delivery(tmp_path / "landing", "loan", days[2], sample_files("loan", days[2]))
    assert tick() == ["2026-03-01", "2026-03-02", "2026-03-03"]


def test_sensor_does_not_wait_for_a_folder_its_system_has_moved_past(tmp_path, monkeypatch):
    from datetime import date

    from pipelines.definitions import defs
    from tests.integration.ingest_fixtures import sample_files, write_delivery

    days = [date(2026, 3, 1), date(2026, 3, 2), date(2026, 3, 3)]
    for day in days:
        for system in ("deposit", "card", "loan", "fx"):
            stray = day == days[1] and system == "loan"  # loan left 2 March unfinished and delivered 3 March
            write_delivery(tmp_path / "landing", system, day, sample_files(system, day), control=not stray)
    monkeypatch.setenv("CRM_LANDING_DIR", str(tmp_path / "landing"))
    monkeypatch.setenv("CRM_WAREHOUSE", str(tmp_path / "wh" / "bank.duckdb"))
    sensor = defs.resolve_sensor_def("deliveries_complete")
    with dg.instance_for_test() as instance:
        result = sensor.evaluate_tick(_sensor_context(instance, defs))
    assert [r.partition_key for r in result.run_requests] == ["2026-03-01", "2026-03-03"]


def test_materialising_a_partition_from_the_ui_equals_crm_run(tmp_path, monkeypatch, small_bank):
    """The UI's "Materialize all" for one partition (the implicit asset job) gives the same warehouse
    as `crm run --as-of` for that date."""
    import duckdb

    from crm.nightly import run_nightly
    from models.ingest.landing import complete_dates
    from pipelines.definitions import defs
    from pipelines.partitions import add_business_dates

    day = complete_dates(small_bank["landing"])[0]
    monkeypatch.setenv("CRM_LANDING_DIR", str(small_bank["landing"]))
    results = {}
    for way in ("cli", "ui"):
        root = tmp_path / way
        (root / "home").mkdir(parents=True)
        monkeypatch.setenv("CRM_WAREHOUSE", str(root / "wh" / "bank.duckdb"))
        monkeypatch.setenv("CRM_REPORTS_DIR", str(root / "reports"))
        monkeypatch.setenv("DAGSTER_HOME", str(root / "home"))
        if way == "cli":
            assert run_nightly(as_of=day).ok
        else:
            job = defs.resolve_implicit_global_asset_job_def()
            with dg.instance_for_test() as instance:
                add_business_dates(instance, [day])  # the UI's "add partition", or the sensor's request
                assert job.execute_in_process(partition_key=day.isoformat(), instance=instance).success
        con = duckdb.connect(str(root / "wh" / "bank.duckdb"), read_only=True)
        try:
            # The model version names its training time; the model itself is deterministic.
            results[way] = {
                view: con.execute(
                    f"select * exclude (as_of_date{', model_version' if view == 'churn_risk' else ''}) "
                    f"from crm.{view} order by all"
                ).fetchall()
                for view in ("customer", "customer_source", "value_tier", "churn_risk", "lifetime_value")
            }
        finally:
            con.close()
    for view in results["cli"]:
        cli, ui = results["cli"][view], results["ui"][view]
        assert cli and len(cli) == len(ui), view
        for a, b in zip(cli, ui):
            assert _same_row(a, b), f"crm.{view} differs between the UI and crm run: {a} != {b}"


def _same_row(a: tuple, b: tuple) -> bool:
    # Sums taken in a different order may differ in the last bits.
    return len(a) == len(b) and all(
        math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-9) if isinstance(x, float) and isinstance(y, float) else x == y
        for x, y in zip(a, b)
    )


def test_workspace_points_at_definitions():
    text = (ROOT / "workspace.yaml").read_text()
    assert "pipelines.definitions" in text


def test_schedule_runs_at_half_past_two_beijing_time():
    from pipelines.definitions import defs

    schedule = defs.resolve_schedule_def("nightly_schedule")
    assert (schedule.cron_schedule, schedule.execution_timezone) == ("30 2 * * *", "Asia/Shanghai")


def test_schedule_asks_for_yesterday_in_beijing_and_adds_it_as_a_partition():
    from datetime import datetime, timezone

    from pipelines.definitions import defs

    schedule = defs.resolve_schedule_def("nightly_schedule")
    # 18:30 UTC on 27 Nov is 02:30 on 28 Nov in Beijing: the business date to run is 27 Nov.
    tick = datetime(2026, 11, 27, 18, 30, tzinfo=timezone.utc)
    with dg.instance_for_test() as instance:
        context = dg.build_schedule_context(
            instance=instance,
            instance_ref=instance.get_ref(),
            scheduled_execution_time=tick,
            repository_def=defs.get_repository_def(),
        )
        (request,) = schedule.evaluate_tick(context).run_requests
        assert request.partition_key == "2026-11-27"
        assert instance.get_dynamic_partitions("business_date") == ["2026-11-27"]


def test_crm_run_is_a_run_of_the_code_location_on_the_delivered_dates(small_bank, tmp_path, monkeypatch):
    """`crm run --landing --warehouse` runs there, through the runs' resource config (the environment
    says elsewhere and is left alone). The UI lists the business dates delivered, not every day since
    2024 as missing, and shows the run on the job's timeline like a scheduled one: a run of
    workspace.yaml's code location, for its partition, that the UI can re-execute."""
    import os

    import duckdb

    from crm.cli import main
    from models.ingest.landing import complete_dates

    dates = complete_dates(small_bank["landing"])
    home, warehouse = tmp_path / "home", tmp_path / "wh" / "bank.duckdb"
    home.mkdir()
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    monkeypatch.setenv("CRM_LANDING_DIR", str(tmp_path / "not-the-landing"))
    monkeypatch.setenv("CRM_WAREHOUSE", str(tmp_path / "not-the-warehouse" / "bank.duckdb"))
    monkeypatch.setenv("CRM_REPORTS_DIR", str(tmp_path / "reports"))

    def ours():
        return {k: v for k, v in os.environ.items() if k.startswith("CRM_")}

    before = ours()
    argv = [
        "run",
        "--as-of",
        dates[0].isoformat(),
        "--landing",
        str(small_bank["landing"]),
        "--warehouse",
        str(warehouse),
    ]
    assert main(argv) == 0
    assert ours() == before and not (tmp_path / "not-the-warehouse").exists()
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("select count(*) from crm.customer").fetchone()[0] > 0

    instance = dg.DagsterInstance.from_config(str(home))
    assert instance.get_dynamic_partitions("business_date") == [dates[0].isoformat()]
    (run,) = instance.get_runs()
    origin = run.remote_job_origin
    assert (origin.location_name, origin.repository_origin.repository_name, origin.job_name) == (
        "pipelines.definitions",
        "__repository__",
        "nightly",
    )
    assert run.tags["dagster/partition"] == dates[0].isoformat() and run.job_code_origin is not None
