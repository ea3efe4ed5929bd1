"""Publication: build the analyst file aside from the work file, then swap it in atomically.

The new file starts as a copy of the current one and takes tonight's version of each output: a
night costs a file copy plus tonight's rows, not a re-insert of every night already published.

DuckDB allows one writer per file and a reader in another process conflicts with it, so
analysts never open the work file. They open the published file, which only ever changes by
`os.replace`: a reader keeps the version it opened, the next open sees the new one, and a
failed night leaves the last good version in place.
"""

from __future__ import annotations

import os
import shutil
from datetime import date
from pathlib import Path

import duckdb

from models import catalogue
from models.warehouse import ident, query, replace_date_rows, run_script


def published_dates(path: Path) -> set[date]:
    """Business dates published, read from the analyst file (`crm.publication`: the sensor, as a run may
    hold the work file) or the work file (`marts.publication`: `crm run`, under its run lock). Both
    say the same: a date is recorded in the work file only after its analyst file is swapped in."""
    if not path.exists():
        return set()
    con = duckdb.connect(str(path), read_only=True)
    try:
        schemas = {r[0] for r in query(con, "publish/publication_schemas")}
        schema = "crm" if "crm" in schemas else "marts" if "marts" in schemas else None
        if schema is None:
            return set()
        return {r[0] for r in query(con, "publish/published_dates", {"publication": f"{schema}.publication"})}
    finally:
        con.close()


# Analyst file table <- work-file table (schema marts unless named). Nothing from staging or quarantine,
# and from identity only the id events (ids and dates, no personal data).
PUBLISHED_TABLES = {
    "customer_id_event": "identity.id_event",
    "publication": "publication",
    "customer_history": "customer_history",
    "customer_source_history": "customer_source_history",
    "contribution_monthly": "contribution_monthly",
    "value_tier_history": "value_tier_history",
    "tier_migration": "tier_migration",
    "churn_risk_history": "churn_risk_history",
    "churn_model_version": "churn_model_version",
    "churn_calibration": "churn_calibration",
    "lifetime_value_history": "lifetime_value_history",
    "retention_priority_history": "retention_priority_history",
    "product_holding_history": "product_holding",
    "customer_lifecycle_history": "customer_lifecycle_history",
    "customer_lifecycle_monthly": "customer_lifecycle_monthly",
    "next_best_product_history": "next_best_product_history",
    "next_best_product_model": "next_best_product_model",
    "data_quality_history": "data_quality_history",
    "quarantine_reason_history": "quarantine_reason_history",
    "output_status": "output_status",
}


def record_publication(con: duckdb.DuckDBPyConnection, as_of: date, run_id: str) -> None:
    """Mark `as_of` published (after its analyst file was swapped in), with the digests of the history rows
    that file took, which let the next night scrub only what changed (publish_versions)."""
    replace_date_rows(con, "marts.publication", "as_of_date", as_of, "publish/publication", as_of=as_of, run_id=run_id)
    record_digests(con, as_of, run_id)


def record_digests(con: duckdb.DuckDBPyConnection, as_of: date, run_id: str) -> None:
    """The digests left by this connection's last build of the analyst file (none: nothing to record)."""
    if not query(con, "publish/temp_table_exists", table_name="publication_digest_tonight")[0][0]:
        return
    run_script(con, "publish/publication_table")
    replace_date_rows(
        con, "marts.publication_digest", "as_of_date", as_of, "publish/publication_digest", as_of=as_of, run_id=run_id
    )


# The night's snapshot tables (sql/publish/customer_snapshot.sql) and the history each replaces its date in.
SNAPSHOTS = {
    "customer_tonight": "marts.customer_history",
    "source_tonight": "marts.customer_source_history",
    "quality_tonight": "marts.data_quality_history",
    "reasons_tonight": "marts.quarantine_reason_history",
}


def snapshot_customers(con: duckdb.DuckDBPyConnection, as_of: date) -> None:
    """The single customer view, its source links and the night's data quality into their histories."""
    run_script(con, "publish/customer_snapshot", as_of=as_of)
    for rows, table in SNAPSHOTS.items():
        replace_date_rows(con, table, "as_of_date", as_of, rows=rows)


def _tables(con: duckdb.DuckDBPyConnection, database: str, schema: str) -> set[str]:
    return {r[0] for r in query(con, "publish/schema_tables", database=database, schema=schema)}


