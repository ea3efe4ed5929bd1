"""Each blocking check fails on a broken warehouse and stops what depends on it.

A copy of the healthy warehouse (fault kit) is broken in the one place the check guards, then the
check runs with one downstream asset in the same Dagster run: the check fails and the asset is not
materialised.
"""

from __future__ import annotations

import dagster as dg
import duckdb
import pytest

from assets.identity import customer_golden, customer_id_per_source_record, party_standardised
from assets.ingest import ingest_checks
from pipelines.definitions import defs
from pipelines.resources import default_resources
from tests.partitioned import materialize

INGEST = {next(iter(c.check_keys)).name: c for c in ingest_checks}

BREAKS = {
    # a file's staged count no longer adds up to what its control file announced
    "card_rows_conserved": (
        INGEST["card_rows_conserved"],
        party_standardised,
        "update ingest.delivery_log set rows_staged = rows_staged - 1 "
        "where system = 'card' and business_date = $d and file = 'card_txn.csv'",
    ),
    # a money sum staged for the night differs from the file's
    "deposit_reconciled": (
        INGEST["deposit_reconciled"],
        party_standardised,
        "update staging.deposit_balance set balance = balance + 1 "
        "where rowid = (select min(rowid) from staging.deposit_balance where delivery_date = $d)",
    ),
    # a source record lost its customer id
    "customer_id_per_source_record": (
        customer_id_per_source_record,
        customer_golden,
        "delete from identity.customer_map where rowid = (select min(rowid) from identity.customer_map)",
    ),
}


@pytest.mark.parametrize("check_name", sorted(BREAKS))
def test_blocking_check_fails_and_stops_downstream(case, check_name):
    check, downstream, breaking_sql = BREAKS[check_name]
    day = case["dates"][1]
    work = case["root"] / "wh" / "bank.work.duckdb"
    con = duckdb.connect(str(work))
    try:
        changed = con.execute(breaking_sql, {"d": day} if "$d" in breaking_sql else {}).fetchall()[0][0]
        assert changed == 1
    finally:
        con.close()
    selection = dg.AssetSelection.checks(check) | dg.AssetSelection.assets(downstream)
    result = materialize(
        [*defs.assets, *defs.asset_checks],
        selection=selection,
        partition_key=day.isoformat(),
        resources=default_resources(),
        raise_on_error=False,
    )
    evaluations = {e.check_name: e.passed for e in result.get_asset_check_evaluations()}
    assert evaluations == {check_name: False}
    assert not result.asset_materializations_for_node(downstream.op.name)
