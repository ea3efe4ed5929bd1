"""Inputs are data, never code: names and addresses holding quotes, SQL, control characters or very
long strings pass through ingestion and standardisation untouched (property-based, hypothesis)."""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

import duckdb
import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from models.identity.golden import hmac_pads, keyed_hash
from models.identity.standardise import standardise_party
from models.ingest.load import ingest_delivery
from models.warehouse import run_script
from tests.integration.ingest_fixtures import sample_files, write_delivery

DAY = date(2026, 3, 31)
NASTY = [
    "'; drop table staging.party; --",
    'Robert"); delete from crm.customer; --',
    "$as_of",
    "?",
    "%s",
    "a,b",
    '"quoted"',
    "line\nbreak",
    "tab\there",
    "\\N",
    "NULL",
    "{{ jinja }}",
    "${HOME}",
    "\u200b张\u3000伟",
    "王" * 5000,
    "x" * 100_000,
]
# Any text a bank's source system could hold: every printable character plus control characters.
text = st.one_of(
    st.sampled_from(NASTY),
    st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\r"), min_size=1, max_size=300),
)


def _trimmed(value: str) -> str | None:
    # Staging trims surrounding whitespace of every kind and maps empty to NULL (sql/ingest/macros.sql `v`).
    con = duckdb.connect()
    try:
        run_script(con, "ingest/macros")
        return con.execute("select v($v)", {"v": value}).fetchall()[0][0]
    finally:
        con.close()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=text, address=text, system=st.sampled_from(["deposit", "card"]))
def test_hostile_names_and_addresses_pass_through_ingestion(name, address, system):
    files = sample_files(system, DAY)
    party_file = next(iter(files))  # deposit_customer.csv / card_holder.csv
    row = files[party_file][0]
    row[1] = name
    row[7 if system == "deposit" else 8] = address
    with tempfile.TemporaryDirectory() as tmp:
        landing = Path(tmp) / "landing"
        write_delivery(landing, system, DAY, files, kind="full")
        con = duckdb.connect(str(Path(tmp) / "w.duckdb"))
        try:
            report = ingest_delivery(con, landing, system, DAY, scratch_dir=Path(tmp) / "scratch")
            assert report.rows_read == report.rows_staged + report.rows_quarantined
            got = con.execute(
                "select name, address from staging.party where system = ? and source_key = ?", [system, row[0]]
            ).fetchall()
            assert got == [(_trimmed(name), _trimmed(address))]
            # The schemas and tables the text tried to reach are still there.
            assert con.execute("select count(*) from staging.party").fetchall()[0][0] == len(files[party_file])
        finally:
            con.close()


@settings(max_examples=60, deadline=None)
@given(names=st.lists(text, min_size=1, max_size=8))
def test_standardisation_keeps_one_row_per_record_whatever_the_name(names):
    party = pl.DataFrame(
        {
            "system": ["fx"] * len(names),
            "source_key": [f"K{i}" for i in range(len(names))],
            "name": names,
            "name_latin": names,
            "id_type": ["RESIDENT"] * len(names),
            "id_no": names,  # garbage in the ID field must not break the ID checks either
            "birth_date": [None] * len(names),
            "gender": [None] * len(names),
            "phone": names,
            "email": names,
        },
        schema_overrides={"birth_date": pl.Date},
    )
    std = standardise_party(party, today=DAY)
    assert std.height == len(names)
    assert std["uid"].to_list() == [f"fx:K{i}" for i in range(len(names))]
    assert not std["id_valid"].fill_null(False).any()


@settings(max_examples=60, deadline=None)
@given(value=text, key=st.binary(min_size=1, max_size=100))
def test_sql_keyed_hash_matches_python_for_any_value_and_key(value, key):
    # The golden record hashes in SQL (sql/identity/golden.sql); analysts' joins need it to equal HMAC-SHA256.
    ipad, opad = hmac_pads(key)
    got = duckdb.execute(
        "select sha256($opad || unhex(sha256($ipad || encode($v))))", {"ipad": ipad, "opad": opad, "v": value}
    ).fetchall()[0][0]
    assert got == keyed_hash(value, key)
