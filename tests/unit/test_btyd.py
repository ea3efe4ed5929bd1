"""BG/NBD and Gamma-Gamma recover the parameters of data simulated from the models."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from models.btyd import (
    BetaGeoFitter,
    GammaGammaFitter,
    fit_btyd,
    simulate_bgnbd,
    simulate_gamma_gamma,
    summarise,
)

TRUE_BG = {"r": 0.24, "alpha": 4.4, "a": 0.79, "b": 2.4}
TRUE_GG = {"p": 6.25, "q": 3.74, "v": 15.44}


@pytest.fixture(scope="module")
def sim():
    rng = np.random.default_rng(1)
    T = rng.uniform(20, 52, 5000)  # weeks observed, as in a cohort spread over a year
    return simulate_bgnbd(5000, **TRUE_BG, T=T, seed=2)


def test_bgnbd_recovers_parameters(sim):
    bg = BetaGeoFitter().fit(sim["frequency"], sim["recency"], sim["T"])
    est = bg.params
    assert est["r"] == pytest.approx(TRUE_BG["r"], rel=0.2)
    assert est["alpha"] == pytest.approx(TRUE_BG["alpha"], rel=0.3)
    assert est["a"] == pytest.approx(TRUE_BG["a"], rel=0.35)
    assert est["b"] == pytest.approx(TRUE_BG["b"], rel=0.45)
    # predictions are sane: p_alive in [0, 1], expected purchases non-negative and growing with t
    pa = bg.p_alive(sim["frequency"], sim["recency"], sim["T"])
    assert ((pa >= 0) & (pa <= 1)).all()
    e10 = bg.predict(10, sim["frequency"], sim["recency"], sim["T"])
    e20 = bg.predict(20, sim["frequency"], sim["recency"], sim["T"])
    assert (e10 >= 0).all() and (e20 >= e10 - 1e-9).all()
    # a customer who bought often and recently is more likely alive than one who stopped long ago
    assert bg.p_alive([5], [30], [52])[0] > bg.p_alive([5], [5], [52])[0]


def test_gamma_gamma_recovers_parameters():
    rng = np.random.default_rng(5)
    freq = rng.integers(1, 15, 4000)
    m = simulate_gamma_gamma(freq, **TRUE_GG, seed=6)
    gg = GammaGammaFitter().fit(freq, m)
    est = gg.params
    assert est["p"] == pytest.approx(TRUE_GG["p"], rel=0.2)
    assert est["q"] == pytest.approx(TRUE_GG["q"], rel=0.25)
    assert est["v"] == pytest.approx(TRUE_GG["v"], rel=0.35)
    spend = gg.expected_spend(freq, m)
    # shrinkage: conditional spend lies between the customer's mean and the population mean
    pop = est["p"] * est["v"] / (est["q"] - 1)
    assert np.all((spend - m) * (spend - pop) <= 1e-9)


def test_summarise_and_one_call_fit():
    log = pd.DataFrame(
        {
            "cust": ["a", "a", "a", "a", "b", "c", "c"],
            "day": pd.to_datetime(
                ["2025-01-01", "2025-01-01", "2025-01-15", "2025-02-12", "2025-01-20", "2025-01-05", "2025-03-30"]
            ),
            "amt": [10.0, 5.0, 20.0, 40.0, 7.0, 3.0, 99.0],
        }
    )
    s = summarise(log, "cust", "day", "amt", "2025-03-01", time_unit="W")
    assert s.loc["a", "frequency"] == 2 and s.loc["a", "recency"] == pytest.approx(6.0)
    assert s.loc["a", "T"] == pytest.approx(59 / 7) and s.loc["a", "monetary_value"] == pytest.approx(30.0)
    assert s.loc["b", "frequency"] == 0 and s.loc["b", "monetary_value"] == 0
    assert s.loc["c", "frequency"] == 0  # the March deal is after the calibration end
    sd = summarise(log, "cust", "day", "amt", "2025-03-01", time_unit="D")
    assert sd.loc["a", "recency"] == 42

    rng = np.random.default_rng(9)
    sim = simulate_bgnbd(800, **TRUE_BG, T=40, seed=3)
    rows = []
    start = pd.Timestamp("2024-01-01")
    for i, (x, tx) in enumerate(zip(sim["frequency"], sim["recency"])):
        times = np.sort(np.append(rng.uniform(0, tx, max(int(x) - 1, 0)), tx)) if x > 0 else []
        rows.append((i, start, 10.0))
        rows += [(i, start + pd.Timedelta(days=float(t) * 7), float(rng.gamma(6, 3))) for t in times]
    df = pd.DataFrame(rows, columns=["c", "d", "v"])
    res = fit_btyd(df, "c", "d", "v", start + pd.Timedelta(weeks=40), time_unit="W")
    assert set(res.bgnbd.params) == {"r", "alpha", "a", "b"}
    assert res.gamma_gamma is not None and res.gamma_gamma.params["p"] > 0
