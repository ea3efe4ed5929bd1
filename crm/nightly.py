"""`crm run`: the nightly job, headless and in-process, through the same Dagster definitions as the UI."""

from __future__ import annotations

import os
import sys
import uuid
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb

from crm.runbar import RunBar
from models import settings

ROOT = Path(__file__).resolve().parents[1]

# Each failure class gets its own advice; the message itself names the step, file, line and field.
ADVICE = {
    "delivery": "the delivery is broken: have the source system fix and resend it, then rerun",
    "locked": "the warehouse is in use by another process (another run, or a read-write connection): "
    "wait for it or close it, then rerun",
    "interrupted": "the run was interrupted: nothing of that date was published; rerun to continue",
    "storage": "the warehouse's disk or folder refused a write (full, read-only, or not a folder): "
    "fix the storage, then rerun",
    "config": "a setting is missing or wrong: fix it, then rerun",
    "internal": "an unexpected error inside the pipeline: the Dagster run log has the traceback; report it",
}
EXIT_CODES = {"interrupted": 130, "locked": 75}


@dataclass
class NightlySummary:
    dates_run: list[date] = field(default_factory=list)
    dates_skipped: list[date] = field(default_factory=list)
    dates_waiting: list[date] = field(default_factory=list)
    failed: date | None = None
    error: str = ""
    error_kind: str = ""
    notices: list[str] = field(default_factory=list)  # folders/files ignored or skipped, and why
    per_system: list[tuple] = field(default_factory=list)  # system, rows_read, staged, quarantined, re-sent
    fields_nulled: int = 0  # bad optional party fields nulled in staged rows (counted apart from rows)
    customers: int | None = None
    published: Path | None = None
    latest: date | None = None
    not_computed: list[tuple] = field(default_factory=list)  # output, status, reason (latest published date)

    @property
    def ok(self) -> bool:
        return not self.error

    @property
    def exit_code(self) -> int:
        return 0 if self.ok else EXIT_CODES.get(self.error_kind, 1)

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
        if not self.dates_run and not self.error:
            lines.append("nothing to run: no complete delivery newer than the last published date")
        for notice in self.notices:
            lines.append(f"notice: {notice}")
        if self.per_system:
            lines.append(f"{'system':<8} {'rows read':>12} {'staged':>12} {'quarantined':>12} {'re-sent':>12}")
            for system, read, staged, quarantined, resent in self.per_system:
                lines.append(f"{system:<8} {read:>12,} {staged:>12,} {quarantined:>12,} {resent:>12,}")
        if self.fields_nulled:
            lines.append(f"party fields nulled (record staged, field noted in quarantine): {self.fields_nulled:,}")
        if self.customers is not None:
            lines.append(f"customers (single customer view, {self.latest}): {self.customers:,}")
        for output, status, reason in self.not_computed:
            lines.append(f"not computed on {self.latest}: {output} {status}: {reason}")
        if self.published:
            lines.append(f"warehouse for analysts (open read-only): {self.published}")
        if self.error:
            when = f"on business date {self.failed}" if self.failed else "before any business date ran"
            lines.append(f"FAILED {when}: {self.error}")
            lines.append(f"the last good version stays published; {ADVICE.get(self.error_kind, ADVICE['internal'])}")
        return "\n".join(lines)


_STORAGE_WORDS = (
    "read-only file system",
    "permission denied",
    "no space left",
    "disk i/o error",
    "file too large",
    "not a directory",
    "file exists",
    "disk quota",
)


def classify(chain: list[tuple[str, str]]) -> str:
    """Failure class of an error chain [(exception class name, message), ...], outermost first."""
    names = {name for name, _ in chain}
    text = " ".join(msg for _, msg in chain).lower()
    if "DeliveryError" in names:
        return "delivery"
    if names & {"KeyboardInterrupt", "DagsterExecutionInterruptedError"}:
        return "interrupted"
    if "could not set lock" in text or "conflicting lock" in text or "RunLocked" in names:
        return "locked"
    if names & {"MissingPiiKey"} or "crm_pii_key" in text:
        return "config"
    if any(w in text for w in _STORAGE_WORDS) or names & {"PermissionError", "NotADirectoryError", "FileExistsError"}:
        return "storage"
    return "internal"


def _exception_chain(exc: BaseException) -> list[tuple[str, str]]:
    out, seen = [], set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        out.append((type(exc).__name__, str(exc)))
        exc = exc.__cause__ or exc.__context__
    return out


