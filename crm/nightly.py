"""`crm run`: the nightly job, headless and in-process, through the same Dagster definitions as the UI."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb

from crm import settings


@dataclass
class NightlySummary:
    dates_run: list[date] = field(default_factory=list)
    dates_skipped: list[date] = field(default_factory=list)
    dates_waiting: list[date] = field(default_factory=list)
    failed: date | None = None
    error: str = ""
    per_system: list[tuple] = field(default_factory=list)  # system, rows_read, staged, quarantined, re-sent
    customers: int | None = None
    published: Path | None = None
    latest: date | None = None

    @property
    def ok(self) -> bool:
        return self.failed is None

    def render(self) -> str:
        lines = []
        if self.dates_run:
            lines.append("business dates run: " + ", ".join(d.isoformat() for d in self.dates_run))
        if self.dates_skipped:
            lines.append(f"already published (skipped, use --rerun): {len(self.dates_skipped)} date(s)")
        if self.dates_waiting:
            lines.append(
                f"waiting: {len(self.dates_waiting)} later date(s) held back until an earlier delivery is complete"
            )
        if not self.dates_run and not self.failed:
            lines.append("nothing to run: no complete delivery newer than the last published date")
        if self.per_system:
            lines.append(f"{'system':<8} {'rows read':>12} {'staged':>12} {'quarantined':>12} {'re-sent':>12}")
            for system, read, staged, quarantined, resent in self.per_system:
                lines.append(f"{system:<8} {read:>12,} {staged:>12,} {quarantined:>12,} {resent:>12,}")
        if self.customers is not None:
            lines.append(f"customers (single customer view, {self.latest}): {self.customers:,}")
        if self.published:
            lines.append(f"warehouse for analysts (open read-only): {self.published}")
        if self.failed:
            lines.append(f"FAILED on business date {self.failed}: {self.error}")
            lines.append("the last good version stays published; fix the delivery and rerun")
        return "\n".join(lines)


def published_dates(work_file: Path) -> set[date]:
    if not work_file.exists():
        return set()
    con = duckdb.connect(str(work_file), read_only=True)
    try:
        found = con.execute(
            "select count(*) from duckdb_tables() where schema_name = 'marts' and table_name = 'publication'"
        ).fetchall()[0][0]
        if not found:
            return set()
        return {r[0] for r in con.execute("select as_of_date from marts.publication").fetchall()}
    finally:
        con.close()


def _failure_message(result) -> str:
    for event in result.all_events:
        if event.is_step_failure:
            err = event.event_specific_data.error
            # The root cause carries the file/row/field message; Dagster wraps it.
            while err.cause is not None:
                err = err.cause
            return f"{event.step_key}: {err.message.strip()}"
    return "run failed"


def _instance():
    from dagster import DagsterInstance

    home = Path(os.environ.setdefault("DAGSTER_HOME", str(settings.DATA_DIR / "dagster_home")))
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists():
        config.write_text((Path(__file__).parents[1] / "pipelines" / "dagster.yaml").read_text(), encoding="utf-8")
    return DagsterInstance.get()


def dates_to_run(complete: list[date], pending: list[date], done: set[date],
                 as_of: date | None, rerun: bool) -> tuple[list[date], list[date], list[date]]:
    """Which complete dates to run, in order: (to run, skipped as published, waited for).

    Dates run in business-date order. A date some system has started but not finished
    delivering holds back every later date. A late delivery older than a published date is
    run, then every published date after it is rerun, so the result equals an in-order run.
    """
    wait_from = min(pending) if pending else None
    eligible = [d for d in complete if (as_of is None or d <= as_of) and (wait_from is None or d < wait_from)]
    waiting = [d for d in complete if wait_from is not None and d > wait_from and (as_of is None or d <= as_of)]
    late = [d for d in eligible if d not in done and any(p > d for p in done)]
    replay_from = min(late) if late else None
    todo, skipped = [], []
    for d in eligible:
        # --rerun with --as-of reruns that date only; without --as-of, every date.
        wanted = d not in done or (rerun and (as_of is None or d == as_of))
        if wanted or (replay_from is not None and d >= replay_from):
            todo.append(d)
        else:
            skipped.append(d)
    return todo, skipped, waiting


def run_nightly(as_of: date | None = None, rerun: bool = False, instance=None) -> NightlySummary:
    from models.ingest.control import complete_dates, pending_dates
    from pipelines.definitions import defs

    summary = NightlySummary()
    work = settings.work_path()
    landing = settings.landing_dir()
    todo, summary.dates_skipped, summary.dates_waiting = dates_to_run(
        complete_dates(landing), pending_dates(landing), published_dates(work), as_of, rerun
    )
    job = defs.resolve_job_def("nightly")
    instance = instance or _instance()
    for business_date in todo:
        print(f"[run] business date {business_date}", flush=True)
        try:
            result = job.execute_in_process(
                partition_key=business_date.isoformat(), instance=instance, raise_on_error=False
            )
            error = None if result.success else _failure_message(result)
        except Exception as exc:  # Dagster's own storage failed (e.g. disk full): still one clear line
            error = f"dagster run storage ({instance.root_directory}): {type(exc).__name__}: {exc}".splitlines()[0]
        if error:
            summary.failed, summary.error = business_date, error
            break
        summary.dates_run.append(business_date)
    _fill_figures(summary, work, settings.warehouse_path())
    return summary


def _fill_figures(summary: NightlySummary, work: Path, published: Path) -> None:
    if work.exists() and summary.dates_run:
        con = duckdb.connect(str(work), read_only=True)
        try:
            summary.per_system = con.execute(
                """
                select system, sum(rows_read), sum(rows_staged), sum(rows_quarantined),
                    coalesce(sum(rows_resent), 0)
                from ingest.delivery_log where business_date in (select unnest($dates))
                group by system order by system
                """,
                {"dates": summary.dates_run},
            ).fetchall()
        finally:
            con.close()
    if published.exists():
        con = duckdb.connect(str(published), read_only=True)
        try:
            summary.customers, summary.latest = con.execute(
                "select count(*), max(as_of_date) from crm.customer"
            ).fetchall()[0]
            summary.published = published
        finally:
            con.close()
