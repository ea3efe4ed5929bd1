"""Chinese and Latin-script names to comparable pinyin keys.

A Chinese name becomes surname-first pinyin (`zhangwei`) and given-first pinyin (`weizhang`); the
surname is read with its surname reading (曾 zeng, 单 shan), which pypinyin's default reading gets wrong.
A Latin-script name (`ZHANG WEI`, `Wei Zhang`, `ZHANGWEI`) gives the tokens as written and with the last
token moved first, so either order meets the Chinese form. `name_key` (the letters of the pinyin,
sorted) is the same for every order and spacing: it is the blocking and exact-match key.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import polars as pl
from pypinyin import Style, lazy_pinyin, pinyin

# Readings of characters as surnames where pypinyin's default differs (or is ambiguous).
SURNAME_READINGS = {
    "曾": "zeng",
    "单": "shan",
    "解": "xie",
    "查": "zha",
    "仇": "qiu",
    "区": "ou",
    "朴": "piao",
    "盖": "ge",
    "乐": "yue",
    "翟": "zhai",
    "缪": "miao",
    "纪": "ji",
    "重": "chong",
    "种": "chong",
    "覃": "qin",
    "黑": "he",
    "秘": "bi",
    "繁": "po",
    "员": "yun",
    "能": "nai",
    "藏": "zang",
    "沈": "shen",
    "薄": "bo",
    "褚": "chu",
    "召": "shao",
    "折": "she",
    "尉": "yu",
    "祭": "zhai",
    "句": "gou",
    "柏": "bai",
    "贲": "ben",
    "葛": "ge",
    "华": "hua",
    "冼": "xian",
    "洗": "xian",
    "隗": "wei",
    "都": "du",
    "车": "che",
    "乜": "nie",
    "长": "chang",
    "宿": "su",
    "燕": "yan",
    "过": "guo",
    "居": "ju",
    "阚": "kan",
    "蕃": "pi",
    "殷": "yin",
    "属": "shu",
    "钟": "zhong",
}
COMPOUND_SURNAMES = {
    "欧阳": "ouyang",
    "司马": "sima",
    "诸葛": "zhuge",
    "上官": "shangguan",
    "东方": "dongfang",
    "皇甫": "huangfu",
    "令狐": "linghu",
    "慕容": "murong",
    "公孙": "gongsun",
    "夏侯": "xiahou",
    "司徒": "situ",
    "尉迟": "yuchi",
    "长孙": "zhangsun",
    "宇文": "yuwen",
    "澹台": "tantai",
    "端木": "duanmu",
    "独孤": "dugu",
    "南宫": "nangong",
    "西门": "ximen",
    "轩辕": "xuanyuan",
    "呼延": "huyan",
    "万俟": "moqi",
    "单于": "chanyu",
    "闻人": "wenren",
    "司空": "sikong",
}
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_BRACKET = re.compile(r"[(\[{【〔]([^)\]}】〕]*)[)\]}】〕]")
_NOT_CJK = re.compile(r"[^\u3400-\u9fff\uf900-\ufaff]")
_NOT_LETTER = re.compile(r"[^a-z ]")


@lru_cache(maxsize=None)
def normalise_name(raw: str | None) -> tuple[str | None, str | None]:
    """(main name, alias): NFKC (full-width to half-width), bracketed alias split off, spaces removed.

    `王伟（王小伟）` gives ('王伟', '王小伟'). Latin names keep single spaces between words.
    """
    if raw is None:
        return None, None
    s = unicodedata.normalize("NFKC", raw).strip()
    alias = None
    m = _BRACKET.search(s)
    if m:
        alias = m.group(1).strip() or None
        s = _BRACKET.sub(" ", s).strip()
    if _CJK.search(s):
        s = _NOT_CJK.sub("", s)  # spaces (incl. U+3000), middle dots, stray punctuation
    else:
        s = " ".join(s.split())
    return (s or None), alias


def split_surname(name: str) -> tuple[str, str]:
    if len(name) >= 3 and name[:2] in COMPOUND_SURNAMES:
        return name[:2], name[2:]
    return name[:1], name[1:]


@lru_cache(maxsize=None)
def chinese_pinyin(name: str) -> tuple[str, str]:
    """(surname pinyin, given pinyin) of a Chinese name, lower case, no tones or spaces."""
    surname, given = split_surname(name)
    if surname in COMPOUND_SURNAMES:
        sp = COMPOUND_SURNAMES[surname]
    else:
        sp = SURNAME_READINGS.get(surname) or "".join(lazy_pinyin(surname, v_to_u=False))
    return _letters(sp), _letters(given_pinyin(given)) if given else ""


@lru_cache(maxsize=None)
def _char_reading(c: str) -> tuple[str, bool]:
    """(default reading, has other readings) of one character."""
    readings = pinyin(c, style=Style.NORMAL, heteronym=True, v_to_u=False)[0]
    return lazy_pinyin(c, v_to_u=False)[0], len(set(readings)) > 1


@lru_cache(maxsize=200_000)
def given_pinyin(given: str) -> str:
    """Pinyin of a given name: per character (cached), or by pypinyin's phrase rules when a character
    has several readings (the phrase decides)."""
    parts = [_char_reading(c) for c in given]
    if any(poly for _, poly in parts):
        return "".join(lazy_pinyin(given, v_to_u=False))
    return "".join(r for r, _ in parts)


def _letters(s: str) -> str:
    return _NOT_LETTER.sub("", s.lower()).replace(" ", "")


@lru_cache(maxsize=None)
def name_keys(raw: str | None) -> tuple[str | None, str | None, str | None]:
    """(py_fwd, py_rev, name_key) of any name, Chinese or Latin; Nones when there is nothing to read.

    Chinese: fwd = surname + given, rev = given + surname. Latin: fwd = tokens as written, rev = last
    token first (so `Wei Zhang` gives rev `zhangwei`); a single token gives fwd = rev.
    """
    main, _ = normalise_name(raw)
    if not main:
        return None, None, None
    if _CJK.search(main):
        sp, gp = chinese_pinyin(main)
        fwd, rev = sp + gp, gp + sp
    else:
        toks = [t for t in _NOT_LETTER.sub(" ", main.lower()).split() if t]
        if not toks:
            return None, None, None
        fwd = "".join(toks)
        rev = toks[-1] + "".join(toks[:-1]) if len(toks) > 1 else fwd
    if not fwd:
        return None, None, None
    return fwd, rev, "".join(sorted(fwd))


def is_chinese(s: str | None) -> bool:
    return bool(s) and bool(_CJK.search(s))


_BRACKET_PAT = r"[(\[{【〔]([^)\]}】〕]*)[)\]}】〕]"
_CJK_CLASS = "\u3400-\u9fff\uf900-\ufaff"


def name_frame(raw: pl.Series) -> pl.DataFrame:
    """Vectorised `normalise_name` + `name_keys` over distinct raw names.

    Returns raw, main, alias, py_fwd, py_rev, name_key and name_parts (surname and given-name pinyin,
    or the words of a Latin name: a shared part is weak evidence when the rest is mistyped). Only distinct surnames and given names reach
    pypinyin (through the cached scalar helpers), so two million records cost a few seconds.
    """
    df = pl.DataFrame({"raw": raw.drop_nulls().unique()}, schema={"raw": pl.String})
    s = pl.col("raw").str.normalize("NFKC").str.strip_chars()
    df = df.with_columns(
        s.str.extract(_BRACKET_PAT, 1).str.strip_chars().alias("alias"),
        s.str.replace_all(_BRACKET_PAT, " ").str.strip_chars().alias("_m"),
    )
    df = df.with_columns(pl.col("_m").str.contains(f"[{_CJK_CLASS}]").fill_null(False).alias("_cn"))
    df = df.with_columns(
        pl.when(pl.col("_cn"))
        .then(pl.col("_m").str.replace_all(f"[^{_CJK_CLASS}]", ""))
        .otherwise(pl.col("_m").str.replace_all(r"\s+", " "))
        .alias("main"),
        pl.when(pl.col("alias").str.len_chars() > 0).then(pl.col("alias")).alias("alias"),
    ).with_columns(pl.when(pl.col("main").str.len_chars() > 0).then(pl.col("main")).alias("main"))

    # Chinese: surname (compound when listed) + given name, each through the cached helpers.
    cn = df.filter(pl.col("_cn") & pl.col("main").is_not_null()).select("raw", "main")
    two = pl.col("main").str.slice(0, 2)
    compound = two.is_in(list(COMPOUND_SURNAMES)) & (pl.col("main").str.len_chars() >= 3)
    cn = cn.with_columns(
        pl.when(compound).then(two).otherwise(pl.col("main").str.slice(0, 1)).alias("sur"),
        pl.when(compound).then(pl.col("main").str.slice(2)).otherwise(pl.col("main").str.slice(1)).alias("giv"),
    )
    surs = cn.select("sur").unique()
    surs = surs.with_columns(pl.Series("sp", [_surname_pinyin(x) for x in surs["sur"].to_list()], dtype=pl.String))
    givs = cn.select("giv").unique()
    givs = givs.with_columns(
        pl.Series("gp", [_letters(given_pinyin(g)) if g else "" for g in givs["giv"].to_list()], dtype=pl.String)
    )
    cn = (
        cn.join(surs, on="sur", how="left")
        .join(givs, on="giv", how="left", nulls_equal=True)
        .select(
            "raw",
            pl.concat_str(["sp", "gp"]).alias("fwd_cn"),
            pl.concat_str(["gp", "sp"]).alias("rev_cn"),
            pl.concat_list(["sp", "gp"]).list.eval(pl.element().filter(pl.element() != "")).alias("parts_cn"),
        )
    )

    # Latin script: tokens as written, and with the last token moved first.
    toks = pl.col("main").str.to_lowercase().str.replace_all(r"[^a-z]+", " ").str.strip_chars().str.split(" ")
    lat = df.filter(~pl.col("_cn") & pl.col("main").is_not_null()).select(
        "raw", toks.list.eval(pl.element().filter(pl.element() != "")).alias("t")
    )
    lat = lat.filter(pl.col("t").list.len() > 0).select(
        "raw",
        pl.col("t").list.join("").alias("fwd_lat"),
        pl.concat_str(
            [pl.col("t").list.last(), pl.col("t").list.slice(0, pl.col("t").list.len() - 1).list.join("")]
        ).alias("rev_lat"),
        pl.col("t").alias("parts_lat"),
    )
    out = (
        df.join(cn, on="raw", how="left")
        .join(lat, on="raw", how="left")
        .with_columns(
            pl.coalesce("fwd_cn", "fwd_lat").alias("py_fwd"),
            pl.coalesce("rev_cn", "rev_lat").alias("py_rev"),
            pl.coalesce("parts_cn", "parts_lat").list.unique().list.sort().alias("name_parts"),
        )
        .with_columns(pl.when(pl.col("py_fwd").str.len_chars() > 0).then(pl.col("py_fwd")).alias("py_fwd"))
    )
    out = out.with_columns(
        pl.when(pl.col("py_fwd").is_not_null()).then(pl.col("py_rev")).alias("py_rev"),
        pl.col("py_fwd").str.split("").list.sort().list.join("").alias("name_key"),
    )
    out = out.with_columns(pl.when(pl.col("py_fwd").is_not_null()).then(pl.col("name_parts")).alias("name_parts"))
    return out.select("raw", "main", "alias", "py_fwd", "py_rev", "name_key", "name_parts")


@lru_cache(maxsize=None)
def _surname_pinyin(surname: str) -> str:
    if surname in COMPOUND_SURNAMES:
        return COMPOUND_SURNAMES[surname]
    return _letters(SURNAME_READINGS.get(surname) or "".join(lazy_pinyin(surname, v_to_u=False)))
