"""Addresses to comparable match fields: a normalised line, a token set, the house numbers, a postcode
and, for a Chinese address, its parts (province, city, district, street, number).

The parts come from cpca (MIT, offline: the national division table, adcodes, ships inside the
package; one Aho-Corasick pass per distinct address head, about 4k heads/s here). It fills a missing province
from the city or district (`北京朝阳区…` -> 北京市) and reads abbreviations (`上海浦东新区`, `浙江杭州`).
jionlp was tried too: better at `深圳南山…` (district without 区), but 210 addresses/s here (hours at a
million persons) and 170 MB with its segmenter. A district written alone whose name several cities
share (`鼓楼区…`) gets no city: cpca would pick the first in its table; nor does a city written without
市 or province whose name is also a district's (`朝阳建国路…`: 朝阳市 in Liaoning or 朝阳区 in Beijing).
A district written without 区 after its city (`北京朝阳建国路…`) and Latin-script addresses are read
from the same division table (`address_divisions.py`). Street and number are read
from the rest: the words before the first `…号`, or up to the last 路/街/道/巷/弄/胡同.
A Chinese address is also the set of its character bigrams, for records the parser cannot read.
Latin addresses give word tokens (tokens, numbers and postcode: sql/identity/address_tokens.sql). The numbers (house, building, room) are script-free: `建国路123号
5栋1201室` and `Room 1201, Bldg 5, No. 123 Jianguo Rd` have the same `addr_nums`, so the Chinese and
English addresses of one flat meet. A postcode is read where one is written: after 邮编 / 邮政编码, or as a
4-6 digit number ending the address (`..., winston hills NSW 4223`).
"""

from __future__ import annotations

import functools
from collections import Counter

import duckdb
import polars as pl

from models.identity.address_divisions import MUNICIPALITIES, NO_CITY, divisions
from models.settings import sql_text

_CJK = "\u3400-\u9fff\uf900-\ufaff"
# Words every English address of the generator or a bank form carries: they say nothing about the place.
STOPWORDS = ["no", "room", "rm", "bldg", "building", "unit", "flat", "apt", "floor", "fl", "district"]

PARTS_SCHEMA = {
    "addr_province": pl.String,
    "addr_city": pl.String,
    "addr_district": pl.String,
    "addr_street": pl.String,
    "addr_number": pl.String,
    "addr_house": pl.String,
}
ADDRESS_SCHEMA = {
    "addr_norm": pl.String,
    "addr_tokens": pl.List(pl.String),
    "addr_nums": pl.String,
    "postcode": pl.String,
    **PARTS_SCHEMA,
}
_MUNICIPALITIES = tuple(MUNICIPALITIES.values())
_STREET_NUMBER = r"^(\D*?)(\d+(?:-\d+)?)号"
_STREET_ONLY = r"^(\D*?(?:大道|大街|胡同|路|街|道|巷|弄))"


@functools.cache
def _shared_district_names() -> frozenset[str]:
    """District (county-level) names that more than one city uses: such a name alone says no city."""
    names = Counter(name for name, rank in divisions().values() if rank == 2)
    return frozenset(n for n, k in names.items() if k > 1)


def _bare_district(parsed: pl.DataFrame) -> pl.DataFrame:
    """Districts written without 区/县 after their city (`北京朝阳建国路`), read from the rest of the address;
    `bare_city`: the city was written without 市 or province and its name is also a district's."""
    from models.identity.address_divisions import bare_district, base_name, city_of, district_bases

    bases = district_bases()
    districts, rests, bare = [], [], []
    for text, p_at, c_at, c, d, code, rest in parsed.select(
        "text", "p_at", "c_at", "c", "d", "code", "rest"
    ).iter_rows():
        found = None if d is not None or code is None else bare_district(city_of(code), rest)
        districts.append(found or d)
        rests.append(rest[len(base_name(found)) :] if found else rest)
        bare.append(bool(c and p_at < 0 and c_at >= 0 and c not in text and base_name(c) in bases))
    return parsed.with_columns(
        pl.Series("d", districts, pl.String), pl.Series("rest", rests, pl.String), pl.Series("bare_city", bare)
    )


# cpca's reading of a text: province, city, district, the rest, adcode, positions of province and city.
_CPCA_SCHEMA = {
    "p": pl.String,
    "c": pl.String,
    "d": pl.String,
    "rest": pl.String,
    "code": pl.String,
    "p_at": pl.Int64,
    "c_at": pl.Int64,
}


def _cpca(texts: pl.Series) -> pl.DataFrame:
    """cpca's reading of each text (column `head`): province, city, district, the rest, adcode, positions."""
    import cpca

    got = cpca.transform(texts.to_list(), pos_sensitive=True)
    got = got.astype(object).where(got.notna(), None)  # cpca's NaN for a part it did not find
    parsed = pl.DataFrame(
        {
            "text": texts,
            "p": got["省"].tolist(),
            "c": got["市"].tolist(),
            "d": got["区"].tolist(),
            "rest": got["地址"].tolist(),
            "code": got["adcode"].tolist(),
            "p_at": got["省_pos"].tolist(),
            "c_at": got["市_pos"].tolist(),
        },
        schema={"text": pl.String, **_CPCA_SCHEMA},
        strict=False,
    )
    return _bare_district(parsed).rename({"text": "head"})


