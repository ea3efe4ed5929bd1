"""Ingestion of small hand-built deliveries: parsing per system, quarantine, control checks, reloads."""

from __future__ import annotations

import json
from datetime import date, datetime

import duckdb
import pytest

from models.ingest.control import DeliveryError, read_control
from models.ingest.landing import complete_dates, pending_dates
from models.ingest.load import ingest_delivery
from tests.integration.ingest_fixtures import (
    SAMPLE_ID,
    SAMPLE_ID_15,
    SAMPLE_MOBILE,
    SAMPLE_MOBILE_DASHED,
    csv_bytes,
    header,
    sample_files,
    write_control,
    write_delivery,
    write_sample_bank,
)
from tests.synthetic_ids import mobile, resident_id

DAY = date(2026, 11, 20)
NEXT = date(2026, 11, 21)


@pytest.fixture
def con(tmp_path):
    c = duckdb.connect(str(tmp_path / "w.duckdb"))
    yield c
    c.close()


def rows(con, sql, *params):
    return con.execute(sql, list(params)).fetchall()


def ingest(con, landing, system, day=DAY):
    return ingest_delivery(con, landing, system, day)


# --- parsing per system -------------------------------------------------------------------------


def test_deposit_gb18030_codes_and_dates(tmp_path, con):
    write_delivery(tmp_path, "deposit", DAY, sample_files("deposit", DAY), kind="full")
    assert (tmp_path / "deposit/20261120/deposit_customer.csv").read_bytes().decode("gb18030").count("张伟") == 1
    rep = ingest(con, tmp_path, "deposit")
    assert rep.rows_quarantined == 0 and rep.kind == "full"
    party = {
        r[0]: r[1:]
        for r in rows(
            con,
            "select source_key, name, id_type, id_no, birth_date, gender, phone, since_date, branch "
            "from staging.party where system = 'deposit'",
        )
    }
    assert party["C001"] == (
        "张伟",
        "RESIDENT",
        SAMPLE_ID,
        date(1949, 12, 31),
        "M",
        "+86 " + SAMPLE_MOBILE_DASHED,
        date(2010, 1, 5),
        "B01",
    )
    # 15-digit ID passes through unchanged; full-width space and bracketed alias kept as delivered
    assert party["C002"][0] == "李　娜（小李）" and party["C002"][2] == SAMPLE_ID_15
    assert party["C003"][1] == "PASSPORT" and party["C003"][3] is None and party["C003"][4] is None
    assert party["C004"][1] == "PERMIT" and party["C004"][3] == date(1980, 2, 29)
    acct = dict(rows(con, "select account_key, status from staging.account"))
    assert acct == {"D001": "ACTIVE", "D002": "DORMANT", "D003": "CLOSED"}
    assert rows(con, "select maturity_date, currency from staging.account where account_key = 'D002'") == [
        (date(2030, 6, 1), "USD")
    ]
    assert rows(con, "select balance_date, balance, interest_rate from staging.deposit_balance order by acct_no")[
        0
    ] == (DAY, 1000.5, 0.35)


def test_card_iso_dates_sex_lowercase_x(tmp_path, con):
    write_delivery(tmp_path, "card", DAY, sample_files("card", DAY))
    ingest(con, tmp_path, "card")
    party = {
        r[0]: r[1:]
        for r in rows(con, "select source_key, id_type, id_no, birth_date, gender, since_date from staging.party")
    }
    assert party["H001"] == ("RESIDENT", SAMPLE_ID.lower(), date(1949, 12, 31), "M", date(2012, 3, 4))
    assert party["H002"][0] == "PASSPORT" and party["H002"][3] == "F"
    assert party["H003"][0] == "OTHER"
    txn = rows(
        con, "select txn_id, txn_time, amount, channel, txn_type, delivery_date from staging.card_txn order by txn_id"
    )
    assert txn[0] == ("T001", datetime(2026, 11, 20, 10, 15), 128.5, "POS", "PURCHASE", DAY)
    assert txn[1][1] == datetime(2026, 11, 20, 11, 0)  # space-separated datetime accepted too
    acct = {
        r[0]: r[1:]
        for r in rows(
            con, "select account_key, product, card_level, credit_limit, currency, status from staging.account"
        )
    }
    assert acct["A001"] == ("CREDIT", "GOLD", 50000.0, "CNY", "ACTIVE")
    assert acct["A002"][2] is None and acct["A002"][4] == "FROZEN"


