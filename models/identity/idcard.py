"""Chinese resident identity numbers (GB 11643-1999): validation and the 15 -> 18 digit upgrade.

An 18-character number is 6 digits of region, 8 of birth date (YYYYMMDD), 3 of sequence (odd = male)
and an ISO 7064 MOD 11-2 check character (0-9 or X). Old 15-digit numbers carry a 2-digit year and
no check character; the upgrade inserts '19' and computes the check character.

Everything works on polars expressions so two million numbers take well under a second; the scalar
helpers wrap the same code for tests and one-off use.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
# First two digits: province-level codes in use (incl. 71 Taiwan, 81 Hong Kong, 82 Macau).
PROVINCES = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 62 63 64 65 71 81 82".split()
)
MIN_BIRTH = dt.date(1900, 1, 1)


def check_char(body17: str) -> str:
    """ISO 7064 MOD 11-2 check character of the first 17 digits."""
    total = sum(int(d) * w for d, w in zip(body17, WEIGHTS, strict=True))
    return CHECK_CHARS[total % 11]


def _clean(col: pl.Expr) -> pl.Expr:
    return col.str.normalize("NFKC").str.replace_all(r"[\s\-]", "").str.to_uppercase()


def _check_expr(body: pl.Expr) -> pl.Expr:
    total = pl.sum_horizontal([body.str.slice(i, 1).cast(pl.Int32, strict=False) * w for i, w in enumerate(WEIGHTS)])
    return (total % 11).replace_strict(dict(enumerate(CHECK_CHARS)), default=None, return_dtype=pl.String)


def add_id_columns(
    df: pl.DataFrame, raw: str, resident: str, today: dt.date | None = None, birth: str | None = None
) -> pl.DataFrame:
    """Add `id_std`, `id_valid`, `id_birth`, `id_sex`, `id_upgraded` computed from the raw ID column `raw`.

    `resident` (boolean column) says which rows carry a resident ID (other document types are only
    cleaned). `id_std` is the 18-character form for resident IDs (upgraded when 15 digits), else the
    cleaned value; empty values become NULL. Built in steps so each intermediate is computed once.
    A 15-digit ID has a two-digit year: the century is 19 unless the record's own birth date (column
    `birth`) has the same day in the 2000s.
    """
    today = today or dt.date.today()
    s = _clean(pl.col(raw))
    out = df.with_columns(pl.when(s.str.len_chars() > 0).then(s).alias("_s"))
    res = pl.col(resident).fill_null(False)
    out = out.with_columns(
        (res & pl.col("_s").str.contains(r"^\d{15}$")).fill_null(False).alias("_is15"),
        (res & pl.col("_s").str.contains(r"^\d{17}[0-9X]$")).fill_null(False).alias("_is18"),
    )
    century = pl.lit("19")
    if birth is not None:
        b = pl.col(birth).cast(pl.Date, strict=False).dt.strftime("%Y%m%d")
        century = pl.when(b.str.slice(2, 6) == pl.col("_s").str.slice(6, 6)).then(b.str.slice(0, 2)).otherwise(century)
    out = out.with_columns(
        pl.when(pl.col("_is15"))
        .then(pl.concat_str([pl.col("_s").str.slice(0, 6), century, pl.col("_s").str.slice(6, 9)]))
        .when(pl.col("_is18"))
        .then(pl.col("_s").str.slice(0, 17))
        .alias("_body")
    )
    body = pl.col("_body")
    out = out.with_columns(
        _check_expr(body).alias("_check"),
        body.str.slice(6, 8).str.strptime(pl.Date, "%Y%m%d", strict=False).alias("_birth"),
        body.str.slice(0, 2).is_in(list(PROVINCES)).alias("_region_ok"),
        body.str.slice(16, 1).cast(pl.Int32, strict=False).alias("_sexd"),
    )
    birth_ok = pl.col("_birth").is_not_null() & (pl.col("_birth") >= MIN_BIRTH) & (pl.col("_birth") <= today)
    check_ok = pl.when(pl.col("_is15")).then(True).otherwise(pl.col("_s").str.slice(17, 1) == pl.col("_check"))
    out = out.with_columns(
        ((pl.col("_is15") | pl.col("_is18")) & birth_ok & pl.col("_region_ok") & check_ok)
        .fill_null(False)
        .alias("id_valid"),
        (pl.col("_is15") & birth_ok).fill_null(False).alias("_upg"),
    )
    valid = pl.col("id_valid")
    out = out.with_columns(
        pl.when(pl.col("_upg")).then(pl.concat_str([body, pl.col("_check")])).otherwise(pl.col("_s")).alias("id_std"),
        pl.when(valid).then(pl.col("_birth")).alias("id_birth"),
        pl.when(valid).then(pl.when(pl.col("_sexd") % 2 == 1).then(pl.lit("M")).otherwise(pl.lit("F"))).alias("id_sex"),
        pl.col("_is15").alias("id_upgraded"),
    )
    return out.drop("_s", "_is15", "_is18", "_body", "_check", "_birth", "_region_ok", "_sexd", "_upg")


def standardise_id(raw: str | None, resident: bool = True) -> dict:
    """Scalar form of `add_id_columns` (tests, ad-hoc checks)."""
    df = pl.DataFrame({"raw": [raw], "res": [resident]}, schema={"raw": pl.String, "res": pl.Boolean})
    return add_id_columns(df, "raw", "res").drop("raw", "res").row(0, named=True)


def is_valid_id(raw: str | None) -> bool:
    return bool(standardise_id(raw)["id_valid"])


def upgrade_15(raw15: str) -> str:
    """Old 15-digit number to the 18-character form ('19' inserted after the region, check char appended)."""
    body = raw15[:6] + "19" + raw15[6:]
    return body + check_char(body)
