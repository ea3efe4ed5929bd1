"""A plain file (no quote, CR, NUL or blank line) is read by DuckDB as delivered, in one pass, and a
file whose values have no whitespace at their ends skips the trim: both give exactly what the
line-numbered copy and the trim give, on hostile deliveries (wrong field counts, duplicate keys, bad
values, exotic whitespace, a line too long for the direct read, a quote sending the file the old way)."""

from __future__ import annotations

import contextlib
import csv
import random
from datetime import date

import duckdb
import pytest

import models.ingest.control as control
import models.ingest.load as load
from models.ingest.control import verify_delivery
from models.ingest.scan import MAX_FIELD_CHARS, WS, _EdgeSpace
from tests.integration.ingest_fixtures import csv_bytes, header, sample_files, write_delivery

DAY = date(2026, 11, 20)
TXN = [
    "T{i},A001,2026-11-20T10:{m:02}:00,12.5,5411,POS,PURCHASE",  # good
    "T{i},A001,2026-11-20T10:00:00,12.5,5411,POS",  # a field short
    "T{i},A001,2026-11-20T10:00:00,12.5,5411,POS,FEE,extra",  # a field too many
    "T7,A001,2026-11-20T10:00:00,3.5,5411,ATM,FEE",  # a key repeated
    "T{i},A001,yesterday,12.5,5411,POS,FEE",  # unparseable time
    "T{i},A001,2026-11-20T10:00:00,1e15,5411,POS,FEE",  # outside the plausible range
    ",A001,2026-11-20T10:00:00,12.5,5411,POS,FEE",  # no key
    "T{i},张伟,2026-11-20T10:00:00,12.5,5411,ＰＯＳ,FEE",  # multi-byte text
]
EDGES = ["T{i}\u3000,A001,2026-11-20T10:00:00,1,5411,POS,FEE", " T{i},A001,2026-11-20T10:00:00,1,5411,POS,FEE "]
LONG = "T{i},A001,2026-11-20T10:00:00,12.5,{long},POS,FEE"  # over max_line_size: the copy decides
QUOTED = 'T{i},A001,2026-11-20T10:00:00,12.5,"5,411",POS,FEE'
BLANK = ""  # DuckDB skips a blank line, the csv module counts it: the count sends the file the old way


@contextlib.contextmanager
def _csv_counts_big_fields():
    old = csv.field_size_limit(2**31 - 1)
    try:
        yield
    finally:
        csv.field_size_limit(old)


def _txn_file(rnd: random.Random, extra: list[str]) -> bytes:
    pieces = TXN + extra
    lines = [rnd.choices(pieces, [30] + [1] * (len(pieces) - 1))[0] for _ in range(250)]
    text = "\n".join(p.format(i=i, m=i % 60, long="9" * (MAX_FIELD_CHARS + 1)) for i, p in enumerate(lines))
    return (",".join(header("card", "card_txn.csv")) + "\n" + text + rnd.choice(["", "\n"])).encode()


def _tables(con) -> dict[str, list]:
    names = [
        "staging.card_txn",
        "staging.party",
        "staging.account",
        "staging.deposit_balance",
        "quarantine.rejected_row",
        "ingest.file_totals",
    ]
    out = {n: sorted(con.execute(f"select * from {n}").fetchall(), key=repr) for n in names}
    out["log"] = sorted(con.execute("select * exclude (loaded_at) from ingest.delivery_log").fetchall(), key=repr)
    return out


def _ingest_both_ways(tmp_path, monkeypatch, system):
    results = []
    for direct in (False, True):
        monkeypatch.setattr(control, "DIRECT_READ", direct)
        monkeypatch.setattr(load, "SKIP_TRIM", direct)
        con = duckdb.connect(str(tmp_path / f"w{direct}.duckdb"))
        try:
            load.ingest_delivery(con, tmp_path, system, DAY)
            results.append(_tables(con))
        finally:
            con.close()
    return results


