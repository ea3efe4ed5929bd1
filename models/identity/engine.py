"""Where the identity stage's matching SQL runs: DuckDB in process (default) or Spark.

Both engines offer the same verbs to `match/scoring.py` and `match/anchors.py`: `put` a driver frame as a table, `run` a query into
a table, `view` a query under a name, `get` a query's rows back, and the Splink database API. The SQL is the same text on
both (sql/identity/*.sql is written in the subset both dialects share); only Splink's comparison
levels differ per dialect (see `match/settings.py` `_FN`).

On Spark every table crosses the driver boundary as Parquet under `workdir`: the stage's input
(standardised records, term frequencies) is written there and read by Spark, and what comes back
(exact-rule anchors, scored pairs above the threshold) is written by Spark and read by polars.
"""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

import duckdb
import polars as pl

from models.settings import duckdb_config

ENGINES = ("duckdb", "spark")


class DuckEngine:
    dialect = "duckdb"

    def __init__(self, threads: int | None = None):
        # The job's memory budget, not DuckDB's default of 80% of RAM beside the work file's own.
        self.con = duckdb.connect(config=duckdb_config())
        if threads:
            self.con.execute(f"set threads = {int(threads)}")

    def put(self, name: str, frame: pl.DataFrame) -> None:
        """The frame's Arrow buffers, read in place (a view): a copy into a DuckDB table cost 2 s per 100k
        persons' records and a second copy of them in memory."""
        self.con.register(f"__frame_{name}", frame.to_arrow())
        self.con.execute(f"create or replace view {name} as select * from __frame_{name}")

    def run(self, name: str, sql: str) -> None:
        self.con.execute(f"create or replace table {name} as {sql}")

    def view(self, name: str, sql: str) -> None:
        self.con.execute(f"create or replace view {name} as {sql}")

    def get(self, sql: str) -> pl.DataFrame:
        return pl.from_arrow(self.con.sql(sql).to_arrow_table())

    def splink_db(self):
        from splink import DuckDBAPI

        return DuckDBAPI(connection=self.con)

    def close(self) -> None:
        self.con.close()


class SparkEngine:
    """Runs on a caller's SparkSession; `workdir` holds the Parquet exchange and Splink's checkpoints,
    and is removed on `close` (Splink never cleans its checkpoint folder)."""

    dialect = "spark"

    def __init__(self, spark, workdir: Path):
        self.spark = spark
        self.workdir = Path(workdir) / f"run-{uuid.uuid4().hex[:8]}"
        self.workdir.mkdir(parents=True, exist_ok=True)
        spark.sparkContext.setCheckpointDir(str(self.workdir / "checkpoints"))

    def _read(self, name: str, path: Path) -> None:
        self.spark.read.parquet(str(path)).createOrReplaceTempView(name)

    def put(self, name: str, frame: pl.DataFrame) -> None:
        path = self.workdir / "in" / f"{name}.parquet"
        path.parent.mkdir(parents=True, exist_ok=True)
        frame.write_parquet(path)
        self._read(name, path)

    def run(self, name: str, sql: str) -> None:
        # Materialised as Parquet: cuts the lineage, as a DuckDB table would.
        path = self.workdir / "tables" / name
        self.spark.sql(sql).write.mode("overwrite").parquet(str(path))
        self._read(name, path)

    def view(self, name: str, sql: str) -> None:
        self.spark.sql(sql).createOrReplaceTempView(name)

    def get(self, sql: str) -> pl.DataFrame:
        path = self.workdir / "out" / uuid.uuid4().hex[:8]
        df = self.spark.sql(sql)
        df.write.parquet(str(path))
        parts = sorted(path.glob("*.parquet"))
        if not parts:  # an empty result may come without a part file
            return pl.from_arrow(df.limit(0).toArrow())
        return pl.read_parquet(parts)

    def splink_db(self):
        from splink.backends.spark import SparkAPI

        return SparkAPI(spark_session=self.spark)

    def close(self) -> None:
        for name in [t.name for t in self.spark.catalog.listTables() if t.isTemporary]:
            self.spark.catalog.dropTempView(name)
        shutil.rmtree(self.workdir, ignore_errors=True)


def spark_session(master: str = "local[2]", shuffle_partitions: int = 8, extra_conf: dict[str, str] | None = None):
    """A SparkSession with Splink's similarity functions (jaro_winkler, damerau_levenshtein) on its class path."""
    from pyspark.sql import SparkSession
    from splink.backends.spark import similarity_jar_location

    builder = (
        SparkSession.builder.master(master)
        .appName("crm-identity")
        .config("spark.jars", similarity_jar_location())
        .config("spark.sql.shuffle.partitions", str(shuffle_partitions))
        .config("spark.default.parallelism", str(shuffle_partitions))
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.session.timeZone", "UTC")
    )
    for key, value in (extra_conf or {}).items():
        builder = builder.config(key, value)
    return builder.getOrCreate()


def java_missing_reason() -> str | None:
    """Why Spark cannot start here, or None."""
    if shutil.which("java") is None and not _java_home():
        return "no Java runtime: `java` is not on PATH and JAVA_HOME is not set (Spark needs Java 17)"
    return None


def _java_home() -> bool:
    import os

    home = os.environ.get("JAVA_HOME")
    return bool(home) and (Path(home) / "bin" / "java").exists()
