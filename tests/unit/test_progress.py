"""Progress lines of steps that are one DuckDB statement, or several passes over one file's rows."""

import duckdb

from models.progress import Progress

# A second or two of work: long enough for several 0.1 s log lines.
LONG = "select count(*) from range(60000000) t(i) where hash(i) % 7 = 0"


def test_watched_statement_logs_its_share_done_and_time_left_on_a_plain_connection():
    # A Python connection keeps no progress unless asked: the lines said only "running" before.
    con = duckdb.connect()
    lines: list[str] = []
    with Progress.watch_sql(lines.append, "lifetime value", con, total=1000, unit="customers", every=0.1):
        con.execute(LONG).fetchall()
    running = [line for line in lines if "so far" in line]
    assert running and any("/1,000 customers (" in line and " left" in line for line in running), lines


def test_each_pass_over_a_file_is_named_with_its_own_rate_and_time_left():
    con = duckdb.connect()
    lines: list[str] = []
    with Progress(lines.append, "card card_txn.csv: validating", total=5000, every=0.1, closing=False) as p:
        p.phase("checking", con)
        con.execute(LONG).fetchall()
    running = [line for line in lines if "so far" in line]
    assert running and all(line.startswith("card card_txn.csv: validating (checking): ") for line in running)
    assert any("/5,000 rows (" in line and "rows/s" in line and "left in this pass" in line for line in running), lines
