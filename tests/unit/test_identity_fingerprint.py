"""A record is matched again when any field the matcher reads changes (address included)."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from models.settings import sql_text
from models.warehouse import run_script

KEYS = {"system", "source_key", "raw_hash", "golden_hash"}
ROW = {
    "system": "deposit",
    "source_key": "D1",
    "name": "王芳",
    "name_latin": "WANG FANG",
    "id_type": "PASSPORT",
    "id_no": "E0000001",
    "birth_date": dt.date(1980, 1, 2),
    "gender": "F",
    "phone": "p",
    "email": "w@x.cn",
    "address": "上海市浦东新区世纪大道100号",
    "employer": "e",
    "nationality": "CHN",
    "since_date": dt.date(2020, 1, 1),
    "branch": "b",
    "first_seen": dt.date(2026, 10, 31),
    "last_seen": dt.date(2026, 10, 31),
}


@pytest.fixture
def con():
    c = duckdb.connect()
    run_script(c, "ingest/create_tables")
    run_script(c, "identity/schema")
    yield c
    c.close()


def _read(con, row: dict) -> dict:
    con.execute("delete from staging.party")
    con.execute(f"insert into staging.party by name select {', '.join(f'${k} as {k}' for k in row)}", row)
    cur = con.execute(sql_text("identity/party_read"), {"full": True})
    names = [d[0] for d in cur.description]
    return dict(zip(names, cur.fetchall()[0]))


def _match_inputs(con) -> set[str]:
    """Every staging column standardisation reads (party_read)."""
    _read(con, ROW)
    read = {d[0] for d in con.execute(sql_text("identity/party_read"), {"full": True}).description}
    return read - KEYS


def test_every_match_input_moves_the_match_fingerprint(con):
    inputs = _match_inputs(con)
    assert {"name", "id_no", "address"} <= inputs
    before = _read(con, ROW)["raw_hash"]
    for column in sorted(inputs):
        value = ROW[column]
        changed = value + dt.timedelta(days=1) if isinstance(value, dt.date) else f"{value}x"
        assert _read(con, {**ROW, column: changed})["raw_hash"] != before, column


def test_last_seen_alone_changes_neither_fingerprint(con):
    before = _read(con, ROW)
    after = _read(con, {**ROW, "last_seen": dt.date(2026, 11, 2)})
    assert (after["raw_hash"], after["golden_hash"]) == (before["raw_hash"], before["golden_hash"])
