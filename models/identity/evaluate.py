"""Pairwise accuracy of a customer map against the generator's truth.

Two records form a predicted pair when they share a customer_id and a true pair when they share a
person_id. Precision = TP / predicted pairs, recall = TP / true pairs, F1 their harmonic mean; figures
are given overall, per system pair (`card-deposit`, `deposit-deposit`, ...) and per planted hard-case tag
(pairs with at least one record carrying the tag). The namesake false-merge rate is the share of
persons tagged `namesake` (any tag containing it) whose customer also holds a record of another person.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl


def _pair_counts(df: pl.DataFrame) -> tuple[int, int, int]:
    """(true-positive, predicted, true) pair counts of a frame with customer_id and person_id."""

    def c2(col: str | list[str]) -> int:
        n = df.group_by(col).len()["len"].cast(pl.Int64)
        return int((n * (n - 1) // 2).sum())

    return c2(["customer_id", "person_id"]), c2("customer_id"), c2("person_id")


def _scores(tp: int, pred: int, true: int) -> dict:
    p = tp / pred if pred else 1.0
    r = tp / true if true else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": p, "recall": r, "f1": f, "true_pairs": true, "predicted_pairs": pred, "tp": tp}


def _system_pairs(df: pl.DataFrame) -> dict[str, dict]:
    """Per system pair, from per-group per-system counts (no pair enumeration)."""
    systems = sorted(df["system"].unique().to_list())
    out = {}
    for key_cols, kind in ((["customer_id", "person_id"], "tp"), (["customer_id"], "pred"), (["person_id"], "true")):
        g = df.group_by([*key_cols, "system"]).len().pivot(on="system", index=key_cols, values="len").fill_null(0)
        for i, a in enumerate(systems):
            for b in systems[i:]:
                if a not in g.columns or b not in g.columns:
                    n = 0
                elif a == b:
                    n = int((g[a].cast(pl.Int64) * (g[a].cast(pl.Int64) - 1) // 2).sum())
                else:
                    n = int((g[a].cast(pl.Int64) * g[b].cast(pl.Int64)).sum())
                out.setdefault(f"{a}-{b}", {})[kind] = n
    return {k: _scores(v["tp"], v["pred"], v["true"]) for k, v in out.items() if v["true"] or v["pred"]}


def evaluate(customer_map: pl.DataFrame, truth: pl.DataFrame | str | Path) -> dict:
    """Figures for a customer map (system, source_key, customer_id, ...) against `source_records.csv`."""
    if not isinstance(truth, pl.DataFrame):
        truth = pl.read_csv(truth, infer_schema=False)
    truth = truth.with_columns(pl.col("source_key").cast(pl.String), pl.col("person_id").cast(pl.String))
    if "planted" not in truth.columns:
        truth = truth.with_columns(pl.lit(None, pl.String).alias("planted"))
    df = truth.join(
        customer_map.select("system", pl.col("source_key").cast(pl.String), "customer_id"),
        on=["system", "source_key"],
        how="left",
    )
    unmapped = df.filter(pl.col("customer_id").is_null()).height
    # A record the map does not hold counts as its own customer.
    df = df.with_columns(
        pl.coalesce(
            "customer_id", pl.concat_str([pl.lit("unmapped:"), pl.col("system"), pl.lit(":"), pl.col("source_key")])
        )
    ).with_columns(
        pl.col("planted")
        .fill_null("")
        .str.to_lowercase()
        .str.replace_all(r"[;,|\s]+", ";")
        .str.split(";")
        .list.eval(pl.element().filter(pl.element() != ""))
        .alias("tags")
    )
    result = {"records": df.height, "unmapped_records": unmapped, "overall": _scores(*_pair_counts(df))}
    result["persons"] = df["person_id"].n_unique()
    result["customers"] = df["customer_id"].n_unique()
    result["by_system_pair"] = _system_pairs(df)
    hard = {}
    tp_all, pred_all, true_all = _pair_counts(df)
    for tag in sorted(set(df["tags"].explode().drop_nulls().to_list())):
        rest = df.filter(~pl.col("tags").list.contains(tag))
        tp_r, pred_r, true_r = _pair_counts(rest)
        hard[tag] = _scores(tp_all - tp_r, pred_all - pred_r, true_all - true_r)
        hard[tag]["records"] = df.height - rest.height
    result["hard_cases"] = hard
    # Namesakes: persons tagged namesake whose customer holds another person's record.
    tagged = df.filter(pl.col("tags").list.eval(pl.element().str.contains("namesake")).list.any())
    if tagged.height:
        persons_per_customer = df.group_by("customer_id").agg(pl.col("person_id").n_unique().alias("k"))
        merged = tagged.join(persons_per_customer, on="customer_id").filter(pl.col("k") > 1)["person_id"].n_unique()
        result["namesake_false_merge_rate"] = merged / tagged["person_id"].n_unique()
    else:
        result["namesake_false_merge_rate"] = None
    return result


def summary_line(r: dict) -> str:
    o = r["overall"]
    return (
        f"records={r['records']} persons={r['persons']} customers={r['customers']} "
        f"P={o['precision']:.4f} R={o['recall']:.4f} F1={o['f1']:.4f} "
        f"namesake_false_merge={r['namesake_false_merge_rate']}"
    )


def evaluate_from_warehouse(con, truth_csv: pl.DataFrame | str | Path) -> dict:
    """`evaluate` on the work file's `identity.customer_map` (for `crm bench linkage`)."""
    from models.settings import sql_text

    cmap = pl.from_arrow(con.sql(sql_text("identity/customer_map_for_evaluation")).to_arrow_table())
    return evaluate(cmap, truth_csv)
