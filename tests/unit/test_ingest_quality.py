"""pandera staging schemas and quarantine masking, on their own."""

from __future__ import annotations

from datetime import date

import polars as pl

from models.ingest.scan import mask_fields
from quality.schemas import failures, staging_schema
from tests.synthetic_ids import mobile, resident_id


def test_schema_collects_every_failure_with_row_index():
    frame = pl.DataFrame(
        {
            "txn_id": ["T1", "T2", "T3"],
            "card_acct_id": ["A1", "A1", None],
            "txn_time": [None, None, None],
            "amount": [1.0, -5.0, 2.0],
            "mcc": ["5411", "54", None],
            "channel": ["POS", "POS", "POS"],
            "txn_type": ["FEE", "FEE", "FEE"],
        },
        schema_overrides={"txn_time": pl.Datetime},
    )
    found = sorted(failures(staging_schema("card_txn", date(2026, 11, 20)), frame))
    assert [(i, c) for i, c, _ in found] == [(1, "amount"), (1, "mcc"), (2, "card_acct_id")]


def test_valid_party_rows_pass():
    frame = pl.DataFrame(
        {
            "source_key": ["C1"],
            "id_type": ["RESIDENT"],
            "birth_date": [date(1980, 1, 1)],
            "gender": [None],
            "nationality": ["CN"],
            "since_date": [None],
        },
        schema_overrides={"gender": pl.String, "since_date": pl.Date},
    )
    assert failures(staging_schema("party", date(2026, 11, 20)), frame) == []


def test_birth_date_after_business_date_fails():
    frame = pl.DataFrame(
        {
            "source_key": ["C1"],
            "id_type": [None],
            "birth_date": [date(2030, 1, 1)],
            "gender": [None],
            "nationality": [None],
            "since_date": [None],
        },
        schema_overrides={"id_type": pl.String, "gender": pl.String, "nationality": pl.String, "since_date": pl.Date},
    )
    assert [c for _, c, _ in failures(staging_schema("party", date(2026, 11, 20)), frame)] == ["birth_date"]


def test_masking_hides_ids_and_phones():
    header = ["holder_id", "holder_name", "id_number", "phone"]
    idno, phone = resident_id("110105", "19491231", "002").lower(), mobile("138", "12345678")
    assert (
        mask_fields(["H1", "张伟", idno, mobile("138", "12345678", "-")], header, ("id_number", "phone"))
        == "H1,张伟,***,***"
    )
    # wrong field count: positions unreliable, long digit runs masked anyway
    line = mask_fields(["H1", idno, "张伟", "x", phone], header, ("id_number", "phone"))
    assert idno[:17] not in line and phone not in line
