"""great-expectations suite on each system's rows staged tonight (pandas datasource, file context).

GX is imported lazily: it takes seconds to import. A large night's rows are sampled (200,000 per table,
sql/ingest/gx_*.sql) so the check stays quick. The HTML data docs are built under the GX directory and their index
path is returned for the asset check's metadata.
"""

from __future__ import annotations

import logging
import os
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import duckdb

from models.ingest.layout import ROW_KEY, SNAPSHOT_TARGETS
from models.warehouse import execute

# table -> (staging table, key columns, rows of tonight's delivery)
TABLES = {
    "deposit": ["party", "account", "deposit_balance"],
    "card": ["party", "account", "card_txn"],
    "loan": ["party", "account", "loan_balance"],
    "fx": ["party", "fx_deal"],
}
KEYS = {
    "party": ["source_key"],
    "account": ["account_key", "source_key"],
    "deposit_balance": ["acct_no"],
    "loan_balance": ["contract_no"],
    "card_txn": ["txn_id", "card_acct_id"],
    "fx_deal": ["deal_id", "client_ref"],
}
# Tables whose row key (ROW_KEY of models/ingest/layout.py) must be unique among tonight's rows.
UNIQUE = ("party", "account", "card_txn", "fx_deal")
NON_NEGATIVE = {
    "account": ["credit_limit", "principal"],
    "deposit_balance": ["interest_rate"],
    "loan_balance": ["outstanding", "days_past_due", "interest_accrued"],
    "card_txn": ["amount"],
    "fx_deal": ["sell_amount", "buy_amount", "rate"],
}
DATES = {
    "party": ["birth_date"],
    "account": ["open_date"],
    "deposit_balance": ["balance_date"],
    "loan_balance": ["as_of"],
    "card_txn": ["txn_time"],
    "fx_deal": ["trade_date"],
}


def tonight_frame(con: duckdb.DuckDBPyConnection, system: str, table: str, business_date: date):
    """pandas frame of `staging.<table>` rows delivered by `system` on `business_date` (sampled)."""
    staging = f"staging.{table}"
    if table in SNAPSHOT_TARGETS:
        return execute(con, "ingest/gx_snapshot", {"table": staging}, system=system, business_date=business_date).df()
    return execute(con, "ingest/gx_activity", {"table": staging}, business_date=business_date).df()


def _suite_for(gx, table: str, business_date: date, frame):
    from quality.schemas import CARD_CHANNELS, FX_CHANNELS, ID_TYPES, PRODUCTS, STATUSES, TXN_TYPES

    E = gx.expectations
    out = []  # (expectation, critical)
    for k in KEYS[table]:
        out.append((E.ExpectColumnValuesToNotBeNull(column=k), True))
    if table in UNIQUE:
        cols = list(ROW_KEY[table])
        if len(cols) == 1:
            out.append((E.ExpectColumnValuesToBeUnique(column=cols[0]), True))
        else:
            out.append((E.ExpectCompoundColumnsToBeUnique(column_list=cols), True))
    for c in NON_NEGATIVE.get(table, []):
        out.append((E.ExpectColumnValuesToBeBetween(column=c, min_value=0), False))
    lo, hi = 19000101, int((business_date + timedelta(days=2)).strftime("%Y%m%d"))
    for c in DATES.get(table, []):
        # dates arrive as YYYYMMDD numbers (see run_system_suite)
        out.append((E.ExpectColumnValuesToBeBetween(column=c, min_value=lo, max_value=hi), False))
    sets = {
        "party": {"id_type": ID_TYPES, "gender": ["M", "F"]},
        "account": {"product": PRODUCTS, "status": STATUSES},
        "card_txn": {"channel": CARD_CHANNELS, "txn_type": TXN_TYPES},
        "fx_deal": {"channel": FX_CHANNELS},
    }.get(table, {})
    for c, values in sets.items():
        out.append((E.ExpectColumnValuesToBeInSet(column=c, value_set=list(values)), False))
    return out


