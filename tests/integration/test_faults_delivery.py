"""Hostile deliveries and operating faults around them: control files, landing folders, locks and
interruptions. Each case starts from the healthy two-night warehouse (tests/integration/conftest.py)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time

import duckdb
import pytest

from crm.nightly import run_nightly
from crm.runlock import run_lock
from models.ingest.layout import SYSTEMS
from tests.integration.fault_kit import (
    _assert_clean_rerun_is_exact,
    _assert_last_good_version_intact,
    _counts,
    _delivery,
    _fails_naming,
    _keep,
    _repair,
)

pytestmark = pytest.mark.slow  # builds and runs whole banks: `-m "not slow"` skips it locally


def test_a_declared_encoding_other_than_the_contracts_stops_the_night(case):
    d = _delivery(case, "deposit")
    orig = _keep(d / "_CONTROL.json")
    control = json.loads((d / "_CONTROL.json").read_text())
    control["encoding"] = "latin-1"  # every byte decodes in latin-1: only the declaration tells
    (d / "_CONTROL.json").write_text(json.dumps(control))
    _fails_naming(case, "deposit", "_CONTROL.json", "latin-1", "gb18030")
    summary = run_nightly()
    assert summary.error_kind == "delivery" and "fix and resend" in summary.render()
    _repair(case, orig)
    _assert_clean_rerun_is_exact(case)


def test_a_control_entry_without_a_checksum_does_not_hide_a_truncated_file(case):
    d = _delivery(case, "card")
    orig = _keep(d / "_CONTROL.json", d / "card_txn.csv")
    control = json.loads((d / "_CONTROL.json").read_text())
    del control["files"]["card_txn.csv"]["sha256"]
    (d / "_CONTROL.json").write_text(json.dumps(control))
    f = d / "card_txn.csv"
    data = f.read_bytes()
    f.write_bytes(data[: data.rindex(b"\n", 0, len(data) // 2) + 1])
    _fails_naming(case, "card", "card_txn.csv", "sha256")
    _repair(case, orig)
    _assert_clean_rerun_is_exact(case)


def test_a_malformed_row_count_is_named(case):
    d = _delivery(case, "loan")
    orig = _keep(d / "_CONTROL.json")
    control = json.loads((d / "_CONTROL.json").read_text())
    control["files"]["loan_balance.csv"]["rows"] = "abc"
    (d / "_CONTROL.json").write_text(json.dumps(control))
    _fails_naming(case, "loan", "loan_balance.csv", "rows")
    _repair(case, orig)
    _assert_clean_rerun_is_exact(case)


def _copy_delivery(case, system, day8: str) -> None:
    src = _delivery(case, system)
    dst = case["landing"] / system / day8
    shutil.copytree(src, dst)
    control = json.loads((dst / "_CONTROL.json").read_text())
    control["business_date"] = f"{day8[:4]}-{day8[4:6]}-{day8[6:]}"
    (dst / "_CONTROL.json").write_text(json.dumps(control))


def test_stray_folders_are_named_and_never_hold_good_dates_back(case):
    for system in SYSTEMS:
        _copy_delivery(case, system, "20200101")  # complete, but before the first business date
        _copy_delivery(case, system, "20991231")  # complete, but in the future
    (case["landing"] / "card" / "20261001").mkdir()  # empty, abandoned: card has delivered since
    (case["landing"] / "loan" / "latest").mkdir()  # not a date
    (case["landing"] / "fx" / "notes.txt").write_text("not a delivery")
    (_delivery(case, "deposit") / "deposit_extra.csv").write_text("a\n1\n")  # present, not listed
    summary = run_nightly()
    assert summary.ok, summary.error
    assert summary.dates_run == [case["last"]]
    text = summary.render()
    for named in (
        "20200101: dated before the first business date",
        "20991231: dated after the latest business date",
        "20261001 skipped: card/20261001 has no _CONTROL.json",
        "loan/latest: not a YYYYMMDD",
        "fx/notes.txt: not a YYYYMMDD",
        "deposit_extra.csv: present but not listed",
    ):
        assert named in text, text
    assert _counts(case["root"]) == case["expected"]


def test_a_second_run_while_one_holds_the_warehouse_is_told_to_wait(case):
    with run_lock(case["root"] / "wh" / "bank.work.duckdb"):
        summary = run_nightly()
    assert not summary.ok and summary.error_kind == "locked"
    assert "another crm run" in summary.error and "wait" in summary.render()
    assert summary.exit_code == 75
    _assert_last_good_version_intact(case)
    _assert_clean_rerun_is_exact(case)


def _hold_read_write(path) -> subprocess.Popen:
    """Another process (an analyst's session) holding a read-write DuckDB connection on `path`."""
    code = "import duckdb, sys; c = duckdb.connect(sys.argv[1]); print('held', flush=True); sys.stdin.read()"
    proc = subprocess.Popen(
        [sys.executable, "-c", code, str(path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout.readline().strip() == "held"
    return proc


def test_an_analysts_read_write_connection_on_the_published_file_does_not_stop_publication(case):
    holder = _hold_read_write(case["published"])
    try:
        summary = run_nightly()
        assert summary.ok, summary.error
        assert summary.dates_run == [case["last"]] and summary.customers
    finally:
        holder.communicate("")
    con = duckdb.connect(str(case["published"]), read_only=True)
    try:
        assert con.execute("select max(as_of_date) from crm.publication").fetchall()[0][0] == case["last"]
    finally:
        con.close()


def test_a_read_write_connection_on_the_work_file_is_a_named_lock_not_a_broken_delivery(case):
    holder = _hold_read_write(case["root"] / "wh" / "bank.work.duckdb")
    try:
        summary = run_nightly()
    finally:
        holder.communicate("")
    assert not summary.ok and summary.error_kind == "locked", summary.error
    assert "fix the delivery" not in summary.render() and "read-write connection" in summary.render()
    _assert_last_good_version_intact(case)
    _assert_clean_rerun_is_exact(case)


def test_ctrl_c_mid_run_is_reported_as_an_interruption(case):
    proc = subprocess.Popen(
        [sys.executable, "-m", "crm.cli", "run"],
        env={**os.environ, **case["env"], "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    deadline = time.monotonic() + 300
    seen = []
    for line in proc.stdout:
        seen.append(line)
        if "customer_resolution" in line and "STEP_START" in line:
            proc.send_signal(signal.SIGINT)
            break
        assert time.monotonic() < deadline
    out = "".join(seen) + proc.stdout.read()
    proc.wait(timeout=120)
    tail = out[-3000:]
    assert proc.returncode == 130, tail
    assert "interrupted" in tail.lower() and "rerun" in tail.lower(), tail
    assert "Traceback" not in out.split("[run] business date")[-1].split("FAILED")[-1], tail
    _assert_last_good_version_intact(case)
    _assert_clean_rerun_is_exact(case)