def build_analyst_file(
    work: duckdb.DuckDBPyConnection, target: Path, as_of: date, run_id: str, previous: Path | None = None
) -> dict[str, int]:
    """Build the analyst file at `target`: the dates already published plus `as_of`.

    With `previous` (the file analysts read now), start from a copy of it and replace only
    tonight's version of each dated table: the night costs a file copy plus tonight's rows, not a
    re-insert of every past night. Undated tables, and any table whose columns changed, are rebuilt
    whole. Without it, every table is built from the work file. The work file records `as_of` as
    published only after the swap (`record_publication`).
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    target.unlink(missing_ok=True)
    if previous is not None and query(work, "publish/pii_key_changed")[0][0]:
        previous = None  # CRM_PII_KEY changed: every published date's hashes were redone, carry nothing over
    if previous is not None and Path(previous).is_file():
        shutil.copyfile(previous, target)
    work_db = work.execute("select current_database()").fetchall()[0][0]
    sources = {name: src if "." in src else f"marts.{src}" for name, src in PUBLISHED_TABLES.items()}
    present = {f"{schema}.{t}" for schema in ("marts", "identity") for t in _tables(work, work_db, schema)}
    missing = [src for src in sources.values() if src not in present]
    if missing:
        raise RuntimeError(f"cannot publish: work tables missing: {', '.join(missing)}")
    run_script(work, "publish/scrub")
    run_script(work, "publish/drop_table", {"table": "publication_digest_tonight"})  # a past build's digests
    work.execute("attach ? as pub", [str(target)])
    counts: dict[str, int] = {}
    try:
        work.execute("create schema if not exists pub.crm")
        carried = _tables(work, "pub", "crm")
        # The build the copied file comes from (its latest publication row), whose recorded digests say
        # which work rows its undated monthly tables hold.
        built_from = next(iter(query(work, "publish/built_from")), None) if "publication" in carried else None
        for name, source in sources.items():
            cols = work.execute(f"describe {source}").fetchall()
            names, select = {c[0] for c in cols}, scrubbed_select(cols)
            if name in VERSIONED:
                counts |= publish_versions(work, name, source, as_of, carried)
                continue
            day = next((c[0] for c in cols if c[0] in ("as_of_date", "business_date")), None)
            dated = day is not None and name != "publication"
            same_shape = name in carried and _shape(work, f"pub.crm.{name}") == [(c[0], c[1]) for c in cols]
            if not dated and "month" in names:
                publish_monthly(work, name, source, cols, built_from if same_shape else None)
            elif dated and same_shape:
                work.execute(
                    f"create or replace temp table pub_rows as select {select} from {source} where {day} = $as_of",
                    {"as_of": as_of},
                )
                replace_date_rows(work, f"pub.crm.{name}", day, as_of, rows="pub_rows")
            else:
                # Only dates that reached publication, and tonight's: a failed night's rows stay behind.
                where = f"where {day} in (select as_of_date from marts.publication) or {day} = $as_of" if dated else ""
                if query(work, "publish/view_exists", view=name)[0][0]:  # versioned before
                    history = {"history": f"pub.crm.{name}", "versions": f"pub.crm.{name}_versions"}
                    run_script(work, "publish/drop_history_view", history)
                run_script(work, "publish/drop_table", {"table": f"pub.crm.{name}"})
                work.execute("checkpoint pub")  # its blocks free before the new copy is written
                work.execute(
                    f"create table pub.crm.{name} as select {select} from {source} {where}",
                    {"as_of": as_of} if where else {},
                )
            if name == "publication":
                replace_date_rows(
                    work, "pub.crm.publication", "as_of_date", as_of, "publish/publication", as_of=as_of, run_id=run_id
                )
            counts[name] = query(work, "publish/row_count", {"relation": f"pub.crm.{name}"})[0][0]
        if query(work, "publish/temp_table_exists", table_name="publication_digest_tonight")[0][0]:
            run_script(work, "publish/digest_built_at", as_of=as_of)  # names this build among the file's
    finally:
        work.execute("detach pub")
    con = duckdb.connect(str(target))
    try:
        for name in VERSIONED:
            history_view(con, name)
        run_script(con, "publish/crm_views")
        catalogue.apply_comments(con)  # models/catalogue.yaml: every table, view and column
        con.execute("checkpoint")
    finally:
        con.close()
    return counts


# Per-customer histories of the analyst file, stored as versions (crm.<name>_versions): a key's row once
# per run of published dates over which it stayed the same (valid_from, up to valid_to exclusive; NULL:
# still current), so a night writes and the file keeps only what changed. crm.<name> stays what analysts
# query: a view (sql/publish/history_view.sql) giving every published date its rows. Table -> its key.
# Not value_tier_history nor retention_priority_history: nearly every row changes every night (daily
# interest, ranks), so versions would store as much and cost more; they keep a row per customer per date.
VERSIONED = catalogue.versioned()


def publish_versions(
    work: duckdb.DuckDBPyConnection, name: str, source: str, as_of: date, carried: set[str]
) -> dict[str, int]:
    """Tonight's rows of `source` into `pub.crm.<name>_versions` (the analyst file being built, attached as
    pub, with tonight in pub.crm.publication; `carried`: its tables). A carried versions table of the same
    layout is changed only for the keys whose row at `as_of` differs from the stored one: their versions
    next to `as_of` are cut around it, tonight's row put in, and touching equal pieces merged again, so a
    rerun of any date (the latest, or one with later dates published) replaces exactly that date's
    version. Otherwise the versions are rebuilt from every published date of `source`, by the same merge."""
    cols = work.execute(f"describe {source}").fetchall()
    select = scrubbed_select(cols)
    keys = VERSIONED[name]
    if cols[0][0] != "as_of_date":
        raise RuntimeError(f"cannot version {source}: as_of_date is not its first column")
    values = tuple(c[0] for c in cols[1:])
    vals = tuple(c for c in values if c not in keys)
    versions = f"pub.crm.{name}_versions"
    layout = {(c[0], c[1]) for c in cols[1:]} | {("valid_from", "DATE"), ("valid_to", "DATE")}
    incremental = f"{name}_versions" in carried and set(_shape(work, versions)) == layout
    night = {"keys": keys, "cols": tuple(c[0] for c in cols), "source": source}
    tonight, distinct, digest = query(work, "publish/night_digest", night, day=as_of)[0]
    if tonight != distinct:
        raise RuntimeError(f"cannot publish {source}: more than one row per {', '.join(keys)} and date")
    _clear_digests(work, name)
    work.execute("insert into publication_digest_tonight (table_name, digest) values (?, ?)", [name, digest])
    following = query(work, "publish/next_published_date", as_of=as_of)[0][0] if incremental else None
    previous = _unchanged_previous(work, name, night, as_of) if incremental and following is None else None
    if previous is not None:
        # Tonight is the latest date and the previous one's rows are still those published: only the keys
        # whose raw row moved since are scrubbed and compared (the costly part scales with what changed).
        slots = {"keys": keys, "vals": vals, "source": source}
        run_script(work, "publish/versions_changed_since", slots, day=as_of, previous=previous)
        work.execute(
            f"create or replace temp table pub_rows as select {select} from {source} "
            f"semi join version_changed using ({', '.join(ident(k) for k in keys)}) where as_of_date = $as_of",
            {"as_of": as_of},
        )
    else:
        where = "= $as_of" if incremental else "in (select as_of_date from pub.crm.publication)"
        work.execute(
            f"create or replace temp table pub_rows as select {select} from {source} where as_of_date {where}",
            {"as_of": as_of} if incremental else {},
        )
        if query(work, "publish/versions_duplicate_keys", {"keys": ("as_of_date", *keys), "rows": "pub_rows"})[0][0]:
            raise RuntimeError(f"cannot publish {source}: more than one row per {', '.join(keys)} and date")
    if incremental:
        if previous is None:
            slots = {"vals": vals, "versions": versions, "rows": "pub_rows", "keys": keys}
            run_script(work, "publish/versions_changed", slots, day=as_of)
        run_script(work, "publish/versions_touched", {"versions": versions, "keys": keys}, day=as_of, next=following)
        run_script(
            work,
            "publish/versions_pieces",
            {"cols": values, "rows": "pub_rows", "keys": keys},
            day=as_of,
            next=following,
        )
        run_script(work, "publish/versions_merge", {"keys": keys, "vals": vals})
        run_script(work, "publish/versions_apply", {"versions": versions})
    else:
        if name in carried:  # the layout before versions: a table per history
            run_script(work, "publish/drop_table", {"table": f"pub.crm.{name}"})
        run_script(
            work, "publish/versions_all_pieces", {"cols": values, "rows": "pub_rows", "dates": "pub.crm.publication"}
        )
        run_script(work, "publish/versions_merge", {"keys": keys, "vals": vals})
        run_script(work, "publish/versions_create", {"versions": versions, "cols": values})
    stored = query(work, "publish/row_count", {"relation": versions})[0][0]
    return {name: tonight, f"{name}_versions": stored}


def _unchanged_previous(work: duckdb.DuckDBPyConnection, name: str, night: dict, as_of: date) -> date | None:
    """The published date P before `as_of` (the latest) when the analyst file being built holds on `as_of` what
    it holds on P (no version starts or ends between) and the work file's rows of P still digest as recorded
    when that file took them (same run); else None: tonight's rows are compared whole."""
    previous = query(work, "publish/previous_published_date", as_of=as_of)[0][0]
    if previous is None:
        return None
    versions = {"versions": f"pub.crm.{name}_versions"}
    if query(work, "publish/versions_boundary_since", versions, previous=previous, day=as_of)[0][0]:
        return None
    work_db = work.execute("select current_database()").fetchall()[0][0]
    if "publication_digest" not in _tables(work, work_db, "marts"):
        return None
    digest = query(work, "publish/night_digest", night, day=previous)[0][2]
    return (
        previous if query(work, "publish/digest_matches", day=previous, table_name=name, digest=digest)[0][0] else None
    )


