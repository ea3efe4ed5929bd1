"""Versioned histories of the analyst file (models/publish.py VERSIONED): a key's row is stored once per run
of published dates it stayed the same, and crm.<x>_history (a view) must still give every published date
exactly the rows the old storage (a full copy of each night's rows) gave: nights in order, a rerun of the
latest date, a rerun of a past date with later dates published, and a date published late between two others."""

from __future__ import annotations

import itertools
import shutil
from datetime import date

import duckdb
import pandas as pd
import pytest

from models.publish import history_view, publish_versions, record_digests
from models.warehouse import replace_date_rows, run_script
from tests.synthetic_ids import mobile

D = [date(2026, 10, d) for d in (1, 2, 3, 5, 6)]
COLUMNS = ["as_of_date", "customer_id", "name", "city", "score"]


def night(day: date, rows: dict[str, tuple]) -> pd.DataFrame:
    return pd.DataFrame([(day, k, *v) for k, v in rows.items()], columns=COLUMNS)


RUNS = itertools.count()
STAYS = ("Li", "Beijing", 0.5)
# One dict per date in D: c1 stays, c2 changes on the 2nd and back on the 5th, c3 is gone on the 2nd and back on
# the 3rd, c4 appears on the 3rd, c5 holds NULLs that never change, c6 leaves on the 6th for good.
NIGHTS = [
    {"c1": STAYS, "c2": ("Wang", "Shanghai", 0.1), "c3": ("Zhao", None, 0.3), "c5": (None, None, None), "c6": STAYS},
    {"c1": STAYS, "c2": ("Wang", "Shenzhen", 0.2), "c5": (None, None, None), "c6": STAYS},
    {
        "c1": STAYS,
        "c2": ("Wang", "Shenzhen", 0.2),
        "c3": ("Zhao", None, 0.3),
        "c4": ("Sun", "Xi'an " + mobile("138", "00138000", "-"), 0.9),
        "c5": (None, None, None),
        "c6": STAYS,
    },
    {"c1": STAYS, "c2": ("Wang", "Shanghai", 0.1), "c3": ("Zhao", None, 0.3), "c5": (None, None, None), "c6": STAYS},
    {"c1": STAYS, "c2": ("Wang", "Shanghai", 0.1), "c3": ("Zhao", None, 0.3), "c5": (None, None, None)},
]


@pytest.fixture(params=["unrecorded", "recorded"])
def files(tmp_path, request):
    """Work and analyst files; "recorded": each night's digests are recorded after it is published, as
    published_warehouse does, so a latest night scrubs only the keys whose raw row moved (else: all rows)."""
    work = duckdb.connect(str(tmp_path / "work.duckdb"))
    work.execute(f"set variable recorded = {request.param == 'recorded'}")
    run_script(work, "publish/scrub")
    work.execute("create schema marts")
    work.execute(
        "create table marts.customer_history (as_of_date date, customer_id varchar, name varchar, city varchar, "
        "score double)"
    )
    # The old storage, as publication kept it: each night's rows copied into the analyst table.
    work.execute("create table old_history as select * from marts.customer_history limit 0")
    yield work, tmp_path
    work.close()


def publish(work, tmp_path, day: date, rows: pd.DataFrame) -> None:
    """One night of publication of `day`: the work history takes tonight's rows, the analyst file its versions."""
    work.register("tonight", rows)
    replace_date_rows(work, "marts.customer_history", "as_of_date", day, rows="tonight")
    work.execute("create or replace temp table scrubbed as select * replace (crm_scrub(city) as city) from tonight")
    replace_date_rows(work, "old_history", "as_of_date", day, rows="scrubbed")
    work.unregister("tonight")
    work.execute("attach ? as pub", [str(tmp_path / "bank.duckdb")])
    work.execute("create schema if not exists pub.crm")
    work.execute("create table if not exists pub.crm.publication (as_of_date date, run_id varchar)")
    run_id = f"run-{next(RUNS)}"  # every publication is a run of its own
    work.execute("delete from pub.crm.publication where as_of_date = $d", {"d": day})
    work.execute("insert into pub.crm.publication values ($d, $r)", {"d": day, "r": run_id})
    carried = {
        r[0] for r in work.execute("select table_name from duckdb_tables() where database_name = 'pub'").fetchall()
    }
    counts = publish_versions(work, "customer_history", "marts.customer_history", day, carried)
    assert counts["customer_history"] == len(rows)
    work.execute("detach pub")
    con = duckdb.connect(str(tmp_path / "bank.duckdb"))
    history_view(con, "customer_history")
    con.close()
    if work.execute("select getvariable('recorded')").fetchall()[0][0]:
        record_digests(work, day, run_id)