def _failure(result) -> tuple[str, str]:
    """(class, message) of a failed Dagster run: the root cause names file, row and field."""
    for event in result.all_events:
        if event.is_step_failure:
            err = event.event_specific_data.error
            chain = [(err.cls_name or "", err.message)]
            while err.cause is not None:
                err = err.cause
                chain.append((err.cls_name or "", err.message))
            return classify(chain), f"{event.step_key}: {err.message.strip()}"
    status = getattr(getattr(result, "dagster_run", None), "status", None)
    if status is not None and status.value == "CANCELED":
        return "interrupted", "run canceled"
    return "internal", f"run {result.run_id} failed"


def _instance():
    from dagster import DagsterInstance

    home = Path(os.environ.setdefault("DAGSTER_HOME", str(settings.DATA_DIR / "dagster_home")))
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists():
        config.write_text((ROOT / "pipelines" / "dagster.yaml").read_text(), encoding="utf-8")
    return DagsterInstance.get()


def run_nightly(
    as_of: date | None = None,
    rerun: bool = False,
    instance=None,
    full: bool = False,
    landing: Path | None = None,
    warehouse: Path | None = None,
) -> NightlySummary:
    """Run every complete, unpublished delivery up to `as_of`, in date order, one Dagster run per date.
    Never raises for a failed night: the summary says what failed, of which class, and what to do.
    `full` recomputes every customer in the incremental stages (same results, more time). `landing`
    and `warehouse` (the analyst file) override CRM_LANDING_DIR / CRM_WAREHOUSE through the runs'
    resource config, so the process environment is left as it was."""
    from crm.runlock import run_lock
    from pipelines.resources import Warehouse

    summary = NightlySummary()
    try:
        paths = {k: str(Path(v).resolve()) for k, v in (("landing_dir", landing), ("published", warehouse)) if v}
        wh = Warehouse(**paths)
        with run_lock(wh.work_path):
            _run_dates(summary, wh, paths, as_of, rerun, instance, full)
            _fill_figures(summary, wh)
    except KeyboardInterrupt:
        summary.error_kind, summary.error = "interrupted", summary.error or "interrupted (Ctrl-C)"
    except Exception as exc:  # noqa: BLE001 - every class gets a message and advice, never a bare traceback
        chain = _exception_chain(exc)
        summary.error_kind = classify(chain)
        summary.error = f"{type(exc).__name__}: {exc}".splitlines()[0]
    return summary


def _run_dates(
    summary: NightlySummary, wh, paths: dict, as_of: date | None, rerun: bool, instance, full: bool = False
) -> None:
    from models.ingest.control import delivery_dir, delivery_notices
    from models.ingest.landing import dates_to_run, scan_landing
    from models.ingest.layout import SYSTEMS
    from models.publish import published_dates
    from pipelines.partitions import add_business_dates, business_date_window

    landing = wh.landing
    state = scan_landing(landing, *business_date_window())
    summary.notices = list(state.notices)
    todo, summary.dates_skipped, summary.dates_waiting = dates_to_run(
        state.complete, state.pending, published_dates(wh.work_path), as_of, rerun
    )
    recon, origin = _code_location_job()  # once per crm run, not per date
    job = recon.get_definition()
    instance = instance or _instance()
    bar = _terminal()
    add_business_dates(instance, todo)
    for business_date in todo:
        if not bar:
            print(f"[run] business date {business_date}", flush=True)
        for system in SYSTEMS:
            summary.notices += delivery_notices(delivery_dir(landing, system, business_date))
        run_id = str(uuid.uuid4())
        try:
            with RunBar(instance, run_id, len(job.graph.nodes), str(business_date)) if bar else nullcontext():
                result = _execute(
                    instance, recon, origin, business_date, _run_config(full, quiet=bar, paths=paths), run_id
                )
            kind, error = ("", "") if result.success else _failure(result)
        except KeyboardInterrupt:
            kind, error = "interrupted", "interrupted (Ctrl-C)"
        except Exception as exc:  # Dagster's own storage failed (e.g. disk full): still one clear line
            kind = classify(_exception_chain(exc))
            error = f"dagster run storage ({instance.root_directory}): {type(exc).__name__}: {exc}".splitlines()[0]
        if error:
            summary.failed, summary.error, summary.error_kind = business_date, error, kind
            return
        summary.dates_run.append(business_date)


