"""The address match fields computed in DuckDB (sql/identity/address_tokens.sql) are the ones polars
computed before them, on generated and hostile addresses; the Latin parse runs once per text whatever
its numbers."""

from __future__ import annotations

import numpy as np
import polars as pl

from crm.generator.people import CITIES, _address
from models.identity import address_divisions
from models.identity.address import _CJK, STOPWORDS, address_frame

_POSTCODE_CN = r"(?:邮编|邮政编码)\D{0,3}(\d{6})"
_POSTCODE_END = r"(?:^|[\s,;])(\d{4,6})$"

HOSTILE = [
    "上海市浦东新区 邮编200120 世纪大道100号",
    "  广州市 天河区 天河路１２３号 ",
    "Ｒｏｏｍ　１２０１，Ｂｌｄｇ　５",
    "8 stanley street, miami, winston hills NSW 4223",
    "北京市朝阳区建国路00123号0栋",
    "区",
    "东 西 南",
    "Flat ٣, 12 Main St 2000",  # an Arabic-Indic digit
    "邮政编码：100020 北京",
    "!!!",
    "a",
]


def _reference(raw: pl.Series) -> pl.DataFrame:
    """The polars version the SQL replaced, without the address parts. One fix: a number of zeros (`0栋`)
    gave an empty token and a leading space in addr_nums (the filter read the number before stripping)."""
    df = pl.DataFrame({"raw": raw.drop_nulls().unique()}, schema={"raw": pl.String})
    s = pl.col("raw").str.normalize("NFKC").str.to_lowercase().str.replace_all(r"\s+", " ").str.strip_chars()
    df = df.with_columns(s.alias("_s"))
    df = df.with_columns(
        pl.coalesce(pl.col("_s").str.extract(_POSTCODE_CN, 1), pl.col("_s").str.extract(_POSTCODE_END, 1)).alias(
            "postcode"
        )
    )
    rest = (
        pl.col("_s")
        .str.replace(_POSTCODE_CN, " ")
        .str.replace(_POSTCODE_END, "")
        .str.replace_all(r"[^\p{L}\p{N}]+", " ")
        .str.strip_chars()
    )
    df = df.with_columns(rest.alias("_r"))
    words = pl.col("_r").str.extract_all(r"[a-z]+").list.eval(pl.element().filter(~pl.element().is_in(STOPWORDS)))
    nums = (
        pl.col("_r")
        .str.extract_all(r"\d+")
        .list.eval(pl.element().str.strip_chars_start("0"))
        .list.eval(pl.element().filter(pl.element() != ""))
    )
    runs = pl.col("_r").str.extract_all(f"[{_CJK}]+")
    df = df.with_columns(words.alias("_w"), nums.alias("_n"), runs.alias("_c"))
    bigrams = (
        df.select("raw", "_c").explode("_c").drop_nulls("_c").with_columns(pl.col("_c").str.split("").alias("_ch"))
    )
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
        pl.when(pl.col("_n").list.len() > 0)
        .then(pl.col("_n").list.unique().list.sort().list.join(" "))
        .alias("addr_nums"),
        "postcode",
    )


def _generated(n: int) -> list[str]:
    rng = np.random.default_rng(5)
    out = []
    for i in range(n):
        cn, en = _address(rng, i % len(CITIES))
        out += [cn, en, cn.replace("号", " 号 "), en.upper()]
    return out


def test_sql_tokens_equal_the_polars_ones():
    raw = pl.Series(_generated(300) + HOSTILE)
    cols = ["raw", "addr_norm", "addr_tokens", "addr_nums", "postcode"]
    got = address_frame(raw).select(cols).sort("raw")
    want = _reference(raw).select(cols).sort("raw")
    assert got.height == want.height == raw.n_unique()
    for c in cols:
        assert got[c].eq_missing(want[c]).all(), (c, got.filter(~got[c].eq_missing(want[c]))["raw"].to_list()[:3])
    assert got["postcode"].is_not_null().sum() >= 3 and got["addr_tokens"].is_not_null().sum() > 1000
    zero = got.filter(pl.col("raw") == "北京市朝阳区建国路00123号0栋").row(0, named=True)
    assert zero["addr_nums"] == "123" and "" not in zero["addr_tokens"]


def test_latin_parse_runs_once_per_text_whatever_its_numbers(monkeypatch):
    """parse_latin is Python (~5k addresses/s): flats of one street must cost one parse, not one each."""
    seen: list[str] = []
    parse = address_divisions.parse_latin

    def counting(text):
        seen.append(text)
        return parse(text)

    monkeypatch.setattr(address_divisions, "parse_latin", counting)
    flats = [
        f"Room {r}, Bldg {b}, No. {n} Jianguo Rd, Chaoyang District, Beijing" for n, b, r in ((88, 5, 1201), (9, 1, 7))
    ]
    got = address_frame(pl.Series(flats + ["12 Nanjing Rd, Huangpu District, Shanghai"])).sort("raw")
    assert len(seen) == 2
    assert got["addr_district"].to_list() == ["黄浦区", "朝阳区", "朝阳区"]
    assert got["addr_city"].to_list() == ["上海市", "北京市", "北京市"]
