"""The identity assets run through Dagster on a small hand-built warehouse."""

import datetime as dt

import duckdb
import polars as pl

from assets.identity import customer_id_per_source_record, identity_assets, identity_checks
from models.identity.golden import keyed_hash
from models.identity.idcard import check_char
from models.settings import DEMO_PII_KEY
from models.warehouse import run_script
from pipelines.resources import IdentityEngine, Warehouse
from tests.partitioned import materialize


def _party(n: int = 40) -> pl.DataFrame:
    rows = []
    for i in range(n):
        body = f"110105198{i % 10}0{1 + i % 9}1{i % 10}{100 + i:03d}"[:17]
        idno = body + check_char(body)
        born = dt.date(1980 + i % 10, 1 + i % 9, 10 + i % 10)
        for system in ("deposit", "card") if i % 2 else ("deposit",):
            rows.append(
                {
                    "system": system,
                    "source_key": f"{system[0]}{i}",
                    "name": "王伟" if i % 3 else "李娜",
                    "name_latin": None,
                    "id_type": "RESIDENT",
                    "id_no": idno,
                    "birth_date": born,
                    "gender": "M",
                    "phone": f"138{i:08d}",
                    "email": None,
                    "address": f"地址{i}",
                    "employer": None,
                    "nationality": None,
                    "since_date": None,
                    "first_seen": dt.date(2026, 1, 1),
                    "last_seen": dt.date(2026, 1, 1),
                }
            )
    return pl.DataFrame(rows)


def test_identity_assets_materialize(tmp_path, monkeypatch):
    monkeypatch.setenv("CRM_DEMO", "1")
    monkeypatch.setenv("CRM_IDENTITY_OVERRIDES", str(tmp_path / "none.csv"))
    wh = Warehouse(landing_dir=str(tmp_path / "landing"), published=str(tmp_path / "bank.duckdb"))
    party = _party()  # noqa: F841
    con = duckdb.connect(str(wh.work_path))
    run_script(con, "ingest/create_tables")  # the staging tables ingestion creates
    con.execute("insert into staging.party by name select * from party")
    con.close()

    result = materialize(
        [*identity_assets, *identity_checks],
        resources={"warehouse": wh, "identity_engine": IdentityEngine()},
        partition_key="2026-01-01",
    )
    assert result.success
    checks = result.get_asset_check_evaluations()
    assert [c.passed for c in checks] == [True]
    meta = result.asset_materializations_for_node("customer_resolution")[0].metadata
    assert meta["records"].value == 60 and meta["customers"].value == 40
    assert meta["mode"].value == "full"

    con = duckdb.connect(str(wh.work_path), read_only=True)
    golden = con.sql("select id_no, id_masked, id_hash, phone_masked from identity.customer_golden").fetchall()
    con.close()
    assert len(golden) == 40
    id_no, masked, hashed, phone_masked = golden[0]
    assert masked == id_no[:3] + "*" * 11 + id_no[-4:]
    assert hashed == keyed_hash(id_no, DEMO_PII_KEY.encode())
    assert phone_masked.startswith("138****")
    assert customer_id_per_source_record is identity_checks[0]
