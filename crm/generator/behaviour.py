"""Products, churn, balances, card spending and FX dealing per person and month, plus the profit
each person contributes (by models.contribution_rules). All vectorised over one chunk of persons."""

from __future__ import annotations

import numpy as np

from crm.generator.calendar import Calendar
from models import contribution_rules as R

# Product take-up by segment: student, young_professional, family, mid_career, wealthy, retired.
TAKE_UP = {
    "CURRENT": [0.70, 0.75, 0.85, 0.85, 0.95, 0.95],
    "TIME": [0.02, 0.12, 0.35, 0.40, 0.80, 0.60],
    "NOTICE": [0.00, 0.03, 0.06, 0.08, 0.15, 0.10],
    "FXDEP": [0.02, 0.03, 0.03, 0.06, 0.35, 0.03],
    "DEBIT": [0.65, 0.40, 0.35, 0.30, 0.20, 0.25],
    "CREDIT": [0.05, 0.55, 0.45, 0.50, 0.70, 0.10],
    "MORTGAGE": [0.00, 0.05, 0.45, 0.25, 0.15, 0.02],
    "AUTO": [0.00, 0.12, 0.12, 0.10, 0.05, 0.00],
    "CONSUMER": [0.03, 0.15, 0.08, 0.08, 0.02, 0.01],
    "BUSINESS": [0.00, 0.01, 0.02, 0.05, 0.10, 0.00],
    "FX": [0.03, 0.05, 0.04, 0.08, 0.45, 0.03],
}
BASE_HAZARD = np.array([0.012, 0.010, 0.005, 0.006, 0.004, 0.0045])
LOAN_PRODUCTS = ["MORTGAGE", "AUTO", "CONSUMER", "BUSINESS"]
LOAN_TERM = {"MORTGAGE": (240, 361), "AUTO": (36, 61), "CONSUMER": (24, 61), "BUSINESS": (36, 121)}
LOAN_RATE = {"MORTGAGE": (3.3, 4.3), "AUTO": (4.0, 6.5), "CONSUMER": (5.0, 12.0), "BUSINESS": (4.0, 7.0)}
FX_CCY = np.array(["USD", "HKD", "EUR", "JPY", "GBP"])
FX_CCY_P = [0.6, 0.15, 0.1, 0.08, 0.07]
SERVICE_EVENT_P = 0.015
SILENT_SHARE = 0.35
# Cross-sell: the first product (this order) opens on joining; each further one opens then too, or with
# the share below some months later (exponential, this mean): the openings a next-best-product model
# predicts. A product due after the person churns is never opened.
# Before a cross-sold product opens its signs show: the current account swells over the 3 months before a
# savings product or a mortgage (saving up), card use rises before a credit card or a consumer/auto loan.
SAVE_FOR = ["TIME", "NOTICE", "FXDEP", "MORTGAGE", "BUSINESS"]
SPEND_FOR = ["CREDIT", "CONSUMER", "AUTO"]
BUILD_UP = 1.5
ANCHOR_ORDER = [
    "CURRENT",
    "CREDIT",
    "DEBIT",
    "TIME",
    "NOTICE",
    "FXDEP",
    "CONSUMER",
    "AUTO",
    "MORTGAGE",
    "BUSINESS",
    "FX",
]
LATER = {
    "CURRENT": (0.3, 12),
    "DEBIT": (0.3, 12),
    "CREDIT": (0.6, 9),
    "TIME": (0.6, 15),
    "NOTICE": (0.6, 15),
    "FXDEP": (0.6, 15),
    "MORTGAGE": (0.7, 30),
    "AUTO": (0.7, 20),
    "CONSUMER": (0.7, 12),
    "BUSINESS": (0.7, 24),
    "FX": (0.6, 12),
}


