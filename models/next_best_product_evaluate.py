"""Next-best-product propensities against the generator's truth (benchmarks and tests only; the pipeline
never reads the truth): of the customers who open a product they do not hold in the 90 days after the
date (truth `product_openings.csv`), how many had one of them as their top 1 / top 3 product, against
three baselines: the `next_product` rule of `crm.product_holding` (one product), the same-holdings
baseline (the products most often taken next by customers holding the same product set, kept to three)
and plain popularity (the products most often taken overall, less those held)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import duckdb
import pandas as pd

from models import next_best_product as nbp
from models.churn.evaluate import _person_map
from models.warehouse import execute, query


def evaluate_next_best_product(con: duckdb.DuckDBPyConnection, truth_dir: Path, as_of=None) -> dict:
    truth_dir = Path(truth_dir)
    if as_of is None:
        as_of = query(con, "nbp/scored_latest_date")[0][0]
    scores = execute(con, "nbp/scores", as_of=as_of).df()
    if scores.empty:
        return {"as_of": str(as_of), "customers_taking": 0}
    holding = execute(con, "nbp/holding_rule", as_of=as_of).df()
    opens = pd.read_csv(truth_dir / "product_openings.csv", dtype=str)
    opens["open_date"] = pd.to_datetime(opens["open_date"]).dt.date
    opens = opens[(opens["open_date"] > as_of) & (opens["open_date"] <= as_of + timedelta(days=nbp.HORIZON_DAYS))]
    taken = opens.groupby("person_id")["product"].agg(set)
    people = _person_map(con, truth_dir)
    frame = holding.merge(people, on="customer_id", how="left")
    frame = frame[frame["customer_id"].isin(scores["customer_id"])].reset_index(drop=True)
    frame["products"] = frame["products"].fillna("")
    frame["taken"] = [
        (taken.get(p, set()) if isinstance(p, str) else set()) - set(h.split(","))
        for p, h in zip(frame["person_id"], frame["products"])
    ]
    ranked = scores.sort_values("rank").groupby("customer_id")["product"].agg(list)
    frame["model"] = frame["customer_id"].map(ranked)
    frame["rule"] = [[p] if isinstance(p, str) else [] for p in frame["next_product"]]
    path = query(con, "nbp/model_path", model_version=scores["model_version"].iloc[0])[0][0]
    model = nbp.NextBestProductModel.load(Path(path))
    model_hits = nbp.hit_rates(frame["taken"], frame["model"])
    rule_hits = nbp.hit_rates(frame["taken"], frame["rule"])
    same_hits = nbp.hit_rates(frame["taken"], model.baseline(frame))
    pop_hits = nbp.hit_rates(frame["taken"], model.popularity(frame))
    ratio = lambda b: round(model_hits["hit_rate_at_1"] / b["hit_rate_at_1"], 2) if b["hit_rate_at_1"] else None  # noqa: E731
    took = frame[frame["taken"].str.len() > 0]
    return {
        "as_of": str(as_of),
        "horizon_days": nbp.HORIZON_DAYS,
        "customers_scored": int(len(frame)),
        "customers_taking": model_hits["customers_taking"],
        "products_taken": {
            k: int(v) for k, v in pd.Series([p for s in took["taken"] for p in s]).value_counts().items()
        },
        "model": model_hits,
        "next_product_rule": {"hit_rate_at_1": rule_hits["hit_rate_at_1"]},
        "same_holdings_baseline": same_hits,
        "plain_popularity_baseline": pop_hits,
        "hit_rate_at_1_vs_next_product_rule": ratio(rule_hits),
        "hit_rate_at_1_vs_same_holdings": ratio(same_hits),
        "hit_rate_at_1_vs_plain_popularity": ratio(pop_hits),
        "model_version": str(scores["model_version"].iloc[0]),
        "validation_in_pipeline": model.metrics,
        "fit_seconds": model.seconds,
        "training_phases": getattr(model, "timings", {}),
        "training_rows": model.n_train,
    }