def test_loan_slash_dates_and_gender_codes(tmp_path, con):
    write_delivery(tmp_path, "loan", DAY, sample_files("loan", DAY))
    ingest(con, tmp_path, "loan")
    party = {
        r[0]: r[1:] for r in rows(con, "select source_key, id_type, birth_date, gender, employer from staging.party")
    }
    assert party["L001"] == ("RESIDENT", date(1949, 12, 31), "M", "某公司")
    assert party["L002"][:3] == ("PASSPORT", date(1980, 1, 15), "F")
    assert party["L003"][0] == "OTHER" and party["L003"][2] is None  # gender 0 = unknown -> NULL
    assert rows(
        con, "select product, principal, annual_rate, open_date, status from staging.account where account_key = 'K001'"
    ) == [("MORTGAGE", 1000000.0, 4.1, date(2015, 1, 1), "ACTIVE")]
    assert rows(
        con, "select as_of, outstanding, days_past_due from staging.loan_balance where contract_no = 'K001'"
    ) == [(DAY, 800000.0, 0)]


def test_fx_dmy_dates_and_latin_names(tmp_path, con):
    write_delivery(tmp_path, "fx", DAY, sample_files("fx", DAY))
    ingest(con, tmp_path, "fx")
    party = {
        r[0]: r[1:]
        for r in rows(
            con, "select source_key, name, name_latin, id_type, birth_date, nationality, phone from staging.party"
        )
    }
    assert party["F001"] == ("张伟", "ZHANG WEI", "RESIDENT", date(1949, 12, 31), "CN", "+86" + SAMPLE_MOBILE)
    assert party["F002"][0] is None and party["F002"][2] == "PASSPORT"
    assert rows(con, "select trade_date, sell_amount, rate, channel from staging.fx_deal where deal_id = 'X001'") == [
        (DAY, 7200.0, 7.2, "BRANCH")
    ]


# --- quarantine ---------------------------------------------------------------------------------


def test_malformed_rows_are_quarantined_with_line_and_field(tmp_path, con):
    files = sample_files("card", DAY)
    good = files["card_txn.csv"]
    files["card_txn.csv"] = good + [
        ["T004", "A001", "2026-11-20T10:00:00", "12.5", "5411", "POS"],  # line 5: 6 fields
        ["T005", "A001", "20/11/2026", "12.5", "5411", "POS", "PURCHASE"],  # line 6: bad date
        ["T006", "A001", "2026-11-20T10:00:00", "12,5x", "5411", "POS", "FEE"],  # line 7: bad amount
        ["T007", "A001", "2026-11-20T10:00:00", "1", "5411", "TELEPATHY", "FEE"],  # line 8: unknown code
        ["T008", "A001", "2026-11-20T10:00:00", "-3", "5411", "POS", "FEE"],  # line 9: pandera amount >= 0
        ["", "A001", "2026-11-20T10:00:00", "1", "5411", "POS", "FEE"],  # line 10: missing key
    ]
    # the ID's check character is wrong too: masking must not depend on validity
    bad_id, bad_phone = resident_id("110105", "19900101", "123", check="4"), mobile("138", "00001111")
    files["card_holder.csv"].append(["H009", "坏人", "IDCARD", bad_id, "1990-13-45", "男", bad_phone, "", "", ""])
    write_delivery(tmp_path, "card", DAY, files)
    rep = ingest(con, tmp_path, "card")
    q = rows(con, "select file, line, field, reason, raw_line from quarantine.rejected_row order by file, line")
    by_line = {(f, ln): (fld, reason, raw) for f, ln, fld, reason, raw in q}
    assert by_line[("card_txn.csv", 5)][1].startswith("field_count")
    assert by_line[("card_txn.csv", 6)][:2] == ("txn_time", "txn_time: unparseable date")
    assert by_line[("card_txn.csv", 7)][:2] == ("amount", "amount: unparseable number")
    assert by_line[("card_txn.csv", 8)][:2] == ("channel", "channel: unknown code")
    assert (
        by_line[("card_txn.csv", 9)][0] == "amount"
        and "outside plausible range [0, " in by_line[("card_txn.csv", 9)][1]
    )
    assert by_line[("card_txn.csv", 10)][:2] == ("txn_id", "txn_id: missing key")
    fld, reason, raw = by_line[("card_holder.csv", 5)]
    assert fld == "dob" and reason == "dob: unparseable date"
    # a bad birth date is a field-level note: the holder is staged with dob NULL
    assert rows(con, "select birth_date from staging.party where source_key = 'H009'") == [(None,)]
    # ID and phone never stored raw
    assert bad_id not in raw and bad_phone not in raw and "***" in raw
    # conservation per file, and in the report
    log = rows(
        con,
        "select file, rows_control, rows_read, rows_staged, rows_quarantined from ingest.delivery_log order by file",
    )
    for _file, control, read, staged, quarantined in log:
        assert control == read == staged + quarantined
    assert dict((r[0], r[4]) for r in log) == {"card_account.csv": 0, "card_holder.csv": 0, "card_txn.csv": 6}
    assert (
        rep.rows_staged
        == rows(
            con,
            "select (select count(*) from staging.party) + (select count(*) from staging.account) "
            "+ (select count(*) from staging.card_txn)",
        )[0][0]
    )


