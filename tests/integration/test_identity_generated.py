"""Accuracy on the synthetic bank: generate -> ingest -> resolve, scored against the generator's truth.

Skipped until the generator (`crm.generator`) and the ingest assets (`assets.ingest`) exist.
"""

import duckdb
import pytest

generator = pytest.importorskip("crm.generator")
ingest = pytest.importorskip("assets.ingest")

import dagster as dg  # noqa: E402

from assets.identity import identity_assets, identity_checks  # noqa: E402
from models.identity.evaluate import evaluate_from_warehouse  # noqa: E402
from pipelines.resources import IdentityEngine, Warehouse  # noqa: E402


def test_identity_accuracy_on_generated_bank(tmp_path, monkeypatch):
    monkeypatch.setenv("CRM_DEMO", "1")
    monkeypatch.setenv("CRM_IDENTITY_OVERRIDES", str(tmp_path / "none.csv"))
    landing, truth = tmp_path / "landing", tmp_path / "truth"
    generator.generate(landing, truth, customers=3000, seed=7)
    first = sorted(p.name for p in (landing / "deposit").iterdir())[0]
    partition = f"{first[:4]}-{first[4:6]}-{first[6:]}"
    wh = Warehouse(landing_dir=str(landing), published=str(tmp_path / "bank.duckdb"))
    result = dg.materialize(
        [*ingest.ingest_assets, *identity_assets, *identity_checks],
        resources={"warehouse": wh, "identity_engine": IdentityEngine()},
        partition_key=partition,
    )
    assert result.success
    con = duckdb.connect(str(wh.work_path), read_only=True)
    try:
        figures = evaluate_from_warehouse(con, truth / "source_records.csv")
    finally:
        con.close()
    # Only records delivered so far are in the map; the truth lists every record ever delivered.
    assert figures["overall"]["precision"] >= 0.99
    if figures["unmapped_records"] == 0:
        assert figures["overall"]["f1"] >= 0.99
