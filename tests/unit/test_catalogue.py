"""The column catalogue (models/catalogue.yaml) is the one source of schema crm's comments, of the
analysts' table catalogue and of the Dagster column schema; each use is checked against it here."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from models import catalogue
from models.churn.explanations import HIGH_CUTOFF, MEDIUM_CUTOFF
from models.publish import uncommented
from models.settings import SQL_DIR
from pipelines.definitions import defs


def _crm_like_catalogue(con: duckdb.DuckDBPyConnection) -> None:
    """Schema crm with every relation and column the catalogue names, of the catalogue's types."""
    con.execute("create schema crm")
    rels = catalogue.relations()
    for rel in rels.values():
        if not rel.view:
            cols = ", ".join(f'"{c.name}" {c.type}' for c in rel.columns)
            con.execute(f"create table crm.{rel.name} ({cols})")
    for rel in rels.values():
        if rel.view:
            cols = ", ".join(f'null::{c.type} as "{c.name}"' for c in rel.columns)
            con.execute(f"create view crm.{rel.name} as select {cols}")


def test_every_relation_and_column_gets_its_comment_quotes_and_all():
    con = duckdb.connect()
    _crm_like_catalogue(con)
    catalogue.apply_comments(con)
    assert uncommented(con) == []
    rel = catalogue.relations()["customer_history"]
    city = next(c for c in rel.columns if c.name == "city")
    assert "'" in city.description  # an apostrophe survives quoting
    got = con.execute(
        "select comment from duckdb_columns() where schema_name = 'crm' and table_name = 'customer' "
        "and column_name = 'city'"
    ).fetchall()
    assert got == [(city.description,)]  # the latest view reads its history's text
    view = con.execute("select comment from duckdb_views() where view_name = 'customer'").fetchall()
    assert view == [(catalogue.relations()["customer"].description,)]


def test_a_relation_the_file_lacks_stops_the_comments():
    con = duckdb.connect()
    _crm_like_catalogue(con)
    con.execute("drop table crm.churn_calibration")
    with pytest.raises(duckdb.CatalogException):
        catalogue.apply_comments(con)
    assert "customer" in uncommented(con)  # all or nothing: the comments made before the failure are undone


def test_the_analysts_page_is_generated_from_the_catalogue():
    page = catalogue.ANALYSTS_DOC.read_text(encoding="utf-8")
    assert catalogue.with_catalogue(page) == page, "run `crm catalogue` after editing models/catalogue.yaml"
    for rel in catalogue.relations().values():
        assert f"### crm.{rel.name}\n" in page
        assert f"| [`{rel.name}`](#crm{rel.name})" in page


def test_assets_carry_the_column_schema_of_the_table_they_build():
    specs = {spec.key.to_user_string(): spec for spec in defs.resolve_all_asset_specs()}
    built = {rel.asset: rel for rel in catalogue.relations().values() if rel.asset}
    assert len(built) == sum(1 for rel in catalogue.relations().values() if rel.asset)  # one table per asset
    for asset, rel in built.items():
        meta = specs[asset].metadata
        assert meta["dagster/table_name"] == f"crm.{rel.name}"
        assert [(c.name, c.type, c.description) for c in meta["dagster/column_schema"].columns] == [
            (c.name, c.type, c.description) for c in rel.columns
        ]
    others = [k for k, s in specs.items() if "dagster/column_schema" in s.metadata and k not in built]
    assert others == []


def test_risk_band_text_names_the_cutoffs_in_use():
    band = next(c for c in catalogue.columns("churn_risk_history") if c.name == "risk_band")
    assert f">= {HIGH_CUTOFF}" in band.description and f">= {MEDIUM_CUTOFF}" in band.description


def test_assets_link_the_sql_files_that_build_their_table():
    """From the code location to a table's SQL in two hops: the asset page's source-code links name the
    sql/ files that build its table (models/catalogue.yaml `sql:`), each an existing file."""
    specs = {spec.key.to_user_string(): spec for spec in defs.resolve_all_asset_specs()}
    for rel in [r for r in catalogue.relations().values() if r.asset]:
        refs = specs[rel.asset].metadata["dagster/code_references"].code_references
        paths = [Path(r.file_path) for r in refs]
        assert paths and all(p.is_file() for p in paths), rel.name
        assert [p.relative_to(SQL_DIR).with_suffix("").as_posix() for p in paths] == list(rel.sql)