def run_system_suite(con: duckdb.DuckDBPyConnection, system: str, business_date: date, gx_dir: Path) -> dict:
    """Validate tonight's staged rows of `system`; build data docs. Returns success, counts, docs path."""
    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    os.environ.setdefault("TQDM_DISABLE", "1")  # no progress bars in the run log
    import great_expectations as gx

    gx_dir = Path(gx_dir)
    gx_dir.mkdir(parents=True, exist_ok=True)
    context = gx.get_context(mode="file", project_root_dir=str(gx_dir))
    try:
        from great_expectations.data_context.types.base import ProgressBarsConfig

        context.variables.progress_bars = ProgressBarsConfig(globally=False)
    except Exception:  # cosmetic only
        pass
    source = _get_or_add(
        lambda: context.data_sources.get("staging_tonight"),
        lambda: context.data_sources.add_pandas(name="staging_tonight"),
    )
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.resource_identifiers import ExpectationSuiteIdentifier

    run_id = RunIdentifier(run_name=f"{system} {business_date.isoformat()}", run_time=datetime.now(timezone.utc))
    evaluated = successful = 0
    failed: list[dict] = []
    rows: dict[str, int] = {}
    critical_failed = False
    results = []
    for table in TABLES[system]:
        frame = tonight_frame(con, system, table, business_date)
        rows[table] = len(frame)
        for c in DATES.get(table, []):
            # as a YYYYMMDD number: GX compares numbers across engines without date parsing
            frame[c] = frame[c].dt.strftime("%Y%m%d").astype("float64")
        asset_name = f"{system}_{table}"
        asset = _get_or_add(lambda: source.get_asset(asset_name), lambda: source.add_dataframe_asset(name=asset_name))
        batch_def = _get_or_add(
            lambda: asset.get_batch_definition("whole"),
            lambda: asset.add_batch_definition_whole_dataframe("whole"),
        )
        suite_name = f"{system}_{table}_suite"
        try:
            context.suites.delete(suite_name)
        except Exception:
            pass
        suite = context.suites.add(gx.ExpectationSuite(name=suite_name))
        critical = {}
        for exp, is_critical in _suite_for(gx, table, business_date, frame):
            suite.add_expectation(exp)
            critical[exp.expectation_type + str(getattr(exp, "column", "") or getattr(exp, "column_list", ""))] = (
                is_critical
            )
        vd_name = f"{system}_{table}_tonight"
        try:
            context.validation_definitions.delete(vd_name)
        except Exception:
            pass
        vd = context.validation_definitions.add(gx.ValidationDefinition(name=vd_name, data=batch_def, suite=suite))
        result = vd.run(batch_parameters={"dataframe": frame}, run_id=run_id)
        results.append(result)
        for r in result.results:
            cfg = r.expectation_config
            col = cfg.kwargs.get("column") or cfg.kwargs.get("column_list") or ""
            evaluated += 1
            if r.success:
                successful += 1
            else:
                is_crit = critical.get(cfg.type + str(col), False)
                critical_failed |= is_crit
                failed.append(
                    {
                        "table": table,
                        "expectation": cfg.type,
                        "column": str(col),
                        "critical": is_crit,
                        "unexpected": (r.result or {}).get("unexpected_count"),
                    }
                )
    docs_path = None
    try:
        # Render tonight's pages only (the index still lists every night): rebuilding every stored night's
        # pages made the check cost more each night.
        tonight = [k for k in context.validation_results_store.list_keys() if k.run_id == run_id]
        tonight += [ExpectationSuiteIdentifier(name=f"{system}_{table}_suite") for table in TABLES[system]]
        context.build_data_docs(resource_identifiers=tonight)
        index = gx_dir / "gx" / "uncommitted" / "data_docs" / "local_site" / "index.html"
        if not index.exists():
            found = sorted(gx_dir.rglob("data_docs/**/index.html"))
            index = found[0] if found else None
        docs_path = str(index) if index else None
    except Exception:  # data docs are a convenience; the check result stands without them
        docs_path = None
    return {
        "success": not failed,
        "critical_failed": critical_failed,
        "evaluated": evaluated,
        "successful": successful,
        "failed": failed,
        "rows": rows,
        "docs_path": docs_path,
    }


def _get_or_add(get, add):
    try:
        return get()
    except Exception:
        return add()