def _clear_digests(work: duckdb.DuckDBPyConnection, name: str) -> None:
    """Tonight's digest table, without any row of `name` an earlier attempt of this build left."""
    run_script(work, "publish/digest_tonight_table")
    work.execute("delete from publication_digest_tonight where table_name = ?", [name])


def publish_monthly(
    work: duckdb.DuckDBPyConnection, name: str, source: str, cols: list[tuple], built_from: tuple | None
) -> int:
    """An undated monthly table (a row per customer and month) into pub.crm.<name>. The copied analyst file
    keeps the months whose work rows digest as recorded for the build it comes from (`built_from`: its
    date, run and publication time; None: the table is not carried as is); only the other months are
    rewritten, so a night costs the months it changed, not the whole history. Without recorded digests the
    table is rebuilt whole. Tonight's digests are left for record_digests. Returns the months written."""
    _clear_digests(work, name)
    run_script(work, "publish/month_digests", {"cols": tuple(c[0] for c in cols), "source": source}, table_name=name)
    select = scrubbed_select(cols)
    if built_from is not None:
        run_script(work, "publish/publication_table")  # marts.publication_digest, read by months_changed
        day, run_id, built_at = built_from
        run_script(work, "publish/months_changed", table_name=name, day=day, run_id=run_id, built_at=built_at)
        if query(work, "publish/row_count", {"relation": "month_recorded"})[0][0]:
            work.execute(f"delete from pub.crm.{name} where month in (select month from month_changed)")
            work.execute(
                f"insert into pub.crm.{name} by name select {select} from {source} "
                "where month in (select month from month_changed)"
            )
            return query(work, "publish/row_count", {"relation": "month_changed"})[0][0]
    run_script(work, "publish/drop_table", {"table": f"pub.crm.{name}"})
    work.execute("checkpoint pub")  # its blocks free before the new copy is written
    work.execute(f"create table pub.crm.{name} as select {select} from {source}")
    return work.execute("select count(*) from publication_digest_tonight where table_name = ?", [name]).fetchall()[0][0]