def hazard(seg, tenure, nprod, engagement, recent_event, frailty):
    """Monthly churn hazard given the state: newer, fewer products, less engaged, recent trouble -> higher."""
    tenure_f = 1.0 + 2.0 * np.exp(-np.maximum(tenure, 0) / 12.0)
    prod_f = np.maximum(0.4, 1.6 * 0.72 ** (nprod - 1))
    eng_f = np.clip(engagement, 0.2, 5.0) ** -0.5
    ev_f = np.where(recent_event, 3.0, 1.0)
    return np.minimum(0.5, BASE_HAZARD[seg] * tenure_f * prod_f * eng_f * ev_f * frailty)


def products_held(rng: np.random.Generator, seg: np.ndarray, nonres: np.ndarray) -> dict[str, np.ndarray]:
    """Whether each person holds each product at some point (taken on joining or cross-sold later)."""
    has = {k: rng.random(len(seg)) < np.array(v)[seg] for k, v in TAKE_UP.items()}
    has["FX"] |= nonres & (rng.random(len(seg)) < 0.6)
    has["CURRENT"] |= has["FX"] | nonres  # FX dealing settles through a current account
    none = ~np.any(np.stack(list(has.values())), axis=0)
    has["CURRENT"] |= none
    return has


def product_count(has: dict[str, np.ndarray]) -> np.ndarray:
    return sum(v.astype(int) for k, v in has.items() if k != "FX") + has["FX"]


def churn_months(rng, seg, join, nprod, eng, frailty, has_credit, M) -> tuple[np.ndarray, np.ndarray]:
    """Service events per person and month, and the churn month (M: none): the hazard each month, raised
    for three months after an event."""
    n = len(seg)
    events = np.zeros((n, M), dtype=bool)
    churn = np.full(n, M, dtype=np.int64)
    for k in range(M):
        alive = (join < k) & (churn == M)
        events[:, k] = alive & (rng.random(n) < SERVICE_EVENT_P * np.where(has_credit, 2.0, 1.0))
        recent = events[:, max(0, k - 2) : k + 1].any(axis=1)
        churn[alive & (rng.random(n) < hazard(seg, k - join, nprod, eng, recent, frailty))] = k
    return events, churn


def simulate(rng: np.random.Generator, P: dict, cal: Calendar, dup_rate: float) -> dict:
    n, M, H = len(P["seg"]), cal.months, cal.history
    seg, join, eng = P["seg"], P["join"], P["engagement"]
    has = products_held(rng, seg, P["nonres"])
    nloan = sum(has[p].astype(int) for p in LOAN_PRODUCTS)
    nprod = product_count(has)
    has_dep = has["CURRENT"] | has["TIME"] | has["NOTICE"] | has["FXDEP"]
    card_only = (has["DEBIT"] | has["CREDIT"]) & ~has_dep & (nloan == 0)

    # ---- churn: monthly hazard, service events raise it for three months ----
    frailty = rng.lognormal(0, 0.35, n)
    events, churn = churn_months(rng, seg, join, nprod, eng, frailty, has["CREDIT"], M)
    churned = churn < M
    take = _take_months(rng.spawn(1)[0], P["join"], has, churn, M)  # own stream: the other draws stay as they were
    silent = churned & (nloan == 0) & (rng.random(n) < SILENT_SHARE)
    drift_len = rng.integers(2, 5, n)
    close_day = rng.integers(0, 28, n)
    churn_date = np.where(
        churned & ~silent,
        cal.month_start(np.minimum(churn, M - 1)) + close_day,
        cal.month_start(np.minimum(churn, M - 1)),
    )
    # activity factor: falls over the months before churn, zero from the churn month on
    k_idx = np.arange(M)[None, :]
    # Persons who do not churn within the simulated months do not drift: churn == M only marks the
    # end of the simulation (drifting them made the last future months, the truth's next 12, fall).
    before = np.where(churned, churn, 2 * M)[:, None] - k_idx
    frac = np.clip(before / (drift_len[:, None] + 1.0), 0, 1)
    act = np.where(before <= 0, 0.0, np.where(before <= drift_len[:, None], 0.15 + 0.85 * frac, 1.0))
    dip = (~churned) & (rng.random(n) < 0.06)  # false alarms: a temporary dip that recovers
    dip_start = rng.integers(0, M, n)
    in_dip = dip[:, None] & (k_idx >= dip_start[:, None]) & (k_idx < dip_start[:, None] + 3)
    act = np.where(in_dip, act * 0.45, act)

    # churn probability over the next 3 months, from the hazard and the state at each month-end
    prob = np.zeros((n, H))
    for t in range(H):
        surv = np.ones(n)
        for i in (1, 2, 3):
            recent = events[:, max(0, t + i - 2) : t + 1].any(axis=1) if t + i - 2 <= t else np.zeros(n, bool)
            surv *= 1 - hazard(seg, t + i - join, nprod, eng, recent, frailty)
        prob[:, t] = 1 - surv

    sim = {
        "has": has,
        "take": take,
        "churn": churn,
        "churned": churned,
        "silent": silent,
        "churn_date": churn_date,
        "act": act,
        "events": events,
        "prob": prob,
        "card_only": card_only,
    }
    held = {"deposit": has_dep, "card": has["DEBIT"] | has["CREDIT"], "fx": has["FX"], "loan": nloan > 0}
    settled = np.isnat(P["arrival"])  # a second record is typed in later, not on arrival day
    sim["dup"] = {s: held[s] & settled & (rng.random(n) < dup_rate) for s in ("deposit", "card", "fx", "loan")}
    sim["deposit"] = _deposits(rng, P, cal, sim)
    sim["loan"] = _loans(rng, P, cal, sim)
    sim["card"] = _cards(rng, P, cal, sim)
    sim["fx"] = _fx(rng, P, cal, sim)
    _contribution(P, cal, sim)
    return sim