@pytest.mark.parametrize(
    "extra", [[], EDGES, EDGES + [LONG], [QUOTED], [BLANK]], ids=["plain", "edges", "long", "quoted", "blank"]
)
def test_card_read_directly_equals_the_line_numbered_copy(tmp_path, monkeypatch, extra):
    rnd = random.Random(len(extra))
    files = sample_files("card", DAY)
    files["card_txn.csv"] = _txn_file(rnd, extra)
    with _csv_counts_big_fields():
        write_delivery(tmp_path, "card", DAY, files)
    old, new = _ingest_both_ways(tmp_path, monkeypatch, "card")
    assert new == old
    assert any(r[5].startswith("field_count") for r in new["quarantine.rejected_row"])  # the gaps were exercised

    (tmp_path / "scratch").mkdir()
    scans = verify_delivery(tmp_path / "card" / DAY.strftime("%Y%m%d"), tmp_path / "scratch")[1]
    txn = scans["card_txn.csv"]
    assert txn.plain == (QUOTED not in extra)  # a quote sends the file through the copy
    assert txn.edge_space == (extra not in ([], [BLANK]))
    if txn.plain:  # read as delivered: no copy made
        assert txn.read_path == tmp_path / "card" / DAY.strftime("%Y%m%d") / "card_txn.csv"
        assert not (tmp_path / "scratch" / "card_txn.utf8.csv").exists()


def test_gb18030_plain_file_is_read_from_a_utf8_copy(tmp_path, monkeypatch):
    files = sample_files("deposit", DAY)
    rows = files["deposit_balance.csv"]
    files["deposit_balance.csv"] = rows + [rows[0][:2]] + [[f"D{k}", "20261120", "1.5", "0.3"] for k in range(50)]
    files["deposit_customer.csv"] = files["deposit_customer.csv"] + [
        ["C9", "王芳", "A", "", "", "", "", "北京", "B1", ""]
    ]
    write_delivery(tmp_path, "deposit", DAY, files)
    old, new = _ingest_both_ways(tmp_path, monkeypatch, "deposit")
    assert new == old
    (tmp_path / "scratch").mkdir()
    scans = verify_delivery(tmp_path / "deposit" / DAY.strftime("%Y%m%d"), tmp_path / "scratch")[1]
    balance = scans["deposit_balance.csv"]
    assert balance.plain and balance.read_path == tmp_path / "scratch" / "deposit_balance.plain.csv"
    assert balance.read_path.read_text(encoding="utf-8") == csv_bytes(
        [header("deposit", "deposit_balance.csv")] + files["deposit_balance.csv"], "gb18030"
    ).decode("gb18030")


def test_edge_space_set_is_the_trim_set_of_the_sql():
    con = duckdb.connect()
    load.run_script(con, "ingest/macros")
    assert set(con.execute("select ws()").fetchall()[0][0]) == set(WS)
    for c in WS.replace("\n", ""):  # a newline ends a record, it is no value's end
        for text in (f"a,{c}b\n", f"a,b{c}\n", f"{c}a,b", f"a,b{c}"):
            edge = _EdgeSpace()
            edge.feed(text, final=True)
            assert edge.found, repr(text)
    inside = _EdgeSpace()
    inside.feed("a b,c d\nZHANG WEI,x\n", final=True)
    assert not inside.found


def test_duplicate_key_with_an_empty_part_is_still_a_duplicate(tmp_path):
    # dedupe finds keys held twice by their hash, then orders their rows by line: a NULL key part
    # (an empty balance date passes the rules) groups like any other value, as the window always did
    files = sample_files("deposit", DAY)
    files["deposit_balance.csv"] = files["deposit_balance.csv"] + [["D9", "", "1.0", "0.3"], ["D9", "", "2.0", "0.3"]]
    delivery = write_delivery(tmp_path, "deposit", DAY, files)
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    try:
        load.ingest_delivery(con, tmp_path, "deposit", DAY)
        got = con.execute(
            "select line, reason from quarantine.rejected_row where file = 'deposit_balance.csv'"
        ).fetchall()
        staged = con.execute("select balance from staging.deposit_balance where acct_no = 'D9'").fetchall()
    finally:
        con.close()
    lines = (delivery / "deposit_balance.csv").read_bytes().decode("gb18030").split("\n")
    assert got == [(lines.index("D9,,2.0,0.3") + 1, "acct_no: duplicate key acct_no+balance_date in file")]
    assert staged == [(1.0,)]
