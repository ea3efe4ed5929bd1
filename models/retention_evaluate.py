"""Score the retention list against the generator's truth (tests/benchmarks only).

Realised lost value of a person on a date: `churned_90d x max(contribution_last_12m, 0)` from the truth's
outcomes: what a customer who leaves within 90 days brought in the year before. The share of the total
captured by the top 5% of customers ranked three ways: value at risk (the published list), churn
probability alone, expected lifetime value alone."""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from models.churn.evaluate import _outcomes, _person_map


def _captured(per: pd.DataFrame, score: str, share: float) -> float:
    top = per.sort_values([score, "customer_id"], ascending=[False, True]).head(int(np.ceil(share * len(per))))
    total = per.drop_duplicates("person_id")["lost"].sum()
    return float(top.drop_duplicates("person_id")["lost"].sum() / total) if total else float("nan")


def evaluate_retention(con: duckdb.DuckDBPyConnection, truth_dir: Path, share: float = 0.05) -> dict:
    truth_dir = Path(truth_dir)
    persons = _person_map(con, truth_dir)
    outcomes = _outcomes(truth_dir)
    if "contribution_last_12m" not in outcomes:
        raise RuntimeError(f"{truth_dir}/outcomes.csv has no contribution_last_12m: regenerate the bank")
    scored = con.execute(
        "select r.as_of_date, r.customer_id, r.churn_probability, l.expected_ltv_cny, "
        "coalesce(p.value_at_risk_cny, 0) as value_at_risk_cny "
        "from marts.churn_risk_history as r "
        "join marts.lifetime_value_history as l using (as_of_date, customer_id) "
        "left join marts.retention_priority_history as p using (as_of_date, customer_id)"
    ).df()
    scored["as_of_date"] = pd.to_datetime(scored["as_of_date"]).dt.date
    j = scored.merge(persons, on="customer_id").merge(
        outcomes, left_on=["person_id", "as_of_date"], right_on=["person_id", "business_date"]
    )
    j["lost"] = j["churned_90d"] * j["contribution_last_12m"].clip(lower=0)
    result = {}
    for day, per in j.groupby("as_of_date"):
        result[str(day)] = {
            "customers": int(len(per)),
            "churners_90d": int(per.drop_duplicates("person_id")["churned_90d"].sum()),
            "lost_value_cny": float(per.drop_duplicates("person_id")["lost"].sum()),
            "top_share": share,
            "captured_by_value_at_risk": _captured(per, "value_at_risk_cny", share),
            "captured_by_churn_probability": _captured(per, "churn_probability", share),
            "captured_by_lifetime_value": _captured(per, "expected_ltv_cny", share),
        }
    return result
