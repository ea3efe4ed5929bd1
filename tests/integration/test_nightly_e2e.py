"""The nightly job end to end on generated data, through the real Dagster definitions and `crm run`.

One generated bank (full delivery + two daily ones) is run once per module; an analyst process
holds a read-only connection to the published file while the later nights publish.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from crm.nightly import run_nightly
from models import catalogue
from models.publish import uncommented
from models.settings import SQL_DIR
from tests.pii_patterns import BLOB, TEXT

pytestmark = pytest.mark.slow  # builds and runs whole banks: `-m "not slow"` skips it locally

CRM_VIEWS = (
    "customer",
    "customer_source",
    "value_tier",
    "churn_risk",
    "lifetime_value",
    "product_holding",
    "customer_lifecycle",
    "next_best_product",
    "retention_priority",
)

ANALYST = """
import sys, time, duckdb
from pathlib import Path
path, stop = sys.argv[1], Path(sys.argv[2])
con = duckdb.connect(path, read_only=True)
queries = 0
while not stop.exists():
    con.execute("select count(*), max(as_of_date) from crm.customer").fetchall()
    queries += 1
    time.sleep(0.05)
con.close()
print(queries)
"""


@pytest.fixture(scope="module")
def night(tmp_path_factory, small_bank):
    root = tmp_path_factory.mktemp("night")
    env = {
        "CRM_LANDING_DIR": str(small_bank["landing"]),
        "CRM_WAREHOUSE": str(root / "wh" / "bank.duckdb"),
        "CRM_REPORTS_DIR": str(root / "reports"),
        "DAGSTER_HOME": str(root / "dagster_home"),
        "CRM_DEMO": "1",
    }
    (root / "dagster_home").mkdir()
    with pytest.MonkeyPatch.context() as mp:
        for k, v in env.items():
            mp.setenv(k, v)
        from models.ingest.landing import complete_dates

        dates = complete_dates(small_bank["landing"])
        first = run_nightly(as_of=dates[0])
        assert first.ok, first.error
        stop = root / "stop"
        analyst = subprocess.Popen(
            [sys.executable, "-c", ANALYST, env["CRM_WAREHOUSE"], str(stop)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        time.sleep(1.0)
        rest = run_nightly()
        stop.touch()
        out, err = analyst.communicate(timeout=60)
        yield {
            "root": root,
            "env": env,
            "dates": dates,
            "first": first,
            "rest": rest,
            "analyst": (analyst.returncode, out, err),
            "warehouse": Path(env["CRM_WAREHOUSE"]),
            **small_bank,
        }


@pytest.fixture
def published(night):
    con = duckdb.connect(str(night["warehouse"]), read_only=True)
    yield con
    con.close()


def test_every_night_publishes_while_an_analyst_reads(night):
    assert night["rest"].ok, night["rest"].error
    assert night["first"].dates_run + night["rest"].dates_run == night["dates"]
    assert len(night["dates"]) == 3  # full + two daily deliveries
    code, out, err = night["analyst"]
    assert code == 0, err
    assert int(out) > 0


def test_every_view_is_filled_versioned_and_commented(night, published):
    latest = published.execute("select max(as_of_date) from crm.publication").fetchall()[0][0]
    assert latest == night["dates"][-1]
    for view in CRM_VIEWS:
        n, as_of = published.execute(f"select count(*), max(as_of_date) from crm.{view}").fetchall()[0]
        assert n > 0 and as_of == latest, view
    customers = published.execute("select count(*) from crm.customer").fetchall()[0][0]
    sources = published.execute("select count(*) from crm.customer_source").fetchall()[0][0]
    assert 300 < customers < sources  # ~400 persons, more records than persons
    assert uncommented(published) == []
    for table in ("customer_history", "value_tier_history", "churn_risk_history", "lifetime_value_history"):
        dates = published.execute(f"select count(distinct as_of_date) from crm.{table}").fetchall()[0][0]
        assert dates == 3, table


def test_the_catalogue_describes_exactly_the_published_columns(night, published):
    got = set(
        published.execute(
            "select table_name, column_name, data_type from duckdb_columns() where schema_name = 'crm'"
        ).fetchall()
    )
    want = {(rel.name, c.name, c.type) for rel in catalogue.relations().values() for c in rel.columns}
    assert got == want


def test_lifecycle_stages_agree_with_the_truth(night, published):
    from models.lifecycle_evaluate import evaluate_lifecycle

    work = duckdb.connect(str(night["warehouse"]).replace(".duckdb", ".work.duckdb"), read_only=True)
    try:
        res = evaluate_lifecycle(work, night["truth"])
    finally:
        work.close()
    assert res["drifting_persons"] >= 20
    assert res["drifting_in_decline_share"] >= 0.6  # the generator's drifting persons decline before churning
    assert res["decline_share_of_staying_customer_months"] <= 0.03
    assert res["joiners_in_acquisition_share"] >= 0.9
    moves, rows = published.execute(
        "select (select sum(customers) from crm.customer_lifecycle_transition), "
        "(select count(*) from crm.customer_lifecycle_monthly)"
    ).fetchall()[0]
    assert moves == rows > 0


def test_next_best_product_ranks_products_not_held(night, published):
    rows = published.execute(
        "select n.customer_id, n.product, n.propensity, n.rank, h.products from crm.next_best_product as n "
        "join crm.product_holding as h using (customer_id)"
    ).fetchall()
    assert rows
    assert all(0 <= p <= 1 and prod not in held.split(",") for _, prod, p, _, held in rows)
    by_customer: dict[str, list] = {}
    for cid, _, p, rank, _ in rows:
        by_customer.setdefault(cid, []).append((rank, p))
    for ranked in by_customer.values():
        ranked.sort()
        assert [r for r, _ in ranked] == list(range(1, len(ranked) + 1))
        assert all(a[1] >= b[1] for a, b in zip(ranked, ranked[1:]))  # rank 1 = highest propensity
    version = published.execute(
        "select hit_rate_at_1, baseline_hit_rate_at_1, customers_taking from crm.next_best_product_model"
    ).fetchall()
    assert version and version[-1][2] > 0 and 0 <= version[-1][0] <= 1


def test_rows_are_conserved(night, published):
    for system, read, staged, quarantined, resent in night["first"].per_system + night["rest"].per_system:
        assert read == staged + quarantined + resent, system
    bad = published.execute(
        "select system, file from crm.data_quality_history "
        "where rows_read <> rows_staged + rows_quarantined + rows_resent or rows_read <> rows_control"
    ).fetchall()
    assert bad == []


def test_no_raw_personal_data_in_the_analyst_file_or_report(night, published):
    schemas = {r[0] for r in published.execute("select distinct schema_name from duckdb_tables()").fetchall()}
    assert schemas == {"crm"}
    objects = published.execute(
        "select table_name from duckdb_tables() union all select view_name from duckdb_views() where not internal"
    ).fetchall()
    for (name,) in objects:
        rel = published.sql(f"select * from crm.{name}")
        # Text values in any spelling; numbers, dates and lists as printed (our own hex hashes excepted).
        kinds = [
            None if c.endswith("_hash") else TEXT if str(t) == "VARCHAR" else BLOB
            for c, t in zip(rel.columns, rel.types)
        ]
        for row in rel.fetchall():
            for col, kind, value in zip(rel.columns, kinds, row):
                assert kind is None or value is None or not kind.search(str(value)), (
                    f"crm.{name}.{col} shows an ID, phone or card number"
                )
    for report in Path(night["env"]["CRM_REPORTS_DIR"]).glob("*.html"):
        # plotly's inlined library is third-party code (its SVG path numbers look like phone numbers)
        ours = re.sub(r"<script id='plotly-js'>.*?</script>", "", report.read_text(encoding="utf-8"), flags=re.S)
        assert not BLOB.search(ours), report.name


def test_no_raw_personal_data_in_run_logs_or_event_metadata(night):
    # The Dagster instance keeps every run's event log (metadata, log lines) and captured output.
    files = [p for p in Path(night["env"]["DAGSTER_HOME"]).rglob("*") if p.is_file()]
    assert files
    for path in files:
        text = path.read_bytes().decode("utf-8", errors="replace")
        found = BLOB.search(text)
        assert not found, f"{path.name} holds something shaped like an ID or phone number"


@pytest.mark.parametrize("path", sorted((SQL_DIR / "analyst").glob("*.sql")), ids=lambda p: p.stem)
def test_analyst_example_queries(night, published, path):
    cid = published.execute(
        "select customer_id from crm.customer where systems like '%,%' order by customer_id limit 1"
    ).fetchall()[0][0]
    published.execute("set variable customer_id = ?", [cid])
    published.execute("set variable as_of = ?", [night["dates"][0]])
    rows = published.execute(path.read_text(encoding="utf-8")).fetchall()
    assert rows, f"{path.name} returned nothing"


def test_report_per_date_with_its_charts(night, published):
    reports = Path(night["env"]["CRM_REPORTS_DIR"])
    listed = {
        d for (d,) in published.execute("select distinct as_of_date from crm.retention_priority_history").fetchall()
    }
    assert listed
    for d in night["dates"]:
        html = (reports / f"{d.isoformat()}.html").read_text(encoding="utf-8")
        # the retention list's head is drawn on every date it was published for
        assert ("value_at_risk_cny" in html) == (d in listed), d
        for title in (
            "value tier",
            "Tier migration",
            "Lifecycle stages",
            "Churn risk",
            "Calibration",
            "retention list",
            "Lifetime value",
            "Cross-sell",
            "Hit rates",
            "Linkage quality",
            "Data quality",
        ):
            assert title.lower() in html.lower(), title
        assert html.count('class="plotly-graph-div"') >= 12
        assert html.count("<script id='plotly-js'>") == 1 and len(html) > 3_000_000  # the library inlined once
        ours = re.sub(r"<script id='plotly-js'>.*?</script>", "", html, flags=re.S)  # the library's own links aside
        assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", ours)  # opens with no server


def test_second_run_skips_published_dates_and_rerun_replaces(night, monkeypatch):
    for k, v in night["env"].items():
        monkeypatch.setenv(k, v)
    again = run_nightly()
    assert again.ok and again.dates_run == [] and len(again.dates_skipped) == 3
    before = _counts(night["warehouse"])
    rerun = run_nightly(as_of=night["dates"][-1], rerun=True)
    assert rerun.ok, rerun.error
    assert rerun.dates_run == [night["dates"][-1]]
    assert _counts(night["warehouse"]) == before  # a rerun replaces its version, never doubles it


def test_carried_analyst_file_equals_a_full_rebuild(night, tmp_path):
    """Publication carries the last file over and adds tonight's versions: after every night and a
    rerun it must hold exactly what a rebuild of every published date from the work file holds."""
    from models.publish import PUBLISHED_TABLES, VERSIONED, build_analyst_file

    latest = night["dates"][-1]
    fresh = tmp_path / "fresh.duckdb"
    work = duckdb.connect(str(night["warehouse"]).replace(".duckdb", ".work.duckdb"))
    try:
        build_analyst_file(work, fresh, latest, "rebuild")
    finally:
        work.close()
    con = duckdb.connect(str(fresh), read_only=True)
    try:
        con.execute(f"attach '{night['warehouse']}' as carried (read_only)")
        for name in [*PUBLISHED_TABLES, *(f"{v}_versions" for v in VERSIONED)]:
            cols = "* exclude (published_at, run_id)" if name == "publication" else "*"
            for a, b in (("crm", "carried.crm"), ("carried.crm", "crm")):
                extra = con.execute(
                    f"select count(*) from (select {cols} from {a}.{name} except all select {cols} from {b}.{name})"
                ).fetchall()[0][0]
                assert extra == 0, (name, a)
    finally:
        con.close()


def test_histories_store_changes_and_read_as_the_full_copies_did(night):
    """A per-customer history keeps a key's row once per run of dates it stayed the same, and its view gives
    every published date what the old storage (each night's rows copied) gave: the work file's rows of every
    published date, scrubbed."""
    from models.publish import PUBLISHED_TABLES, VERSIONED, scrubbed_select
    from models.warehouse import run_script

    work = duckdb.connect(str(night["warehouse"]).replace(".duckdb", ".work.duckdb"), read_only=True)
    try:
        run_script(work, "publish/scrub")
        work.execute(f"attach '{night['warehouse']}' as pub (read_only)")
        sizes = {}
        for name in VERSIONED:
            source = f"marts.{PUBLISHED_TABLES[name]}"
            select = scrubbed_select(work.execute(f"describe {source}").fetchall())
            old = f"(select {select} from {source} where as_of_date in (select as_of_date from marts.publication))"
            for a, b in ((old, f"pub.crm.{name}"), (f"pub.crm.{name}", old)):
                assert work.execute(f"select count(*) from (from {a} except all from {b})").fetchall()[0][0] == 0, name
            sizes[name] = work.execute(
                f"select (select count(*) from pub.crm.{name}_versions), (select count(*) from pub.crm.{name})"
            ).fetchall()[0]
    finally:
        work.close()
    assert sizes["customer_history"][0] < sizes["customer_history"][1] / 2  # three nights, few changes
    assert sum(s[0] for s in sizes.values()) < sum(s[1] for s in sizes.values())


def _counts(path: Path) -> dict:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return {
            t: con.execute(f"select as_of_date, count(*) from crm.{t} group by 1 order by 1").fetchall()
            for t in ("publication", "customer_history", "value_tier_history", "churn_risk_history")
        }
    finally:
        con.close()
