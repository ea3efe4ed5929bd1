"""Resources: the warehouse (one DuckDB work file written by one process, the in-process nightly job)
and the engine identity resolution matches on (DuckDB in process, or Spark)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb

from models import settings
from models.progress import heartbeat


class Warehouse(dg.ConfigurableResource):
    """Where the nightly job reads deliveries and writes DuckDB.

    `published` is the analyst file; the job writes only the private work file beside it.
    Empty strings mean "from the environment / defaults" (see models.settings).
    """

    landing_dir: str = ""
    published: str = ""

    @property
    def landing(self) -> Path:
        return Path(self.landing_dir) if self.landing_dir else settings.landing_dir()

    @property
    def published_path(self) -> Path:
        return settings.checked_warehouse(Path(self.published)) if self.published else settings.warehouse_path()

    @property
    def work_path(self) -> Path:
        return settings.work_path(self.published_path)

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        path = self.work_path
        path.parent.mkdir(parents=True, exist_ok=True)
        con = duckdb.connect(str(path), config=settings.duckdb_config())
        log, step = _current_step()
        try:
            with heartbeat(log, step, con):
                yield con
        finally:
            con.close()


def _current_step() -> tuple[object | None, str]:
    """The log and name of the step (asset or check) opening the warehouse; (None, "") outside a run."""
    try:
        context = dg.OpExecutionContext.get()
    except dg.DagsterInvariantViolationError:  # the CLI, a bench or a test opening the warehouse
        return None, ""
    return context.log.info, context.op.name


class IdentityEngine(dg.ConfigurableResource):
    """Where identity resolution scores candidate pairs: `duckdb` (default, in process) or `spark`.

    On Spark the stage's input (standardised records, term frequencies) goes to Spark as Parquet under
    `exchange_dir`, the scored pairs come back as Parquet, and the customer map is written as Parquet
    that the warehouse loads; every later stage stays on DuckDB. Empty fields read the environment
    (CRM_IDENTITY_ENGINE, CRM_SPARK_MASTER, CRM_SPARK_SHUFFLE_PARTITIONS, CRM_SPARK_EXCHANGE_DIR,
    CRM_SPARK_CONF), so a deployment switches engines without code. Needs `pip install -e ".[spark]"`.
    """

    engine: str = ""  # duckdb | spark
    spark_master: str = ""  # local[N] or a cluster URL (spark://host:7077, yarn, k8s://...)
    shuffle_partitions: int = 0  # spark.sql.shuffle.partitions; 0 = CRM_SPARK_SHUFFLE_PARTITIONS or 8
    exchange_dir: str = ""  # Parquet hand-over and Splink checkpoints; a path driver and executors share
    spark_conf: str = ""  # JSON object of further Spark settings (memory, executors, ...)

    @property
    def name(self) -> str:
        name = (self.engine or settings.identity_engine()).strip().lower()
        if name not in ("duckdb", "spark"):
            raise ValueError(f"identity engine must be duckdb or spark, not {name!r} (CRM_IDENTITY_ENGINE)")
        return name

    def exchange_path(self, work_file: Path) -> Path:
        given = Path(self.exchange_dir) if self.exchange_dir else settings.spark_exchange_dir()
        return given or Path(work_file).parent / "spark"

    @contextmanager
    def open(self, work_file: Path) -> Iterator[object | None]:
        """The matching engine for one run (None: DuckDB in process). A Spark session is started for
        the run and stopped after it; its exchange folder is removed."""
        if self.name == "duckdb":
            yield None
            return
        from models.identity.engine import SparkEngine, java_missing_reason, spark_session

        try:
            import pyspark  # noqa: F401
        except ImportError as exc:
            raise RuntimeError('the spark identity engine needs pyspark: pip install -e ".[spark]"') from exc
        if java_missing_reason():
            raise RuntimeError(f"the spark identity engine cannot start: {java_missing_reason()}")
        master = self.spark_master or settings.spark_master()
        partitions = self.shuffle_partitions or settings.spark_shuffle_partitions()
        conf = json.loads(self.spark_conf) if self.spark_conf else settings.spark_conf()
        spark = spark_session(master, partitions, conf)
        engine = SparkEngine(spark, self.exchange_path(work_file))
        try:
            yield engine
        finally:
            engine.close()
            spark.stop()


def default_resources() -> dict[str, object]:
    # Paths resolve from CRM_LANDING_DIR / CRM_WAREHOUSE when a run uses them, not at load time.
    return {"warehouse": Warehouse(), "identity_engine": IdentityEngine()}
