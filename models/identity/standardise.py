"""Standardise `staging.party` rows into the match fields of `identity.party_std`.

One row in, one row out. Values that carry nothing (empty strings, unparseable phones) become NULL,
because Splink's null levels only apply to NULL.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import time

import duckdb
import polars as pl

from models.identity.address import address_frame
from models.identity.idcard import add_id_columns
from models.identity.pinyin import name_frame
from models.settings import sql_text
from models.warehouse import query, run_script

log = logging.getLogger(__name__)
# Bump when the standardised fields change: rows standardised by an older version are redone.
STD_VERSION = 5

PARTY_STD_SCHEMA = {
    "uid": pl.String,
    "system": pl.String,
    "source_key": pl.String,
    "name_cn": pl.String,
    "name_alias": pl.String,
    "py_fwd": pl.String,
    "py_rev": pl.String,
    "name_key": pl.String,
    "alias_key": pl.String,
    "id_type": pl.String,
    "id_std": pl.String,
    "id_valid": pl.Boolean,
    "id_upgraded": pl.Boolean,
    "id_consistent": pl.Boolean,
    "birth_date": pl.Date,
    "gender": pl.String,
    "phone_std": pl.String,
    "email_std": pl.String,
    "name_parts": pl.List(pl.String),
    "addr_norm": pl.String,
    "addr_tokens": pl.List(pl.String),
    "addr_nums": pl.String,
    "postcode": pl.String,
    "addr_province": pl.String,
    "addr_city": pl.String,
    "addr_district": pl.String,
    "addr_street": pl.String,
    "addr_number": pl.String,
    "addr_house": pl.String,
    "raw_hash": pl.String,
    "std_on": pl.Date,
    "std_version": pl.Int16,
    "golden_hash": pl.String,
}


def phone_expr(col: pl.Expr) -> pl.Expr:
    """11-digit mainland mobile number, or NULL: +86 / 0086 / spaces / dashes removed."""
    d = col.str.normalize("NFKC").str.replace_all(r"\D", "")
    d = pl.when(d.str.contains(r"^(0086|86)1\d{10}$")).then(d.str.slice(-11)).otherwise(d)
    return pl.when(d.str.contains(r"^1[3-9]\d{9}$")).then(d)


def _name_table(names: pl.Series) -> pl.DataFrame:
    """Per distinct raw name: normalised name, alias and pinyin keys (pinyin is the costly step)."""
    f = name_frame(names)
    aliases = name_frame(f["alias"]).select(pl.col("raw").alias("alias"), pl.col("name_key").alias("n_alias_key"))
    return f.join(aliases, on="alias", how="left").select(
        "raw",
        pl.col("main").alias("n_main"),
        pl.col("alias").alias("n_alias"),
        pl.col("py_fwd").alias("n_fwd"),
        pl.col("py_rev").alias("n_rev"),
        pl.col("name_key").alias("n_key"),
        "n_alias_key",
        pl.col("name_parts").alias("n_parts"),
        pl.col("main").str.contains("[\u3400-\u9fff\uf900-\ufaff]").fill_null(False).alias("n_cjk"),
    )


def standardise_party(party: pl.DataFrame, today: dt.date | None = None) -> pl.DataFrame:
    """`staging.party` frame -> `identity.party_std` frame (schema PARTY_STD_SCHEMA)."""
    today = today or dt.date.today()
    if party.height == 0:
        return pl.DataFrame(schema=PARTY_STD_SCHEMA)
    df = party.with_columns(
        [
            pl.col(c).cast(pl.String).str.strip_chars().replace("", None)
            for c in ("name", "name_latin", "id_no", "phone", "email", "id_type", "gender")
        ]
    )
    if "address" not in df.columns:
        df = df.with_columns(pl.lit(None, pl.String).alias("address"))
    # Chinese characters first; the Latin-script name (fx name_en) when there are none. A Latin name
    # delivered in a Chinese-name column is read as Latin: it fills the Latin fields, never name_cn.
    names = _name_table(pl.concat([df["name"], df["name_latin"]]))
    df = df.join(names.rename(lambda c: c + "_c"), left_on="name", right_on="raw_c", how="left")
    df = df.join(names.rename(lambda c: c + "_l"), left_on="name_latin", right_on="raw_l", how="left")
    df = df.join(address_frame(df["address"].cast(pl.String)), left_on="address", right_on="raw", how="left")
    df = add_id_columns(
        df.with_columns((pl.col("id_type").fill_null("") == "RESIDENT").alias("_res")),
        "id_no",
        "_res",
        today,
        birth="birth_date",
    )
    cjk_c, cjk_l = pl.col("n_cjk_c").fill_null(False), pl.col("n_cjk_l").fill_null(False)
    use_cn = pl.col("n_key_c").is_not_null() & (cjk_c | pl.col("n_key_l").is_null())
    pick = lambda c: pl.when(use_cn).then(pl.col(c + "_c")).otherwise(pl.col(c + "_l"))  # noqa: E731
    out = df.select(
        pl.concat_str([pl.col("system"), pl.lit(":"), pl.col("source_key")]).alias("uid"),
        "system",
        pl.col("source_key").cast(pl.String),
        pl.when(use_cn & cjk_c)
        .then(pl.col("n_main_c"))
        .when(~use_cn & cjk_l)
        .then(pl.col("n_main_l"))
        .alias("name_cn"),
        pick("n_alias").alias("name_alias"),
        pick("n_fwd").alias("py_fwd"),
        pick("n_rev").alias("py_rev"),
        pick("n_key").alias("name_key"),
        pick("n_alias_key").alias("alias_key"),
        "id_type",
        "id_std",
        "id_valid",
        "id_birth",
        "id_sex",
        "id_upgraded",
        pl.col("birth_date").cast(pl.Date).alias("birth_raw"),
        pl.col("gender").alias("gender_raw"),
        phone_expr(pl.col("phone")).alias("phone_std"),
        pl.col("email").str.to_lowercase().alias("email_std"),
        pick("n_parts").alias("name_parts"),
        "addr_norm",
        "addr_tokens",
        "addr_nums",
        "postcode",
        "addr_province",
        "addr_city",
        "addr_district",
        "addr_street",
        "addr_number",
        "addr_house",
        pl.col("raw_hash") if "raw_hash" in df.columns else pl.lit(None, pl.String).alias("raw_hash"),
        pl.lit(today, pl.Date).alias("std_on"),
        pl.lit(STD_VERSION, pl.Int16).alias("std_version"),
        pl.col("golden_hash") if "golden_hash" in df.columns else pl.lit(None, pl.String).alias("golden_hash"),
    )
    out = out.with_columns(
        # The ID agrees with the record's own birth date and sex (when both are known).
        (
            pl.col("id_valid")
            & (pl.col("birth_raw").is_null() | (pl.col("birth_raw") == pl.col("id_birth")))
            & (pl.col("gender_raw").is_null() | (pl.col("gender_raw") == pl.col("id_sex")))
        ).alias("id_consistent"),
        pl.coalesce("birth_raw", "id_birth").alias("birth_date"),
        pl.coalesce("gender_raw", "id_sex").alias("gender"),
    )
    return out.select([pl.col(c).cast(t) for c, t in PARTY_STD_SCHEMA.items()])


def standardise_into(con: duckdb.DuckDBPyConnection, business_date: dt.date, full: bool = False) -> dict:
    """`staging.party` -> `identity.party_std`. Only records whose delivered fields changed since they were
    last standardised (or new ones) are read and standardised, unless `full` (or the standardisation
    version moved); the other rows stay as they are. Returns counts and step seconds for metadata."""
    t0 = time.perf_counter()
    run_script(con, "identity/schema")
    full = full or query(con, "identity/std_outdated", version=STD_VERSION)[0][0] > 0
    todo = pl.from_arrow(con.sql(sql_text("identity/party_read"), params={"full": full}).to_arrow_table())
    t1 = time.perf_counter()
    fresh = standardise_party(todo, today=business_date).select(list(PARTY_STD_SCHEMA))
    t2 = time.perf_counter()
    con.execute("begin transaction")
    con.register("new_party_std", fresh.to_arrow())
    try:
        if full:
            run_script(con, "identity/reset_party_std")
        run_script(con, "identity/write_party_std")
        con.execute("commit")
    except BaseException:
        with contextlib.suppress(duckdb.Error):  # a failed commit has rolled back already
            con.execute("rollback")
        raise
    finally:
        con.unregister("new_party_std")
    t3 = time.perf_counter()
    rel = con.sql(sql_text("identity/party_std_counts"), params={"business_date": business_date})
    counts = dict(zip(rel.columns, rel.fetchall()[0]))
    seconds = {"read": t1 - t0, "standardise": t2 - t1, "write": t3 - t2}
    log.info("party_std: %d records read (full=%s), seconds %s", todo.height, full, seconds)
    return {
        **counts,
        "full": full,
        "records_read": todo.height,
        **{f"seconds_{k}": round(v, 2) for k, v in seconds.items()},
    }
