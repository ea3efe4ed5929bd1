"""Expected lifetime value per customer: balance-driven contribution x churn survival, plus
transaction-driven contribution (BG/NBD x Gamma-Gamma on card purchase days and FX deal days),
discounted monthly.

For month m = 1..H (H = horizon_months, default 36) after the business date:
- balance part: `balance_monthly x s^m`, where balance_monthly is the mean over the last 3 complete
  months of deposit + servicing contribution plus card fees and interest, and s is the monthly
  retention implied by the calibrated 90-day churn probability: `s = (1 - p90)^(1/3)`; customers
  outside the churn population (nothing open, no FX for a year) get p90 = 1;
- loan part, per open contract: its outstanding amortised linearly to maturity, `O_m = O x max(0, 1 -
  m / months_left)`, earning the rule's monthly margin while the customer stays (`s^m`), minus the
  write-off loss booked if the customer leaves in month m (`(s^(m-1) - s^m) x O_m x LGD x` the share
  of the product's early-ended contracts that were written off). A contract already late books its
  days-past-due bucket's roll rate into a write-off in month 1 whatever the churn score, and only the
  rest of it earns and carries that churn-tied risk. A 3-month run-rate carried loans as if they never
  amortised nor defaulted;
- transaction part: (E[X(t_m)] - E[X(t_{m-1})]) x E[value per transaction day] for cards and FX, from
  BG/NBD (weeks) and Gamma-Gamma fitted on the whole history of every customer;
- new-business part: what customers open later (accounts not open on the business date, FX for customers
  who never dealt), which none of the parts above sees. Point in time from the bank's own history: the
  customers known on t0 = the last complete month-end minus W months (W = 12, or half the history when
  shorter), per segment on t0 (value band x tenure band, `sql/marts/ltv_band_macro.sql`), and the
  contribution realised in each of the W months after t0 from what they opened after t0
  (`sql/marts/ltv_new_business_fit.sql`). Per segment and month k that gives a rate per customer known on
  t0, shrunk towards the tenure band's (and that towards all customers') for small segments. Tonight's
  customers of the segment (`sql/marts/ltv_segment.sql`) share it out in proportion to their 12-month
  contribution w times their survival s^m (`new_business_rates`; the LOW band's loss-makers per head), the
  month-W rate held flat beyond W: the segment totals match the history's, bigger customers and likelier
  stayers get more;
- discounting by `(1 + discount_rate)^(-m/12)`.

Incremental nights: each customer's value is computed as of the date of its churn features (which
moves when a delivery changes its inputs, and at least weekly), with population parameters (BTYD, the
loan write-off shares and the new-business rates) refitted every REFIT_DAYS nights; a customer whose
date, churn score and parameters did not change keeps last night's value (`computed_as_of` says when it
was computed).
"""

from __future__ import annotations

from datetime import date, timedelta

import duckdb
import numpy as np
import pandas as pd

from models import btyd, status
from models.churn.features import _frame
from models.status import InsufficientHistory
from models.value import load_rules, prepare_accounts
from models.warehouse import execute, query, replace_date_rows, run_script

WEEKS_PER_MONTH = 52.1775 / 12
REFIT_DAYS = 7  # the population parameters are refitted this often
NEW_BUSINESS_MONTHS = 12  # months after t0 whose new business is measured (fewer on a short history)
NEW_BUSINESS_PRIOR = 100.0  # customers: a segment smaller than this leans mostly on its parent's rate
BAND_SHARES = {"top_share": 0.01, "gold_share": 0.09}  # value bands: the published tiers' default shares


