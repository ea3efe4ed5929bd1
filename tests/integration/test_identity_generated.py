"""Accuracy on the synthetic bank: generate -> ingest -> resolve, scored against the generator's truth."""

import duckdb
import polars as pl
import pytest

from assets import ingest
from assets.identity import identity_assets, identity_checks
from crm import generator
from models.identity.evaluate import evaluate_from_warehouse
from pipelines.resources import IdentityEngine, Warehouse
from tests.partitioned import materialize

pytestmark = pytest.mark.slow  # builds and runs whole banks: `-m "not slow"` skips it locally


def test_identity_accuracy_on_generated_bank(tmp_path, monkeypatch):
    monkeypatch.setenv("CRM_DEMO", "1")
    monkeypatch.setenv("CRM_IDENTITY_OVERRIDES", str(tmp_path / "none.csv"))
    landing, truth = tmp_path / "landing", tmp_path / "truth"
    generator.generate(landing, truth, customers=3000, seed=7)
    first = sorted(p.name for p in (landing / "deposit").iterdir())[0]
    partition = f"{first[:4]}-{first[4:6]}-{first[6:]}"
    wh = Warehouse(landing_dir=str(landing), published=str(tmp_path / "bank.duckdb"))
    result = materialize(
        [*ingest.ingest_assets, *identity_assets, *identity_checks],
        resources={"warehouse": wh, "identity_engine": IdentityEngine()},
        partition_key=partition,
    )
    assert result.success
    con = duckdb.connect(str(wh.work_path), read_only=True)
    try:
        # The truth lists every record ever delivered; score the ones staged tonight.
        staged = pl.from_arrow(con.sql("select distinct system, source_key from staging.party").to_arrow_table())
        truth_tonight = pl.read_csv(truth / "source_records.csv", infer_schema=False).join(
            staged, on=["system", "source_key"], how="semi"
        )
        figures = evaluate_from_warehouse(con, truth_tonight)
    finally:
        con.close()
    assert truth_tonight.height > 0.9 * staged.height
    assert figures["unmapped_records"] == 0
    assert figures["overall"]["precision"] >= 0.99
    assert figures["overall"]["f1"] >= 0.99
