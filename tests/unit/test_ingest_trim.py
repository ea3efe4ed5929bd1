"""v() (sql/ingest/macros.sql) skips the costly trim when neither end is whitespace: it must give exactly
what the plain trim of every kind of whitespace gives, on any text."""

import random

import duckdb

from models.warehouse import run_script


def test_v_equals_the_plain_trim():
    con = duckdb.connect()
    run_script(con, "ingest/macros")
    ws = con.execute("select ws()").fetchall()[0][0]
    rnd = random.Random(5)
    alphabet = list(ws) + ["a", "1", ",", "张", "伟", "\u0301", "é", "\U0001f600", "\u200e", "x"]
    values = ["", None, "a", "张伟", "e\u0301", "a\u200d", "\u200db", *ws, *(c + "a" + c for c in ws)]
    values += ["".join(rnd.choices(alphabet, k=rnd.randrange(1, 6))) for _ in range(3000)]
    con.execute("create table t (x varchar)")
    con.executemany("insert into t values (?)", [[x] for x in values])
    differ = con.execute(
        "select count(*), count(*) filter (where x is null) from t "
        "where v(x) is distinct from nullif(trim(x, ws()), '')"
    ).fetchall()
    assert differ == [(0, 0)]
    assert con.execute("select count(*) from t where v(x) is distinct from x").fetchall()[0][0] > 100  # trimmed some
