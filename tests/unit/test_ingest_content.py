"""Hostile delivery content on small hand-built deliveries: re-sent and duplicated activity, implausible
amounts, oversized fields, keys padded with exotic whitespace, mojibake names, reconciliation."""

from __future__ import annotations

import contextlib
import csv
import json
from datetime import date

import duckdb
import pytest

from models.ingest.control import DeliveryError
from models.ingest.load import ingest_delivery
from models.ingest.reconcile import describe, reconcile
from tests.integration.ingest_fixtures import sample_files, write_delivery

DAY = date(2026, 11, 20)
NEXT = date(2026, 11, 21)


@contextlib.contextmanager
def _csv_counts_big_fields():
    """The fixture writes _CONTROL.json row counts with Python's csv: let it count oversized fields,
    then put the default back so ingestion meets the default."""
    old = csv.field_size_limit(2**31 - 1)
    try:
        yield
    finally:
        csv.field_size_limit(old)


@pytest.fixture
def con(tmp_path):
    c = duckdb.connect(str(tmp_path / "w.duckdb"))
    yield c
    c.close()


def rows(con, sql, *params):
    return con.execute(sql, list(params)).fetchall()


def rejected(con, file):
    return {
        ln: (fld, reason, raw)
        for ln, fld, reason, raw in rows(
            con, "select line, field, reason, raw_line from quarantine.rejected_row where file = ? order by line", file
        )
    }


def file_log(con, file, day):
    return rows(
        con,
        "select rows_read, rows_staged, rows_quarantined, rows_resent from ingest.delivery_log "
        "where file = ? and business_date = ?",
        file,
        day,
    )[0]


# --- 1. re-sent activity counts once ------------------------------------------------------------


def test_activity_resent_from_an_earlier_delivery_is_counted_once(tmp_path, con):
    first = sample_files("card", DAY)
    write_delivery(tmp_path, "card", DAY, first, kind="full")
    ingest_delivery(con, tmp_path, "card", DAY)
    files = sample_files("card", NEXT)
    files["card_txn.csv"] = [["T101", "A001", f"{NEXT}T09:00:00", "10", "5411", "POS", "PURCHASE"]] + first[
        "card_txn.csv"
    ]
    write_delivery(tmp_path, "card", NEXT, files)
    for _ in range(2):  # a re-sent delivery of the same date still replaces that date
        rep = ingest_delivery(con, tmp_path, "card", NEXT)
        txn = next(f for f in rep.files if f.file == "card_txn.csv")
        assert (txn.rows_read, txn.rows_staged, txn.rows_quarantined, txn.rows_resent) == (4, 1, 0, 3)
        assert rows(con, "select delivery_date, count(*), sum(amount) from staging.card_txn group by 1 order by 1") == [
            (DAY, 3, 388.5),
            (NEXT, 1, 10.0),
        ]
        assert file_log(con, "card_txn.csv", NEXT) == (4, 1, 0, 3)
        assert describe("card", NEXT, reconcile(con, "card", NEXT)) == ""


def test_balance_resent_for_the_same_account_and_date_is_counted_once(tmp_path, con):
    write_delivery(tmp_path, "deposit", DAY, sample_files("deposit", DAY), kind="full")
    ingest_delivery(con, tmp_path, "deposit", DAY)
    files = sample_files("deposit", NEXT)
    files["deposit_balance.csv"] += [["D001", DAY.strftime("%Y%m%d"), "1000.50", "0.35"]]  # yesterday's, again
    write_delivery(tmp_path, "deposit", NEXT, files)
    ingest_delivery(con, tmp_path, "deposit", NEXT)
    assert file_log(con, "deposit_balance.csv", NEXT) == (3, 2, 0, 1)
    assert rows(
        con, "select count(*) from staging.deposit_balance where acct_no = 'D001' and balance_date = ?", DAY
    ) == [(1,)]


# --- 2. duplicate keys inside one activity file ---------------------------------------------------


