"""Ingestion: each source system's nightly delivery -> typed staging, quarantine and delivery log."""

from datetime import date

import dagster as dg

from models.ingest.control import delivery_dir, delivery_notices
from models.ingest.load import DeliveryReport, ingest_delivery
from pipelines.partitions import daily_partitions
from pipelines.resources import Warehouse
from quality.checks import conservation_check, expectations_check, reconciliation_check

COMMON = dict(
    group_name="ingest",
    partitions_def=daily_partitions,
    owners=["team:crm-data"],
    kinds={"duckdb", "polars"},
    pool="duckdb",
    tags={"pii": "true"},
)


def _load(context: dg.AssetExecutionContext, warehouse: Warehouse, system: str) -> dg.MaterializeResult:
    business_date = date.fromisoformat(context.partition_key)
    notices = delivery_notices(delivery_dir(warehouse.landing, system, business_date))
    for notice in notices:
        context.log.warning(notice)
    with warehouse.connect() as con:
        report = ingest_delivery(
            con,
            warehouse.landing,
            system,
            business_date,
            log=context.log.info,
            scratch_dir=warehouse.work_path.parent / "tmp",
        )
    return dg.MaterializeResult(metadata={**_metadata(report), "notices": dg.MetadataValue.json(notices)})


def _metadata(report: DeliveryReport) -> dict:
    per_file = {
        f.file: {
            "read": f.rows_read,
            "staged": f.rows_staged,
            "quarantined": f.rows_quarantined,
            "resent": f.rows_resent,
            "control": f.rows_control,
            "fields_nulled": f.fields_nulled,
        }
        for f in report.files
    }
    reasons = {f"{f.file} {r}": n for f in report.files for r, n in f.reasons.items()}
    nulled = {f"{f.file} {r}": n for f in report.files for r, n in f.nulled.items()}
    extra = {f.file: f.extra_columns for f in report.files if f.extra_columns}
    return {
        "kind": report.kind,
        "encoding": report.encoding,
        "rows_read": report.rows_read,
        "rows_staged": report.rows_staged,
        "rows_quarantined": report.rows_quarantined,
        "rows_resent": report.rows_resent,
        "rows_per_file": dg.MetadataValue.json(per_file),
        "quarantine_reasons": dg.MetadataValue.json(reasons),
        "fields_nulled": report.fields_nulled,  # party rows staged with a bad optional field nulled
        "fields_nulled_reasons": dg.MetadataValue.json(nulled),
        "extra_columns_ignored": dg.MetadataValue.json(extra),
        "seconds": dg.MetadataValue.json(report.seconds),
    }


@dg.asset(**COMMON)
def deposit_extract(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
    """The core-banking delivery of the night: customers, accounts and balances.

    GB18030 files are decoded strictly (a bad byte sequence stops the delivery), dates YYYYMMDD,
    certificate types A/B/C/Z -> RESIDENT/PASSPORT/PERMIT/OTHER, account status A/D/C ->
    ACTIVE/DORMANT/CLOSED. Customers and accounts are snapshots merged into `staging.party` /
    `staging.account`; balances replace the night's rows in `staging.deposit_balance`.
    Rows that do not parse or validate go to `quarantine.rejected_row` with line, field and reason.
    """
    return _load(context, warehouse, "deposit")


@dg.asset(**COMMON)
def card_extract(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
    """The card-management delivery of the night: holders, card accounts and transactions.

    UTF-8, ISO dates and datetimes, sex 男/女 -> M/F, ID type IDCARD -> RESIDENT. Holders and card
    accounts are merged snapshots; transactions replace the night's rows in `staging.card_txn`.
    """
    return _load(context, warehouse, "card")


@dg.asset(**COMMON)
def loan_extract(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
    """The credit-system delivery of the night: borrowers, contracts and balances.

    UTF-8, dates YYYY/MM/DD, id kind 1/2/9 -> RESIDENT/PASSPORT/OTHER, gender 1/2/0 -> M/F/unknown.
    Borrowers and contracts are merged snapshots; balances replace the night's `staging.loan_balance` rows.
    """
    return _load(context, warehouse, "loan")


@dg.asset(**COMMON)
def fx_extract(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
    """The treasury FX delivery of the night: clients and deals.

    UTF-8, dates DD/MM/YYYY, Latin-script names kept in `name_latin` (`name_local` -> `name`),
    document type NATIONAL_ID -> RESIDENT. Clients are a merged snapshot; deals replace the night's
    `staging.fx_deal` rows.
    """
    return _load(context, warehouse, "fx")


ingest_assets = [deposit_extract, card_extract, loan_extract, fx_extract]
_SYSTEMS = {"deposit": deposit_extract, "card": card_extract, "loan": loan_extract, "fx": fx_extract}
ingest_checks = [
    *[conservation_check(asset, system) for system, asset in _SYSTEMS.items()],
    *[reconciliation_check(asset, system) for system, asset in _SYSTEMS.items()],
    *[expectations_check(asset, system) for system, asset in _SYSTEMS.items()],
]
