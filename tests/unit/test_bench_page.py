"""The benchmarks page's cost-growth table: the fitted exponent of time against persons."""

from __future__ import annotations

import json

import pytest

from crm.bench_page import exponent, render


def test_exponent_recovers_a_power_law():
    sizes = [100_000, 300_000, 1_000_000]
    assert exponent(sizes, [2.0 * (n / 1e5) ** 1.1 for n in sizes]) == pytest.approx(1.1)
    assert exponent(sizes, [5.0, 5.0, 5.0]) == pytest.approx(0.0)
    assert exponent([100_000], [3.0]) is None


def _night(seconds: float, churn: float) -> dict:
    return {"business_date": "2026-10-31", "seconds": seconds, "steps": {"churn_model": churn, "card_extract": 1.0}}


def test_page_has_a_scaling_row_per_stage(tmp_path):
    for n, t in ((100_000, 10.0), (1_000_000, 100.0)):
        run = {
            "bench": "nightly",
            "measured_on": "2026-11-28",
            "cores": 2,
            "customers": n,
            "scaling": True,
            "nights": [_night(t, t / 2), _night(t / 10, 0.0)],
            "work_file_mb": 1,
            "published_file_mb": 1,
            "peak_rss_mb": 1,
        }
        (tmp_path / f"bench-nightly-{n}.json").write_text(json.dumps(run))
    page = render(tmp_path)
    rows: dict[str, str] = {}
    for line in page.splitlines():  # the scaling table comes first; each run's own table repeats the stages
        if line.startswith("| "):
            rows.setdefault(line.split(" | ")[0], line)
    assert rows["| whole night"].endswith("| 10.0 / 100.0 | 1.00 | 1.0 / 10.0 | 1.00 |")
    assert "| 5.0 / 50.0 | 1.00 |" in rows["| churn model"]
    assert rows["| ingest"].startswith("| ingest | 1.0 / 1.0 | 0.00 |")
    table = page.split("### Cost growth")[1].split("\n\n")[2].splitlines()
    assert len({line.count("|") for line in table}) == 1, table  # header, rule and rows line up


def test_models_table_gives_each_tiers_error_in_cny_and_against_the_portfolio(tmp_path):
    tiers = {"GOLD": (90.0, 100.0, 5.0), "LOW": (-0.5, -0.1, 0.0)}  # predicted, realised, new business (M CNY)
    run = {
        "bench": "models",
        "measured_on": "2026-11-28",
        "cores": 2,
        "customers": 1000,
        "ltv": {
            "rows": 900,
            "spearman_12m": 0.96,
            "portfolio_predicted_12m": 89.5e6,
            "portfolio_truth_12m": 99.9e6,
            "portfolio_error_pct": (89.5 / 99.9 - 1) * 100,
            "new_business_12m": 5e6,
            "by_tier": {
                t: {
                    "persons": 10,
                    "predicted_12m": p * 1e6,
                    "truth_12m": r * 1e6,
                    "error_pct": (p - r) / abs(r) * 100,
                    "error_of_portfolio_pct": (p - r) / 99.9 * 100,
                    "new_business_12m": nb * 1e6,
                    "outcome_se_pct": 12.5,
                }
                for t, (p, r, nb) in tiers.items()
            },
        },
    }
    (tmp_path / "bench-models-1000.json").write_text(json.dumps(run))
    table = [line for line in render(tmp_path).splitlines() if line.startswith("|")]
    assert len({line.count("|") for line in table}) == 1, table
    low = next(line for line in table if line.startswith("| LOW"))
    assert low.endswith("| -400.0% | -0.400 (-0.40%) | 12.5% |") and "| 0.000 |" in low
    assert "5.00 M of the forecast is new business" in render(tmp_path)


def test_publication_replay_lines_up_both_storages(tmp_path):
    night = {"business_date": "2026-10-31", "seconds": 2.0, "file_mb": 3.0, "used_blocks": 4, "load_1m": 1.0}
    run = {"bench": "publish-nights", "measured_on": "2026-11-28", "cores": 2, "customers": 100, "block_bytes": 2**20}
    run |= {"nights": [night, night], "full_copies": [night | {"used_blocks": 8}, night]}
    (tmp_path / "bench-publish-nights-100.json").write_text(json.dumps(run))
    table = [line for line in render(tmp_path).splitlines() if line.startswith("|")]
    assert len(table) == 2 + 8 and len({line.count("|") for line in table}) == 1
    assert "| full copies | data MB (used blocks) | 8.0 | 4.0 |" in table


def test_churn_training_table_gives_each_phases_cpu_seconds(tmp_path):
    cand = {"fit_seconds": 1.0, "calibrate_seconds": 0.1, "auc": 0.9, "brier": 0.01, "ece": 0.001}
    run = {
        "bench": "churn-training",
        "measured_on": "2026-12-07",
        "cores": 2,
        "customers": 1000,
        "as_of": "2026-11-03",
        "month_ends": [12, 3],
        "rows": {"training": 10, "validation": 5, "fit": 8, "calibrate": 2},
        "seconds": 30.0,
        "phases": {"snapshots": 20.0, "fit": 10.0},
        "cpu_seconds": {"snapshots": 12.5, "fit": 7.5},
        "load_1m": [1.0, 1.0, 1.0],
        "kind": "logistic",
        "auc": 0.9,
        "ece": 0.001,
        "brier": 0.01,
        "candidates": {"logistic": cand},
        "peak_rss_mb": 1,
    }
    (tmp_path / "bench-churn-training-1000.json").write_text(json.dumps(run))
    lines = render(tmp_path).splitlines()
    assert "| snapshots | 20.0 | 12.5 |" in lines
    assert "| **whole step** | **30.0** | 20.0 |" in lines