def fit_params(summary: pd.DataFrame, log=None) -> dict[str, dict[str, float]]:
    """The population parameters of the transaction forecast, per kind (card, fx): BG/NBD (r, alpha,
    a, b), Gamma-Gamma (p, q, v) and mean_spend (where the spend model cannot say), or only
    fallback_spend when Gamma-Gamma cannot be fitted. A kind with too few customers gets none."""
    params = {}
    for kind, s in summary.groupby("kind"):
        x = s["frequency"].to_numpy(float)
        tx = s["recency_days"].to_numpy(float) / 7
        T = s["t_days"].to_numpy(float) / 7
        if len(s) < 20 or (x > 0).sum() < 5:
            continue
        bg = btyd.BetaGeoFitter(penalizer=0.001).fit(x, tx, T)
        m = s["monetary_value"].to_numpy(float)
        try:
            gg = btyd.GammaGammaFitter(penalizer=0.001).fit(x, m)
            params[kind] = {
                **bg.params,
                **gg.params,
                "mean_spend": float(np.nanmean(m[m > 0])) if (m > 0).any() else 0.0,
            }
        except ValueError:
            params[kind] = {**bg.params, "fallback_spend": float(np.mean(m[x > 0])) if (x > 0).any() else 0.0}
        if log:
            log(f"BTYD {kind}: {len(s):,} customers, { {k: round(v, 3) for k, v in params[kind].items()} }")
    return params


def transaction_forecast(summary: pd.DataFrame, params: dict, horizon_months: int) -> pd.DataFrame:
    """Per customer and kind: expected transaction days per month (H columns), expected value per day,
    p_alive, from the fitted population parameters (`fit_params`)."""
    out = []
    for kind, s in summary.groupby("kind"):
        p = params.get(kind)
        if not p:
            continue
        s = s.reset_index(drop=True)
        x = s["frequency"].to_numpy(float)
        tx = s["recency_days"].to_numpy(float) / 7
        T = s["t_days"].to_numpy(float) / 7
        bg = btyd.BetaGeoFitter()
        bg.params = {k: p[k] for k in ("r", "alpha", "a", "b")}
        m = s["monetary_value"].to_numpy(float)
        if "p" in p:
            gg = btyd.GammaGammaFitter()
            gg.params = {k: p[k] for k in ("p", "q", "v")}
            spend = gg.expected_spend(np.where(m > 0, x, 0), np.where(m > 0, m, 1.0))
            spend = np.where(np.isfinite(spend), spend, p["mean_spend"])
        else:
            spend = np.full(len(s), p["fallback_spend"])
        cum = np.column_stack([bg.predict(k * WEEKS_PER_MONTH, x, tx, T) for k in range(horizon_months + 1)])
        frame = pd.DataFrame(np.diff(cum, axis=1), columns=[f"m{k + 1}" for k in range(horizon_months)])
        frame.insert(0, "customer_id", s["customer_id"])
        frame.insert(1, "kind", kind)
        frame["spend"] = spend
        frame["p_alive"] = bg.p_alive(x, tx, T)
        out.append(frame)
    return pd.concat(out, ignore_index=True) if out else pd.DataFrame()


def population_params(
    con: duckdb.DuckDBPyConnection, as_of: date, log=None
) -> tuple[date, dict[str, dict[str, float]]]:
    """The night the population parameters in use were fitted on, and them: refitted on the whole
    population when the last fit is REFIT_DAYS old (or none, or a rerun of the fit night), as the churn
    model is retrained on its own schedule. Between fits a customer's value moves only with its own inputs.
    Needs temp tables account_customer and rule_*."""
    run_script(con, "marts/ltv_params_table")
    fitted_on = query(con, "marts/ltv_params_latest", as_of=as_of)[0][0]
    if fitted_on is None or fitted_on == as_of or (as_of - fitted_on).days >= REFIT_DAYS:
        run_script(con, "marts/ltv_fit_scope", as_of=as_of)  # everyone, as of tonight
        params = fit_params(_frame(con, "marts/btyd_summary"), log)
        rows = [(as_of, kind, name, value) for kind, ps in params.items() for name, value in ps.items()]
        rows += [
            (as_of, "write_off", product, float(share))
            for product, share in query(con, "marts/ltv_write_off_share", as_of=as_of)
        ]
        rows += [
            (as_of, "write_off_dpd", str(min_dpd), float(rate))
            for min_dpd, rate in query(con, "marts/ltv_write_off_roll", as_of=as_of)
            if rate is not None
        ]
        rows += [(as_of, *row) for row in new_business_params(con, as_of, log)]
        con.execute("begin")
        fit = pd.DataFrame(rows, columns=["fitted_on", "kind", "name", "value"], dtype=object)  # noqa: F841 (SQL)
        con.register("ltv_fit", fit)
        try:
            replace_date_rows(con, "marts.ltv_params", "fitted_on", as_of, rows="ltv_fit")
        finally:
            con.unregister("ltv_fit")
        con.execute("commit")
        fitted_on = as_of
    params: dict[str, dict[str, float]] = {}
    for kind, name, value in query(con, "marts/ltv_params_read", fitted_on=fitted_on):
        params.setdefault(kind, {})[name] = value
    return fitted_on, params


