"""`crm bench churn-training` on a night's work file: the phases' wall and CPU seconds, and the bounded sample."""

from __future__ import annotations

import shutil

import pytest

from crm.bench import bench_churn_training
from models.churn.model import MAX_TRAIN_ROWS, MAX_VALIDATE_ROWS

pytestmark = pytest.mark.slow  # uses the session's generated bank run through its nights


def test_churn_training_bench_reports_the_cpu_seconds_of_each_phase(base, tmp_path):
    (tmp_path / "warehouse").mkdir()
    shutil.copy(base["healthy"] / "wh" / "bank.work.duckdb", tmp_path / "warehouse" / "bank.work.duckdb")
    r = bench_churn_training(0, 7, tmp_path)
    # on a shared machine the wall seconds follow the load: the CPU seconds say what the work cost
    assert set(r["cpu_seconds"]) == set(r["phases"]) == {"snapshots", "fit"}
    assert all(v > 0 for v in r["cpu_seconds"].values())
    assert 0 < r["rows"]["training"] <= MAX_TRAIN_ROWS and 0 < r["rows"]["validation"] <= MAX_VALIDATE_ROWS
    assert 0.5 < r["auc"] <= 1
