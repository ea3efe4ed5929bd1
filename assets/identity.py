"""Identity resolution: one customer per real person across deposit, card, loan and fx."""

from datetime import date
from pathlib import Path

import dagster as dg

from models import settings
from models.identity.golden import write_golden
from models.identity.resolve import model_path_for, resolve_identities
from models.identity.standardise import standardise_into
from models.warehouse import query
from pipelines.partitions import daily_partitions
from pipelines.resources import IdentityEngine, Warehouse

EXTRACTS = ["deposit_extract", "card_extract", "loan_extract", "fx_extract"]
COMMON = dict(
    group_name="identity",
    partitions_def=daily_partitions,
    owners=["team:crm-data"],
    pool="duckdb",
)


class ResolutionConfig(dg.Config):
    """Run options; the defaults are what the nightly job uses."""

    mode: str = "auto"  # auto: incremental once a customer map exists; full: re-match every record
    retrain: bool = False  # re-estimate the match model (m/u weights) before matching
    overrides_path: str = ""  # reviewer overrides CSV; empty = CRM_IDENTITY_OVERRIDES or data/identity_overrides.csv
    threshold: float = 0.9  # match probability from which two records are the same person


@dg.asset(
    deps=[dg.AssetKey(k) for k in EXTRACTS],
    kinds={"duckdb", "polars"},
    tags={"pii": "true"},
    **COMMON,
)
def party_standardised(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
    """Every party record of the four systems with its identity fields in one comparable form.

    Resident ID numbers are checked (check character, region, embedded birth date) and old
    15-digit numbers upgraded to 18; names lose full-width characters, spaces and bracketed
    aliases and are read as pinyin (surnames with their surname reading), so the FX system's
    Latin-script names meet the Chinese ones in either order; phones become 11 digits.
    Restricted table `identity.party_std`.
    """
    business_date = date.fromisoformat(context.partition_key)
    with warehouse.connect() as con:
        counts = standardise_into(con, business_date)
    return dg.MaterializeResult(metadata=counts)


@dg.asset(
    deps=[party_standardised],
    kinds={"duckdb", "spark", "splink"},
    tags={"pii": "true"},
    **COMMON,
)
def customer_resolution(
    context: dg.AssetExecutionContext, config: ResolutionConfig, warehouse: Warehouse, identity_engine: IdentityEngine
) -> dg.MaterializeResult:
    """Which source records belong to the same person: the customer map behind the single customer view.

    Records sharing a valid resident ID, pinyin name and birth date are linked outright; the rest
    are scored by a trained Fellegi-Sunter model (Splink) that weighs name, birth date, ID, phone
    and sex and discounts common names. People with the same name and birth date but different
    valid IDs are never joined. Customer ids are kept from night to night; merges and splits are
    logged in `identity.id_event`; reviewer overrides (link/unlink) always win. After the first
    night only new and changed records are matched.
    """
    business_date = date.fromisoformat(context.partition_key)
    overrides = Path(config.overrides_path) if config.overrides_path else settings.identity_overrides_path()
    # On Spark the customer map is handed over as Parquet beside the work file, then loaded by DuckDB.
    map_parquet = warehouse.work_path.parent / "identity" / f"customer_map_{business_date:%Y%m%d}.parquet"
    with identity_engine.open(warehouse.work_path) as engine, warehouse.connect() as con:
        result = resolve_identities(
            con,
            business_date,
            model_path_for(warehouse.work_path),
            overrides_path=overrides,
            mode=config.mode,
            retrain=config.retrain,
            threshold=config.threshold,
            engine=engine,
            map_parquet=None if engine is None else map_parquet,
        )
    # Loaded into the warehouse: only the latest hand-over is kept (a full night's is every record).
    if engine is not None:
        for older in set(map_parquet.parent.glob("customer_map_*.parquet")) - {map_parquet}:
            older.unlink()
    context.log.info(
        f"{result.mode} resolution on {identity_engine.name}: {result.records} records ({result.dirty} matched tonight) "
        f"-> {result.customers} customers"
    )
    return dg.MaterializeResult(
        metadata={
            "mode": result.mode,
            "engine": identity_engine.name,
            "records": result.records,
            "records_matched_tonight": result.dirty,
            "customers": result.customers,
            "pairs_scored": result.pairs_scored,
            "match_rules": dg.MetadataValue.json(result.rule_counts),
            "merges": result.events.get("merge", 0),
            "splits": result.events.get("split", 0),
            "moves": result.events.get("move", 0),
            "model_trained_tonight": result.trained,
            "seconds": dg.MetadataValue.json(result.seconds),
        }
    )


@dg.asset_check(asset=customer_resolution, blocking=True)
def customer_id_per_source_record(warehouse: Warehouse) -> dg.AssetCheckResult:
    """Every source record has exactly one customer id (no record missing, none twice)."""
    with warehouse.connect() as con:
        missing, doubled, unassigned = query(con, "identity/check_customer_map")[0]
    return dg.AssetCheckResult(
        passed=missing == 0 and doubled == 0 and unassigned == 0,
        metadata={"records_missing": missing, "records_doubled": doubled, "records_without_id": unassigned},
    )


@dg.asset(
    deps=[customer_resolution],
    kinds={"duckdb", "sql"},
    tags={"pii": "true"},
    **COMMON,
)
def customer_golden(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
    """The golden record of each customer: the best value of every attribute across their records.

    Name, ID, birth date and sex come from a record whose valid ID agrees with them, then from the
    most trusted system (deposit > loan > card > fx), then the most recent; contact details from
    the most recent record that has them. Raw ID and phone stay in this restricted table, next to
    masked forms (first 3 and last 4 visible) and keyed hashes that analysts can join on.
    """
    business_date = date.fromisoformat(context.partition_key)
    with warehouse.connect() as con:
        counts = write_golden(con, business_date)
    if counts["pii_key_changed"]:
        context.log.warning(
            "CRM_PII_KEY changed since the last night: every id_hash and phone_hash, of "
            "tonight and of every published date, was recomputed with the new key"
        )
    return dg.MaterializeResult(metadata=counts)


identity_assets = [party_standardised, customer_resolution, customer_golden]
identity_checks = [customer_id_per_source_record]
