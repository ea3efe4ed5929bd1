"""The golden-record bench says why each wrong customer is wrong, so the evidence bound is explicit."""

from datetime import date

import polars as pl

from models.identity.golden_evaluate import evaluate_golden


def test_misses_are_classified(tmp_path):
    persons = pl.DataFrame(
        {
            "person_id": ["P1", "P2", "P3", "P4", "P5"],
            "name": ["张伟", "李娜", "王芳", "刘洋", "陈静"],
            "birth_date": ["1990-01-01"] * 5,
            "gender": ["M", "F", "F", "M", "F"],
            "city": ["北京市"] * 5,
            "join_month": ["2020-01"] * 5,
        }
    )
    persons.write_csv(tmp_path / "persons.csv")
    keys = [("deposit", f"k{i}", f"P{i}") for i in range(1, 6)] + [("card", "c3", "P3"), ("card", "c4", "P4")]
    keys += [("loan", "l4", "P4")]
    pl.DataFrame(keys, schema=["system", "source_key", "person_id"], orient="row").write_csv(
        tmp_path / "source_records.csv"
    )
    cmap = pl.DataFrame(
        [(s, k, "C" + p) for s, k, p in keys], schema=["system", "source_key", "customer_id"], orient="row"
    )
    # C P1 right; P2 no record has a name; P3 tie (王芳 vs 王方); P4 outvoted (2 x 刘阳); P5 truth absent.
    golden = pl.DataFrame(
        {
            "customer_id": ["CP1", "CP2", "CP3", "CP4", "CP5"],
            "name": ["张伟", None, "王方", "刘阳", "陈晶"],
            "birth_date": ["1990-01-01"] * 5,
            "gender": ["M", "F", "F", "M", "F"],
            "city": ["北京市"] * 5,
            "first_seen": [date(2020, 1, 5)] * 5,
        }
    )
    records = pl.DataFrame(
        [
            ("CP1", "张伟"),
            ("CP2", None),
            ("CP3", "王芳"),
            ("CP3", "王方"),
            ("CP4", "刘洋"),
            ("CP4", "刘阳"),
            ("CP4", "刘阳"),
            ("CP5", "陈晶"),
        ],
        schema=["customer_id", "name"],
        orient="row",
    ).with_columns(
        pl.lit("1990-01-01").alias("birth_date"), pl.lit("F").alias("gender"), pl.lit("Beijing").alias("city")
    )
    out = evaluate_golden(golden, cmap, tmp_path, records)
    assert out["name"]["wrong"] == 4
    assert out["name"]["misses"] == {"no_value": 1, "truth_absent": 1, "tie": 1, "outvoted": 1}
    assert out["city"]["misses"] == {"no_value": 0, "truth_absent": 0, "tie": 0, "outvoted": 0}
    assert out["city"]["attainable"] == 1.0
