"""Asset-check factories for the ingestion assets (the only quality module that imports dagster)."""

from datetime import date
from pathlib import Path

import dagster as dg

from models import settings
from models.warehouse import query
from pipelines.resources import Warehouse


def conservation_check(asset: dg.AssetsDefinition, system: str) -> dg.AssetChecksDefinition:
    """Blocking: for every file of the night's delivery, rows in control = rows read = rows staged +
    rows quarantined + rows re-sent (activity rows already staged from another delivery)."""

    @dg.asset_check(
        asset=asset,
        name=f"{system}_rows_conserved",
        blocking=True,
        description=f"Every row the {system} control file announces is staged, quarantined or re-sent (none lost, none doubled).",
    )
    def _check(context: dg.AssetCheckExecutionContext, warehouse: Warehouse) -> dg.AssetCheckResult:
        business_date = date.fromisoformat(context.partition_key)
        with warehouse.connect() as con:
            rows = query(con, "ingest/check_conservation", system=system, business_date=business_date)
        broken = [r for r in rows if r[1] != r[2] + r[3] + r[5] or r[1] != r[4]]
        return dg.AssetCheckResult(
            passed=bool(rows) and not broken,
            metadata={
                "files": len(rows),
                "files_not_conserved": dg.MetadataValue.json(
                    [
                        {"file": f, "control": c, "staged": s, "quarantined": q, "read": r, "resent": rs}
                        for f, c, s, q, r, rs in broken
                    ]
                ),
                "rows_control": sum(r[1] for r in rows),
                "rows_staged": sum(r[2] for r in rows),
                "rows_quarantined": sum(r[3] for r in rows),
                "rows_resent": sum(r[5] for r in rows),
            },
        )

    return _check


def reconciliation_check(asset: dg.AssetsDefinition, system: str) -> dg.AssetChecksDefinition:
    """Blocking: per activity file of the night, rows and each money column's sum in the file equal
    staged + quarantined + re-sent, and no activity id of the delivery is staged twice."""

    @dg.asset_check(
        asset=asset,
        name=f"{system}_reconciled",
        blocking=True,
        description=(
            f"Each {system} activity file reconciles with staging: rows and money sums of the file = staged + "
            "quarantined + re-sent, exactly; no activity id counted twice."
        ),
    )
    def _check(context: dg.AssetCheckExecutionContext, warehouse: Warehouse) -> dg.AssetCheckResult:
        from models.ingest.reconcile import describe, reconcile

        business_date = date.fromisoformat(context.partition_key)
        with warehouse.connect() as con:
            outcome = reconcile(con, system, business_date)
        problem = describe(system, business_date, outcome)
        return dg.AssetCheckResult(
            passed=not problem,
            description=problem or None,
            metadata={
                "measures_compared": outcome["measures"],
                "mismatches": dg.MetadataValue.json(outcome["mismatches"]),
                "ids_counted_twice": dg.MetadataValue.json(outcome["duplicates"]),
            },
        )

    return _check


def expectations_check(asset: dg.AssetsDefinition, system: str) -> dg.AssetChecksDefinition:
    """great-expectations suite on the system's staged rows of the night; WARN unless a critical
    expectation (keys present and unique) fails. Metadata links the data docs HTML."""

    @dg.asset_check(
        asset=asset,
        name=f"{system}_expectations",
        blocking=False,
        description=f"great-expectations suite on the {system} rows staged tonight (keys, amounts, dates, codes).",
    )
    def _check(context: dg.AssetCheckExecutionContext, warehouse: Warehouse) -> dg.AssetCheckResult:
        from quality.expectations import run_system_suite

        business_date = date.fromisoformat(context.partition_key)
        try:
            with warehouse.connect() as con:
                # one GX project per system: no two checks write the same GX config
                outcome = run_system_suite(con, system, business_date, settings.gx_dir(warehouse.work_path) / system)
        except Exception as e:  # GX trouble must not stop the night: report it as a warning
            context.log.warning(f"great-expectations suite for {system} could not run: {type(e).__name__}: {e}")
            return dg.AssetCheckResult(
                passed=False,
                severity=dg.AssetCheckSeverity.WARN,
                metadata={"error": f"{type(e).__name__}: {e}"},
            )
        severity = dg.AssetCheckSeverity.ERROR if outcome["critical_failed"] else dg.AssetCheckSeverity.WARN
        docs = outcome.get("docs_path")
        metadata = {
            "evaluated": outcome["evaluated"],
            "successful": outcome["successful"],
            "failed_expectations": dg.MetadataValue.json(outcome["failed"]),
            "rows_checked": dg.MetadataValue.json(outcome["rows"]),
        }
        if docs:
            metadata["data_docs"] = dg.MetadataValue.url(Path(docs).resolve().as_uri())
            metadata["data_docs_path"] = dg.MetadataValue.path(str(docs))
        return dg.AssetCheckResult(passed=outcome["success"], severity=severity, metadata=metadata)

    return _check
