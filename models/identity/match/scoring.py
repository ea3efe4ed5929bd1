"""Scoring candidate pairs on an engine (DuckDB in process, or Spark): the exact-rule edges, then the
Splink predictions at or above a threshold; only the edges come back to the driver.
"""

from __future__ import annotations

import logging
from pathlib import Path

import polars as pl

from models.identity.match.anchors import exact_groups
from models.identity.match.settings import TF_COLUMNS
from models.identity.match.training import load_model
from models.settings import sql_text

PAIRS_SCHEMA = {"uid_l": pl.String, "uid_r": pl.String, "match_probability": pl.Float64}


def link(
    std: pl.DataFrame,
    model_path: Path,
    dirty: pl.Series | None = None,
    threshold: float = 0.5,
    tf: dict[str, pl.DataFrame] | pl.DataFrame | None = None,
    n_records: int | None = None,
    engine=None,
    threads: int | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Edges (uid_l, uid_r) of the exact rule, and scored candidate pairs (uid_l, uid_r,
    match_probability) at or above `threshold`, computed on `engine` (DuckDB in process by default).

    Records sharing a valid resident ID, the pinyin name key and the birth date form an exact-rule
    group named by its first uid (`sql/identity/exact_anchor.sql`); Splink compares one representative
    per group (`representatives.sql`), so a pair names the groups' anchors. With `dirty` (uids of new
    or changed records) only groups holding a dirty record are compared, against every group of the
    records that share a blocking key with one; term frequencies still come from all records. Only
    the edges come back to the driver.
    """
    from models.identity.engine import DuckEngine

    if isinstance(tf, pl.DataFrame):
        tf = {"name_key": tf}
    tf = dict(tf or {})
    for col in TF_COLUMNS:
        if col not in tf:
            tf[col] = (
                std.drop_nulls(col)
                .group_by(col)
                .len()
                .select(col, (pl.col("len") / pl.col("len").sum()).alias(f"tf_{col}"))
            )
    n_records = n_records or std.height
    own = engine is None
    engine = DuckEngine(threads) if own else engine
    try:
        exact = exact_groups(engine, std, dirty)
        pairs = _predict(engine, model_path, dirty is not None, threshold, tf, n_records)
    finally:
        if own:
            engine.close()
    return exact.cast({"uid_l": pl.String, "uid_r": pl.String}), pairs


def _predict(
    engine, model_path: Path, incremental: bool, threshold: float, tf: dict[str, pl.DataFrame], n_records: int
) -> pl.DataFrame:
    from splink import Linker

    db = engine.splink_db()
    settings = load_model(model_path, n_records, engine.dialect)
    linker = Linker(db.register("party_all"), settings, log_level=logging.WARNING)
    for col, frame in tf.items():
        engine.put(f"tf_{col}", frame)
        linker.table_management.register_term_frequency_lookup(db.register(f"tf_{col}"), col)
    if not incremental:
        pred = linker.inference.predict(threshold_match_probability=threshold, warning_mode="never")
    else:
        engine.run("party_dirty", sql_text("identity/party_dirty"))
        pred = linker.inference.predict_between(
            db.register("party_dirty"),
            db.register("party_all", table_name="party_all_r"),
            threshold_match_probability=threshold,
            warning_mode="never",
        )
    # Splink's own output table: its name is only known at run time.
    out = engine.get(f"select uid_l, uid_r, match_probability from {pred.physical_name} where uid_l <> uid_r")
    return out.cast(PAIRS_SCHEMA) if out.width else pl.DataFrame(schema=PAIRS_SCHEMA)
