"""Splink's term-frequency lookups come from one file (sql/identity/term_frequency.sql), one per TF
column of the match settings: each value's share of the records that have one."""

from __future__ import annotations

import duckdb

from models.identity.match.settings import TF_COLUMNS
from models.identity.resolve import term_frequency
from models.warehouse import run_script


def test_each_tf_column_gets_its_lookup_from_one_file():
    con = duckdb.connect()
    run_script(con, "identity/schema")
    values = ["common"] * 3 + ["rare", None]
    for col in TF_COLUMNS:
        con.execute(f"insert into identity.party_std ({col}) select unnest($v)", {"v": values})
    for col in TF_COLUMNS:
        tf = term_frequency(con, col)
        assert tf.columns == [col, f"tf_{col}"]
        assert dict(tf.iter_rows()) == {"common": 0.75, "rare": 0.25}