def _code_location_job():
    """The nightly job as workspace.yaml's code location serves it, and its origin there: runs created with
    that origin are runs of the code location (as the schedule's runs are), so the UI lists them on the
    job's timeline and can re-execute them."""
    from dagster._core.definitions.reconstruct import ReconstructableRepository
    from dagster._core.remote_origin import RemoteRepositoryOrigin
    from dagster._core.workspace.load import location_origins_from_yaml_paths

    (location,) = location_origins_from_yaml_paths([str(ROOT / "workspace.yaml")])
    recon = ReconstructableRepository.for_module(
        "pipelines.definitions", "defs", working_directory=str(ROOT)
    ).get_reconstructable_job("nightly")
    return recon, RemoteRepositoryOrigin(location, "__repository__").get_job_origin("nightly")


def _execute(instance, recon, origin, business_date: date, run_config: dict, run_id: str):
    """Run the nightly job for one date in this process, as a run of the code location."""
    from dagster._core.execution.api import execute_run

    job = recon.get_definition()
    run = instance.create_run_for_job(
        job,
        run_id=run_id,
        run_config=run_config,
        tags=job.get_tags_for_partition_key(business_date.isoformat(), None),
        remote_job_origin=origin,
        job_code_origin=recon.get_python_origin(),
    )
    return execute_run(recon, run, instance)


# The stages that compute only what changed since the last night unless told to recompute everything.
INCREMENTAL_ASSETS = (
    "contribution_monthly",
    "churn_features",
    "churn_risk",
    "lifetime_value",
    "product_holding",
    "customer_lifecycle",
    "next_best_product",
)


def _terminal() -> bool:
    # A bar on a terminal; the log lines (INFO) otherwise, as CI and the scheduler see them.
    return sys.stdout.isatty() and "CRM_LOG_LEVEL" not in os.environ


def _run_config(full: bool = False, quiet: bool = False, paths: dict | None = None) -> dict:
    config = _log_config()
    if paths:
        config["resources"] = {"warehouse": {"config": paths}}
    if quiet:  # the bar shows progress; warnings and errors still print
        config["loggers"]["console"]["config"]["log_level"] = "WARNING"
    if full:
        config["ops"] = {name: {"config": {"full": True}} for name in INCREMENTAL_ASSETS}
    return config


def _log_config() -> dict:
    # Dagster's console logger prints every event at DEBUG; a person running the job wants INFO.
    level = os.environ.get("CRM_LOG_LEVEL", "INFO").upper()
    return {"loggers": {"console": {"config": {"log_level": level}}}}


def _fill_figures(summary: NightlySummary, wh) -> None:
    # From the work file (ours, the run lock held): the analyst file may be held by an analyst's
    # read-write connection, and publication never needs to open it.
    work = wh.work_path
    if not work.exists():
        return
    con = duckdb.connect(str(work), read_only=True)
    try:
        tables = {r[0] for r in con.execute("select schema_name || '.' || table_name from duckdb_tables()").fetchall()}
        if summary.dates_run and "ingest.delivery_log" in tables:
            summary.per_system = con.execute(
                """
                select system, sum(rows_read), sum(rows_staged), sum(rows_quarantined),
                    coalesce(sum(rows_resent), 0)
                from ingest.delivery_log where business_date in (select unnest($dates))
                group by system order by system
                """,
                {"dates": summary.dates_run},
            ).fetchall()
            summary.fields_nulled = int(
                con.execute(
                    "select coalesce(sum(fields_nulled), 0) from ingest.delivery_log where business_date in (select unnest($dates))",
                    {"dates": summary.dates_run},
                ).fetchall()[0][0]
            )
        if {"marts.publication", "marts.customer_history"} <= tables:
            latest = con.execute("select max(as_of_date) from marts.publication").fetchall()[0][0]
            if latest is not None:
                summary.latest = latest
                summary.customers = con.execute(
                    "select count(*) from marts.customer_history where as_of_date = ?", [latest]
                ).fetchall()[0][0]
                if "marts.output_status" in tables:
                    summary.not_computed = con.execute(
                        "select output, status, reason from marts.output_status where status <> 'OK' "
                        "and as_of_date = ? order by output",
                        [latest],
                    ).fetchall()
    finally:
        con.close()
    published = wh.published_path
    if published.exists():
        summary.published = published
