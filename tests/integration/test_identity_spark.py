"""Identity resolution on Spark gives the customer map DuckDB gives (issue 15).

One small generated bank is ingested and standardised once; the work file is copied, and
`customer_resolution` runs on each copy, once with the DuckDB engine and once with the Spark engine
(one SparkSession, local[2], two shuffle partitions). The only skip allowed: no Java on the machine.
"""

import json
import shutil

import duckdb
import polars as pl
import pytest

from assets.identity import customer_id_per_source_record, customer_resolution, identity_assets
from assets.ingest import ingest_assets
from crm.generator import generate
from models.identity.engine import java_missing_reason
from pipelines.resources import IdentityEngine, Warehouse
from tests.partitioned import materialize

pytestmark = pytest.mark.slow  # builds and runs whole banks: `-m "not slow"` skips it locally

# Short local runs: the JVM's quick compiler and a serial collector start faster than C2 warms up.
QUICK_JVM = {"spark.driver.extraJavaOptions": "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"}


def _map(wh: Warehouse) -> pl.DataFrame:
    con = duckdb.connect(str(wh.work_path), read_only=True)
    try:
        return con.sql(
            "select system, source_key, customer_id, match_rule, match_probability "
            "from identity.customer_map order by system, source_key"
        ).pl()
    finally:
        con.close()


def test_spark_engine_resolves_a_bank_as_duckdb_does(tmp_path, monkeypatch):
    # No skip: CI installs pyspark and has Java; a machine without it deselects the file (-m "not slow").
    assert java_missing_reason() is None, java_missing_reason()
    monkeypatch.setenv("CRM_DEMO", "1")
    monkeypatch.setenv("CRM_IDENTITY_OVERRIDES", str(tmp_path / "none.csv"))
    landing = tmp_path / "landing"
    generate(landing, tmp_path / "truth", customers=300, seed=5, daily_deliveries=0)
    first = min(p.name for p in (landing / "deposit").iterdir())
    partition = f"{first[:4]}-{first[4:6]}-{first[6:]}"

    duck = Warehouse(landing_dir=str(landing), published=str(tmp_path / "duck" / "bank.duckdb"))
    standardised = [*ingest_assets, identity_assets[0]]
    assert materialize(standardised, resources={"warehouse": duck}, partition_key=partition).success
    shutil.copytree(duck.work_path.parent, tmp_path / "spark")
    spark = Warehouse(landing_dir=str(landing), published=str(tmp_path / "spark" / "bank.duckdb"))

    stale = spark.work_path.parent / "identity" / "customer_map_20000101.parquet"  # an earlier night's hand-over
    stale.parent.mkdir()
    stale.write_bytes(b"")
    runs = {
        "duckdb": (duck, IdentityEngine(engine="duckdb")),
        "spark": (
            spark,
            IdentityEngine(
                engine="spark", spark_master="local[2]", shuffle_partitions=2, spark_conf=json.dumps(QUICK_JVM)
            ),
        ),
    }
    for wh, engine in runs.values():
        result = materialize(
            [customer_resolution, customer_id_per_source_record],
            resources={"warehouse": wh, "identity_engine": engine},
            partition_key=partition,
        )
        assert result.success
        assert all(c.passed for c in result.get_asset_check_evaluations())
        meta = result.asset_materializations_for_node("customer_resolution")[0].metadata
        assert meta["engine"].value == engine.name

    on_duck, on_spark = _map(duck), _map(spark)
    # A bank where both rules fire: exact anchors and Splink scores are both compared.
    rules = set(on_duck["match_rule"].to_list())
    assert {"exact_id", "probabilistic", "singleton"} <= rules
    assert on_duck.height == on_spark.height > 500
    key = ["system", "source_key", "customer_id", "match_rule"]
    assert on_spark.select(key).equals(on_duck.select(key))
    diff = (on_spark["match_probability"] - on_duck["match_probability"]).abs().fill_null(0).max()
    assert diff < 1e-9
    assert on_duck["match_probability"].null_count() == on_spark["match_probability"].null_count()

    # The Spark run handed the customer map over as Parquet (only the latest kept) and left no
    # exchange files or Splink checkpoints behind.
    handed = pl.read_parquet(spark.work_path.parent / "identity" / f"customer_map_{first}.parquet")
    assert handed.sort("system", "source_key").select(key).equals(on_spark.select(key))
    assert not stale.exists()
    leftovers = [p for p in (spark.work_path.parent / "spark").rglob("*") if p.is_file()]
    assert leftovers == []