def _last_complete(day: date) -> date:
    """The last complete month-end on `day` (`day` itself when it is one)."""
    return day if (day + timedelta(days=1)).day == 1 else day.replace(day=1) - timedelta(days=1)


def _month_end_back(month_end: date, months: int) -> date:
    """The month-end `months` months before `month_end`."""
    y, m = divmod(month_end.year * 12 + month_end.month - months, 12)  # the month after, 0-based
    return date(y, m + 1, 1) - timedelta(days=1)


def _share_weight(frame: pd.DataFrame) -> np.ndarray:
    """The weight by which a customer takes its segment's new business: its 12-month contribution (0 when
    not positive), and 1 (per head) in the LOW band, whose contributions are all negative: loss-makers with a
    tiny dormant account open new products later too (20k: LOW's realised 12 months -66 k CNY, of which
    +81 k came from the 10% of them who turned profitable), and a weight of 0 dropped that new business."""
    w = frame["contribution_12m"].astype(float).fillna(0.0).clip(lower=0).to_numpy()
    return np.where(frame["value_band"].to_numpy() == "LOW", 1.0, w)


def _weighted_survival(today: pd.DataFrame, months: int) -> np.ndarray:
    """w x s^k for k = 1..months per customer of `today`: w = `_share_weight`, s = (1 - p90)^(1/3) (0
    outside the churn population, p90 NULL)."""
    s = (1 - today["churn_probability"].astype(float).fillna(1.0).clip(0, 1).to_numpy()) ** (1 / 3)
    return _share_weight(today)[:, None] * s[:, None] ** np.arange(1, months + 1)[None, :]


