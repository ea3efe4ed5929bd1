"""Stable customer ids: clusters inherit the ids their records held last night.

Each cluster takes the previous id held by most of its records (ties: the lowest id), each id going to
one cluster only, best-supported first. Clusters left without one get a new id `C` + 9 digits from the
sequence. Ids that lose all their records are retired; every retirement and every move of records to a
different id is written as an event:
- `merge`: customer_id survived, other_customer_id (retired) was folded into it;
- `split`: records of customer_id (which survives) left for the new id other_customer_id;
- `move`: records of other_customer_id moved to the existing customer_id.
"""

from __future__ import annotations

import datetime as dt
import json

import polars as pl

EVENT_SCHEMA = {
    "business_date": pl.Date,
    "event": pl.String,
    "customer_id": pl.String,
    "other_customer_id": pl.String,
    "detail": pl.String,
}


def format_id(n: int) -> str:
    return f"C{n:09d}"


def next_sequence(existing_ids: pl.Series) -> int:
    """First unused number after every id ever issued (current and retired)."""
    nums = existing_ids.drop_nulls().str.slice(1).cast(pl.Int64, strict=False).drop_nulls()
    return int(nums.max()) + 1 if len(nums) else 1


def assign_ids(
    records: pl.DataFrame, prev: pl.DataFrame, next_seq: int, business_date: dt.date
) -> tuple[pl.DataFrame, pl.DataFrame, int]:
    """records (uid, cluster) + prev (uid, customer_id) -> (uid, customer_id), events, next sequence value."""
    j = records.join(prev.select("uid", pl.col("customer_id").alias("prev_id")), on="uid", how="left")
    counts = (
        j.drop_nulls("prev_id")
        .group_by("cluster", "prev_id")
        .agg(pl.len().alias("n"))
        .sort(["n", "prev_id"], descending=[True, False])
    )
    # Fast path: a cluster with one candidate id that no other cluster claims.
    per_cluster = counts.group_by("cluster").agg(pl.len().alias("k"))
    per_id = counts.group_by("prev_id").agg(pl.len().alias("m"))
    c2 = counts.join(per_cluster, on="cluster").join(per_id, on="prev_id")
    simple = c2.filter((pl.col("k") == 1) & (pl.col("m") == 1)).select(
        "cluster", pl.col("prev_id").alias("customer_id")
    )
    rest = c2.filter((pl.col("k") > 1) | (pl.col("m") > 1)).sort(["n", "prev_id"], descending=[True, False])
    taken_c, taken_id, chosen = set(), set(), []
    for c, pid in zip(rest["cluster"].to_list(), rest["prev_id"].to_list()):
        if c in taken_c or pid in taken_id:
            continue
        taken_c.add(c)
        taken_id.add(pid)
        chosen.append((c, pid))
    ctype = records.schema["cluster"]
    chosen_df = pl.DataFrame(chosen, schema={"cluster": ctype, "customer_id": pl.String}, orient="row")
    assigned = pl.concat([simple.cast({"cluster": ctype}), chosen_df])
    clusters = records.select("cluster").unique().sort("cluster")
    missing = clusters.join(assigned, on="cluster", how="anti")
    new_ids = [format_id(next_seq + i) for i in range(missing.height)]
    missing = missing.with_columns(pl.Series("customer_id", new_ids, dtype=pl.String))
    next_seq += missing.height
    cmap = pl.concat([assigned, missing])
    out = records.join(cmap, on="cluster", how="left").select("uid", "customer_id")

    # Events: every (previous id, new id) flow where the two differ.
    surviving = set(cmap["customer_id"].to_list())
    new_set = set(new_ids)
    flows = (
        j.join(cmap, on="cluster")
        .drop_nulls("prev_id")
        .filter(pl.col("prev_id") != pl.col("customer_id"))
        .group_by("prev_id", "customer_id")
        .agg(pl.len().alias("n"))
        .sort("prev_id", "customer_id")
    )
    events = []
    for pid, cid, n in flows.iter_rows():
        if pid not in surviving:
            events.append((business_date, "merge", cid, pid, json.dumps({"records_moved": n})))
        elif cid in new_set:
            events.append((business_date, "split", pid, cid, json.dumps({"records_moved": n})))
        else:
            events.append((business_date, "move", cid, pid, json.dumps({"records_moved": n})))
    return out, pl.DataFrame(events, schema=EVENT_SCHEMA, orient="row"), next_seq