def test_duplicate_activity_keys_in_one_file_are_quarantined(tmp_path, con):
    files = sample_files("card", DAY)
    files["card_txn.csv"].append(["T001", "A001", f"{DAY}T12:00:00", "999", "5411", "POS", "PURCHASE"])  # line 5
    write_delivery(tmp_path, "card", DAY, files)
    dep = sample_files("deposit", DAY)
    dep["deposit_balance.csv"].append(["D001", DAY.strftime("%Y%m%d"), "5", "0.35"])  # line 4
    write_delivery(tmp_path, "deposit", DAY, dep)
    ingest_delivery(con, tmp_path, "card", DAY)
    ingest_delivery(con, tmp_path, "deposit", DAY)
    assert rows(con, "select amount from staging.card_txn where txn_id = 'T001'") == [(128.5,)]
    fld, reason, _ = rejected(con, "card_txn.csv")[5]
    assert fld == "txn_id" and "duplicate key" in reason
    fld, reason, _ = rejected(con, "deposit_balance.csv")[4]
    assert fld == "acct_no" and "acct_no+balance_date" in reason
    assert rows(con, "select count(*) from staging.deposit_balance where acct_no = 'D001'") == [(1,)]
    for system in ("card", "deposit"):
        assert describe(system, DAY, reconcile(con, system, DAY)) == ""


# --- 3. plausible ranges ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, reason",
    [
        ("1e308", "balance: outside plausible range [0, 10000000000]"),
        ("-5", "balance: outside plausible range [0, 10000000000]"),
        ("NaN", "balance: unparseable number"),
        ("inf", "balance: unparseable number"),
    ],
)
def test_implausible_amounts_are_quarantined_without_their_value(tmp_path, con, value, reason):
    files = sample_files("deposit", DAY)
    files["deposit_balance.csv"].append(["D003", DAY.strftime("%Y%m%d"), value, "1.0"])  # line 4
    write_delivery(tmp_path, "deposit", DAY, files)
    ingest_delivery(con, tmp_path, "deposit", DAY)
    fld, why, _ = rejected(con, "deposit_balance.csv")[4]
    assert (fld, why) == ("balance", reason)
    assert rows(con, "select max(balance) from staging.deposit_balance") == [(25000.0,)]
    assert describe("deposit", DAY, reconcile(con, "deposit", DAY)) == ""


def test_every_money_and_rate_field_has_a_range(tmp_path, con, monkeypatch):
    from quality.bounds import BOUNDS
    from quality.schemas import staging_schema

    fields = {
        "balance",
        "interest_rate",
        "outstanding",
        "interest_accrued",
        "days_past_due",
        "amount",
        "sell_amount",
        "buy_amount",
        "rate",
        "margin_cny",
        "credit_limit",
        "principal",
        "annual_rate",
    }
    assert fields <= set(BOUNDS)
    covered = set()
    for target in ("account", "deposit_balance", "loan_balance", "card_txn", "fx_deal"):
        covered |= set(staging_schema(target, DAY).columns) & fields
    assert covered == fields
    # one installation can narrow a range
    override = tmp_path / "bounds.json"
    override.write_text(json.dumps({"amount": [0, 100]}))
    monkeypatch.setenv("CRM_BOUNDS_FILE", str(override))
    write_delivery(tmp_path, "card", DAY, sample_files("card", DAY))
    ingest_delivery(con, tmp_path, "card", DAY)
    assert {ln: r[1] for ln, r in rejected(con, "card_txn.csv").items()} == {
        2: "amount: outside plausible range [0, 100]",
        4: "amount: outside plausible range [0, 100]",
    }


# --- 4. oversized fields -------------------------------------------------------------------------


