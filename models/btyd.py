"""Buy-till-you-die models, maximum likelihood with numpy/scipy (no other dependency).

- BG/NBD (Fader, Hardie & Lee 2005, "Counting your customers the easy way"): while alive a customer
  transacts as a Poisson process with rate lambda ~ Gamma(r, alpha); after each transaction they die
  with probability p ~ Beta(a, b). Inputs per customer: frequency x (repeat transactions), recency t_x
  (time of the last transaction since the first), T (time since the first transaction).
- Gamma-Gamma (Fader & Hardie 2013, "The Gamma-Gamma model of monetary value"): transaction values
  z ~ Gamma(p, nu), nu ~ Gamma(q, v), independent of the transaction process. Inputs: frequency x > 0
  and the mean repeat transaction value m_x.

Usable outside the pipeline: `summarise` turns a transaction log into (frequency, recency, T,
monetary_value); `fit_btyd` does everything in one call.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import minimize
from scipy.special import betaln, gammaln, hyp2f1

DAYS_PER_UNIT = {"D": 1.0, "W": 7.0, "M": 365.25 / 12}


def summarise(
    df: pd.DataFrame,
    customer_col: str,
    date_col: str,
    amount_col: str | None,
    calibration_end,
    time_unit: str = "W",
) -> pd.DataFrame:
    """Per customer: frequency (distinct transaction days after the first), recency and T in `time_unit`,
    and monetary_value (mean value per repeat transaction day; 0 without repeats). Transactions after
    `calibration_end` are ignored; several on one day count as one, their values summed."""
    unit = DAYS_PER_UNIT[time_unit]
    end = pd.Timestamp(calibration_end).normalize()
    d = df[[customer_col, date_col] + ([amount_col] if amount_col else [])].copy()
    d["_day"] = pd.to_datetime(d[date_col]).dt.normalize()
    d = d[d["_day"] <= end]
    if amount_col is None:
        d["_amount"] = 0.0
        amount_col = "_amount"
    daily = d.groupby([customer_col, "_day"], sort=True)[amount_col].sum().reset_index()
    g = daily.groupby(customer_col)
    first = g["_day"].transform("min")
    daily["_repeat"] = daily["_day"] > first
    out = pd.DataFrame(
        {
            "first": g["_day"].min(),
            "last": g["_day"].max(),
            "frequency": g["_day"].count() - 1,
        }
    )
    rep = daily[daily["_repeat"]].groupby(customer_col)[amount_col].mean()
    out["monetary_value"] = rep.reindex(out.index).fillna(0.0)
    out["recency"] = (out["last"] - out["first"]).dt.days / unit
    out["T"] = (end - out["first"]).dt.days / unit
    return out[["frequency", "recency", "T", "monetary_value"]].astype(float)


def _as_arrays(*xs):
    return [np.asarray(x, dtype=float) for x in xs]


class BetaGeoFitter:
    """BG/NBD. `params` = {r, alpha, a, b} after `fit`."""

    def __init__(self, penalizer: float = 0.0):
        self.penalizer = penalizer
        self.params: dict[str, float] = {}

    @staticmethod
    def _loglik(log_params, x, tx, T, w):
        r, alpha, a, b = np.exp(log_params)
        a1 = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
        a2 = betaln(a, b + x) - betaln(a, b)
        a3 = -(r + x) * np.log(alpha + T)
        with np.errstate(divide="ignore", invalid="ignore"):
            a4 = np.where(
                x > 0, np.log(a) - np.log(np.maximum(b + x - 1, 1e-300)) - (r + x) * np.log(alpha + tx), -np.inf
            )
        return np.sum(w * (a1 + a2 + np.logaddexp(a3, a4)))

    def fit(self, frequency, recency, T, weights=None, initial=(1.0, 1.0, 1.0, 1.0)) -> "BetaGeoFitter":
        x, tx, T = _as_arrays(frequency, recency, T)
        w = np.ones_like(x) if weights is None else np.asarray(weights, dtype=float)
        n = w.sum()

        def objective(lp):
            val = -self._loglik(lp, x, tx, T, w) / n + self.penalizer * np.sum(np.exp(lp) ** 2)
            return val if np.isfinite(val) else 1e10

        scale = max(float(np.mean(T)), 1e-6)
        start = np.log([initial[0], scale * initial[1], initial[2], initial[3]])
        res = minimize(objective, start, method="Nelder-Mead", options={"maxiter": 4000, "xatol": 1e-6, "fatol": 1e-10})
        res = minimize(objective, res.x, method="L-BFGS-B")
        r, alpha, a, b = np.exp(res.x)
        self.params = {"r": float(r), "alpha": float(alpha), "a": float(a), "b": float(b)}
        self.log_likelihood_ = float(-res.fun * n)
        return self

    def _p(self):
        p = self.params
        return p["r"], p["alpha"], p["a"], p["b"]

    def p_alive(self, frequency, recency, T) -> np.ndarray:
        """P(customer still alive at T | x, t_x, T)."""
        x, tx, T = _as_arrays(frequency, recency, T)
        r, alpha, a, b = self._p()
        with np.errstate(divide="ignore", over="ignore"):
            log_ratio = (
                np.log(a) - np.log(np.maximum(b + x - 1, 1e-300)) + (r + x) * (np.log(alpha + T) - np.log(alpha + tx))
            )
        return np.where(x > 0, 1.0 / (1.0 + np.exp(np.minimum(log_ratio, 700))), 1.0)

    def predict(self, t, frequency, recency, T) -> np.ndarray:
        """Expected number of transactions in (T, T + t] given x, t_x, T (conditional expectation)."""
        x, tx, T = _as_arrays(frequency, recency, T)
        t = np.asarray(t, dtype=float)
        r, alpha, a, b = self._p()
        z = t / (alpha + T + t)
        hyp = hyp2f1(r + x, b + x, a + b + x - 1, z)
        first = (a + b + x - 1) / (a - 1)
        second = 1 - np.exp((r + x) * (np.log(alpha + T) - np.log(alpha + T + t))) * hyp
        with np.errstate(divide="ignore", over="ignore"):
            log_ratio = (
                np.log(a) - np.log(np.maximum(b + x - 1, 1e-300)) + (r + x) * (np.log(alpha + T) - np.log(alpha + tx))
            )
        denom = 1 + np.where(x > 0, np.exp(np.minimum(log_ratio, 700)), 0.0)
        out = first * second / denom
        return np.where(np.isfinite(out), np.maximum(out, 0.0), 0.0)

    def expected_unconditional(self, t) -> np.ndarray:
        """E[X(t)] for a new customer (the model's population curve)."""
        r, alpha, a, b = self._p()
        t = np.asarray(t, dtype=float)
        return (a + b - 1) / (a - 1) * (1 - (alpha / (alpha + t)) ** r * hyp2f1(r, b, a + b - 1, t / (alpha + t)))


class GammaGammaFitter:
    """Gamma-Gamma spend model. `params` = {p, q, v} after `fit` (customers with frequency > 0 only)."""

    def __init__(self, penalizer: float = 0.0):
        self.penalizer = penalizer
        self.params: dict[str, float] = {}

    @staticmethod
    def _loglik(log_params, x, m):
        p, q, v = np.exp(log_params)
        px = p * x
        return np.sum(
            gammaln(px + q)
            - gammaln(px)
            - gammaln(q)
            + q * np.log(v)
            + (px - 1) * np.log(m)
            + px * np.log(x)
            - (px + q) * np.log(x * m + v)
        )

    def fit(self, frequency, monetary_value, initial=(1.0, 1.0, 1.0)) -> "GammaGammaFitter":
        x, m = _as_arrays(frequency, monetary_value)
        keep = (x > 0) & (m > 0)
        x, m = x[keep], m[keep]
        if len(x) < 3:
            raise ValueError("Gamma-Gamma needs customers with repeat transactions and positive values")
        n = len(x)

        def objective(lp):
            val = -self._loglik(lp, x, m) / n + self.penalizer * np.sum(np.exp(lp) ** 2)
            return val if np.isfinite(val) else 1e10

        start = np.log([initial[0], initial[1], max(float(np.mean(m)), 1e-6) * initial[2]])
        res = minimize(objective, start, method="Nelder-Mead", options={"maxiter": 4000, "xatol": 1e-6, "fatol": 1e-10})
        res = minimize(objective, res.x, method="L-BFGS-B")
        p, q, v = np.exp(res.x)
        self.params = {"p": float(p), "q": float(q), "v": float(v)}
        return self

    def expected_spend(self, frequency, monetary_value) -> np.ndarray:
        """E[transaction value | x, m_x]; customers without repeats get the population mean p v / (q - 1)."""
        x, m = _as_arrays(frequency, monetary_value)
        p, q, v = self.params["p"], self.params["q"], self.params["v"]
        pop = p * v / (q - 1) if q > 1 else np.nan
        with np.errstate(divide="ignore", invalid="ignore"):
            cond = p * (v + x * m) / (p * x + q - 1)
        return np.where(x > 0, cond, pop)


@dataclass
class BTYDResult:
    summary: pd.DataFrame
    bgnbd: BetaGeoFitter
    gamma_gamma: GammaGammaFitter | None


def fit_btyd(
    df: pd.DataFrame,
    customer_col: str,
    date_col: str,
    amount_col: str,
    calibration_end,
    time_unit: str = "W",
    penalizer: float = 0.0,
) -> BTYDResult:
    """Summarise a transaction log and fit BG/NBD and (where there are repeat values) Gamma-Gamma."""
    s = summarise(df, customer_col, date_col, amount_col, calibration_end, time_unit)
    bg = BetaGeoFitter(penalizer).fit(s["frequency"], s["recency"], s["T"])
    gg = None
    if ((s["frequency"] > 0) & (s["monetary_value"] > 0)).sum() >= 3:
        gg = GammaGammaFitter(penalizer).fit(s["frequency"], s["monetary_value"])
    return BTYDResult(s, bg, gg)


def simulate_bgnbd(n: int, r: float, alpha: float, a: float, b: float, T, seed: int = 0) -> pd.DataFrame:
    """Simulated (frequency, recency, T) from the BG/NBD model itself (for tests and sanity checks)."""
    rng = np.random.default_rng(seed)
    T = np.broadcast_to(np.asarray(T, dtype=float), (n,))
    lam = rng.gamma(r, 1 / alpha, n)
    p = rng.beta(a, b, n)
    freq, rec = np.zeros(n), np.zeros(n)
    for i in range(n):
        t, x = 0.0, 0
        while True:
            t += rng.exponential(1 / lam[i]) if lam[i] > 0 else np.inf
            if t > T[i]:
                break
            x += 1
            rec[i] = t
            if rng.random() < p[i]:
                break
        freq[i] = x
    return pd.DataFrame({"frequency": freq, "recency": rec, "T": T.copy()})


def simulate_gamma_gamma(frequency, p: float, q: float, v: float, seed: int = 0) -> np.ndarray:
    """Mean transaction value per customer with `frequency` transactions, from the Gamma-Gamma model."""
    rng = np.random.default_rng(seed)
    x = np.asarray(frequency, dtype=int)
    nu = rng.gamma(q, 1 / v, len(x))
    out = np.zeros(len(x))
    for i, (k, rate) in enumerate(zip(x, nu)):
        if k > 0:
            out[i] = rng.gamma(p, 1 / rate, k).mean()
    return out
