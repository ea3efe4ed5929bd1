"""Load one system's delivery for one business date into staging, quarantine and the delivery log.

Steps per file: verify against `_CONTROL.json` and write a line-numbered UTF-8 copy (`scan`), read it
all-VARCHAR with DuckDB (`sql/ingest/read_file.sql`), parse into the canonical typed model
(`sql/ingest/parse_<file>.sql`), check pandera's rules in place as SQL compiled
from `quality/schemas.py` (`quality/schema_sql.py`), set failing rows
aside. Then everything of the delivery is written in ONE transaction: a failure leaves nothing
half-loaded.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Callable

import duckdb

from models import settings
from models.ingest.control import CONTROL, DeliveryError, delivery_dir, verify_delivery
from models.ingest.layout import FILES, MONEY, ROW_KEY, FileSpec, duplicate_reason
from models.ingest.scan import mask_fields, scan_file
from models.progress import Progress
from models.warehouse import ident, replace_date_rows, run_script
from quality.schema_sql import materialise_statement, validate_statements, whole_file_failure

# A file in which more than this share of rows fails is a broken delivery, not a few bad rows
# (e.g. a column whose values are all unparseable): stop rather than quarantine most of it.
MAX_QUARANTINE_SHARE = 0.5
MIN_ROWS_FOR_SHARE = 10
# A name column in which more than this share of the non-empty values are neither Chinese characters
# nor mostly Latin letters was decoded wrongly (mojibake): a broken delivery. Latin names are real
# (foreign holders, a bank's foreign branch), so only text that is neither stops the file; judged over
# non-empty values (fx name_local is often empty) and only from MIN_NAMES_FOR_SCRIPT of them.
MAX_IMPLAUSIBLE_NAME_SHARE = 0.5
MIN_NAMES_FOR_SCRIPT = 20
# Files in which no value starts or ends with whitespace skip the trim (sql/ingest/untrimmed.sql);
# off only in tests, which compare both ways.
SKIP_TRIM = True
# The only rejects DuckDB may make of a plain file; any other (a line over max_line_size) sends the
# file through the line-numbered copy instead.
_FIELD_COUNT_REJECTS = {"TOO MANY COLUMNS", "MISSING COLUMNS"}
# The delivered column behind staging.party.name, per system.
NAME_COLUMN = {"deposit": "cust_name", "card": "holder_name", "loan": "name", "fx": "name_local"}


@dataclass
class FileReport:
    file: str
    target: str
    rows_control: int
    rows_read: int
    rows_staged: int
    rows_quarantined: int
    sha256: str
    rows_resent: int = 0  # activity rows already staged from another delivery: counted once, not staged
    extra_columns: list[str] = field(default_factory=list)
    reasons: dict[str, int] = field(default_factory=dict)  # "field: reason" of the first failure -> rows
    fields_nulled: int = 0  # field notes on staged rows (not rows: those rows are staged)
    nulled: dict[str, int] = field(default_factory=dict)  # "field: reason" -> staged rows with it nulled


@dataclass
class DeliveryReport:
    system: str
    business_date: date
    kind: str
    encoding: str
    files: list[FileReport] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def rows_read(self) -> int:
        return sum(f.rows_read for f in self.files)

    @property
    def rows_staged(self) -> int:
        return sum(f.rows_staged for f in self.files)

    @property
    def rows_quarantined(self) -> int:
        return sum(f.rows_quarantined for f in self.files)

    @property
    def fields_nulled(self) -> int:
        return sum(f.fields_nulled for f in self.files)

    @property
    def rows_resent(self) -> int:
        return sum(f.rows_resent for f in self.files)


# Each file's own formats and codes into the staging model (they differ per system: one file each).
PARSE_SQL = {
    "deposit_customer.csv": "ingest/parse_deposit_customer",
    "deposit_account.csv": "ingest/parse_deposit_account",
    "deposit_balance.csv": "ingest/parse_deposit_balance",
    "card_holder.csv": "ingest/parse_card_holder",
    "card_account.csv": "ingest/parse_card_account",
    "card_txn.csv": "ingest/parse_card_txn",
    "loan_borrower.csv": "ingest/parse_loan_borrower",
    "loan_contract.csv": "ingest/parse_loan_contract",
    "loan_balance.csv": "ingest/parse_loan_balance",
    "fx_client.csv": "ingest/parse_fx_client",
    "fx_deal.csv": "ingest/parse_fx_deal",
}


def ensure_tables(con: duckdb.DuckDBPyConnection) -> None:
    run_script(con, "ingest/create_tables")


def ingest_delivery(
    con: duckdb.DuckDBPyConnection,
    landing: Path,
    system: str,
    business_date: date,
    *,
    log: Callable[[str], None] | None = None,
    scratch_dir: Path | None = None,
    max_quarantine_share: float = MAX_QUARANTINE_SHARE,
    only_targets: set[str] | None = None,
) -> DeliveryReport:
    """Load `<landing>/<system>/<YYYYMMDD>/` (must be complete) and return what was read/staged/quarantined.
    Every file is verified; `only_targets` (e.g. {"party"} for the identity benchmark) limits which
    staging tables are loaded."""
    from quality.schemas import FIELD_LEVEL, staging_schema

    say = log or (lambda _msg: None)
    if system not in FILES:
        raise ValueError(f"unknown system {system!r}")
    delivery = delivery_dir(landing, system, business_date)
    if not (delivery / CONTROL).is_file():
        state = "has no _CONTROL.json (incomplete)" if delivery.is_dir() else "does not exist"
        raise DeliveryError(f"{system} {business_date:%Y%m%d}: no complete delivery: {delivery} {state}")
    if scratch_dir is not None:
        Path(scratch_dir).mkdir(parents=True, exist_ok=True)
        # Left by a killed run (the single writer holds the warehouse, so none is in use now).
        for stale in Path(scratch_dir).glob(f"ingest_{system}_*"):
            shutil.rmtree(stale, ignore_errors=True)
    seconds: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix=f"ingest_{system}_", dir=scratch_dir) as tmp:
        t0 = time.perf_counter()
        say(f"{system} {business_date}: verifying delivery against {CONTROL}")
        control, scans = verify_delivery(delivery, Path(tmp))
        seconds["verify_decode"] = round(time.perf_counter() - t0, 2)
        report = DeliveryReport(system, business_date, str(control["kind"]), str(control["encoding"]))

        ensure_tables(con)
        run_script(con, "ingest/macros")
        run_script(con, "ingest/field_macros")
        run_script(con, "ingest/begin_delivery")
        t1 = time.perf_counter()
        specs = [spec for spec in FILES[system] if only_targets is None or spec.target in only_targets]
        for spec in specs:
            ts = time.perf_counter()
            scan = scans[spec.name]
            entry = control["files"].get(spec.name) or {}
            # a line every 10 s on a long file; the line below closes it
            with Progress(log, f"{system} {spec.name}: validating", total=scan.rows, closing=False) as progress:
                _stage_file(
                    con,
                    system,
                    spec,
                    scan,
                    Path(tmp) / f"{spec.stem}.utf8.csv",
                    business_date,
                    delivery / spec.name,
                    report.encoding,
                    staging_schema,
                    FIELD_LEVEL.get(spec.target, ()),
                    progress,
                )
            fr = _file_report(con, system, business_date, spec, scan, entry)
            report.files.append(fr)
            say(
                f"{system} {spec.name}: {fr.rows_read} rows read, {fr.rows_staged} staged, "
                f"{fr.rows_quarantined} quarantined, {fr.rows_resent} re-sent, {fr.fields_nulled} fields nulled "
                f"({time.perf_counter() - ts:.1f}s)"
            )
            _check_share(system, business_date, fr, max_quarantine_share)
        seconds["parse_validate"] = round(time.perf_counter() - t1, 2)

    t2 = time.perf_counter()
    targets = []
    for spec in specs:
        if spec.target not in targets:
            targets.append(spec.target)
    con.execute("begin transaction")
    try:
        for target in targets:
            if target == "party":
                run_script(con, "ingest/write_party", business_date=business_date)
            elif target == "account":
                run_script(con, "ingest/write_account", business_date=business_date)
            else:  # activity rows: a (re-)sent delivery replaces its date, it never doubles
                replace_date_rows(
                    con,
                    f"staging.{target}",
                    "delivery_date",
                    business_date,
                    "ingest/activity_rows",
                    source=f"kept_{target}",
                    business_date=business_date,
                )
        # A re-sent delivery replaces this system's rows of its date.
        key = {"also": {"system": system}, "system": system, "business_date": business_date}
        replace_date_rows(con, "quarantine.rejected_row", "business_date", business_date, "ingest/rejected_rows", **key)
        replace_date_rows(
            con,
            "ingest.delivery_log",
            "business_date",
            business_date,
            "ingest/delivery_log_rows",
            kind=report.kind,
            **key,
        )
        replace_date_rows(con, "ingest.file_totals", "business_date", business_date, "ingest/file_totals_rows", **key)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    finally:
        for target in targets:  # an activity file's parsed rows, kept for the write above
            con.execute(f"drop table if exists {ident(f'kept_{target}')}")
    seconds["write"] = round(time.perf_counter() - t2, 2)
    report.seconds = seconds
    say(f"{system} {business_date}: committed ({seconds})")
    return report


def _stage_file(
    con,
    system: str,
    spec: FileSpec,
    scan,
    utf8_path: Path,
    business_date: date,
    source: Path,
    encoding: str,
    staging_schema,
    field_level: tuple[str, ...] = (),
    progress: Progress | None = None,
) -> None:
    """Read, parse and validate one file: its good rows into `new_<target>` (a snapshot file) or kept as
    `kept_<target>` for the write (an activity file), its failures into `new_rejected`.

    A parse step that emits `__nulled` (party files) keeps rows whose optional fields failed: those
    fields are NULL and each failure becomes a 'field_nulled' note; pandera failures of the
    `field_level` columns are handled the same way."""
    passing = progress.phase if progress is not None else lambda label, con: None
    run_script(con, "ingest/macros")
    if SKIP_TRIM and not scan.edge_space:
        run_script(con, "ingest/untrimmed")
    schema = staging_schema(spec.target, business_date)
    gaps: list[int] = []
    if scan.plain:
        _drop_raw_file(con)
        run_script(con, "ingest/read_plain", path=str(scan.read_path), columns={h: "VARCHAR" for h in scan.header})
        passing("parsing", con)
        parse = _parse(con, spec, schema, field_level)
        direct = _plain_rejects(con, spec, scan)
        if direct is None:  # DuckDB read the file otherwise than the csv module: the line-numbered copy decides
            scan = scan_file(source, system, spec, encoding, utf8_path)
        else:
            bad_rows, gaps = direct
            scan = replace(scan, bad_rows=bad_rows)
    if not scan.plain:
        _drop_raw_file(con)
        columns = {"__line": "BIGINT", **{h: "VARCHAR" for h in scan.header}}
        passing("reading", con)
        run_script(con, "ingest/read_file", path=str(utf8_path), columns=columns)
        passing("parsing", con)
        parse = _parse(con, spec, schema, field_level)
    field_level, broken, pending = parse
    has_notes = "__nulled" in {c[0] for c in con.execute("describe parsed").fetchall()}
    if spec.target == "party":
        _check_name_script(con, system, business_date, spec)

    if broken and con.execute("select count(*) from parsed where len(__errors) = 0").fetchall()[0][0]:
        raise DeliveryError(
            f"{system} {business_date:%Y%m%d} {spec.name}: column {broken[0]} fails schema check {broken[1]} "
            "for the whole file"
        )
    if pending:
        passing("checking", con)
        for statement in validate_statements(schema, field_level):
            con.execute(statement)
    # Snapshots and activity files alike name each key once; activity rows already staged from
    # another delivery are re-sent, counted once.
    keys = ROW_KEY[spec.target]
    passing("deduplicating", con)
    run_script(con, "ingest/dedupe", {"keys": keys}, reason=duplicate_reason(spec.target))
    if not spec.snapshot:
        staging = f"staging.{spec.target}"
        run_script(con, "ingest/resent", {"staging": staging, "keys": keys}, business_date=business_date)
    _fill_missing_raw(con, spec, has_notes)
    passing("collecting", con)
    if spec.snapshot:  # an activity file's rows stay in `parsed`, renamed below: not copied again
        run_script(con, "ingest/collect", {"new_rows": f"new_{spec.target}"})
    run_script(con, "ingest/collect_rejects", file=spec.name)
    if has_notes:
        run_script(con, "ingest/collect_field_notes", file=spec.name)
    if gaps:
        run_script(con, "ingest/line_gaps", file=spec.name, gaps=gaps)

    # Rows the CSV layer set aside: wrong field count (scan) or quoting DuckDB refused (rejects).
    extra = [(spec.name, line, fld, reason, raw) for line, fld, reason, raw in scan.bad_rows]
    for csv_line, error_type in con.execute("select csv_line, error_type from raw_rejects").fetchall():
        line_txt, _, rest = (csv_line or "").partition(",")
        extra.append(
            (
                spec.name,
                int(line_txt) if line_txt.isdigit() else None,
                "*",
                f"malformed: {str(error_type).lower()}",
                None,
            )
        )
    if extra:
        con.executemany("insert into new_rejected (file, line, field, reason, raw_line) values (?, ?, ?, ?, ?)", extra)
    staged, rejected, resent = con.execute(
        "select count(*) filter (where len(__errors) = 0 and not __resent), "
        "count(*) filter (where len(__errors) > 0), count(*) filter (where __resent) from parsed"
    ).fetchall()[0]
    nulled = con.execute(
        "select count(*) from new_rejected where file = ? and action = 'field_nulled'", [spec.name]
    ).fetchall()[0][0]
    con.execute(
        "insert into new_file_stats (file, rows_control, rows_read, rows_staged, rows_quarantined, sha256, "
        "rows_resent, fields_nulled) values (?, ?, ?, ?, ?, ?, ?, ?)",
        [spec.name, None, scan.rows, staged, rejected + len(extra), None, resent, nulled],
    )
    if not spec.snapshot:
        money = MONEY[spec.target]
        run_script(con, "ingest/totals", {"money": money}, file=spec.name, rows_read=scan.rows, measures=list(money))
        kept = ident(f"kept_{spec.target}")
        con.execute(f"drop table if exists {kept}")
        con.execute(f"alter table parsed rename to {kept}")


def _drop_raw_file(con) -> None:
    """The previous file's raw_file and DuckDB's rejects of it."""
    for kind in ("view", "table"):  # raw_file is a view of a plain file, a table of a copy
        try:
            con.execute(f"drop {kind} if exists raw_file")
        except duckdb.CatalogException:
            pass
    con.execute("drop table if exists raw_rejects")
    con.execute("drop table if exists raw_reject_scans")


def _parse(con, spec: FileSpec, schema, field_level: tuple[str, ...]) -> tuple[tuple[str, ...], tuple | None, bool]:
    """The file's parse (sql/ingest/parse_<file>.sql, a view of raw_file) materialised once as `parsed`.
    pandera's rules (quality/schemas.py) compiled to SQL are checked in that same pass when they are all
    row rules and the parsed columns fit the schema. Returns the field-level columns (none when the parse
    keeps no field notes), the whole-file failure if any, and whether the rules are still to be checked."""
    run_script(con, PARSE_SQL[spec.name])
    types = {name: str(kind) for name, kind, *_ in con.execute("describe parsed_rows").fetchall()}
    if "__nulled" not in types:
        field_level = ()
    broken = whole_file_failure(schema, types)
    fold = not field_level and broken is None
    con.execute(materialise_statement(schema if fold else None))
    return field_level, broken, not fold


def _plain_rejects(con, spec: FileSpec, scan) -> tuple[list, list[int]] | None:
    """After a plain file was parsed straight from its delivered bytes (sql/ingest/read_plain.sql): the
    rows with a wrong field count as the scan would set them aside (physical line, reason, masked raw
    line) and the line gaps they leave (sql/ingest/line_gaps.sql), or None when DuckDB read the file
    otherwise than the csv module would (a line too long, a blank line): then `parsed` is dropped."""
    rejects = con.execute(
        "select line, any_value(error_type), any_value(csv_line) from raw_rejects group by line order by line"
    ).fetchall()
    kept = con.execute("select count(*) from parsed").fetchall()[0][0]
    if any(kind not in _FIELD_COUNT_REJECTS for _, kind, _ in rejects) or kept + len(rejects) != scan.rows:
        con.execute("drop table parsed")
        return None
    run_script(con, "ingest/read_plain_again")
    ncols = len(scan.header)
    bad_rows, gaps = [], []
    for j, (line, _, raw) in enumerate(rejects, start=1):
        values = raw.split(",")
        reason = f"field_count: {len(values)} fields, header has {ncols}"
        bad_rows.append((line, "*", reason, mask_fields(values, scan.header, spec.pii)))
        gaps.append(line - j)
    con.execute("delete from raw_rejects")
    return bad_rows, gaps


def _check_name_script(con, system: str, business_date: date, spec: FileSpec) -> None:
    """Blocking: the name column must hold Chinese characters in most of its non-empty values."""
    names, bad = con.execute(settings.sql_text("ingest/name_script")).fetchall()[0]
    if names >= MIN_NAMES_FOR_SCRIPT and bad > MAX_IMPLAUSIBLE_NAME_SHARE * names:
        raise DeliveryError(
            f"{system} {business_date:%Y%m%d} {spec.name}: column {NAME_COLUMN[system]}: {bad} of {names} "
            f"non-empty names ({bad / names:.0%}) are neither Chinese characters nor Latin letters, at most "
            f"{MAX_IMPLAUSIBLE_NAME_SHARE:.0%} allowed: implausible decoded text (wrong encoding?)"
        )


def _fill_missing_raw(con, spec: FileSpec, has_notes: bool = False) -> None:
    """Rows rejected only by pandera or the duplicate check (or with a field nulled by pandera) have no
    __raw yet: rebuild it from raw_file with ID/phone fields masked (never the raw values)."""
    noted = "(len(__errors) > 0 or len(__nulled) > 0)" if has_notes else "len(__errors) > 0"
    n = con.execute(f"select count(*) from parsed where {noted} and __raw is null").fetchall()[0][0]
    if not n:
        return
    parts = []
    for c in spec.columns:
        ident = '"' + c.replace('"', '""') + '"'
        parts.append(f"m(raw_file.{ident})" if c in spec.pii else f"q(raw_file.{ident})")
    expr = "concat_ws(',', " + ", ".join(parts) + ")"
    # Identifiers come from the fixed layout (models/ingest/layout.py), never from the delivery.
    noted = "(len(parsed.__errors) > 0 or len(parsed.__nulled) > 0)" if has_notes else "len(parsed.__errors) > 0"
    con.execute(
        f"update parsed set __raw = {expr} from raw_file "
        f"where raw_file.__line = parsed.__line and {noted} and parsed.__raw is null"
    )


def _file_report(con, system: str, business_date: date, spec: FileSpec, scan, entry: dict) -> FileReport:
    staged, quarantined, resent = con.execute(
        "select rows_staged, rows_quarantined, rows_resent from new_file_stats where file = ?", [spec.name]
    ).fetchall()[0]
    if staged + quarantined + resent != scan.rows:
        raise DeliveryError(
            f"{system} {business_date:%Y%m%d} {spec.name}: {scan.rows} rows read but {staged} staged + "
            f"{quarantined} quarantined + {resent} re-sent (rows lost)"
        )
    rows_control = int(entry.get("rows", scan.rows))
    sha = str(entry.get("sha256", "")) or None
    con.execute("update new_file_stats set rows_control = ?, sha256 = ? where file = ?", [rows_control, sha, spec.name])
    reasons, nulled = Counter(), Counter()
    for action, first, n in con.execute(
        "select action, split_part(reason, '; ', 1), count(*) from new_rejected where file = ? group by all",
        [spec.name],
    ).fetchall():
        (nulled if action == "field_nulled" else reasons)[first] += n
    return FileReport(
        file=spec.name,
        target=spec.target,
        rows_control=rows_control,
        rows_read=scan.rows,
        rows_staged=staged,
        rows_quarantined=quarantined,
        sha256=sha or "",
        rows_resent=resent,
        extra_columns=list(scan.extra_columns),
        reasons=dict(reasons),
        fields_nulled=sum(nulled.values()),
        nulled=dict(nulled),
    )


def _check_share(system: str, business_date: date, fr: FileReport, share: float) -> None:
    too_many = fr.rows_read >= MIN_ROWS_FOR_SHARE and fr.rows_quarantined > share * fr.rows_read
    all_bad = fr.rows_read >= 2 and fr.rows_quarantined == fr.rows_read
    if too_many or all_bad:
        top = ", ".join(f"{r} ({n} rows)" for r, n in sorted(fr.reasons.items(), key=lambda kv: -kv[1])[:3])
        raise DeliveryError(
            f"{system} {business_date:%Y%m%d} {fr.file}: {fr.rows_quarantined} of {fr.rows_read} rows fail "
            f"validation (more than {share:.0%}): {top}"
        )
    # A field nulled in most rows is a changed format, not a few bad values: a broken delivery too.
    per_field = Counter()
    for reason, n in fr.nulled.items():
        per_field[reason.split(":", 1)[0]] += n
    for name, n in per_field.most_common():
        if (fr.rows_read >= MIN_ROWS_FOR_SHARE and n > share * fr.rows_read) or (
            fr.rows_read >= 2 and n == fr.rows_read
        ):
            top = ", ".join(f"{r} ({k} rows)" for r, k in fr.nulled.items() if r.split(":", 1)[0] == name)
            raise DeliveryError(
                f"{system} {business_date:%Y%m%d} {fr.file}: field {name} fails in {n} of {fr.rows_read} rows "
                f"(more than {share:.0%}): {top}"
            )