def parse_cn(raw: pl.Series) -> pl.DataFrame:
    """Per distinct raw address: raw plus PARTS_SCHEMA. Parts are NULL for Latin or unreadable ones;
    `addr_house` is city | district | street | number when city, street and number are known."""
    df = pl.DataFrame({"raw": raw.drop_nulls().unique()}, schema={"raw": pl.String})
    clean = df["raw"].str.normalize("NFKC").str.replace_all(r"\s+", "")
    cjk = clean.str.contains(f"[{_CJK}]").fill_null(False)
    # Division names come before the first number (`…路88号5栋1201室`): cpca reads each distinct head
    # once (a million addresses have far fewer heads; cpca runs in Python, ~4k addresses/s here). An
    # address whose head names no division (`88号北京市朝阳区`) is read whole.
    split = pl.DataFrame({"raw": df["raw"].filter(cjk), "text": clean.filter(cjk)}).with_columns(
        pl.col("text").str.extract(r"^(\D*)", 1).fill_null("").alias("head")
    )
    split = split.with_columns(pl.col("text").str.slice(pl.col("head").str.len_chars()).alias("tail"))
    if split.height:
        parsed = split.select("raw", "head", "tail").join(_cpca(split["head"].unique()), on="head", how="left")
        unread = pl.col("p").is_null() & pl.col("c").is_null() & pl.col("d").is_null()
        again = split.join(parsed.filter(unread & pl.col("tail").str.contains(f"[{_CJK}]")), on="raw", how="semi")
        parsed = parsed.with_columns((pl.col("rest").fill_null("") + pl.col("tail")).alias("rest")).drop("tail")
        if again.height:
            whole = again.select("raw", pl.col("text").alias("head")).join(_cpca(again["text"]), on="head")
            parsed = parsed.update(whole.drop("head"), on="raw", include_nulls=True)
        parsed = parsed.drop("head")
    else:
        parsed = pl.DataFrame(schema={"raw": pl.String, **_CPCA_SCHEMA, "bare_city": pl.Boolean})
    guessed = (pl.col("p_at") < 0) & (pl.col("c_at") < 0) & pl.col("d").is_in(list(_shared_district_names()))
    guessed = guessed | (pl.col("bare_city") & pl.col("d").is_null())
    city = (
        pl.when((pl.col("c").is_null() | pl.col("c").is_in(NO_CITY)) & pl.col("p").is_in(_MUNICIPALITIES))
        .then(pl.col("p"))
        .when(pl.col("c").is_in(NO_CITY))
        .then(None)
        .otherwise(pl.col("c"))
    )
    parsed = parsed.with_columns(
        pl.when(~guessed).then(pl.col("p")).alias("addr_province"),
        pl.when(~guessed).then(city).alias("addr_city"),
        pl.col("d").alias("addr_district"),
    )
    rest = pl.col("rest").fill_null("")
    street = pl.coalesce(rest.str.extract(_STREET_NUMBER, 1).replace("", None), rest.str.extract(_STREET_ONLY, 1))
    parsed = parsed.with_columns(street.alias("addr_street"), rest.str.extract(_STREET_NUMBER, 2).alias("addr_number"))
    house = pl.concat_str(
        [pl.col("addr_city"), pl.col("addr_district").fill_null(""), "addr_street", "addr_number"], separator="|"
    )
    parsed = parsed.with_columns(house.alias("addr_house"))
    return df.join(parsed.select("raw", *PARTS_SCHEMA), on="raw", how="left").cast(PARTS_SCHEMA)


def address_frame(raw: pl.Series) -> pl.DataFrame:
    """Per distinct raw address: raw, addr_norm, addr_tokens (sorted, distinct), addr_nums, postcode and
    the Chinese parts (PARTS_SCHEMA)."""
    df = pl.DataFrame({"raw": raw.drop_nulls().unique()}, schema={"raw": pl.String})
    # NFKC here (DuckDB has none); postcode, words, numbers and bigrams in sql/identity/address_tokens.sql,
    # where DuckDB splits and sorts the lists natively on every core (polars' list.eval was the slow part).
    s = pl.col("raw").str.normalize("NFKC").str.to_lowercase().str.replace_all(r"\s+", " ").str.strip_chars()
    text = df.with_columns(s.alias("s"))  # noqa: F841 (read by the SQL below)
    con = duckdb.connect()
    try:
        con.execute("create table address_text as select * from text")
        rel = con.sql(sql_text("identity/address_tokens"), params={"stopwords": STOPWORDS})
        tokens = {c: t for c, t in ADDRESS_SCHEMA.items() if c not in PARTS_SCHEMA}
        out = pl.from_arrow(rel.to_arrow_table()).select("raw", *tokens).cast(tokens)
    finally:
        con.close()
    return out.join(parse_cn(df["raw"]), on="raw", how="left").update(_latin_parts(df["raw"]), on="raw")


def _latin_parts(raw: pl.Series) -> pl.DataFrame:
    """Province, city and district of each distinct Latin-script address (no street or number: the
    house key stays for addresses whose parts are all known)."""
    from models.identity.address_divisions import parse_latin

    text = raw.str.normalize("NFKC")
    latin = raw.filter(~text.str.contains(f"[{_CJK}]").fill_null(True) & text.str.contains("[A-Za-z]").fill_null(False))
    # parse_latin reads words, never the value of a number: addresses that differ only in their numbers
    # (house, room, postcode) are one text to it, so each such text is parsed once.
    key = latin.str.normalize("NFKC").str.to_lowercase().str.replace_all(r"\d+", "0")
    keys = key.unique()
    got = [parse_latin(t) for t in keys.to_list()]
    parts = pl.DataFrame(
        {
            "key": keys,
            "addr_province": [g[0] for g in got],
            "addr_city": [g[1] for g in got],
            "addr_district": [g[2] for g in got],
        },
        schema={"key": pl.String, "addr_province": pl.String, "addr_city": pl.String, "addr_district": pl.String},
    )
    return pl.DataFrame({"raw": latin, "key": key}).join(parts, on="key", how="left").drop("key")