def scrubbed_tonight(work) -> int:
    """Rows the last publication scrubbed and compared (temp table pub_rows)."""
    return work.execute("select count(*) from pub_rows").fetchall()[0][0]


def check(work, tmp_path) -> int:
    """The view equals the old storage; the stored versions equal a rebuild from scratch. Returns stored rows."""
    rebuilt = tmp_path / "rebuilt.duckdb"
    shutil.copyfile(tmp_path / "bank.duckdb", rebuilt)
    work.execute("attach ? as pub", [str(rebuilt)])
    publish_versions(work, "customer_history", "marts.customer_history", D[0], set())
    work.execute("detach pub")
    work.execute("attach ? as pub (read_only)", [str(tmp_path / "bank.duckdb")])
    work.execute("attach ? as fresh (read_only)", [str(rebuilt)])
    try:
        cols = [c[0] for c in work.execute("describe pub.crm.customer_history").fetchall()]
        assert cols == COLUMNS  # the view keeps the history's columns, in order
        pairs = [
            (
                "pub.crm.customer_history",
                "(select * from old_history where as_of_date in (select as_of_date from pub.crm.publication))",
            ),
            ("pub.crm.customer_history_versions", "fresh.crm.customer_history_versions"),
        ]
        for a, b in pairs:
            for x, y in ((a, b), (b, a)):
                assert work.execute(f"select * from {x} except all select * from {y}").fetchall() == []
        return work.execute("select count(*) from pub.crm.customer_history_versions").fetchall()[0][0]
    finally:
        work.execute("detach pub")
        work.execute("detach fresh")


def versions_of(work, tmp_path, key: str) -> list[tuple]:
    work.execute("attach ? as pub (read_only)", [str(tmp_path / "bank.duckdb")])
    try:
        return work.execute(
            "select valid_from, valid_to, city from pub.crm.customer_history_versions where customer_id = ? order by 1",
            [key],
        ).fetchall()
    finally:
        work.execute("detach pub")


def test_nights_in_order_store_only_changes(files):
    work, tmp = files
    for day, rows in zip(D, NIGHTS):
        publish(work, tmp, day, night(day, rows))
        stored = check(work, tmp)
    assert stored < sum(len(n) for n in NIGHTS)
    assert versions_of(work, tmp, "c1") == [(D[0], None, "Beijing")]  # stayed: one row for five nights
    assert versions_of(work, tmp, "c2") == [
        (D[0], D[1], "Shanghai"),
        (D[1], D[3], "Shenzhen"),
        (D[3], None, "Shanghai"),
    ]
    assert versions_of(work, tmp, "c3") == [(D[0], D[1], None), (D[2], None, None)]  # gone on D[1], back on D[2]
    assert versions_of(work, tmp, "c6") == [(D[0], D[4], "Beijing")]  # left on D[4]: its version ends there
    assert versions_of(work, tmp, "c4")[0][2] == "Xi'an ***"  # scrubbed like every published text


