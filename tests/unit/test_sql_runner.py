"""models.warehouse: DuckDB splits a file into statements; a missing parameter names the file and the parameter."""

import datetime as dt

import duckdb
import pytest

from models.warehouse import query, run_script

DAY = dt.date(2026, 10, 31)


def test_missing_parameter_names_file_and_parameter():
    con = duckdb.connect()
    with pytest.raises(ValueError, match=r"sql/status/read\.sql needs parameter\(s\) output"):
        query(con, "status/read", as_of=DAY)


def test_each_statement_of_a_script_gets_the_parameters_it_names():
    con = duckdb.connect()
    run_script(con, "status/create")
    for reason in ("need 5 labelled month-ends; have 0", "rerun; replaced"):
        run_script(con, "status/record", as_of=DAY, output="churn_risk", status="INSUFFICIENT_HISTORY", reason=reason)
    assert query(con, "status/read", as_of=DAY, output="churn_risk") == [("INSUFFICIENT_HISTORY", "rerun; replaced")]
