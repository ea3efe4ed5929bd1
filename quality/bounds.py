"""Plausible ranges of every money and rate field of the staging model (one place).

A value outside its range (or NaN/inf) is not a number the bank can have meant: the row is
quarantined with `<field>: outside plausible range [lo, hi]` (never the value). The ranges are wide
on purpose (a private-banking client, a large FX deal) and only stop values that would distort
every figure downstream (a balance of 1e308). Units: amounts in the field's currency (CNY unless
the row names another), rates in % a year, FX `rate` units of buy currency per unit of sell
currency, `days_past_due` in days.

Override for one installation with `CRM_BOUNDS_FILE`: a JSON object {"field": [lo, hi], ...}.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from models import settings

BOUNDS: dict[str, tuple[float, float]] = {
    # deposit_balance
    "balance": (0, 1e10),
    "interest_rate": (-5, 30),  # negative rates exist on some foreign-currency deposits
    # loan_balance
    "outstanding": (0, 1e10),
    "interest_accrued": (0, 1e9),
    "days_past_due": (0, 36_500),
    # card_txn
    "amount": (0, 1e8),
    # fx_deal
    "sell_amount": (0, 1e11),
    "buy_amount": (0, 1e11),
    "rate": (1e-6, 1e6),
    "margin_cny": (-1e8, 1e8),  # a deal can lose the bank money
    # account snapshots
    "credit_limit": (0, 1e8),
    "principal": (0, 1e10),
    "annual_rate": (0, 36),  # 36% is the legal ceiling of lending rates in China
}


def bounds() -> dict[str, tuple[float, float]]:
    """BOUNDS, with CRM_BOUNDS_FILE's entries (if set) replacing single fields."""
    out = dict(BOUNDS)
    path = settings.bounds_file()
    if path:
        extra = json.loads(Path(path).read_text(encoding="utf-8"))
        for name, (lo, hi) in extra.items():
            if name not in BOUNDS:
                raise ValueError(f"CRM_BOUNDS_FILE {path}: unknown field {name!r}")
            if not (math.isfinite(lo) and math.isfinite(hi) and lo <= hi):
                raise ValueError(f"CRM_BOUNDS_FILE {path}: {name} needs finite lo <= hi")
            out[name] = (float(lo), float(hi))
    return out


def label(lo: float, hi: float) -> str:
    """`outside plausible range [lo, hi]`, numbers written plainly (1e10 -> 10000000000)."""

    def fmt(x: float) -> str:
        return f"{x:.0f}" if float(x).is_integer() else f"{x:g}"

    return f"outside plausible range [{fmt(lo)}, {fmt(hi)}]"
