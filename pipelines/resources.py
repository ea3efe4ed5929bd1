"""The warehouse resource: one DuckDB work file written by one process (the in-process nightly job)."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import dagster as dg
import duckdb

from crm import settings


class Warehouse(dg.ConfigurableResource):
    """Where the nightly job reads deliveries and writes DuckDB.

    `published` is the analyst file; the job writes only the private work file beside it.
    Empty strings mean "from the environment / defaults" (see crm.settings).
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
        try:
            yield con
        finally:
            con.close()


def default_resources() -> dict[str, object]:
    # Paths resolve from CRM_LANDING_DIR / CRM_WAREHOUSE when a run uses them, not at load time.
    return {"warehouse": Warehouse()}
