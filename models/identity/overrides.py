"""Reviewer overrides: `link` joins two records into one customer, `unlink` keeps them apart, on every later run.

CSV columns: action (link|unlink), system_a, key_a, system_b, key_b, reviewer, reason.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

COLUMNS = ("action", "system_a", "key_a", "system_b", "key_b", "reviewer", "reason")


def read_overrides(path: Path | None) -> pl.DataFrame:
    """Overrides as (action, uid_a, uid_b, reviewer, reason); an absent file means none."""
    empty = pl.DataFrame(
        schema={"action": pl.String, "uid_a": pl.String, "uid_b": pl.String, "reviewer": pl.String, "reason": pl.String}
    )
    if path is None or not Path(path).exists():
        return empty
    df = pl.read_csv(path, infer_schema=False)
    missing = [c for c in COLUMNS[:5] if c not in df.columns]
    if missing:
        raise ValueError(f"overrides file {path}: missing columns {missing}")
    df = df.with_columns(pl.col(c).str.strip_chars() for c in df.columns)
    bad = df.filter(~pl.col("action").str.to_lowercase().is_in(["link", "unlink"]))
    if bad.height:
        raise ValueError(f"overrides file {path}: action must be link or unlink ({bad.height} rows)")
    return df.select(
        pl.col("action").str.to_lowercase(),
        pl.concat_str([pl.col("system_a"), pl.lit(":"), pl.col("key_a")]).alias("uid_a"),
        pl.concat_str([pl.col("system_b"), pl.lit(":"), pl.col("key_b")]).alias("uid_b"),
        pl.col("reviewer") if "reviewer" in df.columns else pl.lit(None, pl.String).alias("reviewer"),
        pl.col("reason") if "reason" in df.columns else pl.lit(None, pl.String).alias("reason"),
    )
