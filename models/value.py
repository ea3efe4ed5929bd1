"""Customer value: monthly profit contribution, value tiers, tier migration and product holding.

The contribution rule (constants in `models/contribution_rules.py`; the generator computes its
truth with the same rule). Per customer and calendar month (labelled by its last day), with
accounts mapped to customers through tonight's `identity.customer_map`, so merges and splits
re-attribute the whole history:

- **Deposits**: for each account, the *last* balance row of the month, in CNY at the fixed spot
  rates (`CNY_PER_UNIT`), earns `balance x (FTP - rate paid) / 12`. FTP is `FTP_RATE[product]` for
  CNY accounts and `FTP_RATE_FOREIGN` for foreign-currency ones; the rate paid is the row's
  `interest_rate` (annual %).
- **Loans**: the last balance row of the month earns `outstanding x (contract annual_rate % -
  LOAN_COST_OF_FUNDS) / 12`, minus expected loss `outstanding x annual PD x LGD[product] / 12`,
  the PD taken from the days-past-due bucket of that row (`PD_BY_DPD`). A contract whose status is
  WRITTEN_OFF also books a realised loss of `LGD x its last positive outstanding` in that row's month.
- **Cards**: `INTERCHANGE_RATE x purchases - INTERCHANGE_RATE x refunds + CASH_ADVANCE_FEE_RATE x
  cash advances + fees + interest` of the month's transactions (payments earn nothing).
- **FX**: the sum of the month's deals' `margin_cny`.
- **Servicing**: `-SERVICING_COST_MONTHLY` for every account open at any time in the month (open
  date on or before the month end; close date, or for a closed/settled/written-off account without
  one its last activity, on or after the month start).
- **Total** = deposit + loan + card + fx + servicing. Months run from the first month of delivered
  history to the business date's month, whose figures hold the data up to the business date.

Value tiers use the 12 months ending with the business date's month: LOW if the sum is below zero;
among profitable customers (sum > 0), TOP is the top 1% and GOLD the next 9% by contribution;
everyone else is GENERAL. Shares are configurable.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import duckdb

from models import contribution_rules as rules
from models.warehouse import query, replace_date_rows, run_script

TIERS = ("TOP", "GOLD", "GENERAL", "LOW")


def load_rules(con: duckdb.DuckDBPyConnection) -> None:
    """The contribution rule on this connection (`sql/marts/contribution_rule.sql`): temp tables `rule_*`,
    its scalars as variables and its per-row formulas as macros."""
    run_script(
        con,
        "marts/contribution_rule",
        ftp_product=list(rules.FTP_RATE),
        ftp_rate=list(rules.FTP_RATE.values()),
        pd_min_dpd=[floor for floor, _ in rules.PD_BY_DPD],
        pd_rate=[pd for _, pd in rules.PD_BY_DPD],
        lgd_product=list(rules.LGD),
        lgd_rate=list(rules.LGD.values()),
        ccy_currency=list(rules.CNY_PER_UNIT),
        ccy_cny_per_unit=list(rules.CNY_PER_UNIT.values()),
        ftp_foreign=rules.FTP_RATE_FOREIGN,
        cost_of_funds=rules.LOAN_COST_OF_FUNDS,
        lgd_default=max(rules.LGD.values()),
        interchange_rate=rules.INTERCHANGE_RATE,
        cash_advance_fee_rate=rules.CASH_ADVANCE_FEE_RATE,
        servicing_cost=rules.SERVICING_COST_MONTHLY,
    )


def prepare_accounts(con: duckdb.DuckDBPyConnection, as_of: date) -> None:
    """Temp table `account_customer`: every account with tonight's customer and effective end date."""
    run_script(con, "marts/account_customer", as_of=as_of)


