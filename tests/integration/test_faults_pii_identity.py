"""Hostile deliveries against personal-data and identity rules: numbers planted in free text never
reach schema crm, a changed field of a customer reaches the customer view the next night, and a new
CRM_PII_KEY leaves no hash made with the old key. Fixtures: tests/integration/conftest.py."""

from __future__ import annotations

import unicodedata

import duckdb
import pytest

from crm.nightly import run_nightly
from models.identity.golden import keyed_hash
from tests.integration.fault_kit import _delivery, _edit_csv
from tests.pii_patterns import TEXT
from tests.synthetic_ids import mobile, resident_id

pytestmark = pytest.mark.slow  # builds and runs whole banks: `-m "not slow"` skips it locally


def _set(rows, column, value_of):
    """Rewrite `column` of the first three data rows; value_of(i, old) gives the new value."""
    col = rows[0].index(column)
    for i, row in enumerate(rows[1:4]):
        row[col] = value_of(i, row[col])
    return rows


def _text_values(con, database="pub"):
    """(object, column, value) of every text value in schema crm, our own hex hashes excepted."""
    objects = con.execute(
        "select table_name from duckdb_tables() where database_name = ? and schema_name = 'crm' union all "
        "select view_name from duckdb_views() where database_name = ? and schema_name = 'crm'",
        [database, database],
    ).fetchall()
    for (name,) in objects:
        rel = con.sql(f"select * from {database}.crm.{name}")
        cols = [
            (i, c)
            for i, (c, t) in enumerate(zip(rel.columns, rel.types))
            if "VARCHAR" in str(t) and not c.endswith("_hash")
        ]
        for row in rel.fetchall():
            for i, c in cols:
                if row[i] is not None:
                    yield name, c, str(row[i])


def test_numbers_planted_in_names_and_addresses_never_reach_schema_crm(case):
    phones = [mobile("138", f"{i}0112233", sep) for i, sep in enumerate(("-", " ", "."))]
    ids = [resident_id("110101", f"1990030{i + 1}", "123") for i in range(3)]
    cards = ["6222 0200 1234 " + f"{i}678" for i in range(3)]
    _edit_csv(
        _delivery(case, "fx"),
        "fx_client.csv",
        "utf-8",
        lambda rows: _set(rows, "name_en", lambda i, old: f"{old} +86 {phones[i]}"),
    )
    _edit_csv(
        _delivery(case, "deposit"),
        "deposit_customer.csv",
        "gb18030",
        lambda rows: _set(
            _set(rows, "address", lambda i, old: f"{old or ''}{ids[i]}"),
            "cust_name",
            lambda i, old: f"{old}{cards[i].replace(' ', '')}",
        ),
    )
    _edit_csv(
        _delivery(case, "card"),
        "card_holder.csv",
        "utf-8",
        lambda rows: _set(rows, "holder_name", lambda i, old: f"{old} {cards[i]}"),
    )
    summary = run_nightly()
    assert summary.ok, summary.error

    # The planted numbers did reach tonight's customer view in the work file (the test is not vacuous)...
    work = duckdb.connect(case["env"]["CRM_WAREHOUSE"].replace(".duckdb", ".work.duckdb"), read_only=True)
    try:
        raw = work.execute(
            "select name, name_latin from marts.customer_history where as_of_date = ?", [case["last"]]
        ).fetchall()
    finally:
        work.close()
    assert any(TEXT.search(unicodedata.normalize("NFKC", v)) for row in raw for v in row if v)

    # ...and none of them, in any spelling, reached any text column of the analyst file.
    con = duckdb.connect(":memory:")
    try:
        con.execute(f"attach '{case['published']}' as pub (read_only)")
        found = [(n, c) for n, c, v in _text_values(con) if TEXT.search(unicodedata.normalize("NFKC", v))]
        masked = con.execute("select count(*) from pub.crm.customer where name_latin like '%***%'").fetchall()[0][0]
    finally:
        con.close()
    assert found == [], found[:5]
    assert masked > 0


def _work(case):
    return duckdb.connect(case["env"]["CRM_WAREHOUSE"].replace(".duckdb", ".work.duckdb"), read_only=True)