def _take_months(rng, join, has, churn, M) -> dict:
    """Month each person takes each product they will hold (M: never, e.g. due after churning)."""
    n = len(join)
    anchored = np.zeros(n, bool)
    take = {}
    for p in ANCHOR_ORDER:
        share, mean = LATER[p]
        later = anchored & (rng.random(n) < share)
        delay = np.maximum(1, np.ceil(rng.exponential(mean, n))).astype(np.int64)
        t = np.where(later, join + delay, join)
        take[p] = np.where(has[p] & (~later | (t < churn)), t, M)
        anchored |= has[p]
    return take


def _ramp(sim, P, person, products, M) -> np.ndarray:
    """Per account and month: 1/3, 2/3, 1 over the 3 months before each of `products` is cross-sold."""
    k = np.arange(M)[None, :]
    out = np.zeros((len(person), M))
    for p in products:
        t = sim["take"][p][person]
        later = (t > P["join"][person]) & (t < M)
        out += np.where(later[:, None], np.clip((k - (t[:, None] - 4)) / 3.0, 0, 1) * (k < t[:, None]), 0.0)
    return out


def _take_of(sim, person, prod, dup) -> np.ndarray:
    """Take month per account (-10**6 for a duplicate record's account: it keeps its own opening)."""
    t = np.full(len(person), -(10**6), dtype=np.int64)
    for p in np.unique(prod) if len(prod) else []:
        sel = (prod == p) & ~dup
        t[sel] = sim["take"][p][person[sel]]
    return t


def _open_day(rng, cal: Calendar, month: np.ndarray) -> np.ndarray:
    return cal.month_start(month) + rng.integers(0, 28, len(month))


def _on_arrival(P, person, open_m, open_d, H):
    """Accounts of a person arriving after end_date open on the arrival day (month H)."""
    arrival = P["arrival"][person]
    new = ~np.isnat(arrival)
    return np.where(new, H, open_m), np.where(new, arrival, open_d)


def _close_info(sim, person, M):
    """Accounts close on the person's churn date unless the person goes silent."""
    closes = sim["churned"][person] & ~sim["silent"][person]
    return closes, np.where(closes, sim["churn"][person], M)


def _paths(rng, n_acc, M, sigma=0.07):
    return np.exp(np.cumsum(rng.normal(0, sigma, (n_acc, M)), axis=1))


