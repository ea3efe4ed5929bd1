"""Lifecycle stages against the generator's truth (benchmarks and tests only; the pipeline never reads
the truth): do the persons the generator made drift away show as `decline` before they churn, how
early, how often does `decline` fire for persons who stay, and do joiners show as `acquisition`."""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from models.churn.evaluate import _person_map
from models.warehouse import execute

WINDOW = 3  # month-ends before the churn month searched for a decline


def _month_index(s: pd.Series) -> pd.Series:
    p = pd.PeriodIndex(s, freq="M")
    return pd.Series(p.year * 12 + p.month - 1, index=s.index)


def evaluate_lifecycle(con: duckdb.DuckDBPyConnection, truth_dir: Path) -> dict:
    truth_dir = Path(truth_dir)
    persons = _person_map(con, truth_dir)
    monthly = execute(con, "lifecycle/monthly_stages").df()
    if monthly.empty:
        return {"rows": 0}
    monthly = monthly.merge(persons, on="customer_id")
    monthly["m"] = _month_index(monthly["month"].astype(str).str[:7])
    # one stage per person and month: a person split over several customers takes the most alarming one
    order = {"lapsed": 4, "decline": 3, "acquisition": 2, "growth": 1, "maturity": 0}
    monthly["rank"] = monthly["stage"].map(order)
    per = monthly.sort_values("rank").groupby(["person_id", "m"], as_index=False).last()[["person_id", "m", "stage"]]
    truth = pd.read_csv(truth_dir / "persons.csv", dtype=str, usecols=["person_id", "join_month", "churn_month"])
    truth["join_m"] = _month_index(truth["join_month"])
    truth["churn_m"] = _month_index(truth["churn_month"].fillna("2100-01")).where(truth["churn_month"].notna())
    first_m, last_m = int(per["m"].min()), int(per["m"].max())

    # Drifting persons: churned inside the data, late enough for a 3-month trend before the drift starts.
    drift = truth[
        truth["churn_m"].between(first_m + 3 + WINDOW, last_m) & (truth["join_m"] <= truth["churn_m"] - 4 - WINDOW)
    ]
    before = per.merge(drift[["person_id", "churn_m"]], on="person_id")
    before = before[(before["m"] < before["churn_m"]) & (before["m"] >= before["churn_m"] - WINDOW)]
    seen = before.groupby("person_id")["m"].count()
    dec = before[before["stage"] == "decline"]
    first_dec = dec.groupby("person_id").agg(m=("m", "min"), churn_m=("churn_m", "first"))
    lead = (first_dec["churn_m"] - first_dec["m"]).to_numpy()
    last_before = before[before["m"] == before["churn_m"] - 1]
    at_churn = per.merge(drift[["person_id", "churn_m"]], on="person_id")
    at_churn = at_churn[at_churn["m"] == at_churn["churn_m"]]

    # Persons who stay: not churning in the 6 months after the month-end.
    stay = per.merge(truth[["person_id", "churn_m", "join_m"]], on="person_id")
    horizon = stay["churn_m"].fillna(10**9) - stay["m"]
    stayers = stay[(horizon > 6) & (stay["m"] >= first_m + 3)]
    decl = stay[(stay["stage"] == "decline")]
    decl_h = decl["churn_m"].fillna(10**9) - decl["m"]
    joiners = stay[(stay["join_m"] >= first_m) & (stay["m"] == stay["join_m"])]
    stage_share = per.groupby("stage").size() / len(per)
    return {
        "customer_months": int(len(monthly)),
        "months": int(last_m - first_m + 1),
        "stage_share": {k: round(float(v), 4) for k, v in stage_share.items()},
        "drifting_persons": int(len(seen)),
        "drifting_in_decline_before_churn": int(len(first_dec)),
        "drifting_in_decline_share": round(len(first_dec) / len(seen), 4) if len(seen) else None,
        "drifting_in_decline_at_last_month_end_share": round(float((last_before["stage"] == "decline").mean()), 4)
        if len(last_before)
        else None,
        "months_early_mean": round(float(lead.mean()), 2) if len(lead) else None,
        "months_early_distribution": {int(k): int(v) for k, v in zip(*np.unique(lead, return_counts=True))},
        "lapsed_in_churn_month_share": round(float((at_churn["stage"] == "lapsed").mean()), 4)
        if len(at_churn)
        else None,
        "decline_share_of_staying_customer_months": round(float((stayers["stage"] == "decline").mean()), 4)
        if len(stayers)
        else None,
        "decline_precision_churn_within_4_months": round(float((decl_h <= 4).mean()), 4) if len(decl) else None,
        "joiners": int(len(joiners)),
        "joiners_in_acquisition_share": round(float((joiners["stage"] == "acquisition").mean()), 4)
        if len(joiners)
        else None,
    }
