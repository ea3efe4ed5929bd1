"""Fault injection, delivery content: every case starts from the healthy warehouse with two published
dates (tests/integration/conftest.py) and plants hostile content in the third date's delivery. A row
the bank cannot have meant is quarantined with its reason and the night goes on; content that shows
the whole delivery is broken stops the night naming system, date, file and column, leaves the last
good version intact, and a clean rerun is exact."""

from __future__ import annotations

import contextlib
import csv
import io

import duckdb
import pytest

from crm.nightly import run_nightly
from tests.integration.fault_kit import (
    STAGING,
    _assert_clean_rerun_is_exact,
    _counts,
    _delivery,
    _edit_csv,
    _fails_naming,
    _keep,
    _repair,
)

pytestmark = pytest.mark.slow  # builds and runs whole banks: `-m "not slow"` skips it locally


@contextlib.contextmanager
def _csv_counts_big_fields():
    """fault_kit counts rows for _CONTROL.json with Python's csv: let it count an oversized field while
    the fault is planted, and put the default back so the pipeline meets the default."""
    old = csv.field_size_limit(2**31 - 1)
    try:
        yield
    finally:
        csv.field_size_limit(old)


def _work(case):
    return duckdb.connect(str(case["root"] / "wh" / "bank.work.duckdb"), read_only=True)


def _accepted(case):
    summary = run_nightly()
    assert summary.ok, summary.error
    assert summary.dates_run == [case["last"]]
    return summary


def _same_results(case):
    """Staging, customers and published versions as in the undisturbed reference run."""
    got, want = _counts(case["root"]), case["expected"]
    assert {k: got[k] for k in (*STAGING, "customers", "versions")} == {
        k: want[k] for k in (*STAGING, "customers", "versions")
    }


def _quarantined(case, file):
    with _work(case) as con:
        return con.execute(
            "select field, reason from quarantine.rejected_row where file = ? and business_date = ? order by line",
            [file, case["last"]],
        ).fetchall()


def test_yesterdays_card_transactions_resent_count_once(case):
    day = _delivery(case, "card")
    before = _delivery(case, "card", case["dates"][1])
    orig = _keep(day / "card_txn.csv", day / "_CONTROL.json")
    yesterday = list(csv.reader(io.StringIO((before / "card_txn.csv").read_text(encoding="utf-8"), newline="")))[1:]
    _edit_csv(day, "card_txn.csv", "utf-8", lambda rows: rows + yesterday)
    summary = _accepted(case)
    _same_results(case)  # card contribution unchanged: nothing counted twice
    with _work(case) as con:
        assert con.execute(
            "select rows_read, rows_staged + rows_quarantined, rows_resent from ingest.delivery_log "
            "where file = 'card_txn.csv' and business_date = ?",
            [case["last"]],
        ).fetchall() == [(_rows_today(case) + len(yesterday), _rows_today(case), len(yesterday))]
    assert [s[4] for s in summary.per_system if s[0] == "card"] == [len(yesterday)]  # the run summary
    pub = duckdb.connect(str(case["published"]), read_only=True)
    try:
        assert pub.execute("select rows_resent from crm.data_quality where file = 'card_txn.csv'").fetchall() == [
            (len(yesterday),)
        ]
    finally:
        pub.close()
    _repair(case, orig)
    summary = run_nightly(as_of=case["last"], rerun=True)
    assert summary.ok, summary.error
    assert _counts(case["root"]) == case["expected"]


def _rows_today(case):
    """Rows of the undisturbed card_txn.csv of the third date, from the reference run's log."""
    return next(c for s, d, f, c, _st, _q in case["expected"]["log"] if f == "card_txn.csv" and d == case["last"])


def test_duplicate_transaction_id_in_one_file_is_quarantined(case):
    day = _delivery(case, "card")
    orig = _keep(day / "card_txn.csv", day / "_CONTROL.json")

    def dup(rows):
        twin = list(rows[1])
        twin[3] = "99999.99"  # same txn_id, another amount
        return rows + [twin]

    _edit_csv(day, "card_txn.csv", "utf-8", dup)
    _accepted(case)
    _same_results(case)
    ((field, reason),) = _quarantined(case, "card_txn.csv")
    assert field == "txn_id" and "duplicate key" in reason
    _repair(case, orig)
    summary = run_nightly(as_of=case["last"], rerun=True)
    assert summary.ok, summary.error
    assert _counts(case["root"]) == case["expected"]


