"""Lifetime value of loans: amortised to maturity and net of the write-off loss a leaving customer books
(a 3-month run-rate carried the outstanding unchanged and never defaulted)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from models.ltv import loan_months


def _loans(**kw) -> pd.DataFrame:
    row = {
        "customer_id": "C1",
        "account_key": "L1",
        "outstanding": 120_000.0,
        "margin_monthly": 0.001,
        "months_left": 12,
        "write_off_loss_rate": 0.0,
    }
    row.update(kw)
    return pd.DataFrame([row])


def test_outstanding_runs_off_to_maturity():
    surv = np.ones((2, 24))
    value, first = loan_months(_loans(), pd.Series(["C0", "C1"]), surv, 24)
    # 120,000 amortised over 12 months: 110,000 after month 1 ... 0 at maturity
    assert np.allclose(value[1, :12], 120_000 * (1 - np.arange(1, 13) / 12) * 0.001)
    assert np.all(value[1, 12:] == 0) and np.all(value[0] == 0)
    assert first[1] == value[1, 0]
    # no maturity known: the outstanding is carried unchanged
    flat, _ = loan_months(_loans(months_left=None), pd.Series(["C1"]), np.ones((1, 24)), 24)
    assert np.allclose(flat, 120.0)


def test_a_leaving_customer_books_the_expected_write_off():
    s = 0.9 ** np.arange(1, 13)[None, :]
    kept, _ = loan_months(_loans(months_left=600), pd.Series(["C1"]), s, 12)
    lossy, _ = loan_months(_loans(months_left=600, write_off_loss_rate=0.1), pd.Series(["C1"]), s, 12)
    leave = np.concatenate([[1.0], s[0, :-1]]) - s[0]
    out = 120_000 * (1 - np.arange(1, 13) / 600)
    assert np.allclose(kept[0], out * 0.001 * s[0])
    assert np.allclose(kept[0] - lossy[0], out * 0.1 * leave)


def test_a_late_contract_books_its_roll_rate_write_off_whether_the_customer_stays_or_not():
    """A contract 60 days late is written off within months (its bucket's roll rate) even when the churn
    model expects the customer to stay: the loss tied to leaving alone forecast LOW-tier losses at half."""
    staying = np.ones((1, 12))
    late = _loans(months_left=600, write_off_loss_rate=0.1, write_off_soon_share=0.8, lgd=0.5)
    value, first = loan_months(late, pd.Series(["C1"]), staying, 12)
    on_time, _ = loan_months(late.assign(write_off_soon_share=0.0), pd.Series(["C1"]), staying, 12)
    out = 120_000 * (1 - np.arange(1, 13) / 600)
    assert np.isclose(value[0, 0], 0.2 * out[0] * 0.001 - 0.8 * 0.5 * 120_000)  # the loss, in month 1
    assert np.allclose(value[0, 1:], 0.2 * on_time[0, 1:])  # only the share not written off earns
    assert np.isclose(first[0], 0.2 * out[0] * 0.001)
