"""Too little history for churn and lifetime value is a stated status, not a failed night.

A bank whose deliveries hold full party files but header-only account and activity files (an
identity-only feed, a first night): the single customer view goes out, churn and lifetime value
are published empty with status INSUFFICIENT_HISTORY and a reason. A real error still blocks.
"""

from __future__ import annotations

import hashlib
import json

import duckdb
import pytest

from crm.nightly import run_nightly
from models import publish
from models.churn.model import split_windows
from models.status import InsufficientHistory
from tests.integration.fault_kit import _env

pytestmark = pytest.mark.slow  # builds and runs whole banks: `-m "not slow"` skips it locally

PARTY_FILES = ("_customer.csv", "_holder.csv", "_borrower.csv", "_client.csv")


@pytest.fixture(scope="module")
def identity_only(tmp_path_factory):
    """Generated deliveries with every account/activity file cut to its header (control rewritten)."""
    from crm.generator import generate

    root = tmp_path_factory.mktemp("identity_only")
    landing = root / "landing"
    generate(landing, root / "truth", customers=150, seed=5, daily_deliveries=1)
    for control_file in landing.glob("*/*/_CONTROL.json"):
        control = json.loads(control_file.read_text())
        for name in control["files"]:
            if name.endswith(PARTY_FILES):
                continue
            path = control_file.parent / name
            header = path.read_bytes().split(b"\n", 1)[0] + b"\n"
            path.write_bytes(header)
            control["files"][name] = {"rows": 0, "sha256": hashlib.sha256(header).hexdigest()}
        control_file.write_text(json.dumps(control))
    return landing


@pytest.fixture
def env(identity_only, tmp_path, monkeypatch):
    root = tmp_path / "run"
    (root / "dagster_home").mkdir(parents=True)
    for k, v in _env(root, identity_only).items():
        monkeypatch.setenv(k, v)
    return root


def test_split_windows_says_history_is_short():
    with pytest.raises(InsufficientHistory) as exc:
        split_windows([], validate_months=3)
    assert exc.value.output == "churn_model" and "has 0" in exc.value.reason


def test_identity_only_feed_publishes_customer_view_with_status(env):
    summary = run_nightly()
    assert summary.ok, summary.error
    assert len(summary.dates_run) == 2
    text = summary.render()
    assert "churn_risk INSUFFICIENT_HISTORY" in text and "lifetime_value INSUFFICIENT_HISTORY" in text
    assert "labelled month-ends" in text

    con = duckdb.connect(str(env / "wh" / "bank.duckdb"), read_only=True)
    try:
        assert con.execute("select count(*) from crm.customer").fetchall()[0][0] > 100
        assert con.execute("select count(*) from crm.data_quality").fetchall()[0][0] > 0
        for view in ("churn_risk", "lifetime_value", "value_tier", "retention_priority"):
            assert con.execute(f"select count(*) from crm.{view}").fetchall()[0][0] == 0, view
        status = {
            o: (s, r)
            for o, s, r in con.execute(
                "select output, status, reason from crm.output_status "
                "where as_of_date = (select max(as_of_date) from crm.publication)"
            ).fetchall()
        }
        for output in ("churn_model", "churn_risk", "lifetime_value", "value_tier", "retention_priority"):
            assert status[output][0] == "INSUFFICIENT_HISTORY" and status[output][1], output
        assert "labelled month-ends" in status["churn_risk"][1]
        assert "churn_risk" in status["lifetime_value"][1]
        for output in ("customer", "customer_source", "data_quality"):
            assert status[output] == ("OK", None), output
        # Both nights have their status (a version per date, like every *_history table).
        assert con.execute("select count(distinct as_of_date) from crm.output_status").fetchall()[0][0] == 2
        assert publish.uncommented(con) == []
    finally:
        con.close()
    report = sorted((env / "reports").glob("*.html"))[-1].read_text(encoding="utf-8")
    assert "Outputs not computed tonight" in report and "INSUFFICIENT_HISTORY" in report
    assert "Customers by 90-day churn probability" not in report  # the reason replaces empty charts


def test_real_error_in_churn_still_blocks(env, monkeypatch):
    from models.churn import versions

    def broken(*args, **kwargs):
        raise RuntimeError("churn labels: bug")

    monkeypatch.setattr(versions, "labelled_month_ends", broken)
    summary = run_nightly()
    assert not summary.ok
    assert "churn_model" in summary.error and "bug" in summary.error
    assert not (env / "wh" / "bank.duckdb").exists()


def test_four_months_of_history_publish_tiers_but_no_churn(tmp_path, monkeypatch):
    """Accounts and activity present but too short a history for labelled month-ends."""
    from crm.generator import generate

    landing = tmp_path / "landing"
    generate(landing, tmp_path / "truth", customers=300, seed=5, daily_deliveries=0, history_months=4)
    root = tmp_path / "run"
    (root / "dagster_home").mkdir(parents=True)
    for k, v in _env(root, landing).items():
        monkeypatch.setenv(k, v)
    summary = run_nightly()
    assert summary.ok, summary.error
    con = duckdb.connect(str(root / "wh" / "bank.duckdb"), read_only=True)
    try:
        status = dict(con.execute("select output, status from crm.output_status").fetchall())
        assert con.execute("select count(*) from crm.value_tier").fetchall()[0][0] > 0
        assert con.execute("select count(*) from crm.churn_risk").fetchall()[0][0] == 0
    finally:
        con.close()
    assert status["value_tier"] == status["product_holding"] == status["customer"] == "OK"
    assert status["churn_risk"] == status["lifetime_value"] == "INSUFFICIENT_HISTORY"
    assert status["next_best_product"] == "INSUFFICIENT_HISTORY" and status["customer_lifecycle"] == "OK"