def test_oversized_field_quarantines_its_row_only(tmp_path, con):
    files = sample_files("card", DAY)
    files["card_holder.csv"].append(["H009", "孙丽", "OTHER", "X1", "", "", "", "", "路" * 200_000, ""])  # line 5
    files["card_holder.csv"].append(["H010", "周杰", "OTHER", "X2", "", "", "", "", "街" * 100_000, ""])  # fits
    files["card_txn.csv"].append(["T009", "A001", f"{DAY}T10:00:00", "1", "5411", "POS", "x" * 131_073])  # line 5
    with _csv_counts_big_fields():
        write_delivery(tmp_path, "card", DAY, files)
    rep = ingest_delivery(con, tmp_path, "card", DAY)
    assert rep.rows_quarantined == 2
    holder = rejected(con, "card_holder.csv")[5]
    assert holder[0] == "bill_address" and "field too long" in holder[1] and len(holder[2]) < 5000
    assert rejected(con, "card_txn.csv")[5][0] == "txn_type"
    assert rows(con, "select length(address) from staging.party where source_key = 'H010'") == [(100_000,)]
    assert rows(con, "select count(*) from staging.card_txn") == [(3,)]


def test_oversized_record_is_quarantined(tmp_path, con):
    files = sample_files("card", DAY)
    files["card_holder.csv"].append(["H009"] + ["字" * 126_000] * 8 + [""])  # line 5: each field fits, the row not
    with _csv_counts_big_fields():
        write_delivery(tmp_path, "card", DAY, files)
    rep = ingest_delivery(con, tmp_path, "card", DAY)
    assert rep.rows_quarantined == 1
    fld, reason, _ = rejected(con, "card_holder.csv")[5]
    assert fld == "*" and reason.startswith("record: too long")


# --- 5. keys padded with whitespace ---------------------------------------------------------------


@pytest.mark.parametrize("pad", ["\t", "\u00a0", "\u3000", "\u2003", "\u200b", "\ufeff", " \t\u00a0"])
def test_keys_padded_with_any_whitespace_are_the_same_key(tmp_path, con, pad):
    write_delivery(tmp_path, "card", DAY, sample_files("card", DAY), kind="full")
    ingest_delivery(con, tmp_path, "card", DAY)
    files = sample_files("card", NEXT)
    files["card_holder.csv"][0][0] = "H001" + pad
    files["card_holder.csv"][1][0] = pad + "H002"
    files["card_account.csv"][0][1] = "H001" + pad
    files["card_account.csv"][1][7] = pad + "FROZEN" + pad  # code fields too
    files["card_txn.csv"] = [["T001" + pad, "A001", f"{DAY}T10:15:00", "128.50", "5411", "POS" + pad, "PURCHASE"]]
    write_delivery(tmp_path, "card", NEXT, files)
    rep = ingest_delivery(con, tmp_path, "card", NEXT)
    assert rep.rows_quarantined == 0
    assert rows(con, "select source_key from staging.party order by 1") == [("H001",), ("H002",), ("H003",)]
    assert rows(con, "select distinct source_key from staging.account where account_key = 'A001'") == [("H001",)]
    assert rep.rows_resent == 1 and rows(con, "select count(*) from staging.card_txn") == [(3,)]


# --- 6. implausible decoded text -------------------------------------------------------------------


def _people(n, name):
    return [[f"C{i:03d}", name(i), "Z", f"Z{i}", "", "", "", "", "B01", ""] for i in range(n)]


def test_mojibake_names_stop_the_delivery(tmp_path, con):
    files = sample_files("deposit", DAY)
    # GB18030 bytes read as latin-1: what a wrongly declared deposit file decodes to
    files["deposit_customer.csv"] = _people(
        30, lambda i: ("张伟" if i % 2 else "李娜").encode("gb18030").decode("latin-1")
    )
    write_delivery(tmp_path, "deposit", DAY, files)
    with pytest.raises(DeliveryError) as err:
        ingest_delivery(con, tmp_path, "deposit", DAY)
    msg = str(err.value)
    for word in ("deposit", "20261120", "deposit_customer.csv", "cust_name", "30 of 30", "100%", "implausible"):
        assert word in msg
    assert rows(con, "select count(*) from staging.party") == [(0,)]