def new_business_rates(
    cells: pd.DataFrame, today: pd.DataFrame, months: int, prior: float = NEW_BUSINESS_PRIOR
) -> dict[tuple[str, str], np.ndarray]:
    """Per (value band, tenure band), and ('*', tenure band) and ('*', '*') to fall back on: the monthly
    new-business contribution per CNY of 12-month contribution of a surviving customer, k = 1..months.

    `cells` (value_band, tenure_band, customers, k, new_cny): the customers known on t0 per segment and what
    they opened after t0 earned in month k. `today` (value_band, tenure_band, contribution_12m,
    churn_probability): tonight's customers. The rate per customer of t0 already carries the segment's
    attrition; divided by the segment's mean w x s^k tonight (`_weighted_survival`) it becomes a rate that,
    times each customer's own w x s^k, gives the segment tonight the history's total. Shared out by
    contribution rather than per head, because a rate per head lifted every near-zero newcomer above older
    customers of the same value, most of whom open nothing (20k: Spearman 0.955 -> 0.926; by contribution
    0.956); customers with nothing positive get none, except the LOW band's, which share theirs per head
    (`_share_weight`). Small segments are shrunk towards their tenure band,
    tenure bands towards everyone (`prior` customers' worth)."""
    if cells.empty or today.empty:
        return {}
    new = cells.pivot_table(index=["value_band", "tenure_band"], columns="k", values="new_cny", aggfunc="sum")
    new = new.reindex(columns=range(1, months + 1), fill_value=0.0).fillna(0.0)
    n = cells.drop_duplicates(["value_band", "tenure_band"]).set_index(["value_band", "tenure_band"])["customers"]
    n = n.reindex(new.index).astype(float)
    surv = pd.DataFrame(_weighted_survival(today, months), columns=range(1, months + 1))
    surv.index = pd.MultiIndex.from_frame(today[["value_band", "tenure_band"]])
    s_sum, s_n = surv.groupby(level=[0, 1]).sum(), surv.groupby(level=[0, 1]).size().astype(float)

    def shrunk(total: pd.DataFrame, count: pd.Series, parent: np.ndarray) -> pd.DataFrame:
        return total.add(prior * parent, axis=1).div(count + prior, axis=0)

    grand = new.sum().to_numpy() / max(n.sum(), 1.0)
    grand_s = s_sum.sum().to_numpy() / max(s_n.sum(), 1.0)
    keys = sorted(set(new.index) | set(s_sum.index))
    tenures = sorted({t for _, t in keys})
    by_tenure = shrunk(new.groupby(level=1).sum(), n.groupby(level=1).sum(), grand).reindex(tenures)
    s_tenure = shrunk(s_sum.groupby(level=1).sum(), s_n.groupby(level=1).sum(), grand_s).reindex(tenures)
    by_tenure = by_tenure.fillna(pd.Series(grand, index=by_tenure.columns))  # a band only tonight has
    s_tenure = s_tenure.fillna(pd.Series(grand_s, index=s_tenure.columns))  # a band only t0 had

    def per_survivor(rate: np.ndarray, s: np.ndarray) -> np.ndarray:
        return np.divide(rate, s, out=np.zeros(months), where=s > 0)

    out = {("*", "*"): per_survivor(grand, grand_s)}
    for t in tenures:
        out[("*", t)] = per_survivor(by_tenure.loc[t].to_numpy(), s_tenure.loc[t].to_numpy())

    def blend(table: pd.DataFrame, count: pd.Series, key: tuple[str, str], parent: np.ndarray) -> np.ndarray:
        if key not in table.index or count[key] + prior <= 0:
            return parent
        return (table.loc[key].to_numpy() + prior * parent) / (count[key] + prior)

    low = new.index.get_level_values(0) == "LOW"
    low_rate = new[low].sum().to_numpy() / max(n[low].sum(), 1.0)  # the LOW band's own rate per head
    for key in keys:
        if key[0] == "LOW" and key in s_sum.index:
            # Per head, shrunk towards the LOW band's own rate (the tenure band's is the profitable
            # customers', several times higher) and divided by its own mean survival, not by a parent's
            # mean contribution x survival.
            rate = blend(new, n, key, low_rate)
            out[key] = per_survivor(rate, s_sum.loc[key].to_numpy() / s_n[key])
            continue
        rate = blend(new, n, key, by_tenure.loc[key[1]].to_numpy())
        out[key] = per_survivor(rate, blend(s_sum, s_n, key, s_tenure.loc[key[1]].to_numpy()))
    return out