def test_rerun_of_the_latest_date_replaces_its_version(files):
    work, tmp = files
    for day, rows in zip(D[:3], NIGHTS[:3]):
        publish(work, tmp, day, night(day, rows))
    changed = {**NIGHTS[2], "c1": ("Li", "Tianjin", 0.5)}
    del changed["c4"]
    publish(work, tmp, D[2], night(D[2], changed))
    check(work, tmp)
    assert versions_of(work, tmp, "c1") == [(D[0], D[2], "Beijing"), (D[2], None, "Tianjin")]
    assert versions_of(work, tmp, "c4") == []
    publish(work, tmp, D[2], night(D[2], NIGHTS[2]))  # and back: the versions merge again
    check(work, tmp)
    assert versions_of(work, tmp, "c1") == [(D[0], None, "Beijing")]


def test_rerun_of_a_past_date_leaves_later_dates_as_published(files):
    work, tmp = files
    for day, rows in zip(D, NIGHTS):
        publish(work, tmp, day, night(day, rows))
    # D[1] again: c1 differs on that date only, c2 equals its neighbours now, c3 is there, c6 is gone.
    rerun = {**NIGHTS[1], "c1": ("Li", "Tianjin", 0.5), "c2": ("Wang", "Shanghai", 0.1), "c3": ("Zhao", None, 0.3)}
    del rerun["c6"]
    publish(work, tmp, D[1], night(D[1], rerun))
    check(work, tmp)
    assert versions_of(work, tmp, "c1") == [(D[0], D[1], "Beijing"), (D[1], D[2], "Tianjin"), (D[2], None, "Beijing")]
    assert versions_of(work, tmp, "c2") == [
        (D[0], D[2], "Shanghai"),
        (D[2], D[3], "Shenzhen"),
        (D[3], None, "Shanghai"),
    ]
    assert versions_of(work, tmp, "c3") == [(D[0], None, None)]
    assert versions_of(work, tmp, "c6") == [(D[0], D[1], "Beijing"), (D[2], D[4], "Beijing")]


def test_a_date_published_late_between_two_others(files):
    work, tmp = files
    order = [0, 1, 3, 4, 2]  # D[2] arrives after D[3] and D[4] were published
    for i in order:
        publish(work, tmp, D[i], night(D[i], NIGHTS[i]))
        check(work, tmp)
    assert versions_of(work, tmp, "c3") == [(D[0], D[1], None), (D[2], None, None)]
    assert versions_of(work, tmp, "c4") == [(D[2], D[3], "Xi'an ***")]


def test_a_recorded_latest_night_scrubs_only_the_keys_that_moved(files):
    work, tmp = files
    recorded = work.execute("select getvariable('recorded')").fetchall()[0][0]
    for day, rows in zip(D, NIGHTS):
        publish(work, tmp, day, night(day, rows))
        if day == D[1]:  # c2 changed and c3 left: only c2's row is scrubbed
            assert scrubbed_tonight(work) == (1 if recorded else len(rows))
        if day == D[4]:  # c6 left, nothing else moved
            assert scrubbed_tonight(work) == (0 if recorded else len(rows))
        check(work, tmp)  # (its rebuild refills pub_rows)


def test_rows_of_the_previous_date_rewritten_but_not_published(files):
    """A rerun of D[1] that rewrote the work file's rows and failed before publishing: the analyst file still
    holds D[1] as first published, so D[2] must not be judged against the rewritten rows."""
    work, tmp = files
    for day, rows in zip(D[:2], NIGHTS[:2]):
        publish(work, tmp, day, night(day, rows))
    rewritten = {**NIGHTS[1], "c1": ("Li", "Tianjin", 0.5)}
    work.register("rewritten", night(D[1], rewritten))
    replace_date_rows(work, "marts.customer_history", "as_of_date", D[1], rows="rewritten")
    work.unregister("rewritten")
    tonight = {**NIGHTS[2], "c1": ("Li", "Tianjin", 0.5)}  # equal to the rewritten D[1], not to the published one
    publish(work, tmp, D[2], night(D[2], tonight))
    assert scrubbed_tonight(work) == len(tonight)  # the digest no longer matches: every row compared
    assert versions_of(work, tmp, "c1") == [(D[0], D[2], "Beijing"), (D[2], None, "Tianjin")]
