"""Evaluate churn scores and lifetime values against the generator's truth folder (tests/benchmarks only;
the pipeline never reads the truth).

Customers map to persons through truth `source_records.csv` (system, source_key, person_id) joined with
`identity.customer_map`: each customer takes the person most of its source records belong to.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
from scipy.stats import spearmanr
from sklearn.metrics import roc_auc_score

from models.churn.explanations import probabilities
from models.churn.features import data_span, features_at
from models.churn.model import ChurnModel, metrics
from models.churn.storage import latest_version


def _person_map(con: duckdb.DuckDBPyConnection, truth_dir: Path) -> pd.DataFrame:
    src = pd.read_csv(truth_dir / "source_records.csv", dtype=str)  # noqa: F841
    return con.execute(
        "select m.customer_id, mode(s.person_id) as person_id "
        "from identity.customer_map as m join src as s on s.system = m.system and s.source_key = m.source_key "
        "group by m.customer_id"
    ).df()


def _outcomes(truth_dir: Path) -> pd.DataFrame:
    out = pd.read_csv(truth_dir / "outcomes.csv", dtype={"person_id": str})
    out["business_date"] = pd.to_datetime(out["business_date"]).dt.date
    return out


def _churn_metrics(df: pd.DataFrame) -> dict:
    res = {k: float(v) for k, v in metrics(df["churned_90d"].to_numpy(), df["churn_probability"].to_numpy()).items()}
    res["rows"] = int(len(df))
    if "churn_prob_90d" in df and df["churn_prob_90d"].notna().all() and 0 < df["churned_90d"].sum() < len(df):
        res["truth_hazard_auc"] = float(roc_auc_score(df["churned_90d"], df["churn_prob_90d"]))
    return res


def evaluate_from_warehouse(con: duckdb.DuckDBPyConnection, truth_dir: Path) -> dict:
    """Published churn scores and lifetime values vs the truth at every date both exist."""
    truth_dir = Path(truth_dir)
    persons = _person_map(con, truth_dir)
    outcomes = _outcomes(truth_dir)
    result: dict = {}
    risk = con.execute("select as_of_date, customer_id, churn_probability from marts.churn_risk_history").df()
    risk["as_of_date"] = pd.to_datetime(risk["as_of_date"]).dt.date
    joined = risk.merge(persons, on="customer_id").merge(
        outcomes, left_on=["person_id", "as_of_date"], right_on=["person_id", "business_date"]
    )
    result["churn"] = _churn_metrics(joined) if len(joined) else {"rows": 0}
    result["churn"]["dates"] = sorted(str(d) for d in joined["as_of_date"].unique())

    tables = {
        r[0] for r in con.execute("select table_name from duckdb_tables() where schema_name = 'marts'").fetchall()
    }
    if "lifetime_value_history" in tables:
        ltv = con.execute("select * from marts.lifetime_value_history").df()
        ltv["as_of_date"] = pd.to_datetime(ltv["as_of_date"]).dt.date
        if "expected_value_12m_cny" not in ltv:
            ltv["expected_value_12m_cny"] = ltv["expected_ltv_cny"] * 12 / ltv["horizon_months"]
        j = ltv.merge(persons, on="customer_id").merge(
            outcomes, left_on=["person_id", "as_of_date"], right_on=["person_id", "business_date"]
        )
        tiers = con.execute("select as_of_date, customer_id, tier from marts.value_tier_history").df()
        tiers["as_of_date"] = pd.to_datetime(tiers["as_of_date"]).dt.date
        j = j.merge(tiers, on=["as_of_date", "customer_id"], how="left").sort_values("expected_value_12m_cny")
        # several customers of one person: add their predictions up, compare with the person's outcome once;
        # the person's tier is its most valuable customer's
        if "new_business_12m_cny" not in j:
            j["new_business_12m_cny"] = 0.0
        per = (
            j.groupby(["person_id", "as_of_date"])
            .agg(
                pred=("expected_value_12m_cny", "sum"),
                truth=("contribution_next_12m", "first"),
                tier=("tier", "last"),
                new_business=("new_business_12m_cny", "sum"),
            )
            .reset_index()
        )
        if len(per) > 2:
            total_truth = per["truth"].sum()
            result["ltv"] = {
                "rows": int(len(per)),
                "spearman_12m": float(spearmanr(per["pred"], per["truth"]).statistic),
                "portfolio_predicted_12m": float(per["pred"].sum()),
                "portfolio_truth_12m": float(total_truth),
                "portfolio_error_pct": float((per["pred"].sum() - total_truth) / abs(total_truth) * 100)
                if total_truth
                else float("nan"),
                "new_business_12m": float(per["new_business"].sum()),
                "by_tier": {
                    str(t): {
                        "persons": int(len(g)),
                        "predicted_12m": float(g["pred"].sum()),
                        "truth_12m": float(g["truth"].sum()),
                        "error_pct": float((g["pred"].sum() - g["truth"].sum()) / abs(g["truth"].sum()) * 100)
                        if g["truth"].sum()
                        else float("nan"),
                        # a near-zero total (LOW) makes its relative error unstable: the error against the portfolio
                        "error_of_portfolio_pct": float((g["pred"].sum() - g["truth"].sum()) / abs(total_truth) * 100)
                        if total_truth
                        else float("nan"),
                        "new_business_12m": float(g["new_business"].sum()),
                        # the realised total's own noise: one standard error of it around the forecast
                        # (the persons' spread x sqrt(n)), as a share of it; an error within about two of
                        # these is no evidence of a bias
                        "outcome_se_pct": float(
                            (g["truth"] - g["pred"]).std() * len(g) ** 0.5 / abs(g["truth"].sum()) * 100
                        )
                        if g["truth"].sum() and len(g) > 1
                        else float("nan"),
                    }
                    for t, g in per.groupby(per["tier"].fillna("NONE"))
                },
            }
    return result


def evaluate_history(con: duckdb.DuckDBPyConnection, truth_dir: Path, model_path: Path | None = None) -> dict:
    """Score the latest churn model at every month-end after its training window (features at those dates)
    and compare with the truth: more dates than the few published ones."""
    truth_dir = Path(truth_dir)
    if model_path is None:
        last = latest_version(con)
        if last is None:
            raise RuntimeError("no churn model version in marts.churn_model_version")
        model_path = Path(last["model_path"])
    model = ChurnModel.load(Path(model_path))
    persons = _person_map(con, truth_dir)
    outcomes = _outcomes(truth_dir)
    dates = sorted(d for d in outcomes["business_date"].unique() if model.train_to is None or d > model.train_to)
    first, last_data = data_span(con, max(dates) if dates else model.train_to)
    dates = [d for d in dates if last_data is not None and d <= last_data]
    frames = []
    for d in dates:
        f = features_at(con, d)
        if len(f):  # probabilities only: drivers cost ~30x as much and are not evaluated here
            frames.append(
                pd.DataFrame(
                    {"as_of_date": d, "customer_id": f["customer_id"], "churn_probability": probabilities(model, f)}
                )
            )
    if not frames:
        return {"rows": 0, "dates": []}
    scores = pd.concat(frames, ignore_index=True)
    joined = scores.merge(persons, on="customer_id").merge(
        outcomes, left_on=["person_id", "as_of_date"], right_on=["person_id", "business_date"]
    )
    res = _churn_metrics(joined)
    res["dates"] = [str(d) for d in dates]
    res["per_date_auc"] = {
        str(d): float(roc_auc_score(g["churned_90d"], g["churn_probability"]))
        for d, g in joined.groupby("as_of_date")
        if 0 < g["churned_90d"].sum() < len(g)
    }
    res["model_version"] = model.version
    return res