def _deposits(rng, P, cal: Calendar, sim) -> dict:
    has, inc, M = sim["has"], P["income"], cal.months
    parts = []
    small = (rng.random(len(inc)) < 0.12) & (P["seg"] != 4)  # tiny dormant balances: loss-makers
    for prod in ("CURRENT", "TIME", "NOTICE", "FXDEP"):
        p = np.nonzero(has[prod])[0]
        parts.append((p, np.full(len(p), prod, dtype=object), np.zeros(len(p), bool)))
    p = np.nonzero(sim["dup"]["deposit"])[0]  # the duplicate record's own account
    parts.append((p, np.full(len(p), "CURRENT", dtype=object), np.ones(len(p), bool)))
    person = np.concatenate([x[0] for x in parts])
    prod = np.concatenate([x[1] for x in parts])
    dup = np.concatenate([x[2] for x in parts])
    a = len(person)
    ccy = np.where(prod == "FXDEP", rng.choice(FX_CCY, a, p=FX_CCY_P), "CNY").astype(object)
    unit = np.vectorize(R.CNY_PER_UNIT.get, otypes=[float])(ccy) if a else np.zeros(0)
    i = inc[person]
    base = np.select(
        [prod == "CURRENT", prod == "TIME", prod == "NOTICE"],
        [i / 12 * rng.lognormal(0.3, 0.9, a), i * rng.lognormal(0, 0.7, a), i * rng.lognormal(-1, 0.6, a)],
        i * rng.lognormal(-1, 0.8, a) / np.maximum(unit, 1e-9),
    )
    base = np.where(small[person] & (prod == "CURRENT"), rng.uniform(150, 900, a), base)
    base = np.where(dup, rng.uniform(100, 3000, a), base)
    rate = np.select(
        [prod == "CURRENT", prod == "TIME", prod == "NOTICE"],
        [rng.uniform(0.15, 0.35, a), rng.uniform(1.45, 2.6, a), rng.uniform(1.0, 1.3, a)],
        rng.uniform(0.05, 1.0, a),
    ).round(2)
    open_m = np.maximum(P["join"][person], np.where(dup, rng.integers(-24, cal.history, a), -(10**6)))
    open_m = np.minimum(open_m, cal.history - 1)
    open_m = np.minimum(open_m, np.maximum(sim["churn"][person] - 1, P["join"][person]))  # opened before churning
    tk = _take_of(sim, person, prod, dup)
    open_m = np.where(tk > P["join"][person], tk, open_m)  # cross-sold later
    open_m, open_d = _on_arrival(P, person, open_m, _open_day(rng, cal, open_m), cal.history)
    term_y = rng.integers(1, 6, a)
    horizon = cal.month_end(M - 1)
    age_y = (horizon - open_d).astype(int) // 365
    mat = np.where(
        prod == "TIME", open_d + ((age_y // term_y + 1) * term_y * 365).astype("timedelta64[D]"), np.datetime64("NaT")
    )  # auto-renewed: the current maturity lies ahead
    closes, close_m = _close_info(sim, person, M)
    k = np.arange(M)[None, :]
    act = sim["act"][person]
    bal = base[:, None] * _paths(rng, a, M) * np.maximum(act, 0.05)
    bal *= 1 + BUILD_UP * np.where(((prod == "CURRENT") & ~dup)[:, None], _ramp(sim, P, person, SAVE_FOR, M), 0.0)
    bal = np.where(
        sim["churned"][person][:, None] & (k >= sim["churn"][person][:, None]),
        rng.uniform(0, 60, (a, M)) / np.maximum(unit, 1e-9)[:, None],
        np.maximum(bal, 100 / np.maximum(unit, 1e-9)[:, None]),
    )
    open_mask = (k >= open_m[:, None]) & (k < close_m[:, None])
    bal = np.where(open_mask, np.round(bal, 2), np.nan)
    return {
        "person": person,
        "product": prod,
        "dup": dup,
        "currency": ccy,
        "unit": unit,
        "rate": rate,
        "open_m": open_m,
        "open_d": open_d,
        "maturity": mat,
        "closes": closes,
        "close_d": np.where(closes, sim["churn_date"][person], np.datetime64("NaT")),
        "bal": bal,
    }


def _loans(rng, P, cal: Calendar, sim) -> dict:
    has, M, H = sim["has"], cal.months, cal.history
    person, prod = [], []
    for p in LOAN_PRODUCTS:
        idx = np.nonzero(has[p])[0]
        person.append(idx)
        prod.append(np.full(len(idx), p, dtype=object))
    person, prod = np.concatenate(person), np.concatenate(prod)
    pdup = np.nonzero(sim["dup"]["loan"])[0]  # the duplicate borrower record's own small loan
    dup = np.concatenate([np.zeros(len(person), bool), np.ones(len(pdup), bool)])
    person, prod = np.concatenate([person, pdup]), np.concatenate([prod, np.full(len(pdup), "CONSUMER", object)])
    a = len(person)
    i = P["income"][person]
    lo = np.array([LOAN_TERM[p][0] for p in prod], dtype=int) if a else np.zeros(0, int)
    hi = np.array([LOAN_TERM[p][1] for p in prod], dtype=int) if a else np.zeros(0, int)
    term = rng.integers(lo, np.maximum(hi, lo + 1)) if a else np.zeros(0, int)
    rlo = np.array([LOAN_RATE[p][0] for p in prod]) if a else np.zeros(0)
    rhi = np.array([LOAN_RATE[p][1] for p in prod]) if a else np.zeros(0)
    rate = rng.uniform(rlo, rhi).round(2) if a else np.zeros(0)
    principal = np.select(
        [prod == "MORTGAGE", prod == "AUTO", prod == "CONSUMER"],
        [
            np.maximum(300_000, i * rng.uniform(3, 8, a)),
            rng.uniform(80_000, 300_000, a),
            np.minimum(300_000, i * rng.uniform(0.1, 0.6, a) + 10_000),
        ],
        i * rng.uniform(1, 4, a),
    )
    principal = np.where(dup, rng.uniform(10_000, 50_000, a), principal) if a else principal
    principal = np.round(principal / 1000) * 1000
    start = P["join"][person] + rng.integers(0, 12, a)
    start = np.clip(np.maximum(start, M - term + 1), None, H - 1)  # every loan outlives the horizon
    start = np.minimum(start, np.maximum(sim["churn"][person] - 1, P["join"][person]))
    tk = _take_of(sim, person, prod, dup)
    start = np.where(tk > P["join"][person], tk, start)  # cross-sold later
    start, start_d = _on_arrival(P, person, start, _open_day(rng, cal, start), H)
    mat_d = (start_d.astype("datetime64[M]") + term).astype("datetime64[D]") + (
        start_d - start_d.astype("datetime64[M]").astype("datetime64[D]")
    )
    closes, close_m = _close_info(sim, person, M)
    writeoff = closes & np.isin(prod, ["AUTO", "CONSUMER", "BUSINESS"]) & (rng.random(a) < 0.25)
    k = np.arange(M)[None, :]
    out = principal[:, None] * np.clip(1 - (k - start[:, None]) / term[:, None], 0, 1)
    open_mask = (k >= start[:, None]) & (k < close_m[:, None])
    out = np.where(open_mask, np.round(out, 2), np.nan)
    dpd = np.where(rng.random((a, M)) < 0.03, rng.integers(1, 30, (a, M)), 0)
    before = close_m[:, None] - k
    dpd = np.where(
        writeoff[:, None] & (before >= 1) & (before <= 3), (4 - before) * 30 + rng.integers(0, 10, (a, 1)), dpd
    )
    dpd = np.where(open_mask, dpd, 0)
    wo_amount = np.where(writeoff, principal * np.clip(1 - (close_m - start) / term, 0, 1), 0.0)
    return {
        "person": person,
        "product": prod,
        "dup": dup,
        "principal": principal,
        "rate": rate,
        "term": term,
        "start_m": start,
        "start_d": start_d,
        "maturity": mat_d,
        "closes": closes,
        "writeoff": writeoff,
        "close_d": np.where(closes, sim["churn_date"][person], np.datetime64("NaT")),
        "close_m": close_m,
        "out": out,
        "dpd": dpd,
        "wo_amount": wo_amount,
    }


MCC = np.array(["5411", "5812", "5541", "5311", "5999", "4111", "5732", "7011", "4511", "5691", "5912"])
MCC_P = np.array([0.22, 0.2, 0.08, 0.08, 0.1, 0.08, 0.05, 0.04, 0.04, 0.07, 0.04])
CHANNELS = np.array(["POS", "ONLINE", "MOBILE", "ATM"])


def _cards(rng, P, cal: Calendar, sim) -> dict:
    has, M, inc = sim["has"], cal.months, P["income"]
    pd_, pc, pdup = np.nonzero(has["DEBIT"])[0], np.nonzero(has["CREDIT"])[0], np.nonzero(sim["dup"]["card"])[0]
    person = np.concatenate([pd_, pc, pdup])
    ctype = np.concatenate(
        [np.full(len(pd_), "DEBIT", object), np.full(len(pc), "CREDIT", object), np.full(len(pdup), "DEBIT", object)]
    )
    dup = np.concatenate([np.zeros(len(pd_) + len(pc), bool), np.ones(len(pdup), bool)])
    a = len(person)
    i = inc[person]
    level = np.select([i >= 1_000_000, i >= 300_000, i >= 100_000], ["DIAMOND", "PLATINUM", "GOLD"], "STANDARD").astype(
        object
    )
    level = np.where(ctype == "DEBIT", np.where(level == "STANDARD", "STANDARD", "GOLD"), level)
    limit = np.where(ctype == "CREDIT", np.maximum(5000, np.round(i * rng.uniform(0.1, 0.4, a) / 1000) * 1000), np.nan)
    open_m = np.minimum(
        np.maximum(P["join"][person], np.where(dup, rng.integers(-24, cal.history, a), -(10**6))), cal.history - 1
    )
    open_m = np.minimum(open_m, np.maximum(sim["churn"][person] - 1, P["join"][person]))
    tk = _take_of(sim, person, ctype, dup)
    open_m = np.where(tk > P["join"][person], tk, open_m)  # cross-sold later
    open_m, open_d = _on_arrival(P, person, open_m, _open_day(rng, cal, open_m), cal.history)
    closes, close_m = _close_info(sim, person, M)
    k = np.arange(M)[None, :]
    open_mask = (k >= open_m[:, None]) & (k < close_m[:, None]) & (k < sim["churn"][person][:, None])
    lam = (
        np.where(ctype == "CREDIT", 3.0, 2.2)[:, None]
        * np.clip(P["engagement"][person], 0.05, 4)[:, None]
        * sim["act"][person]
    )
    lam = lam * (1 + BUILD_UP * _ramp(sim, P, person, SPEND_FOR, M))
    lam = np.where(dup[:, None], 0.3, lam)
    cnt = np.where(open_mask, rng.poisson(lam), 0)
    # Card-only customers who have not churned use the card at least monthly (else they would be churned).
    need = sim["card_only"][person] & ~dup & (ctype == np.where(has["CREDIT"][person], "CREDIT", "DEBIT"))
    cnt = np.where(need[:, None] & open_mask, np.maximum(cnt, 1), cnt)
    # purchase / cash / refund rows
    acc = np.repeat(np.arange(a), cnt.sum(1))
    mon = np.concatenate([np.repeat(np.arange(M), c) for c in cnt]) if a else np.zeros(0, int)
    t = len(acc)
    u = rng.random(t)
    credit = ctype[acc] == "CREDIT"
    ttype = np.where(credit & (u < 0.03), "CASH_ADVANCE", np.where(u > 0.96, "REFUND", "PURCHASE")).astype(object)
    amount = np.clip(rng.lognormal(np.log(np.maximum(i[acc], 6000) / 12 * 0.04), 0.9), 5, 50_000)
    amount = np.where(ttype == "REFUND", amount * 0.5, amount)
    mcc = MCC[rng.choice(len(MCC), t, p=MCC_P)].astype(object)
    chan = CHANNELS[rng.choice(4, t, p=[0.45, 0.25, 0.27, 0.03])].astype(object)
    mcc = np.where(ttype == "CASH_ADVANCE", "6011", mcc)
    chan = np.where(ttype == "CASH_ADVANCE", "ATM", chan)
    # monthly credit rows: payment of the month's spend, interest for revolvers, fees on service events
    spend = np.zeros((a, M))
    np.add.at(spend, (acc, mon), np.where(ttype == "REFUND", 0, amount))
    revolver = (rng.random(a) < 0.25) & (ctype == "CREDIT")
    fee_ev = sim["events"][person] & (ctype == "CREDIT")[:, None] & open_mask
    pay = (ctype == "CREDIT")[:, None] & (spend > 0)
    intr = revolver[:, None] & (spend > 0) & open_mask
    rows = []
    for mask, typ, amt in (
        (pay, "PAYMENT", spend * np.where(revolver, 0.6, 1.0)[:, None]),
        (intr, "INTEREST", spend * 0.018 * 3),
        (fee_ev, "FEE", rng.uniform(50, 300, (a, M))),
    ):
        ai, mi = np.nonzero(mask)
        rows.append((ai, mi, np.full(len(ai), typ, object), amt[ai, mi]))
    acc = np.concatenate([acc] + [r[0] for r in rows])
    mon = np.concatenate([mon] + [r[1] for r in rows])
    ttype = np.concatenate([ttype] + [r[2] for r in rows])
    amount = np.round(np.concatenate([amount] + [r[3] for r in rows]), 2)
    extra = sum(len(r[0]) for r in rows)
    mcc = np.concatenate([mcc, np.full(extra, "", object)])
    chan = np.concatenate([chan, CHANNELS[rng.choice(3, extra)].astype(object)])
    days = cal.days_in(mon)
    day = np.minimum(rng.integers(0, 31, len(acc)) % days, days - 1)
    secs = rng.integers(7 * 3600, 23 * 3600, len(acc))
    when = cal.month_start(mon).astype("datetime64[s]") + (day * 86400 + secs).astype("timedelta64[s]")
    when = np.maximum(when, open_d[acc].astype("datetime64[s]") + secs.astype("timedelta64[s]"))
    order = np.lexsort((when, acc))
    return {
        "person": person,
        "type": ctype,
        "level": level,
        "limit": limit,
        "dup": dup,
        "open_m": open_m,
        "open_d": open_d,
        "closes": closes,
        "close_d": np.where(closes, sim["churn_date"][person], np.datetime64("NaT")),
        "open_mask": open_mask,
        "frozen": rng.random(a) < 0.01,
        "txn": {
            "acc": acc[order],
            "month": mon[order],
            "type": ttype[order],
            "amount": amount[order],
            "mcc": mcc[order],
            "channel": chan[order],
            "time": when[order],
        },
    }


def _fx(rng, P, cal: Calendar, sim) -> dict:
    M = cal.months
    person = np.nonzero(sim["has"]["FX"])[0]
    a = len(person)
    dup = sim["dup"]["fx"][person]
    k = np.arange(M)[None, :]
    alive = (k > sim["take"]["FX"][person][:, None]) & (k < sim["churn"][person][:, None])
    lam = (
        np.where(P["seg"][person] == 4, 1.2, 0.5)[:, None]
        * np.clip(P["engagement"][person], 0.1, 4)[:, None]
        * sim["act"][person]
    )
    cnt = np.where(alive, rng.poisson(lam), 0)
    cl = np.repeat(np.arange(a), cnt.sum(1))
    mon = np.concatenate([np.repeat(np.arange(M), c) for c in cnt]) if a else np.zeros(0, int)
    t = len(cl)
    use_dup = dup[cl] & (rng.random(t) < 0.4)  # a duplicate client record books some of the deals
    ccy = rng.choice(FX_CCY, t, p=FX_CCY_P).astype(object)
    unit = np.vectorize(R.CNY_PER_UNIT.get, otypes=[float])(ccy) if t else np.zeros(0)
    notional = np.clip(rng.lognormal(np.log(np.maximum(P["income"][person][cl], 50_000) * 0.05), 0.8), 1000, 5_000_000)
    spread = rng.uniform(0.0008, 0.004, t)
    buy_fx = rng.random(t) < 0.65
    rate = np.round(unit * np.where(buy_fx, 1 + spread, 1 - spread), 4)
    fx_amt = np.round(notional / rate, 2)
    cny = np.round(notional, 2)
    days = cal.days_in(mon)
    day = rng.integers(0, 31, t) % days
    return {
        "person": person,
        "dup": dup,
        "deal": {
            "client": cl,
            "use_dup": use_dup,
            "month": mon,
            "date": cal.month_start(mon) + day,
            "sell_ccy": np.where(buy_fx, "CNY", ccy),
            "buy_ccy": np.where(buy_fx, ccy, "CNY"),
            "sell_amount": np.where(buy_fx, cny, fx_amt),
            "buy_amount": np.where(buy_fx, fx_amt, cny),
            "rate": rate,
            "margin": np.round(notional * spread, 2),
            "channel": np.array(["BRANCH", "ONLINE", "MOBILE"], object)[rng.choice(3, t, p=[0.4, 0.3, 0.3])],
        },
    }


def _contribution(P, cal: Calendar, sim) -> None:
    """Monthly contribution per person (CNY), the rule of models/contribution_rules.py."""
    n, M = len(P["seg"]), cal.months
    contrib = np.zeros((n, M))
    n_open = np.zeros((n, M))
    d = sim["deposit"]
    ftp = np.where(
        d["currency"] == "CNY",
        np.vectorize(lambda p: R.FTP_RATE.get(p, 0.0), otypes=[float])(d["product"]) if len(d["product"]) else 0,
        R.FTP_RATE_FOREIGN,
    )
    bal = np.nan_to_num(d["bal"]) * d["unit"][:, None]
    np.add.at(contrib, d["person"], (ftp - d["rate"] / 100)[:, None] * bal / 12)
    np.add.at(n_open, d["person"], ~np.isnan(d["bal"]))
    ln = sim["loan"]
    out = np.nan_to_num(ln["out"])
    pd_ = np.select(
        [ln["dpd"] >= f for f, _ in reversed(R.PD_BY_DPD)], [v for _, v in reversed(R.PD_BY_DPD)], R.PD_BY_DPD[0][1]
    )
    lgd = np.vectorize(R.LGD.get, otypes=[float])(ln["product"]) if len(ln["product"]) else np.zeros(0)
    np.add.at(
        contrib,
        ln["person"],
        ((ln["rate"] / 100 - R.LOAN_COST_OF_FUNDS)[:, None] * out / 12 - pd_ * lgd[:, None] * out / 12),
    )
    np.add.at(n_open, ln["person"], ~np.isnan(ln["out"]))
    wo = np.nonzero(ln["writeoff"] & (ln["close_m"] < M))[0]
    np.add.at(contrib, (ln["person"][wo], ln["close_m"][wo]), -ln["wo_amount"][wo] * lgd[wo])
    c = sim["card"]
    tx = c["txn"]
    inc = np.select(
        [tx["type"] == "PURCHASE", tx["type"] == "CASH_ADVANCE", np.isin(tx["type"], ["INTEREST", "FEE"])],
        [R.INTERCHANGE_RATE * tx["amount"], R.CASH_ADVANCE_FEE_RATE * tx["amount"], tx["amount"]],
        0.0,
    )
    np.add.at(contrib, (c["person"][tx["acc"]], tx["month"]), inc)
    np.add.at(n_open, c["person"], c["open_mask"])
    fx = sim["fx"]
    np.add.at(contrib, (fx["person"][fx["deal"]["client"]], fx["deal"]["month"]), fx["deal"]["margin"])
    contrib -= R.SERVICING_COST_MONTHLY * n_open
    sim["contrib"], sim["n_open"] = contrib, n_open
