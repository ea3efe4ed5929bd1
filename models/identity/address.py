"""Addresses to comparable match fields: a normalised line, a token set, the house numbers and a postcode.

A Chinese address is compared as the set of its character bigrams, which share province, city,
district and road without parsing them. Parsers were looked at, not adopted yet: jionlp (maintained,
16.5 MB wheel with its location dictionary inside, needs the jiojio segmenter; `parse_location` is one
Python call per address, speed at 2M addresses not measured) and cpca (last release 2021, province /
city / district only, from an adcodes table inside the package); bigrams also share road names.
Latin addresses give word tokens. The numbers (house, building, room) are script-free: `建国路123号
5栋1201室` and `Room 1201, Bldg 5, No. 123 Jianguo Rd` have the same `addr_nums`, so the Chinese and
English addresses of one flat meet. A postcode is read where one is written: after 邮编 / 邮政编码, or as a
4-6 digit number ending the address (`..., winston hills NSW 4223`).
"""

from __future__ import annotations

import polars as pl

_CJK = "\u3400-\u9fff\uf900-\ufaff"
_POSTCODE_CN = r"(?:邮编|邮政编码)\D{0,3}(\d{6})"
_POSTCODE_END = r"(?:^|[\s,;])(\d{4,6})$"
# Words every English address of the generator or a bank form carries: they say nothing about the place.
STOPWORDS = ["no", "room", "rm", "bldg", "building", "unit", "flat", "apt", "floor", "fl", "district"]

ADDRESS_SCHEMA = {"addr_norm": pl.String, "addr_tokens": pl.List(pl.String), "addr_nums": pl.String, "postcode": pl.String}


def address_frame(raw: pl.Series) -> pl.DataFrame:
    """Per distinct raw address: raw, addr_norm, addr_tokens (sorted, distinct), addr_nums, postcode."""
    df = pl.DataFrame({"raw": raw.drop_nulls().unique()}, schema={"raw": pl.String})
    s = pl.col("raw").str.normalize("NFKC").str.to_lowercase().str.replace_all(r"\s+", " ").str.strip_chars()
    df = df.with_columns(s.alias("_s"))
    df = df.with_columns(
        pl.coalesce(pl.col("_s").str.extract(_POSTCODE_CN, 1), pl.col("_s").str.extract(_POSTCODE_END, 1)).alias("postcode")
    )
    # The rest of the address without its postcode (and the 邮编 label).
    rest = (
        pl.col("_s").str.replace(_POSTCODE_CN, " ").str.replace(_POSTCODE_END, "")
        .str.replace_all(r"[^\p{L}\p{N}]+", " ").str.strip_chars()
    )
    df = df.with_columns(rest.alias("_r"))
    words = pl.col("_r").str.extract_all(r"[a-z]+").list.eval(pl.element().filter(~pl.element().is_in(STOPWORDS)))
    nums = pl.col("_r").str.extract_all(r"\d+").list.eval(pl.element().str.strip_chars_start("0").filter(pl.element() != ""))
    runs = pl.col("_r").str.extract_all(f"[{_CJK}]+")
    df = df.with_columns(words.alias("_w"), nums.alias("_n"), runs.alias("_c"))
    bigrams = (
        df.select("raw", "_c").explode("_c").drop_nulls("_c")
        .with_columns(pl.col("_c").str.split("").alias("_ch"))
    )
    # Bigrams: each character joined with the next one.
    bigrams = bigrams.with_columns(
        pl.col("_ch").list.eval(pl.element() + pl.element().shift(-1)).list.eval(pl.element().drop_nulls()).alias("_bg")
    ).with_columns(pl.when(pl.col("_ch").list.len() == 1).then(pl.col("_ch")).otherwise(pl.col("_bg")).alias("_bg"))
    bigrams = bigrams.group_by("raw").agg(pl.col("_bg").list.explode(keep_nulls=False, empty_as_null=False).alias("_b"))
    df = df.join(bigrams, on="raw", how="left")
    tokens = pl.concat_list([pl.col("_w"), pl.col("_n"), pl.col("_b").fill_null(pl.lit([], pl.List(pl.String)))])
    df = df.with_columns(tokens.list.unique().list.sort().alias("addr_tokens"))
    return df.select(
        "raw",
        pl.when(pl.col("_r") != "").then(pl.col("_r")).alias("addr_norm"),
        pl.when(pl.col("addr_tokens").list.len() > 0).then(pl.col("addr_tokens")).alias("addr_tokens"),
        pl.when(pl.col("_n").list.len() > 0).then(pl.col("_n").list.unique().list.sort().list.join(" ")).alias("addr_nums"),
        "postcode",
    )