def test_a_deposit_only_customer_who_moves_shows_the_new_city_next_night(case):
    con = duckdb.connect(str(case["published"]), read_only=True)
    try:
        customer_id, key, city = con.execute(
            "select c.customer_id, s.source_key, c.city from crm.customer c join crm.customer_source s using (customer_id) "
            "where c.systems = 'deposit' and c.source_records = 1 and c.city is not null order by 1 limit 1"
        ).fetchall()[0]
    finally:
        con.close()
    new_city = "成都市" if city != "成都市" else "杭州市"
    moved = f"四川省{new_city}武侯区人民南路四段9号"

    def move(rows):
        col = rows[0].index("address")
        for row in rows[1:]:
            if row[0] == key:
                row[col] = moved
        return rows

    _edit_csv(_delivery(case, "deposit"), "deposit_customer.csv", "gb18030", move)
    summary = run_nightly()
    assert summary.ok, summary.error

    con = duckdb.connect(str(case["published"]), read_only=True)
    try:
        got = con.execute("select city, as_of_date from crm.customer where customer_id = ?", [customer_id]).fetchall()
    finally:
        con.close()
    assert got == [(new_city, case["last"])]
    work = _work(case)
    try:
        # The address is match evidence: the record was matched again tonight and kept its customer id.
        assert work.execute(
            "select address from identity.customer_golden where customer_id = ?", [customer_id]
        ).fetchall() == [(moved,)]
        matched_on = work.execute(
            "select std_on from identity.party_matched where uid = ?", [f"deposit:{key}"]
        ).fetchall()
        kept = work.execute(
            "select customer_id from identity.customer_map where system = 'deposit' and source_key = ?", [key]
        ).fetchall()
    finally:
        work.close()
    assert matched_on == [(case["last"],)] and kept == [(customer_id,)]


def test_a_new_pii_key_leaves_no_hash_made_with_the_old_one(case, monkeypatch):
    from models.settings import pii_key

    key_a = pii_key()  # the key of the first two nights
    key_b = b"another bank key for the third night"
    monkeypatch.setenv("CRM_PII_KEY", key_b.decode())
    summary = run_nightly()
    assert summary.ok, summary.error

    work = _work(case)
    try:
        values = {
            v
            for (v,) in work.execute(
                "select id_std from identity.party_std union select phone_std from identity.party_std "
                "union select id_no from identity.customer_golden union select phone from identity.customer_golden"
            ).fetchall()
            if v
        }
        golden = work.execute("select customer_id, id_no, phone from identity.customer_golden").fetchall()
    finally:
        work.close()
    old_hashes = {keyed_hash(v, key_a) for v in values}

    con = duckdb.connect(str(case["published"]), read_only=True)
    try:
        published = set()
        for table, column in con.execute(
            "select table_name, column_name from duckdb_columns() where schema_name = 'crm' and column_name like '%hash'"
        ).fetchall():
            published |= {v for (v,) in con.execute(f"select {column} from crm.{table}").fetchall() if v}
        latest = {
            r[0]: r[1:] for r in con.execute("select customer_id, id_hash, phone_hash from crm.customer").fetchall()
        }
        earlier = con.execute(
            "select count(id_hash) from crm.customer_history where as_of_date = ?", [case["dates"][0]]
        ).fetchall()[0][0]
    finally:
        con.close()
    assert published and not (published & old_hashes), "hashes made with the old CRM_PII_KEY are still published"
    assert latest == {c: (keyed_hash(i, key_b), keyed_hash(p, key_b)) for c, i, p in golden}
    assert earlier > 0  # earlier dates were re-hashed, not just emptied

    work = _work(case)
    try:
        stored = work.execute("select fingerprint from identity.pii_key_state").fetchall()
    finally:
        work.close()
    assert len(stored) == 1 and key_a.decode() not in stored[0][0] and key_b.decode() not in stored[0][0]

    # The run says so.
    logs = [p.read_bytes() for p in (case["root"] / "dagster_home").rglob("*") if p.is_file()]
    assert any(b"CRM_PII_KEY changed" in data for data in logs)
