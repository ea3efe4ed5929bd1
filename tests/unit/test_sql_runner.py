"""models.warehouse: DuckDB splits a file into statements; a missing parameter names the file and the
parameter; identifiers are quoted or refused; replacing one date's rows never touches another date."""

import datetime as dt
import re
from pathlib import Path

import duckdb
import pytest

from models import status
from models.ingest.layout import ROW_KEY, duplicate_reason
from models.warehouse import ident, query, replace_date_rows, run_script, sql_of

DAY = dt.date(2026, 10, 31)
NEXT = DAY + dt.timedelta(days=1)


def test_missing_parameter_names_file_and_parameter():
    con = duckdb.connect()
    with pytest.raises(ValueError, match=r"sql/status/read\.sql needs parameter\(s\) output"):
        query(con, "status/read", as_of=DAY)


def test_each_statement_of_a_script_gets_the_parameters_it_names():
    con = duckdb.connect()
    run_script(con, "status/create")  # several statements, none with parameters
    for reason in ("need 5 labelled month-ends; have 0", "rerun; replaced"):
        status.record(con, DAY, "churn_risk", "INSUFFICIENT_HISTORY", reason)
    status.record(con, DAY, "lifetime_value")
    assert query(con, "status/read", as_of=DAY, output="churn_risk") == [("INSUFFICIENT_HISTORY", "rerun; replaced")]
    assert query(con, "status/read", as_of=DAY, output="lifetime_value") == [("OK", None)]


def test_ident_quotes_dotted_names_and_refuses_anything_else():
    assert ident("marts.value_tier_history") == '"marts"."value_tier_history"'
    assert ident("pub.crm.publication") == '"pub"."crm"."publication"'
    for bad in ("x; drop table y", "a.b c", 'a"b', "", "a..b", "1abc", "x'--"):
        with pytest.raises(ValueError, match="not a plain SQL identifier"):
            ident(bad)


def test_replace_date_rows_replaces_only_its_date_and_key():
    con = duckdb.connect()
    con.execute("create table t (d date, system varchar, v integer)")
    con.execute("insert into t values ($a, 'card', 1), ($a, 'loan', 2), ($b, 'card', 3)", {"a": DAY, "b": NEXT})
    con.execute("create temp table tonight as select $a::date as d, 'card' as system, 10 as v", {"a": DAY})
    for _ in range(2):  # a rerun replaces, never doubles
        replace_date_rows(con, "t", "d", DAY, rows="tonight", also={"system": "card"})
    assert con.execute("select d, system, v from t order by d, system").fetchall() == [
        (DAY, "card", 10),
        (DAY, "loan", 2),
        (NEXT, "card", 3),
    ]
    # from a sql/ file with bound parameters: the publication row of a date, inserted by column name
    run_script(con, "publish/publication_table")
    for run_id in ("first", "second"):
        replace_date_rows(con, "marts.publication", "as_of_date", DAY, "publish/publication", as_of=DAY, run_id=run_id)
    assert con.execute("select as_of_date, run_id from marts.publication").fetchall() == [(DAY, "second")]
    with pytest.raises(ValueError, match="either select"):
        replace_date_rows(con, "t", "d", DAY)


def test_shared_file_gets_quoted_identifiers_for_its_slots_and_nothing_else():
    text = sql_of("ingest/resent", {"staging": "staging.loan_balance", "keys": ("contract_no", "as_of")})
    assert 'inner join "staging"."loan_balance" as s using ("contract_no", "as_of")' in text
    assert "${" not in text
    with pytest.raises(ValueError, match=r"sql/ingest/resent\.sql names identifier\(s\) \['keys', 'staging'\]"):
        sql_of("ingest/resent", {"staging": "staging.fx_deal"})
    with pytest.raises(ValueError, match="not a plain SQL identifier"):
        sql_of("ingest/resent", {"staging": "staging.fx_deal; drop table x", "keys": ("deal_id",)})
    with pytest.raises(ValueError, match=r"names identifier\(s\) \[\], given \['table'\]"):
        sql_of("status/read", {"table": "x"})


def test_duplicate_keys_quarantine_the_later_line_under_the_layout_key():
    """The one dedupe file, driven by layout.ROW_KEY: a two-column key repeats only when both repeat."""
    con = duckdb.connect()
    con.execute(
        "create temp table parsed as select * from (values (1, 'A', date '2026-10-30'), (2, 'A', date '2026-10-31'), "
        "(3, 'A', date '2026-10-30'), (4, 'B', date '2026-10-30')) t(__line, acct_no, balance_date)"
    )
    con.execute("alter table parsed add column __errors varchar[] default []")
    run_script(con, "ingest/dedupe", {"keys": ROW_KEY["deposit_balance"]}, reason=duplicate_reason("deposit_balance"))
    assert con.execute("select __line, __errors from parsed where len(__errors) > 0").fetchall() == [
        (3, ["acct_no: duplicate key acct_no+balance_date in file"])
    ]


def test_assets_and_checks_run_sql_only_through_the_warehouse_layer():
    """The Dagster layer is thin: its SQL is named files run by models.warehouse, never inline text."""
    root = Path(__file__).resolve().parents[2]
    inline = re.compile(r"\.execute\(|\.sql\(|sql_text\(")
    found = [
        f"{path.relative_to(root)}:{n}"
        for path in [*(root / "assets").glob("*.py"), root / "quality" / "checks.py"]
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if inline.search(line)
    ]
    assert found == []


def test_model_modules_name_their_sql_files_instead_of_inline_statements():
    """Value, lifetime value, retention, lifecycle and next best product run their statements as named
    sql/ files; only transaction control stays in Python."""
    root = Path(__file__).resolve().parents[2]
    modules = [
        "value",
        "ltv",
        "retention",
        "lifecycle",
        "lifecycle_evaluate",
        "next_best_product",
        "next_best_product_evaluate",
    ]
    inline = re.compile(r"\.execute(many)?\((?!\"(begin|commit|rollback)\"\))|\.sql\(|sql_text\(")
    found = [
        f"models/{name}.py:{n}"
        for name in modules
        for n, line in enumerate((root / "models" / f"{name}.py").read_text(encoding="utf-8").splitlines(), 1)
        if inline.search(line)
    ]
    assert found == []
