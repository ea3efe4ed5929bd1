"""Field-level quarantine of party records: a bad optional field is nulled and noted, the person is kept.

Keys missing still reject the row; rows_read = rows_staged + rows_quarantined counts rows, and the
nulled fields are counted apart (ingest.delivery_log.fields_nulled).
"""

from __future__ import annotations

from datetime import date

import duckdb
import pytest

from models.ingest.control import DeliveryError
from models.ingest.load import ingest_delivery
from tests.integration.ingest_fixtures import sample_files, write_delivery
from tests.synthetic_ids import mobile, resident_id

DAY = date(2026, 11, 20)


@pytest.fixture
def con(tmp_path):
    c = duckdb.connect(str(tmp_path / "w.duckdb"))
    yield c
    c.close()


def rows(con, sql, *params):
    return con.execute(sql, list(params)).fetchall()


def test_bad_birth_date_and_garbage_phone_are_nulled_not_rejected(tmp_path, con):
    files = sample_files("deposit", DAY)
    idno = resident_id("110105", "19900101", "123")
    good_phone = mobile("138", "00001111")
    files["deposit_customer.csv"] += [
        ["C101", "孙悟", "A", idno, "19901345", "M", good_phone, "北京市", "B01", "20200101"],  # line 6: birth date
        ["C102", "周通", "B", "E7654321", "19850505", "F", "call me maybe", "", "B02", "20210101"],  # line 7: phone
        ["C103", "吴用", "Q", "E1111111", "20300101", "X", "12", "", "B02", "2021-99-01"],  # line 8: five fields
        ["", "无键", "A", "E2222222", "19850505", "F", "", "", "B02", "20210101"],  # line 9: key missing
    ]
    write_delivery(tmp_path, "deposit", DAY, files, kind="full")
    rep = ingest_delivery(con, tmp_path, "deposit", DAY)

    party = {
        r[0]: r[1:]
        for r in rows(
            con,
            "select source_key, birth_date, phone, id_type, gender, since_date "
            "from staging.party where system = 'deposit'",
        )
    }
    assert party["C101"] == (None, good_phone, "RESIDENT", "M", date(2020, 1, 1))
    assert party["C102"] == (date(1985, 5, 5), None, "PASSPORT", "F", date(2021, 1, 1))
    # unknown cert type and gender codes, a future birth date (pandera) and a bad open date: all nulled
    assert party["C103"] == (None, None, None, None, None)

    notes = rows(
        con,
        "select line, field, reason, action, raw_line from quarantine.rejected_row "
        "where file = 'deposit_customer.csv' order by line, field",
    )
    by_line: dict[int, list] = {}
    for line, field, reason, action, raw in notes:
        by_line.setdefault(line, []).append((field, reason.split(":", 1)[1].strip(), action))
        assert idno not in raw and good_phone not in raw  # ID and phone never kept raw
    assert by_line[6] == [("birth_date", "unparseable date", "field_nulled")]
    assert by_line[7] == [("mobile_no", "not a phone number", "field_nulled")]
    assert sorted(f for f, _, _ in by_line[8]) == ["birth_date", "cert_type", "gender", "mobile_no", "open_date"]
    assert all(a == "field_nulled" for _, _, a in by_line[8])
    assert by_line[9] == [("cust_no", "missing key", "row_rejected")]

    # conservation counts rows: the nulled rows are staged, only the keyless one is quarantined
    read, staged, quarantined, nulled = rows(
        con,
        "select rows_read, rows_staged, rows_quarantined, fields_nulled from ingest.delivery_log "
        "where file = 'deposit_customer.csv'",
    )[0]
    assert (read, staged, quarantined, nulled) == (8, 7, 1, 7)
    cust = next(f for f in rep.files if f.file == "deposit_customer.csv")
    assert (cust.rows_quarantined, cust.fields_nulled) == (1, 7)
    assert cust.reasons == {"cust_no: missing key": 1}
    assert rep.rows_read == rep.rows_staged + rep.rows_quarantined


def test_card_email_and_fx_nationality_are_field_level(tmp_path, con):
    files = sample_files("card", DAY)
    files["card_holder.csv"].append(["H009", "钱多", "IDCARD", "", "1990-01-01", "男", "", "no-at-sign", "", ""])
    write_delivery(tmp_path, "card", DAY, files)
    ingest_delivery(con, tmp_path, "card", DAY)
    assert rows(con, "select email from staging.party where source_key = 'H009'") == [(None,)]
    assert rows(con, "select field, action from quarantine.rejected_row") == [("email", "field_nulled")]

    files = sample_files("fx", DAY)
    row = list(files["fx_client.csv"][0])
    row[0], row[6] = "F909", "CHINA"
    files["fx_client.csv"].append(row)
    write_delivery(tmp_path, "fx", DAY, files)
    ingest_delivery(con, tmp_path, "fx", DAY)
    assert rows(con, "select nationality from staging.party where source_key = 'F909'") == [(None,)]
    got = rows(con, "select field, action from quarantine.rejected_row where system = 'fx'")
    assert got == [("nationality", "field_nulled")]


def test_a_field_failing_in_most_rows_is_a_broken_delivery(tmp_path, con):
    files = sample_files("deposit", DAY)
    files["deposit_customer.csv"] = [
        [f"C{i:03}", "某人", "A", "", "31.12.1980", "M", "", "", "B01", "20200101"] for i in range(20)
    ]
    write_delivery(tmp_path, "deposit", DAY, files, kind="full")
    with pytest.raises(
        DeliveryError, match=r"deposit 20261120 deposit_customer.csv: field birth_date fails in 20 of 20"
    ):
        ingest_delivery(con, tmp_path, "deposit", DAY)
    assert rows(con, "select count(*) from staging.party") == [(0,)]


def test_a_warehouse_from_before_gains_the_new_columns(tmp_path, con):
    con.execute("create schema quarantine; create schema ingest")
    con.execute(
        "create table quarantine.rejected_row (system varchar, business_date date, file varchar, line bigint, "
        "field varchar, reason varchar, raw_line varchar)"
    )
    con.execute(
        "insert into quarantine.rejected_row values ('card', '2026-11-19', 'card_txn.csv', 2, 'amount', "
        "'amount: unparseable number', '')"
    )
    con.execute(
        "create table ingest.delivery_log (system varchar, business_date date, kind varchar, file varchar, "
        "rows_control bigint, rows_read bigint, rows_staged bigint, rows_quarantined bigint, sha256 varchar, "
        "loaded_at timestamp)"
    )
    write_delivery(tmp_path, "deposit", DAY, sample_files("deposit", DAY), kind="full")
    ingest_delivery(con, tmp_path, "deposit", DAY)
    assert rows(con, "select action from quarantine.rejected_row") == [("row_rejected",)]
    assert rows(con, "select sum(fields_nulled) from ingest.delivery_log") == [(0,)]