def test_validation_in_place_keeps_each_failing_row_line(tmp_path, con):
    """pandera's rules run as SQL in place: failing rows spread through the file keep their own lines."""
    files = sample_files("card", DAY)
    n_good = len(files["card_txn.csv"])  # data rows, header not included
    files["card_txn.csv"] += [
        [f"T1{i:02d}", "A001", "2026-11-20T10:00:00", "-3" if i in (0, 5, 8) else "4", "5411", "POS", "FEE"]
        for i in range(9)
    ]
    write_delivery(tmp_path, "card", DAY, files)
    rep = ingest(con, tmp_path, "card")
    first = n_good + 2  # header is line 1
    got = rows(con, "select line, field from quarantine.rejected_row where file = 'card_txn.csv' order by line")
    assert got == [(first + i, "amount") for i in (0, 5, 8)]
    txn = next(f for f in rep.files if f.file == "card_txn.csv")
    assert (txn.rows_staged, txn.rows_quarantined) == (n_good + 6, 3)


def test_quoted_newline_keeps_physical_line_numbers(tmp_path, con):
    files = sample_files("card", DAY)
    files["card_holder.csv"] = [
        ["H001", "张伟", "IDCARD", SAMPLE_ID.lower(), "1949-12-31", "男", "", "", "北京市\n朝阳区", ""],  # lines 2-3
        ["H002", "李娜", "IDCARD", SAMPLE_ID_15, "bad", "女", "", "", "", ""],  # line 4
    ]
    write_delivery(tmp_path, "card", DAY, files)
    ingest(con, tmp_path, "card")
    assert rows(con, "select address from staging.party where source_key = 'H001'") == [("北京市\n朝阳区",)]
    assert rows(con, "select line, field from quarantine.rejected_row") == [(4, "dob")]


def test_mostly_unparseable_column_fails_the_delivery(tmp_path, con):
    files = sample_files("loan", DAY)
    files["loan_balance.csv"] = [[f"K{i:03}", "2026/11/20", "n/a", "0", "1"] for i in range(20)]
    write_delivery(tmp_path, "loan", DAY, files)
    with pytest.raises(DeliveryError, match="outstanding"):
        ingest(con, tmp_path, "loan")
    assert rows(con, "select count(*) from staging.party") == [(0,)]  # nothing half-loaded


# --- control file and encoding ------------------------------------------------------------------


def test_complete_and_pending_dates(tmp_path):
    write_sample_bank(tmp_path, [DAY, NEXT])
    assert complete_dates(tmp_path) == [DAY, NEXT]
    (tmp_path / "deposit/20261121/_CONTROL.json").unlink()
    assert complete_dates(tmp_path) == [DAY]
    assert pending_dates(tmp_path) == [NEXT]


def test_row_count_mismatch(tmp_path, con):
    d = write_delivery(tmp_path, "loan", DAY, sample_files("loan", DAY))
    control = json.loads((d / "_CONTROL.json").read_text())
    control["files"]["loan_balance.csv"]["rows"] += 1
    (d / "_CONTROL.json").write_text(json.dumps(control))
    with pytest.raises(DeliveryError, match=r"loan 20261120 loan_balance.csv: row count"):
        read_control(d)


def test_checksum_mismatch(tmp_path):
    d = write_delivery(tmp_path, "fx", DAY, sample_files("fx", DAY))
    data = (d / "fx_client.csv").read_bytes()
    (d / "fx_client.csv").write_bytes(data.replace(b"ZHANG", b"ZHANQ"))
    with pytest.raises(DeliveryError, match=r"fx 20261120 fx_client.csv: sha256 checksum"):
        read_control(d)


def test_missing_required_file(tmp_path):
    files = sample_files("fx", DAY)
    del files["fx_deal.csv"]
    d = write_delivery(tmp_path, "fx", DAY, files)
    with pytest.raises(DeliveryError, match="fx_deal.csv"):
        read_control(d)


def test_incomplete_delivery_is_not_read(tmp_path, con):
    write_delivery(tmp_path, "card", DAY, sample_files("card", DAY), control=False)
    assert complete_dates(tmp_path) == []
    with pytest.raises(DeliveryError, match="no complete delivery"):
        ingest(con, tmp_path, "card")