def test_pinyin_holders_and_empty_local_names_pass(tmp_path, con):
    card = sample_files("card", DAY)
    card["card_holder.csv"] = [
        ["H%03d" % i, "ZHANG WEI" if i % 3 == 0 else "张伟", "OTHER", f"X{i}", "", "", "", "", "", ""]
        for i in range(30)
    ]
    write_delivery(tmp_path, "card", DAY, card)
    ingest_delivery(con, tmp_path, "card", DAY)
    fx = sample_files("fx", DAY)
    fx["fx_client.csv"] = [
        [f"F{i:03d}", "WEI ZHANG", "张伟" if i < 3 else "", "PASSPORT", f"P{i}", "", "CN", "", ""] for i in range(40)
    ]  # name_local mostly empty: judged on the 3 non-empty values only
    write_delivery(tmp_path, "fx", DAY, fx)
    ingest_delivery(con, tmp_path, "fx", DAY)
    assert rows(con, "select system, count(*) from staging.party group by 1 order by 1") == [("card", 30), ("fx", 40)]


def test_a_file_of_latin_names_in_a_chinese_name_column_passes(tmp_path, con):
    # A foreign branch, or public records converted into our layout: real names, just not Chinese.
    names = ["Katherine Jonson", "JOSÉ GARCÍA", "o'brien liam", "Anne-Marie Dupont", "ZHANG WEI"]
    files = sample_files("deposit", DAY)
    files["deposit_customer.csv"] = _people(30, lambda i: names[i % len(names)])
    write_delivery(tmp_path, "deposit", DAY, files)
    ingest_delivery(con, tmp_path, "deposit", DAY)
    assert rows(con, "select count(*) from staging.party") == [(30,)]


# --- 7. reconciliation -----------------------------------------------------------------------------


def test_reconciliation_fails_when_staging_disagrees_with_the_file(tmp_path, con):
    for system in ("deposit", "card", "loan", "fx"):
        write_delivery(tmp_path, system, DAY, sample_files(system, DAY), kind="full")
        ingest_delivery(con, tmp_path, system, DAY)
        ok = reconcile(con, system, DAY)
        assert ok["measures"] >= 2 and describe(system, DAY, ok) == ""
    # a row counted twice downstream
    con.execute("insert into staging.card_txn select * from staging.card_txn where txn_id = 'T001'")
    out = reconcile(con, "card", DAY)
    assert {m["measure"] for m in out["mismatches"]} == {"rows", "amount"}
    assert out["duplicates"] == [{"table": "staging.card_txn", "key": "txn_id", "keys_counted_twice": 1}]
    msg = describe("card", DAY, out)
    assert "card 20261120" in msg and "card_txn.csv amount" in msg and "txn_id held more than once" in msg
    # an amount changed after ingestion (a cent is enough: sums are exact)
    con.execute("update staging.loan_balance set outstanding = outstanding + 0.01 where contract_no = 'K001'")
    out = reconcile(con, "loan", DAY)
    assert [(m["file"], m["measure"], m["difference"]) for m in out["mismatches"]] == [
        ("loan_balance.csv", "outstanding", "-0.010000")
    ]
    # a two-column key held twice: a contract's balance of one date staged again
    con.execute("insert into staging.loan_balance select * from staging.loan_balance where contract_no = 'K001'")
    assert reconcile(con, "loan", DAY)["duplicates"] == [
        {"table": "staging.loan_balance", "key": "contract_no+as_of", "keys_counted_twice": 1}
    ]
    # a row lost
    con.execute("delete from staging.fx_deal where deal_id = 'X002'")
    assert {m["measure"] for m in reconcile(con, "fx", DAY)["mismatches"]} == {
        "rows",
        "sell_amount",
        "buy_amount",
        "margin_cny",
    }
    assert reconcile(con, "deposit", DAY)["mismatches"] == []
