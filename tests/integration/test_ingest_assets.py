"""The four ingestion assets and their checks, materialised by Dagster on a tiny test delivery."""

from __future__ import annotations

import os
from datetime import date

import duckdb
import pytest

from assets.ingest import ingest_assets, ingest_checks
from pipelines.resources import Warehouse
from quality.expectations import run_system_suite
from tests.integration.ingest_fixtures import sample_files, write_delivery, write_sample_bank
from tests.partitioned import materialize

DAY = date(2026, 11, 20)


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.setenv("CRM_GX_DIR", str(tmp_path / "gx"))
    landing = tmp_path / "landing"
    write_sample_bank(landing, [DAY])
    files = sample_files("card", DAY)
    files["card_txn.csv"].append(["T009", "A001", "not a time", "1", "5411", "POS", "FEE"])
    write_delivery(landing, "card", DAY, files, kind="full")
    published = tmp_path / "wh" / "bank.duckdb"
    return {"landing": landing, "published": published, "tmp": tmp_path}


def test_materialise_the_four_assets(env):
    result = materialize(
        [*ingest_assets, *ingest_checks],
        partition_key=DAY.isoformat(),
        resources={"warehouse": Warehouse(landing_dir=str(env["landing"]), published=str(env["published"]))},
    )
    assert result.success
    evaluations = result.get_asset_check_evaluations()
    assert len(evaluations) == 12  # per system: conservation, reconciliation, great-expectations
    assert all(e.passed for e in evaluations), [(e.check_name, e.metadata) for e in evaluations if not e.passed]
    gx = [e for e in evaluations if e.check_name.endswith("_expectations")]
    assert all("data_docs" in e.metadata for e in gx)
    materialisations = [ev.event_specific_data.materialization for ev in result.get_asset_materialization_events()]
    meta = {m.asset_key.to_user_string(): m.metadata for m in materialisations}
    card = meta["card_extract"]
    assert card["rows_quarantined"].value == 1 and card["rows_resent"].value == 0
    assert card["rows_per_file"].value["card_txn.csv"] == {
        "read": 4,
        "staged": 3,
        "quarantined": 1,
        "resent": 0,
        "control": 4,
        "fields_nulled": 0,
    }
    assert card["quarantine_reasons"].value == {"card_txn.csv txn_time: unparseable date": 1}
    con = duckdb.connect(str(env["published"].with_name("bank.work.duckdb")), read_only=True)
    try:
        assert con.execute("select count(*) from ingest.delivery_log").fetchall() == [(11,)]
        assert con.execute("select system, count(*) from staging.party group by 1 order by 1").fetchall() == [
            ("card", 3),
            ("deposit", 4),
            ("fx", 2),
            ("loan", 3),
        ]
    finally:
        con.close()


def test_missing_delivery_fails_the_asset(env):
    (env["landing"] / "fx" / "20261120" / "_CONTROL.json").unlink()
    result = materialize(
        [*ingest_assets],
        selection=["fx_extract"],
        partition_key=DAY.isoformat(),
        resources={"warehouse": Warehouse(landing_dir=str(env["landing"]), published=str(env["published"]))},
        raise_on_error=False,
    )
    assert not result.success
    failure = result.get_step_failure_events()[0].event_specific_data.error
    assert "DeliveryError" in failure.to_string() and "fx 20261120" in failure.to_string()


# The great-expectations data docs of a night render that night's pages only: re-rendering every stored
# night's results made the check cost more each night.
NIGHTS = [date(2026, 10, 1), date(2026, 10, 2)]


def _staging(path):
    con = duckdb.connect(str(path))
    con.execute("create schema staging")
    con.execute(
        "create table staging.party (system varchar, source_key varchar, id_type varchar, gender varchar, "
        "birth_date date, first_seen date, last_seen date)"
    )
    con.execute(
        "create table staging.fx_deal (deal_id varchar, client_ref varchar, trade_date date, sell_amount double, "
        "buy_amount double, rate double, channel varchar, delivery_date date)"
    )
    for i, night in enumerate(NIGHTS):
        con.execute(
            "insert into staging.party values ('fx', ?, 'RESIDENT', 'F', date '1980-01-01', ?, ?)",
            [f"F{i}", night, night],
        )
        con.execute(
            "insert into staging.fx_deal values (?, ?, ?, 100, 14, 0.14, 'ONLINE', ?)",
            [f"D{i}", f"F{i}", night, night],
        )
    return con


def test_a_night_renders_its_own_pages_and_lists_every_night(tmp_path):
    con = _staging(tmp_path / "work.duckdb")
    gx_dir = tmp_path / "gx"
    try:
        first = run_system_suite(con, "fx", NIGHTS[0], gx_dir)
        site = gx_dir / "gx" / "uncommitted" / "data_docs" / "local_site" / "validations"
        pages = sorted(site.rglob("*.html"))
        assert len(pages) == 2 and first["successful"] == first["evaluated"] > 0  # party and fx_deal
        for page in pages:
            os.utime(page, ns=(10**18, 10**18))
        second = run_system_suite(con, "fx", NIGHTS[1], gx_dir)
    finally:
        con.close()
    assert all(page.stat().st_mtime_ns == 10**18 for page in pages)  # the first night's pages left alone
    assert len(sorted(site.rglob("*.html"))) == 4
    index = (gx_dir / "gx" / "uncommitted" / "data_docs" / "local_site" / "index.html").read_text()
    assert second["docs_path"].endswith("index.html")
    assert all(f"fx {night.isoformat()}" in index for night in NIGHTS)


def test_the_suite_checks_tonights_rows_not_a_sample_of_the_table(tmp_path):
    """A night's few rows beside a long history are all checked: the sample is of tonight's rows
    (DuckDB samples a FROM before its WHERE, so sampling the table kept ~1 in 6 of them here)."""
    con = _staging(tmp_path / "work.duckdb")
    history, tonight = date(2026, 9, 1), date(2026, 10, 3)
    try:
        # 1.2M earlier deals and parties of other systems: six times the suite's sample
        con.execute(
            "insert into staging.fx_deal select 'H' || i, 'F0', ?, 100, 14, 0.14, 'ONLINE', ? from range(1200000) t(i)",
            [history, history],
        )
        con.execute(
            "insert into staging.party select 'deposit', 'P' || i, 'RESIDENT', 'F', date '1980-01-01', ?, ? "
            "from range(1200000) t(i)",
            [history, tonight],
        )
        con.execute(
            "insert into staging.fx_deal select 'N' || i, 'F1', ?, if(i = 7, -5, 100), 14, 0.14, 'ONLINE', ? "
            "from range(40) t(i)",
            [tonight, tonight],
        )
        con.execute(
            "insert into staging.party select 'fx', 'T' || i, 'RESIDENT', 'F', date '1980-01-01', ?, ? "
            "from range(30) t(i)",
            [tonight, tonight],
        )
        out = run_system_suite(con, "fx", tonight, tmp_path / "gx")
    finally:
        con.close()
    assert out["rows"] == {"party": 30, "fx_deal": 40}
    assert [(f["table"], f["column"], f["unexpected"]) for f in out["failed"]] == [("fx_deal", "sell_amount", 1)]
