"""Undated monthly tables of the analyst file (models/publish.py publish_monthly): a night rewrites only the
months whose work rows moved since the build the copied analyst file comes from, and the table must still
equal a whole rebuild of tonight's work rows, scrubbed. Without recorded digests for that build (a file
swapped in whose digests were never recorded), the table is rebuilt whole."""

from __future__ import annotations

import itertools
from datetime import date

import duckdb
import pandas as pd
import pytest

from models.publish import publish_monthly, record_digests, scrubbed_select
from models.warehouse import query, run_script
from tests.synthetic_ids import mobile

M = [date(2026, 7, 31), date(2026, 8, 31), date(2026, 9, 30), date(2026, 10, 31)]
RUNS = itertools.count()


@pytest.fixture
def work(tmp_path):
    con = duckdb.connect(str(tmp_path / "work.duckdb"))
    run_script(con, "publish/scrub")
    con.execute("create schema marts")
    con.execute("create table marts.monthly (customer_id varchar, month date, amount double, note varchar)")
    yield con, tmp_path
    con.close()


def deliver(con, rows: list[tuple]) -> None:
    """The work table as tonight's steps left it."""
    con.execute("delete from marts.monthly")
    con.register("tonight", pd.DataFrame(rows, columns=["customer_id", "month", "amount", "note"]))
    con.execute("insert into marts.monthly select * from tonight")
    con.unregister("tonight")


def publish(con, tmp_path, day: date, record: bool = True) -> int:
    """One night's publication of marts.monthly into the analyst file, in build_analyst_file's order; returns
    the months written. `record`: the digests are recorded after the swap, as published_warehouse does."""
    run_id = f"run-{next(RUNS)}"
    run_script(con, "publish/drop_table", {"table": "publication_digest_tonight"})
    con.execute("attach ? as pub", [str(tmp_path / "bank.duckdb")])
    try:
        con.execute("create schema if not exists pub.crm")
        carried = {r[0] for r in query(con, "publish/schema_tables", database="pub", schema="crm")}
        built_from = next(iter(query(con, "publish/built_from")), None) if "publication" in carried else None
        con.execute(
            "create table if not exists pub.crm.publication (as_of_date date, published_at timestamp, run_id varchar)"
        )
        con.execute("delete from pub.crm.publication where as_of_date = ?", [day])
        con.execute("insert into pub.crm.publication values (?, current_timestamp::timestamp, ?)", [day, run_id])
        cols = con.execute("describe marts.monthly").fetchall()
        written = publish_monthly(con, "monthly", "marts.monthly", cols, built_from if "monthly" in carried else None)
        run_script(con, "publish/digest_built_at", as_of=day)
    finally:
        con.execute("detach pub")
    if record:
        record_digests(con, day, run_id)
    return written


def same_as_rebuild(con, tmp_path) -> bool:
    select = scrubbed_select(con.execute("describe marts.monthly").fetchall())
    con.execute("attach ? as pub (read_only)", [str(tmp_path / "bank.duckdb")])
    try:
        diff = con.execute(
            f"select count(*) from ((select * from pub.crm.monthly except all select {select} from marts.monthly) "
            f"union all (select {select} from marts.monthly except all select * from pub.crm.monthly))"
        ).fetchall()[0][0]
    finally:
        con.execute("detach pub")
    return diff == 0


PHONE = "call " + mobile("139", "00139000", " ")
FIRST = [("c1", M[0], 1.0, None), ("c1", M[1], 2.0, "x"), ("c2", M[1], 3.0, PHONE), ("c1", M[2], 4.0, "y")]


def test_a_night_rewrites_only_the_months_that_moved(work):
    con, tmp = work
    deliver(con, FIRST)
    assert publish(con, tmp, date(2026, 9, 28)) == 3  # nothing carried: every month written
    assert same_as_rebuild(con, tmp)
    # Tonight only the open month moves (and gains a row whose note holds a phone, which must be scrubbed).
    deliver(con, FIRST[:3] + [("c1", M[2], 4.5, "y"), ("c2", M[2], 1.0, PHONE)])
    assert publish(con, tmp, date(2026, 9, 29)) == 1
    assert same_as_rebuild(con, tmp)
    # A closed month restated, a month gone, a new one begun.
    september = [("c1", M[2], 4.5, "y"), ("c2", M[2], 1.0, PHONE)]
    deliver(con, [("c1", M[1], 2.0, "x"), ("c2", M[1], 3.5, PHONE), *september, ("c1", M[3], 0.1, None)])
    assert publish(con, tmp, date(2026, 10, 1)) == 3  # August restated, July gone, October new
    assert same_as_rebuild(con, tmp)
    assert publish(con, tmp, date(2026, 10, 2)) == 0  # nothing moved
    assert same_as_rebuild(con, tmp)


def test_a_file_whose_digests_were_never_recorded_is_rebuilt_whole(work):
    con, tmp = work
    deliver(con, FIRST)
    publish(con, tmp, date(2026, 9, 28))
    deliver(con, FIRST[:3] + [("c1", M[2], 9.0, "y")])
    publish(con, tmp, date(2026, 9, 29), record=False)  # swapped in, then the night died before recording
    deliver(con, FIRST)  # back to the rows the recorded build (of 28 September) was made from
    # Trusting 28 September's digests would carry September as 9.0; the file's own build has none recorded.
    assert publish(con, tmp, date(2026, 9, 30)) == 3
    assert same_as_rebuild(con, tmp)