def _has_table(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    return query(con, "marts/table_exists", schema=schema, table_name=table)[0][0]


def contribution_previous(con: duckdb.DuckDBPyConnection, as_of: date) -> date | None:
    """The night the table was last computed for, when tonight can build on it (an earlier night)."""
    if not (_has_table(con, "marts", "contribution_monthly") and _has_table(con, "marts", "contribution_state")):
        return None
    previous = query(con, "marts/contribution_previous")[0][0]
    # A rerun of that night or of an earlier one (a late delivery) recomputes everything.
    return previous if previous is not None and previous < as_of else None


def build_contribution_monthly(con: duckdb.DuckDBPyConnection, as_of: date, full: bool = False) -> dict[str, object]:
    """Update marts.contribution_monthly up to `as_of`: only the months a delivery since the last computed
    night touched and the customers whose attribution changed, or everything when `full` (or no earlier
    night to build on). Returns summary figures."""
    load_rules(con)
    prepare_accounts(con, as_of)
    previous = None if full else contribution_previous(con, as_of)
    run_script(con, "marts/contribution_scope", as_of=as_of, previous=previous or as_of)
    run_script(con, "marts/contribution_monthly", as_of=as_of, full=previous is None)
    *scope, rows, customers, months, first, last, total = query(con, "marts/contribution_figures")[0]
    by_month = query(con, "marts/contribution_by_month")
    return {
        "rows": rows,
        "customers": customers,
        "months": months,
        "first_month": str(first),
        "last_month": str(last),
        "total_cny": float(total or 0),
        "recomputed": "all months, every customer"
        if previous is None
        else f"{scope[0]} month(s) for every customer, every month for {scope[1]} customer(s)",
        "recent_months": by_month,
    }


def month_ends_for_migration(as_of: date) -> tuple[date, date]:
    """The last two complete month-ends on `as_of` (as_of itself counts when it is a month-end)."""
    last = as_of if (as_of + timedelta(days=1)).day == 1 else as_of.replace(day=1) - timedelta(days=1)
    prev = last.replace(day=1) - timedelta(days=1)
    return prev, last


@dataclass
class TierResult:
    summary: list[tuple]  # tier, customers, profit_12m, share_customers, share_profit, min_contribution_12m
    customers: int
    moves: dict[str, int]
    prev_month: date
    last_month: date


def compute_value_tiers(
    con: duckdb.DuckDBPyConnection, as_of: date, top_share: float = 0.01, gold_share: float = 0.09
) -> TierResult:
    """marts.value_tier_history for `as_of` and marts.tier_migration between the last two month-ends."""
    if not (0 < top_share < 1 and 0 <= gold_share < 1 and top_share + gold_share <= 1):
        raise ValueError(f"tier shares out of range: top={top_share}, gold={gold_share}")
    run_script(con, "marts/tier_macro")
    run_script(con, "marts/value_tier", as_of=as_of, top_share=top_share, gold_share=gold_share)
    replace_date_rows(con, "marts.value_tier_history", "as_of_date", as_of, rows="tier_tonight")
    prev, last = month_ends_for_migration(as_of)
    run_script(
        con,
        "marts/tier_migration",
        as_of=as_of,
        prev_month=prev,
        last_month=last,
        top_share=top_share,
        gold_share=gold_share,
    )
    replace_date_rows(con, "marts.tier_migration", "as_of_date", as_of, rows="tier_moves")
    summary = query(con, "marts/tier_summary", as_of=as_of)
    moves = dict(query(con, "marts/tier_moves", as_of=as_of))
    return TierResult(summary, sum(r[1] for r in summary), moves, prev, last)


REFIT_DAYS = 7  # the next-product rates (a population figure) are refitted this often


def build_product_holding(con: duckdb.DuckDBPyConnection, as_of: date, full: bool = False) -> dict[str, object]:
    """marts.product_holding for `as_of`: the holdings of the customers whose accounts, FX deals or records
    changed since the previous night (everyone when `full`), the others' carried; the next product of
    every customer from the next-product rates refitted every REFIT_DAYS nights."""
    prepare_accounts(con, as_of)
    run_script(con, "marts/product_transition_table")
    run_script(con, "marts/product_holding_table")
    fitted_on = query(con, "marts/product_transition_latest", as_of=as_of)[0][0]
    if fitted_on is None or fitted_on == as_of or (as_of - fitted_on).days >= REFIT_DAYS:
        run_script(con, "marts/product_transition", as_of=as_of)
        replace_date_rows(con, "marts.product_transition", "fitted_on", as_of, rows="transition_tonight")
        fitted_on = as_of
    previous = None if full else query(con, "marts/product_holding_previous", as_of=as_of)[0][0]
    run_script(con, "marts/product_holding", as_of=as_of, previous=previous, fitted_on=fitted_on)
    replace_date_rows(con, "marts.product_holding", "as_of_date", as_of, rows="holding_tonight")
    carried, customers, avg_products, with_next = query(con, "marts/holding_figures", as_of=as_of)[0]
    top_sets = query(con, "marts/holding_top_sets", as_of=as_of)
    return {
        "customers": customers,
        "computed": customers - carried,
        "carried": carried,
        "previous_night": str(previous) if previous else None,
        "next_product_fitted_on": str(fitted_on),
        "avg_products": float(avg_products or 0),
        "with_next_product": with_next,
        "top_sets": top_sets,
    }


def markdown_table(headers: list[str], rows: list[tuple]) -> str:
    def fmt(v: object) -> str:
        if isinstance(v, float):
            return f"{v:,.4f}" if abs(v) < 1 else f"{v:,.2f}"
        return "" if v is None else str(v)

    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(fmt(v) for v in r) + " |" for r in rows]
    return "\n".join(lines)
