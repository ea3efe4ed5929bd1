"""Exact-rule groups and what an incremental night compares.

Records sharing a valid resident ID, the pinyin name key and the birth date are one person: such a group
is named by its first uid, its anchor (`sql/identity/exact_anchor.sql`), and Splink compares one
representative per group. On an incremental night only the groups of records that share a blocking
key with a new or changed (dirty) record take part.
"""

from __future__ import annotations

import re

import polars as pl

from models.identity.match.settings import BLOCKING_RULES, SPLINK_COLUMNS
from models.settings import sql_text

_SUBSTR = re.compile(r"substr\((\w+), (\d+), (\d+)\)")


def _key_expr(term: str) -> pl.Expr:
    """Polars form of a blocking term: a column, or `substr(col, start, length)`."""
    m = _SUBSTR.fullmatch(term)
    if m:
        return pl.col(m.group(1)).str.slice(int(m.group(2)) - 1, int(m.group(3))).alias(term)
    return pl.col(term).alias(term)


def build_working_set_sql() -> str:
    """SQL (over identity.party_std, identity.customer_map and a registered `dirty_uids`) for the uids
    an incremental night needs: dirty records, records sharing a blocking key with one, the rest of
    their exact-rule groups, and every record of the customers all those belong to.

    Generated from BLOCKING_RULES (constants, no values), in the shape of Splink's `*_sql` builders.
    """
    # Each blocking key is computed once per record (a materialised CTE), not once per rule that uses
    # it: 18 rules each scanning a million persons' records cost most of a daily identity night.
    terms = sorted({t for rule in BLOCKING_RULES for t in rule})
    key = {t: f"k{i}" for i, t in enumerate(terms)}
    joins = [
        "select l.uid from block_keys as l join dirty as r on " + " and ".join(f"l.{key[t]} = r.{key[t]}" for t in rule)
        for rule in BLOCKING_RULES
    ]
    candidates = "\n    union\n    ".join(joins)
    return f"""
with block_keys as materialized (
    select uid, {", ".join(f"{t} as {key[t]}" for t in terms)} from identity.party_std
),

dirty as materialized (
    select block_keys.* from block_keys semi join dirty_uids using (uid)
),

seeds as (
    select uid from dirty_uids
    union
    {candidates}
),

group_keys as (
    select distinct id_std, name_key, birth_date
    from identity.party_std semi join seeds using (uid)
    where id_valid and name_key is not null and birth_date is not null
),

mates as (
    select uid from identity.party_std as std semi join group_keys using (id_std, name_key, birth_date)
    where std.id_valid
),

records as (
    select uid from seeds
    union
    select uid from mates
),

keyed as (
    select std.uid, std.system, std.source_key from identity.party_std as std semi join records using (uid)
),

customers as (
    select distinct map.customer_id
    from identity.customer_map as map
    join keyed on map.system = keyed.system and map.source_key = keyed.source_key
),

final as (
    select uid from records
    union
    select map.system || ':' || map.source_key from identity.customer_map as map semi join customers using (customer_id)
)

select * from final
"""


def candidate_records(std: pl.DataFrame, dirty_uids: pl.Series) -> pl.DataFrame:
    """Records that share at least one blocking key with a dirty record: the only ones an incremental
    night needs to compare the dirty records with."""
    dirty = std.join(dirty_uids.to_frame("uid"), on="uid", how="semi")
    keep = [dirty.select("uid")]
    for rule in BLOCKING_RULES:
        exprs = [_key_expr(t) for t in rule]
        keys = dirty.select(exprs).drop_nulls().unique()
        if keys.height:
            keep.append(std.with_columns(exprs).join(keys, on=list(rule), how="semi").select("uid"))
    return std.join(pl.concat(keep).unique(), on="uid", how="semi")


def exact_groups(engine, std: pl.DataFrame, dirty: pl.Series | None) -> pl.DataFrame:
    """On `engine`: tonight's records (`party_in`), their exact-rule groups (`anchors`), one representative
    per group in scope (`party_all`, for Splink); returns the exact-rule edges (uid_l, uid_r). With `dirty`,
    only the groups of records that could pair with a dirty record are in scope."""
    engine.put("party_in", std.select(SPLINK_COLUMNS))
    engine.run("anchors", sql_text("identity/exact_anchor"))
    if dirty is None:
        exact = engine.get(sql_text("identity/exact_pairs"))
        engine.view("party_scope", "select * from party_in")
    else:
        # Only the groups of records that could pair with a dirty record are needed tonight.
        engine.put("dirty_uids", dirty.to_frame("uid"))
        engine.put("candidate_uids", candidate_records(std, dirty).select("uid"))
        engine.run("dirty_anchors", sql_text("identity/dirty_anchors"))
        exact = engine.get(sql_text("identity/exact_pairs_dirty"))
        engine.view("party_scope", sql_text("identity/party_scope"))
    engine.run("party_all", sql_text("identity/representatives"))
    return exact
