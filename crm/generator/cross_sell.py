"""The generator's product process on its own (segments, join months, take-up, churn, cross-sell
months), for the next-best-product benchmark's reference: which products persons of each segment,
holdings and cross-sell signs go on to take, counted over millions of simulated persons, so the
reference ranking is the generator's own rather than one estimated from the few thousand takers of a
bench bank (benchmarks only; the pipeline never reads it)."""

from __future__ import annotations

from collections import Counter, defaultdict

import numpy as np

from crm.generator import behaviour as B
from crm.generator.people import AGE_RANGE, SEG_P, SEGMENTS, join_months

# The products as the systems deliver them: a foreign-currency deposit is a CURRENT account.
DELIVERED = ("AUTO", "BUSINESS", "CONSUMER", "CREDIT", "CURRENT", "DEBIT", "FX", "MORTGAGE", "NOTICE", "TIME")
SAVE_SIGNED = ("TIME", "NOTICE", "MORTGAGE", "BUSINESS")  # B.SAVE_FOR as delivered (FXDEP: CURRENT)
SPEND_SIGNED = tuple(B.SPEND_FOR)


def cell_key(products: str, segment: str, save: bool, spend: bool) -> str:
    """Products held (sorted, comma-joined as `crm.product_holding` lists them), segment and the two signs."""
    return f"{products}|{segment}|{int(save)}{int(spend)}"


def reference_counts(n: int, seed: int, history_months: int, horizon_months: int = 3) -> dict[str, Counter]:
    """Per cell (`cell_key`), how often the takers in it took each product not held within
    `horizon_months` after each of the last three history month-ends; key "" counts every taker."""
    rng = np.random.default_rng(seed)
    H, M = history_months, history_months + 12
    seg = rng.choice(len(SEGMENTS), size=n, p=SEG_P)
    lo = np.array([AGE_RANGE[s][0] for s in range(len(SEGMENTS))])[seg]
    hi = np.array([AGE_RANGE[s][1] for s in range(len(SEGMENTS))])[seg]
    age_days = (rng.uniform(lo, hi) * 365.25).astype(np.int64)
    join, _ = join_months(rng, seg, age_days, H)
    nonres = rng.random(n) < 0.025
    has = B.products_held(rng, seg, nonres)
    eng = rng.lognormal(0, 0.55, n)
    frailty = rng.lognormal(0, 0.35, n)
    _, churn = B.churn_months(rng, seg, join, B.product_count(has), eng, frailty, has["CREDIT"], M)
    take = B._take_months(rng, join, has, churn, M)
    delivered = {p: take[p] for p in DELIVERED}
    delivered["CURRENT"] = np.minimum(take["CURRENT"], take["FXDEP"])

    counts: dict[str, Counter] = defaultdict(Counter)
    names = np.array(DELIVERED, dtype=object)
    for t in range(H - 3, H):
        alive = (join <= t) & (churn > t)
        held = np.stack([delivered[p] <= t for p in DELIVERED], axis=1)
        soon = np.stack([(delivered[p] > t) & (delivered[p] <= t + horizon_months) for p in DELIVERED], axis=1)
        taken = soon & ~held
        # the signs show before a later (cross-sold) product: a current account swells, card spending rises
        later = {p: (take[p] > join) & (take[p] > t) & (take[p] <= t + horizon_months) for p in take}
        save = np.any([later[p] for p in B.SAVE_FOR], axis=0) & held[:, DELIVERED.index("CURRENT")]
        spend = np.any([later[p] for p in B.SPEND_FOR], axis=0) & (
            held[:, DELIVERED.index("DEBIT")] | held[:, DELIVERED.index("CREDIT")]
        )
        for i in np.flatnonzero(alive & held.any(axis=1) & taken.any(axis=1)):
            key = cell_key(",".join(names[held[i]]), SEGMENTS[seg[i]], save[i], spend[i])
            products = names[taken[i]]
            counts[key].update(products)
            counts[""].update(products)
    return counts
