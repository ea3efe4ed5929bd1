"""No step is silent for long: every step that opens the warehouse logs a line at least every
EVERY_SECONDS in which no finer progress line was logged (a 1M night's standardisation, identity
resolution and data-quality checks each ran minutes without a line)."""

import time

import dagster as dg

from models import progress
from models.progress import Progress
from pipelines.resources import Warehouse

LONG = "select count(*) from range(60000000) t(i) where hash(i) % 7 = 0"


def _run(tmp_path, compute) -> list[str]:
    @dg.asset
    def slow_step(context: dg.AssetExecutionContext, warehouse: Warehouse) -> None:
        with warehouse.connect() as con:
            compute(context, con)

    instance = dg.DagsterInstance.ephemeral()
    result = dg.materialize(
        [slow_step],
        resources={"warehouse": Warehouse(published=str(tmp_path / "bank.duckdb"), landing_dir=str(tmp_path))},
        instance=instance,
    )
    assert result.success
    return [e.user_message for e in instance.all_logs(result.run_id) if e.step_key == "slow_step"]


def _for_a_second(context, con) -> None:
    # long enough for several beats however fast the machine (one LONG took 0.25 s on an idle one)
    started = time.perf_counter()
    while time.perf_counter() - started < 1.0:
        con.execute(LONG).fetchall()


def test_a_step_with_no_progress_of_its_own_still_logs_while_it_runs(tmp_path, monkeypatch):
    monkeypatch.setattr(progress, "EVERY_SECONDS", 0.1)
    lines = _run(tmp_path, _for_a_second)
    beats = [line for line in lines if line.startswith("slow_step: ") and "so far" in line]
    assert len(beats) >= 3, lines


def test_the_heartbeat_keeps_quiet_while_a_finer_progress_speaks(tmp_path, monkeypatch):
    monkeypatch.setattr(progress, "EVERY_SECONDS", 0.5)  # the finer lines, every 0.05 s, come well within it

    def compute(context, con):
        with Progress.watch_sql(context.log.info, "scoring", con, total=1000, unit="customers", every=0.05):
            con.execute(LONG).fetchall()

    lines = _run(tmp_path, compute)
    assert [line for line in lines if line.startswith("scoring: ") and "so far" in line], lines
    assert not [line for line in lines if line.startswith("slow_step: ")], lines
