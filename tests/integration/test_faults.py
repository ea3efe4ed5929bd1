"""Fault injection: every case starts from a healthy warehouse with published dates, breaks the
next night's delivery (or the process), and checks that the last good version stays current and
byte-for-byte intact, that the error names the system, the file and what is wrong, and that a
clean rerun then gives exactly the row counts of a run that never failed."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from crm.nightly import run_nightly

STAGING = ("party", "account", "deposit_balance", "loan_balance", "card_txn", "fx_deal")


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _env(root: Path, landing: Path) -> dict[str, str]:
    return {
        "CRM_LANDING_DIR": str(landing),
        "CRM_WAREHOUSE": str(root / "wh" / "bank.duckdb"),
        "CRM_REPORTS_DIR": str(root / "reports"),
        "DAGSTER_HOME": str(root / "dagster_home"),
        "CRM_DEMO": "1",
    }


def _counts(root: Path) -> dict:
    con = duckdb.connect(str(root / "wh" / "bank.work.duckdb"), read_only=True)
    try:
        out = {t: con.execute(f"select count(*) from staging.{t}").fetchall()[0][0] for t in STAGING}
        out["log"] = con.execute(
            "select system, business_date, file, rows_control, rows_staged, rows_quarantined "
            "from ingest.delivery_log order by all"
        ).fetchall()
        out["customers"] = con.execute("select count(distinct customer_id) from identity.customer_map").fetchall()[0][0]
    finally:
        con.close()
    pub = duckdb.connect(str(root / "wh" / "bank.duckdb"), read_only=True)
    try:
        out["versions"] = pub.execute(
            "select as_of_date, count(*) from crm.value_tier_history group by 1 order by 1"
        ).fetchall()
    finally:
        pub.close()
    return out


@pytest.fixture(scope="module")
def base(tmp_path_factory, small_bank):
    """A healthy warehouse with the first two dates published, and a reference run of all three."""
    from models.ingest.control import complete_dates

    root = tmp_path_factory.mktemp("faults")
    dates = complete_dates(small_bank["landing"])
    assert len(dates) == 3
    healthy = root / "healthy"
    (healthy / "dagster_home").mkdir(parents=True)
    with pytest.MonkeyPatch.context() as mp:
        for k, v in _env(healthy, small_bank["landing"]).items():
            mp.setenv(k, v)
        assert run_nightly(as_of=dates[1]).ok
    reference = root / "reference"
    shutil.copytree(healthy, reference)
    with pytest.MonkeyPatch.context() as mp:
        for k, v in _env(reference, small_bank["landing"]).items():
            mp.setenv(k, v)
        assert run_nightly().ok
    return {"healthy": healthy, "dates": dates, "landing": small_bank["landing"],
            "expected": _counts(reference)}


@pytest.fixture
def case(base, tmp_path, monkeypatch):
    """A private copy of the healthy warehouse and of the landing folder for one fault."""
    root = tmp_path / "case"
    shutil.copytree(base["healthy"], root)
    landing = tmp_path / "landing"
    shutil.copytree(base["landing"], landing)
    env = _env(root, landing)
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    published = root / "wh" / "bank.duckdb"
    return {
        **base, "root": root, "landing": landing, "env": env, "published": published,
        "published_sha": _sha(published), "last": base["dates"][-1],
    }


def _delivery(case, system: str, business_date=None) -> Path:
    d = business_date or case["last"]
    return case["landing"] / system / d.strftime("%Y%m%d")


def _rewrite_control(delivery: Path, name: str) -> None:
    """Make _CONTROL.json agree with a changed file, so only the fault itself is wrong."""
    control = json.loads((delivery / "_CONTROL.json").read_text())
    data = (delivery / name).read_bytes()
    text = data.decode(control["encoding"], errors="replace")
    control["files"][name] = {
        "rows": sum(1 for _ in csv.reader(io.StringIO(text, newline=""))) - 1,
        "sha256": hashlib.sha256(data).hexdigest(),
    }
    (delivery / "_CONTROL.json").write_text(json.dumps(control))


def _edit_csv(delivery: Path, name: str, encoding: str, edit) -> None:
    path = delivery / name
    rows = list(csv.reader(io.StringIO(path.read_bytes().decode(encoding), newline="")))
    rows = edit(rows)
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding))
    _rewrite_control(delivery, name)


def _assert_last_good_version_intact(case) -> None:
    assert _sha(case["published"]) == case["published_sha"], "the published version changed"
    assert not list(case["published"].parent.glob("*.building")), "a half-built version was left behind"
    con = duckdb.connect(str(case["published"]), read_only=True)
    try:
        latest = con.execute("select max(as_of_date) from crm.publication").fetchall()[0][0]
        assert latest == case["dates"][1]
        assert con.execute("select count(*) from crm.customer").fetchall()[0][0] > 0
    finally:
        con.close()


def _assert_clean_rerun_is_exact(case) -> None:
    summary = run_nightly()
    assert summary.ok, summary.error
    assert summary.dates_run == [case["last"]]
    assert _counts(case["root"]) == case["expected"]


def _fails_naming(case, *words: str) -> str:
    summary = run_nightly()
    assert not summary.ok, "the broken delivery was accepted"
    assert summary.failed == case["last"]
    message = summary.error.lower()
    for word in words:
        assert word.lower() in message, f"error does not name {word!r}: {summary.error}"
    _assert_last_good_version_intact(case)
    return message


def _repair(case, original: dict[Path, bytes]) -> None:
    for path, data in original.items():
        path.write_bytes(data)


def _keep(*paths: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in paths}


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
        return [r[:i] + r[i + 1:] for r in rows]

    _edit_csv(d, "deposit_balance.csv", "gb18030", drop_balance)
    _fails_naming(case, "deposit", "deposit_balance.csv", "balance")
    _repair(case, orig)
    _assert_clean_rerun_is_exact(case)


def test_new_unexpected_column_is_accepted(case):
    d = _delivery(case, "fx")
    _edit_csv(d, "fx_deal.csv", "utf-8", lambda rows: [r + (["extra"] if i else ["settlement_ref"]) for i, r in enumerate(rows)])
    _assert_clean_rerun_is_exact(case)


def test_column_whose_values_are_all_unparseable(case):
    d = _delivery(case, "loan")
    orig = _keep(d / "loan_balance.csv", d / "_CONTROL.json")

    def garble(rows):
        i = rows[0].index("outstanding")
        return [rows[0]] + [r[:i] + ["n/a"] + r[i + 1:] for r in rows[1:]]

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
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
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
        env={**os.environ, **case["env"]}, capture_output=True, text=True, preexec_fn=small_disk, timeout=600,
    )
    assert proc.returncode != 0
    out = (proc.stdout + proc.stderr).lower()
    assert "failed on business date" in out and any(w in out for w in ("too large", "space", "write", "i/o error")), out[-3000:]
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