def test_missing_required_column_and_extra_column(tmp_path, con):
    files = sample_files("deposit", DAY)
    cols = header("deposit", "deposit_balance.csv")
    i = cols.index("balance")
    rows_ = [cols[:i] + cols[i + 1 :]] + [r[:i] + r[i + 1 :] for r in files["deposit_balance.csv"]]
    files["deposit_balance.csv"] = csv_bytes(rows_, "gb18030")
    write_delivery(tmp_path, "deposit", DAY, files)
    with pytest.raises(DeliveryError, match=r"deposit_balance.csv: required column balance missing"):
        ingest(con, tmp_path, "deposit")

    files = sample_files("fx", DAY)
    cols = header("fx", "fx_deal.csv") + ["settlement_ref"]
    files["fx_deal.csv"] = csv_bytes([cols] + [r + ["S1"] for r in files["fx_deal.csv"]], "utf-8")
    write_delivery(tmp_path, "fx", DAY, files)
    rep = ingest(con, tmp_path, "fx")
    assert rep.rows_quarantined == 0
    assert [f.extra_columns for f in rep.files if f.file == "fx_deal.csv"] == [["settlement_ref"]]


def test_invalid_gb18030_names_file_and_line(tmp_path):
    d = write_delivery(tmp_path, "deposit", DAY, sample_files("deposit", DAY))
    f = d / "deposit_customer.csv"
    data = f.read_bytes()
    cut = data.index(b"\n", data.index(b"\n") + 1) + 1  # after line 2
    f.write_bytes(data[:cut] + b"\x81\x20\xff\xfe" + data[cut:])
    write_control(d, "deposit", DAY, "daily", "gb18030")
    with pytest.raises(
        DeliveryError, match=r"deposit 20261120 deposit_customer.csv: not valid gb18030 at byte \d+ \(line 3\)"
    ):
        read_control(d)


def test_invalid_utf8_is_an_error(tmp_path):
    files = sample_files("card", DAY)
    d = write_delivery(tmp_path, "card", DAY, files)
    f = d / "card_holder.csv"
    f.write_bytes(f.read_bytes().decode("utf-8").encode("gb18030"))
    write_control(d, "card", DAY, "daily", "utf-8")
    with pytest.raises(DeliveryError, match=r"card_holder.csv: not valid utf-8"):
        read_control(d)


# --- reloads and snapshots ----------------------------------------------------------------------


def test_resent_delivery_does_not_double(tmp_path, con):
    write_sample_bank(tmp_path, [DAY])
    for _ in range(2):
        for s in ("deposit", "card", "loan", "fx"):
            ingest(con, tmp_path, s)
    assert rows(con, "select count(*) from staging.card_txn") == [(3,)]
    assert rows(con, "select count(*) from staging.party") == [(12,)]
    assert rows(con, "select count(*) from ingest.delivery_log") == [(11,)]


def test_snapshot_merge_keeps_missing_records(tmp_path, con):
    write_sample_bank(tmp_path, [DAY])
    ingest(con, tmp_path, "loan", DAY)
    files = sample_files("loan", NEXT)
    files["loan_borrower.csv"] = [r for r in files["loan_borrower.csv"] if r[0] != "L003"]
    files["loan_borrower.csv"][0][7] = "上海市新地址"
    write_delivery(tmp_path, "loan", NEXT, files)
    ingest(con, tmp_path, "loan", NEXT)
    got = {r[0]: r[1:] for r in rows(con, "select source_key, address, first_seen, last_seen from staging.party")}
    assert got["L001"] == ("上海市新地址", DAY, NEXT)
    assert got["L003"] == (None, DAY, DAY)  # missing from the later snapshot: kept, old last_seen
    assert rows(con, "select delivery_date, count(*) from staging.loan_balance group by 1 order by 1") == [
        (DAY, 2),
        (NEXT, 2),
    ]


def test_failed_delivery_leaves_nothing_half_loaded(tmp_path, con):
    write_sample_bank(tmp_path, [DAY])
    ingest(con, tmp_path, "card")
    before = rows(con, "select count(*) from staging.card_txn")
    files = sample_files("card", NEXT)
    files["card_txn.csv"] = [[f"T{i}", "A001", "x", "1", "5411", "POS", "FEE"] for i in range(20)]
    write_delivery(tmp_path, "card", NEXT, files)
    with pytest.raises(DeliveryError):
        ingest(con, tmp_path, "card", NEXT)
    assert rows(con, "select count(*) from staging.card_txn") == before
    assert rows(con, "select max(last_seen) from staging.party") == [(DAY,)]
