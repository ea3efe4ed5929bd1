"""Next-best-product propensities against the generator's truth (benchmarks and tests only; the pipeline
never reads the truth): of the customers who open a product they do not hold in the 90 days after the
date (truth `product_openings.csv`), how many had one of them as their top 1 / top 3 product, against
three baselines: the `next_product` rule of `crm.product_holding` (one product), the same-holdings
baseline (the products most often taken next by customers holding the same product set, kept to three)
and plain popularity (the products most often taken overall, less those held).

Beside them a reference for what the data allows (`informed_reference`): a ranking that knows what the
generator decides by, exactly: the person's segment (which sets take-up), the products held, and which
of the generator's two cross-sell signs shows (the current account swelling before a savings product or
a mortgage, card spending rising before a credit card or a car or consumer loan; read from the truth's
openings in the horizon). It ranks the products not held by how often simulated persons of the same
segment, holdings and signs took them (`crm.generator.cross_sell`, millions of persons, passed in as
counts). A debit card, or a time vs a notice deposit, stays a guess even then."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from pathlib import Path

import duckdb
import pandas as pd

from crm.generator.cross_sell import SAVE_SIGNED, SPEND_SIGNED, cell_key
from models import next_best_product as nbp
from models.churn.evaluate import _person_map
from models.warehouse import execute, query


def evaluate_next_best_product(
    con: duckdb.DuckDBPyConnection, truth_dir: Path, as_of=None, reference_counts: dict | None = None
) -> dict:
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
    reference = None
    if reference_counts:
        persons = pd.read_csv(truth_dir / "persons.csv", dtype=str)
        reference = informed_reference(frame, opens, persons, reference_counts)
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
        "informed_reference": None
        if reference is None
        else {
            "hit_rate_at_1": reference,
            "vs_next_product_rule": round(reference / rule_hits["hit_rate_at_1"], 2)
            if rule_hits["hit_rate_at_1"]
            else None,
            "model_share_of_it": round(model_hits["hit_rate_at_1"] / reference, 3) if reference else None,
        },
        "model_version": str(scores["model_version"].iloc[0]),
        "validation_in_pipeline": model.metrics,
        "fit_seconds": model.seconds,
        "training_phases": getattr(model, "timings", {}),
        "training_rows": model.n_train,
    }


def informed_reference(
    frame: pd.DataFrame, opens: pd.DataFrame, persons: pd.DataFrame, counts: dict[str, Counter]
) -> float:
    """Hit rate at 1 of the ranking by segment, products held and the signs showing (the module
    docstring); `frame` has person_id, products (held) and taken (new products), `opens` the truth's
    openings in the horizon, `counts` the products taken per cell (`crm.generator.cross_sell`)."""
    segment = persons.set_index("person_id")["segment"]
    raw = opens.groupby("person_id")["product"].agg(set)
    hits = takers = 0
    overall = counts.get("", Counter())
    for person, products, taken in zip(frame["person_id"], frame["products"], frame["taken"]):
        if not taken or not isinstance(person, str):
            continue
        held, opened = set(products.split(",")), raw.get(person, set())
        # a CURRENT opening by a holder of one is a foreign-currency deposit: a savings product too
        save = "CURRENT" in held and bool(opened & set(SAVE_SIGNED) or "CURRENT" in opened)
        spend = bool({"DEBIT", "CREDIT"} & held) and bool(opened & set(SPEND_SIGNED))
        local = counts.get(cell_key(products, segment.get(person, ""), save, spend), Counter())
        options = [p for p in nbp.PRODUCTS if p not in held]
        hits += bool(options) and max(options, key=lambda p: (local[p], overall[p], p)) in taken
        takers += 1
    return round(hits / takers, 4) if takers else float("nan")
