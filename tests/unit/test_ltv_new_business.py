"""Lifetime value's new-business part: what customers open later, from the bank's own history
(rates per segment of a past month-end, shared out tonight by contribution and churn survival)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from models.ltv import new_business_months, new_business_rates


def _cells(per_segment: dict[tuple[str, str], tuple[int, list[float]]]) -> pd.DataFrame:
    rows = [
        (band, tenure, n, k + 1, v)
        for (band, tenure), (n, monthly) in per_segment.items()
        for k, v in enumerate(monthly)
    ]
    return pd.DataFrame(rows, columns=["value_band", "tenure_band", "customers", "k", "new_cny"])


def _params(rates: dict[tuple[str, str], np.ndarray], months: int) -> dict[str, float]:
    out = {"months": float(months)}
    for (band, tenure), rate in rates.items():
        out.update({f"rate|{band}|{tenure}|{k + 1}": float(r) for k, r in enumerate(rate)})
    return out


def test_tonights_segment_gets_the_historys_rate_per_customer_shared_by_contribution_and_survival():
    months = 3
    cells = _cells({("GENERAL", "00-05"): (400, [4_000.0, 8_000.0, 12_000.0]), ("GENERAL", "60+"): (600, [0.0] * 3)})
    today = pd.DataFrame(
        {
            "value_band": ["GENERAL"] * 4 + ["GENERAL", "LOW"],
            "tenure_band": ["00-05"] * 4 + ["60+", "00-05"],
            "contribution_12m": [100.0, 300.0, 0.0, 600.0, 500.0, -40.0],
            "churn_probability": [0.1, 0.3, 0.2, None, 0.1, 0.1],
        }
    )
    rates = new_business_rates(cells, today, months, prior=0.0)
    s = (1 - today["churn_probability"].fillna(1.0).to_numpy()) ** (1 / 3)
    surv = s[:, None] ** np.arange(1, 6)[None, :]
    nb, kept = new_business_months(today, _params(rates, months), surv, 5)
    young = slice(0, 4)
    # the four young customers together: 4 x the history's 10, 20, 30 CNY per customer, as the history had
    assert np.allclose(nb[young, :3].sum(axis=0), 4 * np.array([10.0, 20.0, 30.0]))
    # by contribution x survival: nothing for no contribution, for a customer outside the churn population,
    # for a loss-maker, or for an old segment that never opened anything
    assert nb[2].sum() == 0 and nb[3].sum() == 0 and nb[4].sum() == 0 and nb[5].sum() == 0
    assert np.isclose(nb[1, 0] / nb[0, 0], 3 * s[1] / s[0])
    # as if retained: no survival; beyond the measured months, month 3's rate is held
    assert np.allclose(kept[0, 3:], kept[0, 2]) and kept[0, 2] > nb[0, 2] > 0


def test_no_later_openings_in_the_history_forecast_none_and_small_segments_lean_on_their_tenure_band():
    today = pd.DataFrame(
        {
            "value_band": ["GENERAL", "TOP"],
            "tenure_band": ["00-05", "00-05"],
            "contribution_12m": [200.0, 50_000.0],
            "churn_probability": [0.05, 0.05],
        }
    )
    none = new_business_rates(_cells({("GENERAL", "00-05"): (500, [0.0] * 12)}), today, 12)
    nb, kept = new_business_months(today, _params(none, 12), np.ones((2, 36)), 36)
    assert not nb.any() and not kept.any()

    cells = _cells({("GENERAL", "00-05"): (500, [1_000.0] * 12), ("TOP", "00-05"): (2, [900_000.0] * 12)})
    rates = new_business_rates(cells, today, 12, prior=100.0)
    raw = 900_000.0 / 2  # two TOP customers' lucky year: shrunk, far below it
    assert 0 < rates[("TOP", "00-05")][0] * 50_000.0 < raw / 10
    assert set(rates) >= {("*", "*"), ("*", "00-05"), ("GENERAL", "00-05"), ("TOP", "00-05")}


def test_loss_makers_share_their_bands_new_business_per_head():
    # LOW customers (12-month contribution below zero) open products later too; a weight of their positive
    # contribution (none) dropped the new business the history measured for their band.
    months = 3
    cells = _cells({("GENERAL", "00-05"): (400, [40_000.0] * 3), ("LOW", "00-05"): (200, [2_000.0, 4_000.0, 6_000.0])})
    today = pd.DataFrame(
        {
            "value_band": ["GENERAL", "LOW", "LOW", "LOW"],
            "tenure_band": ["00-05"] * 4,
            "contribution_12m": [300.0, -5.0, -50.0, -500.0],
            "churn_probability": [0.1, 0.1, 0.1, 0.4],
        }
    )
    rates = new_business_rates(cells, today, months, prior=0.0)
    s = (1 - today["churn_probability"].to_numpy()) ** (1 / 3)
    nb, _ = new_business_months(today, _params(rates, months), s[:, None] ** np.arange(1, 4)[None, :], 3)
    low = slice(1, 4)
    # the three loss-makers together: 3 x the history's 10, 20, 30 CNY per LOW customer
    assert np.allclose(nb[low].sum(axis=0), 3 * np.array([10.0, 20.0, 30.0]))
    # per head x survival, whatever the size of the loss
    assert np.allclose(nb[1], nb[2]) and nb[1, 0] > nb[3, 0] > 0


def test_a_small_low_segment_leans_on_the_low_bands_rate_not_on_the_profitable_customers():
    cells = _cells(
        {
            ("GENERAL", "00-05"): (400, [400_000.0] * 12),  # 1,000 CNY per profitable customer and month
            ("LOW", "00-05"): (50, [500.0] * 12),  # 10 per loss-maker
            ("LOW", "60+"): (950, [9_500.0] * 12),  # 10 per loss-maker
        }
    )
    today = pd.DataFrame(
        {
            "value_band": ["GENERAL", "LOW", "LOW"],
            "tenure_band": ["00-05", "00-05", "60+"],
            "contribution_12m": [300.0, -20.0, -20.0],
            "churn_probability": [0.0, 0.0, 0.0],
        }
    )
    rates = new_business_rates(cells, today, 12, prior=100.0)
    nb, _ = new_business_months(today, _params(rates, 12), np.ones((3, 12)), 12)
    assert np.allclose(nb[1:], 10.0)