def new_business_params(con: duckdb.DuckDBPyConnection, as_of: date, log=None) -> list[tuple]:
    """The new-business parameters fitted tonight, as (kind, name, value) rows of marts.ltv_params: months
    W, the value bands' cuts, and the rate per survivor of each segment and month (`new_business_rates`).
    None when the history is too short (under 6 complete months). Needs temp tables account_customer,
    rule_* and ltv_todo (everyone, as of as_of)."""
    last = _last_complete(as_of)
    first = query(con, "marts/ltv_first_month")[0][0]
    history = 0 if first is None else (last.year - first.year) * 12 + last.month - first.month + 1
    months = min(NEW_BUSINESS_MONTHS, history // 2)
    if months < 3:
        if log:
            log(f"new business: {history} complete month(s) of history, too few to measure it; not forecast")
        return []
    t0 = _month_end_back(last, months)
    run_script(con, "marts/tier_macro")
    run_script(con, "marts/ltv_band_macro")
    cells = execute(con, "marts/ltv_new_business_fit", t0=t0, window_end=last, months=months, **BAND_SHARES).df()
    cut_top, cut_gold = query(con, "marts/ltv_value_cuts", window_end=last, **BAND_SHARES)[0]
    cuts = {name: np.inf if cut is None else float(cut) for name, cut in (("cut_top", cut_top), ("cut_gold", cut_gold))}
    today = execute(con, "marts/ltv_segment", as_of=as_of, **cuts).df()
    rates = new_business_rates(cells, today, months)
    if log:
        per = cells[cells["k"] == 1].set_index(["value_band", "tenure_band"])["customers"]
        log(
            f"new business: {int(per.sum()):,} customers known on {t0}, {cells['new_cny'].sum():,.0f} CNY earned "
            f"in the {months} months after by what they opened later, {len(per)} segments"
        )
    rows = [("new_business", "months", float(months))] + [("new_business", k, v) for k, v in cuts.items()]
    rows += [
        ("new_business", f"rate|{band}|{tenure}|{k + 1}", float(r))
        for (band, tenure), rate in rates.items()
        for k, r in enumerate(rate)
    ]
    return rows


def new_business_months(
    segments: pd.DataFrame, params: dict[str, float], surv: np.ndarray, horizon_months: int
) -> tuple[np.ndarray, np.ndarray]:
    """Per customer (rows of `segments`: value_band, tenure_band, contribution_12m) and month 1..H: the
    expected contribution of what it opens later, with its survival `surv` (and, second, as if it stayed)."""
    n = len(segments)
    if not params or not n:
        return np.zeros((n, horizon_months)), np.zeros((n, horizon_months))
    months = int(params["months"])
    rates: dict[tuple[str, str], np.ndarray] = {}
    for name, value in params.items():
        if name.startswith("rate|"):
            _, band, tenure, k = name.split("|")
            rates.setdefault((band, tenure), np.zeros(months))[int(k) - 1] = value
    rows = np.zeros((n, months))
    for i, (band, tenure) in enumerate(zip(segments["value_band"], segments["tenure_band"])):
        rate = rates.get((band, tenure), rates.get(("*", tenure), rates.get(("*", "*"))))
        if rate is not None:
            rows[i] = rate
    weight = _share_weight(segments)[:, None]
    per_survivor = weight * rows[:, np.minimum(np.arange(horizon_months), months - 1)]  # month W's rate beyond W
    return per_survivor * surv, per_survivor


def loan_months(
    loans: pd.DataFrame, customers: pd.Series, surv: np.ndarray, horizon_months: int
) -> tuple[np.ndarray, np.ndarray]:
    """Expected loan contribution per customer (rows of `customers`) and month 1..H, survival and
    write-off included; and next month's loan margin if the customer stays (for the run-rate column)."""
    n = len(customers)
    out, first = np.zeros((n, horizon_months)), np.zeros(n)
    if not len(loans):
        return out, first
    pos = pd.Series(np.arange(n), index=customers.to_numpy())
    idx = pos.reindex(loans["customer_id"].to_numpy()).to_numpy()
    keep = ~np.isnan(idx)
    loans, idx = loans[keep], idx[keep].astype(int)
    months = np.arange(1, horizon_months + 1)
    left = loans["months_left"].astype(float).fillna(np.inf).to_numpy()
    bal = loans["outstanding"].to_numpy(float)[:, None] * np.clip(1 - months[None, :] / left[:, None], 0, 1)
    s = surv[idx]
    leave = np.concatenate([np.ones((len(idx), 1)), s[:, :-1]], axis=1) - s  # P(churn in month m)
    # A late contract rolls into a write-off soon (its bucket's roll rate, booked in month 1) whether the
    # customer stays or not; only the rest earns its margin and carries the churn-tied write-off risk.
    soon = loans["write_off_soon_share"].to_numpy(float) if "write_off_soon_share" in loans else np.zeros(len(idx))
    lgd = loans["lgd"].to_numpy(float) if "lgd" in loans else np.zeros(len(idx))
    value = (
        (1 - soon)[:, None]
        * bal
        * (
            loans["margin_monthly"].to_numpy(float)[:, None] * s
            - loans["write_off_loss_rate"].to_numpy(float)[:, None] * leave
        )
    )
    value[:, 0] -= soon * lgd * loans["outstanding"].to_numpy(float)
    np.add.at(out, idx, value)
    np.add.at(first, idx, (1 - soon) * bal[:, 0] * loans["margin_monthly"].to_numpy(float))
    return out, first


def compute_ltv(
    con: duckdb.DuckDBPyConnection,
    as_of: date,
    horizon_months: int = 36,
    discount_rate: float = 0.08,
    full: bool = False,
    log=None,
) -> tuple[pd.DataFrame, dict]:
    """Tonight's lifetime value of every tiered or scored customer, each computed as of its churn
    features' date (`sql/marts/ltv_dates.sql`): carried from the previous night when that date, the churn
    score and the population parameters did not change (`sql/marts/ltv_carried.sql`), computed otherwise;
    `full` computes every customer (the same values). Returns the frame and what was carried."""
    why = status.insufficient(con, as_of, "churn_risk")
    if why:
        # Survival comes from the churn model: without it a lifetime value would be made up.
        raise InsufficientHistory("lifetime_value", f"needs churn_risk, not available yet: {why}")
    load_rules(con)
    prepare_accounts(con, as_of)
    fitted_on, params = population_params(con, as_of, log)
    run_script(con, "marts/lifetime_value_history")
    run_script(con, "marts/churn_features_table")
    run_script(con, "marts/ltv_dates", as_of=as_of)
    previous = query(con, "marts/ltv_previous_night", as_of=as_of)[0][0]
    carried = pd.DataFrame()
    if previous is not None and not full:
        carried = _frame(
            con,
            "marts/ltv_carried",
            as_of=as_of,
            previous=previous,
            fitted_on=fitted_on,
            horizon_months=horizon_months,
            discount_rate=discount_rate,
        )
    ids = carried[["customer_id"]] if len(carried) else pd.DataFrame({"customer_id": pd.Series([], dtype=str)})
    con.register("ltv_carried_ids", ids)
    try:
        run_script(con, "marts/ltv_todo")
    finally:
        con.unregister("ltv_carried_ids")
    # The loan write-off parameters reach sql/marts/ltv_loans.sql as temp tables read from marts.ltv_params.
    params.pop("write_off", None)
    params.pop("write_off_dpd", None)
    run_script(con, "marts/ltv_write_off", fitted_on=fitted_on)
    run_script(con, "marts/ltv_write_off_dpd", fitted_on=fitted_on)
    new_business = params.pop("new_business", {})
    base = _frame(con, "marts/ltv_inputs", as_of=as_of)
    loans = _frame(con, "marts/ltv_loans")
    summary = _frame(con, "marts/btyd_summary")
    tx = transaction_forecast(summary, params, horizon_months)
    dates = _frame(con, "marts/ltv_todo_dates")
    info = {
        "customers": len(base) + len(carried),
        "computed": len(base),
        "carried": len(carried),
        "previous_night": str(previous) if previous else None,
        "params_fitted_on": str(fitted_on),
        "params": params,
    }

    months = np.arange(1, horizon_months + 1)
    disc = (1 + discount_rate) ** (-months / 12)
    p90 = base["churn_probability"].fillna(1.0).clip(0, 1).to_numpy()
    s = (1 - p90) ** (1 / 3)
    surv = s[:, None] ** months[None, :]
    bal = base["balance_monthly_cny"].fillna(0).to_numpy()
    loan_m, loan_1 = loan_months(loans, base["customer_id"], surv, horizon_months)
    # The same customer kept for the whole horizon (no churn, so no write-off on leaving): what a
    # retention call protects. Multiplying the churn-discounted LTV by the churn probability again
    # would rank the likeliest leavers last.
    kept = np.ones_like(surv)
    loan_kept, _ = loan_months(loans.assign(write_off_loss_rate=0.0), base["customer_id"], kept, horizon_months)
    retained_ltv = (bal[:, None] * disc[None, :]).sum(axis=1) + (loan_kept * disc[None, :]).sum(axis=1)
    bal_ltv = (bal[:, None] * surv * disc[None, :]).sum(axis=1) + (loan_m * disc[None, :]).sum(axis=1)
    bal_12 = (bal[:, None] * surv[:, :12]).sum(axis=1) + loan_m[:, :12].sum(axis=1)
    segments = pd.DataFrame({"value_band": [], "tenure_band": [], "contribution_12m": []})
    if new_business:
        run_script(con, "marts/ltv_band_macro")
        cuts = {k: new_business[k] for k in ("cut_top", "cut_gold")}
        segments = execute(con, "marts/ltv_segment", as_of=as_of, **cuts).df()
        segments = segments.set_index("customer_id").reindex(base["customer_id"])
    new_m, new_kept = new_business_months(segments, new_business, surv, horizon_months)
    new_12 = new_m[:, :12].sum(axis=1)
    bal_ltv += (new_m * disc[None, :]).sum(axis=1)
    bal_12 += new_12
    retained_ltv += (new_kept * disc[None, :]).sum(axis=1)

    mcols = [f"m{k}" for k in months]
    if len(tx):
        val = tx[mcols].to_numpy() * tx["spend"].to_numpy()[:, None]
        tx = tx.assign(
            txn_ltv=(val * disc[None, :]).sum(axis=1),
            txn_12=val[:, :12].sum(axis=1),
            txns_12=tx[mcols[:12]].sum(axis=1),
        )
        agg = tx.groupby("customer_id").agg(
            txn_ltv=("txn_ltv", "sum"), txn_12=("txn_12", "sum"), txns_12=("txns_12", "sum")
        )
        alive = tx.sort_values("kind").groupby("customer_id")["p_alive"].first()  # card before fx
        agg["p_alive"] = alive
    else:
        agg = pd.DataFrame(columns=["txn_ltv", "txn_12", "txns_12", "p_alive"])
    b = base.set_index("customer_id")
    b["bal_ltv"], b["bal_12"], b["survival_12m"], b["retained_ltv"] = bal_ltv, bal_12, s**12, retained_ltv
    b["new_12"] = new_12
    b = b.join(agg, how="left")
    for c in ("txn_ltv", "txn_12", "txns_12"):
        b[c] = b[c].astype(float).fillna(0.0)
    out = pd.DataFrame(
        {
            "as_of_date": as_of,
            "customer_id": b.index,
            "expected_ltv_cny": (b["bal_ltv"] + b["txn_ltv"]).to_numpy(),
            "horizon_months": horizon_months,
            "discount_rate": discount_rate,
            "p_alive": b["p_alive"].astype(float).to_numpy(),
            "expected_txns_12m": b["txns_12"].to_numpy(),
            "expected_monthly_contribution": (
                b["balance_monthly_cny"].fillna(0) + loan_1 + b["txn_12"] / 12
            ).to_numpy(),
            "survival_12m": b["survival_12m"].to_numpy(),
            "expected_value_12m_cny": (b["bal_12"] + b["txn_12"]).to_numpy(),
            "churn_probability_90d": b["churn_probability"].astype(float).to_numpy(),
            "ltv_if_retained_cny": (b["retained_ltv"] + b["txn_ltv"]).to_numpy(),
            "new_business_12m_cny": b["new_12"].to_numpy(),
            "computed_as_of": pd.to_datetime(
                dates.set_index("customer_id").reindex(b.index)["computed_as_of"]
            ).to_numpy(),
            "params_fitted_on": pd.Timestamp(fitted_on),
        }
    )
    out["as_of_date"] = pd.Timestamp(as_of)
    if len(carried):
        for col in ("as_of_date", "computed_as_of", "params_fitted_on"):
            carried[col] = pd.to_datetime(carried[col])
        out = pd.concat([carried, out[list(carried.columns)]], ignore_index=True)
    out = out.sort_values("customer_id", kind="stable").reset_index(drop=True)
    return out, info


def write_ltv(con: duckdb.DuckDBPyConnection, frame: pd.DataFrame, as_of: date) -> None:
    run_script(con, "marts/lifetime_value_history")
    con.register("ltv_tonight", frame)
    try:
        con.execute("begin")
        replace_date_rows(con, "marts.lifetime_value_history", "as_of_date", as_of, rows="ltv_tonight")
        con.execute("commit")
    finally:
        con.unregister("ltv_tonight")