def test_implausible_deposit_balance_is_quarantined(case):
    day = _delivery(case, "deposit")
    orig = _keep(day / "deposit_balance.csv", day / "_CONTROL.json")

    def huge(rows):
        rows[1][rows[0].index("balance")] = "1e308"
        return rows

    _edit_csv(day, "deposit_balance.csv", "gb18030", huge)
    _accepted(case)
    got = _quarantined(case, "deposit_balance.csv")  # the generator plants its own malformed rows too
    assert [r for r in got if "plausible" in r[1]] == [("balance", "balance: outside plausible range [0, 10000000000]")]
    pub = duckdb.connect(str(case["published"]), read_only=True)
    try:
        assert pub.execute("select max(abs(contribution_12m)) from crm.value_tier").fetchall()[0][0] < 1e9
    finally:
        pub.close()
    _repair(case, orig)
    summary = run_nightly(as_of=case["last"], rerun=True)
    assert summary.ok, summary.error
    assert _counts(case["root"]) == case["expected"]


def test_field_over_131072_characters_quarantines_its_row(case):
    day = _delivery(case, "card")
    orig = _keep(day / "card_holder.csv", day / "_CONTROL.json")

    def long(rows):
        rows[1][rows[0].index("bill_address")] = "路" * 200_000
        return rows

    with _csv_counts_big_fields():
        _edit_csv(day, "card_holder.csv", "utf-8", long)
    _accepted(case)
    ((field, reason),) = _quarantined(case, "card_holder.csv")
    assert field == "bill_address" and "field too long" in reason
    _repair(case, orig)
    summary = run_nightly(as_of=case["last"], rerun=True)
    assert summary.ok, summary.error
    assert _counts(case["root"]) == case["expected"]


def test_keys_with_trailing_tab_or_nbsp_are_the_same_records(case):
    card, deposit = _delivery(case, "card"), _delivery(case, "deposit")
    orig = _keep(
        card / "card_holder.csv", card / "_CONTROL.json", deposit / "deposit_balance.csv", deposit / "_CONTROL.json"
    )

    def pad(suffix):
        def edit(rows):
            for r in rows[1:]:
                r[0] = r[0] + suffix
            return rows

        return edit

    _edit_csv(card, "card_holder.csv", "utf-8", pad("\t"))
    _edit_csv(deposit, "deposit_balance.csv", "gb18030", pad("\u00a0\u3000"))
    _accepted(case)
    assert _counts(case["root"]) == case["expected"]  # no new party record, no new balance key
    _repair(case, orig)


def test_mojibake_names_stop_the_night(case):
    day = _delivery(case, "deposit")
    orig = _keep(day / "deposit_customer.csv", day / "_CONTROL.json")

    def mojibake(rows):
        i = rows[0].index("cust_name")
        for r in rows[1:]:
            r[i] = r[i].encode("gb18030").decode("latin-1")  # GB18030 bytes read as latin-1
        return rows

    _edit_csv(day, "deposit_customer.csv", "gb18030", mojibake)
    msg = _fails_naming(
        case,
        "deposit",
        case["last"].strftime("%Y%m%d"),
        "deposit_customer.csv",
        "cust_name",
        "neither chinese characters nor latin letters",
    )
    assert "implausible" in msg
    _repair(case, orig)
    _assert_clean_rerun_is_exact(case)


def test_staging_disagreeing_with_the_file_fails_reconciliation(case, monkeypatch):
    import models.ingest.load as load

    real = load.replace_date_rows

    def doubling(con, table, date_column, day, *args, **params):
        real(con, table, date_column, day, *args, **params)
        if table == "staging.card_txn":  # a bug that stages one transaction twice
            con.execute(
                "insert into staging.card_txn select * from staging.card_txn "
                "where delivery_date = $d order by txn_id limit 1",
                {"d": day},
            )

    monkeypatch.setattr(load, "replace_date_rows", doubling)
    msg = _fails_naming(case, "card_reconciled")
    assert "card_extract" in msg
    monkeypatch.setattr(load, "replace_date_rows", real)
    _assert_clean_rerun_is_exact(case)
