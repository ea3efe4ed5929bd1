"""Fault injection: every case starts from a healthy warehouse with published dates, breaks the
next night's delivery (or the process), and checks that the last good version stays current and
byte-for-byte intact, that the error names the system, the file and what is wrong, and that a
clean rerun then gives exactly the row counts of a run that never failed."""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
import time

import pytest

from crm.nightly import run_nightly
from tests.integration.fault_kit import (
    _assert_clean_rerun_is_exact,
    _assert_last_good_version_intact,
    _counts,
    _delivery,
    _edit_csv,
    _fails_naming,
    _keep,
    _repair,
    _rewrite_control,
)

pytestmark = pytest.mark.slow  # builds and runs whole banks: `-m "not slow"` skips it locally


def test_file_truncated_mid_row(case):
    d = _delivery(case, "card")
    f = d / "card_txn.csv"
    orig = _keep(f)
    data = f.read_bytes()
    f.write_bytes(data[: len(data) * 2 // 3 + 7])
    msg = _fails_naming(case, "card", "card_txn.csv")
    assert "rows" in msg or "sha256" in msg or "checksum" in msg
    _repair(case, orig)
    _assert_clean_rerun_is_exact(case)


def test_row_count_disagrees_with_control(case):
    d = _delivery(case, "loan")
    orig = _keep(d / "_CONTROL.json")
    control = json.loads((d / "_CONTROL.json").read_text())
    control["files"]["loan_balance.csv"]["rows"] += 1
    (d / "_CONTROL.json").write_text(json.dumps(control))
    msg = _fails_naming(case, "loan", "loan_balance.csv")
    assert "rows" in msg or "row count" in msg
    _repair(case, orig)
    _assert_clean_rerun_is_exact(case)


def test_checksum_disagrees_with_control(case):
    d = _delivery(case, "fx")
    f = d / "fx_client.csv"
    orig = _keep(f)
    data = bytearray(f.read_bytes())
    i = data.index(b"\n") + 3
    data[i] = ord("Q") if data[i] != ord("Q") else ord("R")
    f.write_bytes(bytes(data))
    msg = _fails_naming(case, "fx", "fx_client.csv")
    assert "sha256" in msg or "checksum" in msg
    _repair(case, orig)
    _assert_clean_rerun_is_exact(case)


def test_delivery_without_control_is_waited_for(case):
    d = _delivery(case, "deposit")
    orig = _keep(d / "_CONTROL.json")
    (d / "_CONTROL.json").unlink()
    summary = run_nightly()
    assert summary.ok and summary.dates_run == []
    _assert_last_good_version_intact(case)
    _repair(case, orig)
    _assert_clean_rerun_is_exact(case)


def test_deposit_file_not_valid_gb18030(case):
    d = _delivery(case, "deposit")
    f = d / "deposit_customer.csv"
    orig = _keep(f, d / "_CONTROL.json")
    data = f.read_bytes()
    cut = data.index(b"\n", len(data) // 2) + 1
    f.write_bytes(data[:cut] + b"\x81\x20\xff\xfe" + data[cut:])
    _rewrite_control(d, "deposit_customer.csv")
    _fails_naming(case, "deposit", "deposit_customer.csv", "gb18030")
    _repair(case, orig)
    _assert_clean_rerun_is_exact(case)


def test_file_in_the_wrong_encoding(case):
    d = _delivery(case, "card")
    f = d / "card_holder.csv"
    orig = _keep(f, d / "_CONTROL.json")
    f.write_bytes(f.read_bytes().decode("utf-8").encode("gb18030"))
    _rewrite_control(d, "card_holder.csv")
    _fails_naming(case, "card", "card_holder.csv", "utf-8")
    _repair(case, orig)
    _assert_clean_rerun_is_exact(case)


def test_header_missing_a_required_column(case):
    d = _delivery(case, "deposit")
    orig = _keep(d / "deposit_balance.csv", d / "_CONTROL.json")

    def drop_balance(rows):
        i = rows[0].index("balance")
        return [r[:i] + r[i + 1 :] for r in rows]

    _edit_csv(d, "deposit_balance.csv", "gb18030", drop_balance)
    _fails_naming(case, "deposit", "deposit_balance.csv", "balance")
    _repair(case, orig)
    _assert_clean_rerun_is_exact(case)


def test_new_unexpected_column_is_accepted(case):
    d = _delivery(case, "fx")
    _edit_csv(
        d,
        "fx_deal.csv",
        "utf-8",
        lambda rows: [r + (["extra"] if i else ["settlement_ref"]) for i, r in enumerate(rows)],
    )
    _assert_clean_rerun_is_exact(case)


def test_column_whose_values_are_all_unparseable(case):
    d = _delivery(case, "loan")
    orig = _keep(d / "loan_balance.csv", d / "_CONTROL.json")

    def garble(rows):
        i = rows[0].index("outstanding")
        return [rows[0]] + [r[:i] + ["n/a"] + r[i + 1 :] for r in rows[1:]]

    _edit_csv(d, "loan_balance.csv", "utf-8", garble)
    _fails_naming(case, "loan", "loan_balance.csv", "outstanding")
    _repair(case, orig)
    _assert_clean_rerun_is_exact(case)


def test_same_delivery_sent_twice(case):
    _assert_clean_rerun_is_exact(case)
    again = run_nightly(as_of=case["last"], rerun=True)
    assert again.ok and again.dates_run == [case["last"]]
    assert _counts(case["root"]) == case["expected"]


def test_delivery_for_a_date_already_published(case):
    _assert_clean_rerun_is_exact(case)
    skipped = run_nightly()
    assert skipped.ok and skipped.dates_run == []
    resent = run_nightly(as_of=case["dates"][1], rerun=True)
    assert resent.ok and resent.dates_run == [case["dates"][1]]
    after = _counts(case["root"])
    assert after["versions"] == case["expected"]["versions"]
    assert after["log"] == case["expected"]["log"]


def test_deliveries_arriving_out_of_order(case):
    # The card system's last delivery is late: nothing later may run before it.
    d = _delivery(case, "card")
    orig = _keep(d / "_CONTROL.json")
    (d / "_CONTROL.json").unlink()
    held = run_nightly()
    assert held.ok and held.dates_run == []
    _repair(case, orig)
    _assert_clean_rerun_is_exact(case)


@pytest.mark.parametrize("step", ["card_extract", "customer_resolution", "published_warehouse"])
def test_process_killed_mid_run_then_rerun(case, step):
    proc = subprocess.Popen(
        [sys.executable, "-m", "crm.cli", "run"],
        env={**os.environ, **case["env"], "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    deadline = time.monotonic() + 300
    killed = False
    for line in proc.stdout:
        if step in line and "STEP_START" in line:
            proc.send_signal(signal.SIGKILL)
            killed = True
            break
        assert time.monotonic() < deadline
    proc.wait(timeout=60)
    assert killed, f"never saw {step} start"
    assert proc.returncode == -signal.SIGKILL
    _assert_last_good_version_intact(case)
    _assert_clean_rerun_is_exact(case)


def test_full_disk_leaves_no_partial_version(case):
    limit = 512 * 1024  # no file may grow past 512 KB: the work file cannot grow, no new version fits

    def small_disk():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    proc = subprocess.run(
        [sys.executable, "-m", "crm.cli", "run"],
        env={**os.environ, **case["env"]},
        capture_output=True,
        text=True,
        preexec_fn=small_disk,
        timeout=600,
    )
    assert proc.returncode != 0
    out = (proc.stdout + proc.stderr).lower()
    assert "failed on business date" in out and any(w in out for w in ("too large", "space", "write", "i/o error")), (
        out[-3000:]
    )
    _assert_last_good_version_intact(case)
    _assert_clean_rerun_is_exact(case)


def test_unwritable_warehouse_path_is_a_clear_error(case, tmp_path, monkeypatch):
    blocker = tmp_path / "not_a_dir"
    blocker.write_text("a file where the warehouse folder should be")
    monkeypatch.setenv("CRM_WAREHOUSE", str(blocker / "bank.duckdb"))
    summary = run_nightly()
    assert not summary.ok
    assert "not_a_dir" in summary.error
    _assert_last_good_version_intact(case)
