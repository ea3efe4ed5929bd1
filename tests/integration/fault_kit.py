"""Fault-injection kit shared by the fault suites: a healthy warehouse with two published dates,
a private copy per case, and helpers that break a delivery and check the outcome."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from pathlib import Path

import duckdb

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
        "CRM_LOG_LEVEL": "DEBUG",  # the kill and interrupt cases wait for STEP_START events
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