def history_view(con: duckdb.DuckDBPyConnection, name: str) -> None:
    """crm.<name> over crm.<name>_versions (whose columns are in the work file's order)."""
    cols = tuple(c[0] for c in _shape(con, f"crm.{name}_versions") if c[0] not in ("valid_from", "valid_to"))
    run_script(
        con, "publish/history_view", {"history": f"crm.{name}", "cols": cols, "versions": f"crm.{name}_versions"}
    )


def scrubbed_select(cols: list[tuple]) -> str:
    """Select list that passes every text column through crm_scrub (sql/publish/scrub.sql), so no
    free text reaches schema crm unscrubbed, whatever columns a table gains. Our own hashes and
    masked forms are exempt; a nested type holding text is refused rather than let through."""
    out = []
    for name, dtype, *_ in cols:
        col = '"' + name.replace('"', '""') + '"'
        if name.endswith(("_hash", "_masked")) or "VARCHAR" not in dtype:
            out.append(col)
        elif dtype == "VARCHAR":
            out.append(f"crm_scrub({col}) as {col}")
        elif dtype == "VARCHAR[]":
            out.append(f"list_transform({col}, lambda x: crm_scrub(x)) as {col}")
        else:
            raise RuntimeError(f"cannot publish column {name} of type {dtype}: its text would not be scrubbed")
    return ", ".join(out)


def _shape(con: duckdb.DuckDBPyConnection, relation: str) -> list[tuple[str, str]]:
    return [(c[0], c[1]) for c in con.execute(f"describe {relation}").fetchall()]


def uncommented(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Tables, views and columns of schema crm without a comment (should be none)."""
    return sorted(r[0] for r in query(con, "publish/uncommented"))


def swap_in(built: Path, published: Path) -> None:
    """Atomically replace the analyst file; open readers keep the version they hold."""
    with open(built, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(built, published)
    dir_fd = os.open(published.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
