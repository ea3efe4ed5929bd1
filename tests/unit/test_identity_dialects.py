"""One match model, two engines: comparison SQL per dialect, weights saved without SQL, and the exact-rule
SQL (anchors, representatives) that both engines run."""

import datetime as dt
import json

import polars as pl
import sqlglot

from models.identity.match.settings import SPLINK_COLUMNS, settings_dict
from models.identity.match.training import expert_model, load_model
from models.identity.engine import DuckEngine
from models.settings import sql_text
from tests.synthetic_ids import mobile, resident_id

DUCKDB_ONLY = (
    "jaro_winkler_similarity",
    "strftime",
    "list_filter",
    "list_contains",
    "list_has_any",
    "len(",
    "contains(",
)


def _conditions(settings: dict) -> list[str]:
    return [lv["sql_condition"] for c in settings["comparisons"] for lv in c["comparison_levels"]]


def test_spark_comparisons_are_spark_sql():
    spark = _conditions(settings_dict("spark"))
    for sql in spark:
        sqlglot.parse_one(sql.replace("ELSE", "true"), read="spark")  # Splink's else level is a bare ELSE
        assert not any(name in sql for name in DUCKDB_ONLY), sql
    text = " ".join(spark)
    assert "jaro_winkler(" in text and "'yyyyMMdd'" in text and "arrays_overlap(" in text
    # DuckDB keeps its own functions.
    assert "jaro_winkler_similarity(" in " ".join(_conditions(settings_dict("duckdb")))


def test_saved_weights_hold_no_sql_and_drive_both_engines(tmp_path):
    path = expert_model(tmp_path / "model.json")
    saved = path.read_text(encoding="utf-8")
    assert "sql_condition" not in saved and "jaro" not in saved
    duck, spark = load_model(path, 10_000, "duckdb"), load_model(path, 10_000, "spark")
    mu = lambda s: [
        (lv.get("m_probability"), lv.get("u_probability")) for c in s["comparisons"] for lv in c["comparison_levels"]
    ]
    assert mu(duck) == mu(spark)
    assert all(m is not None for m, _ in mu(duck)[1:3])
    assert duck["probability_two_random_records_match"] == spark["probability_two_random_records_match"]
    assert _conditions(duck) != _conditions(spark)

    # A model saved before weights files (Splink settings JSON with DuckDB SQL) loads to the same weights.
    legacy = tmp_path / "legacy.json"
    legacy.write_text(json.dumps(load_model(path, None, "duckdb")), encoding="utf-8")
    (tmp_path / "legacy.meta.json").write_text((tmp_path / "model.meta.json").read_text())
    assert mu(load_model(legacy, 10_000, "spark")) == mu(spark)


def _record(uid, **kw):
    row = {c: None for c in SPLINK_COLUMNS}
    return {**row, "uid": uid, **kw}


def test_exact_rule_sql_groups_and_fills_representatives():
    born = dt.date(1980, 5, 1)
    rid, phone_1, phone_2 = (
        resident_id("110101", "19800501", "001"),
        mobile("138", "00000000"),
        mobile("139", "00000000"),
    )
    rows = [
        _record("a:1", id_std=rid, id_valid=True, name_key="wei zhang", birth_date=born),
        _record("b:1", id_std=rid, id_valid=True, name_key="wei zhang", birth_date=born, phone_std=phone_1),
        _record(
            "c:1",
            id_std=rid,
            id_valid=True,
            name_key="wei zhang",
            birth_date=born,
            phone_std=phone_2,
            email_std="w@x.cn",
        ),
        # Same ID but not valid: no exact rule.
        _record("d:1", id_std="X1", id_valid=False, name_key="li na", birth_date=born),
        _record("e:1", id_std="X1", id_valid=False, name_key="li na", birth_date=born),
    ]
    schema = {c: pl.String for c in SPLINK_COLUMNS} | {
        "id_valid": pl.Boolean,
        "birth_date": pl.Date,
        "name_parts": pl.List(pl.String),
        "addr_tokens": pl.List(pl.String),
    }
    engine = DuckEngine()
    try:
        engine.put("party_in", pl.DataFrame(rows, schema=schema))
        # The driver's frame is read in place, not copied into a table.
        kind = engine.con.execute("select table_type from information_schema.tables where table_name = 'party_in'")
        assert kind.fetchall() == [("VIEW",)]
        engine.run("anchors", sql_text("identity/exact_anchor"))
        anchors = dict(engine.get("select uid, anchor from anchors").iter_rows())
        ranks = {u: (r, n) for u, r, n in engine.get("select uid, rank_in_group, group_size from anchors").iter_rows()}
        engine.view("party_scope", "select * from party_in")
        reps = engine.get(sql_text("identity/representatives")).sort("uid")
        pairs = engine.get(sql_text("identity/exact_pairs")).sort("uid_r")
    finally:
        engine.close()
    assert anchors == {"a:1": "a:1", "b:1": "a:1", "c:1": "a:1", "d:1": "d:1", "e:1": "e:1"}
    assert ranks == {"a:1": (1, 3), "b:1": (2, 3), "c:1": (3, 3), "d:1": (1, 1), "e:1": (1, 1)}
    # Values are picked by that integer rank: no window over the wide record rows (4-5 s of 8 at 100k).
    assert " over (" not in sql_text("identity/representatives").lower()
    assert reps["uid"].to_list() == ["a:1", "d:1", "e:1"]
    group = reps.row(0, named=True)
    # First non-null value by uid, field by field.
    assert (group["phone_std"], group["email_std"]) == (phone_1, "w@x.cn")
    assert pairs.rows() == [("a:1", "b:1"), ("a:1", "c:1")]
