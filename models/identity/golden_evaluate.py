"""Golden-record accuracy against the generator's truth, per field.

Each customer is compared with the person most of its records belong to (`source_records.csv`,
`persons.csv`). A field counts as correct when it equals the truth's value; customers whose truth
value is unknown are left out of that field. `first_seen` counts as correct when it falls in the
person's join month.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

FIELDS = ("name", "birth_date", "gender", "city")


def evaluate_golden(
    golden: pl.DataFrame, customer_map: pl.DataFrame, truth_dir: Path, records: pl.DataFrame | None = None
) -> dict:
    """`golden`: customer_id, name, birth_date, gender, city, first_seen (one row per customer).
    `records` (customer_id, name, birth_date, gender, city: one row per source record, as delivered
    and standardised) adds `attainable`: the share of customers with at least one record carrying the
    true value, `correct_of_attainable`: how often survivorship picked it when it could, and `misses`:
    why each wrong customer is wrong (see `_misses`)."""
    truth_dir = Path(truth_dir)
    truth_records = pl.read_csv(truth_dir / "source_records.csv", infer_schema=False)
    persons = pl.read_csv(truth_dir / "persons.csv", infer_schema=False)
    owner = (
        customer_map.select("system", pl.col("source_key").cast(pl.String), "customer_id")
        .join(truth_records.select("system", "source_key", "person_id"), on=["system", "source_key"])
        .group_by("customer_id", "person_id")
        .len()
        .sort(["customer_id", "len", "person_id"], descending=[False, True, False])
        .group_by("customer_id", maintain_order=True)
        .first()
        .select("customer_id", "person_id")
    )
    g = golden.with_columns(
        pl.col("birth_date").cast(pl.String),
        pl.col("first_seen").cast(pl.Date).dt.strftime("%Y-%m").alias("first_seen_month"),
    )
    df = g.join(owner, on="customer_id").join(
        persons.select("person_id", *[pl.col(f).alias(f"true_{f}") for f in FIELDS], "join_month"), on="person_id"
    )
    out: dict = {"customers": df.height}
    if records is not None:
        from models.identity.golden import city_key

        records = records.with_columns(pl.col("birth_date").cast(pl.String))
    for f in FIELDS:
        known = df.filter(pl.col(f"true_{f}").is_not_null() & (pl.col(f"true_{f}") != ""))
        right = known.filter(pl.col(f) == pl.col(f"true_{f}")).height
        out[f] = {
            "correct": round(right / known.height, 5) if known.height else None,
            "wrong": known.height - right,
            "customers": known.height,
        }
        if records is not None and known.height:
            same = (
                (
                    pl.col(f).map_elements(city_key, return_dtype=pl.String)
                    == pl.col(f"true_{f}").map_elements(city_key, return_dtype=pl.String)
                )
                if f == "city"
                else (pl.col(f) == pl.col(f"true_{f}"))
            )
            carried = (
                records.select("customer_id", f)
                .drop_nulls()
                .join(known.select("customer_id", f"true_{f}"), on="customer_id")
                .filter(same)
                .select("customer_id")
                .unique()
            )
            able = known.join(carried, on="customer_id", how="semi")
            able_right = able.filter(pl.col(f) == pl.col(f"true_{f}")).height
            out[f]["attainable"] = round(able.height / known.height, 5)
            out[f]["correct_of_attainable"] = round(able_right / able.height, 5) if able.height else None
            wrong = known.filter(pl.col(f).is_null() | (pl.col(f) != pl.col(f"true_{f}")))
            out[f]["misses"] = _misses(wrong, records, f, same)
    known = df.filter(pl.col("join_month").is_not_null())
    right = known.filter(pl.col("first_seen_month") == pl.col("join_month")).height
    out["first_seen_in_join_month"] = {
        "correct": round(right / known.height, 5) if known.height else None,
        "wrong": known.height - right,
        "customers": known.height,
    }
    return out


def _misses(wrong: pl.DataFrame, records: pl.DataFrame, f: str, same: pl.Expr) -> dict[str, int]:
    """Each wrong customer in one class: `no_value` (no record holds any value), `truth_absent` (values,
    none true: a typo or an outdated address in every record), `tie` (as many records hold the truth as
    the published value: the tie-breaks chose), `outvoted` (more records hold the published value)."""
    recs = (
        records.select("customer_id", f)
        .drop_nulls()
        .join(wrong.select("customer_id", f"true_{f}", pl.col(f).alias("_published")), on="customer_id")
    )
    published = (
        (
            pl.col(f).map_elements(city_key_of, return_dtype=pl.String)
            == pl.col("_published").map_elements(city_key_of, return_dtype=pl.String)
        )
        if f == "city"
        else (pl.col(f) == pl.col("_published"))
    )
    per = recs.group_by("customer_id").agg(same.sum().alias("truth"), published.fill_null(False).sum().alias("winner"))
    per = wrong.select("customer_id").join(per, on="customer_id", how="left")
    kind = (
        pl.when(pl.col("truth").is_null())
        .then(pl.lit("no_value"))
        .when(pl.col("truth") == 0)
        .then(pl.lit("truth_absent"))
        .when(pl.col("truth") >= pl.col("winner"))
        .then(pl.lit("tie"))
        .otherwise(pl.lit("outvoted"))
    )
    counts = dict(per.select(kind.alias("k")).group_by("k").len().iter_rows())
    return {k: counts.get(k, 0) for k in ("no_value", "truth_absent", "tie", "outvoted")}


def city_key_of(city: str) -> str:
    from models.identity.golden import city_key

    return city_key(city)
