"""Lifecycle stage per customer and month-end: acquisition, growth, maturity, decline, lapsed.

Judged at every month-end of the data (`sql/lifecycle/monthly.sql`), in this order, first match wins:

- **lapsed**: nothing held, or deposits + loan outstanding under 100 CNY with no card or FX activity
  in the three months to the month-end (the churn definition's state);
- **decline** (tenure of 4 months or more): deposits under 75% of their level three month-ends
  earlier (which was at least 1,000 CNY); or card and FX activity of the last three months under 30%
  of the three months before (at least 9 events then); or fewer products than three month-ends earlier;
  the deposit and activity rules hold only when no product was taken meanwhile (a down payment
  spent on a new mortgage is no decline);
- **acquisition**: first account or FX deal less than 6 months ago;
- **growth**: more products than six month-ends earlier, or (tenure under 24 months) the last three
  months' average contribution at least 20% above the three months before;
- **maturity**: everyone else.

A fall in contribution is not a decline signal: at 400 persons it fired for 121 of 6,895 month-ends of
persons who stayed and 17 of 196 of persons about to churn (card fees and FX margins are lumpy); a
looser activity rule (under half, 6 events) was as noisy. The thresholds sit above the month-to-month noise of balances (a 3-month fall to 75% is about a
2.4-sigma move of one account's balance in the generator's random walk) and below the fall of a
customer drifting away (balances and activity fall to ~15-45% over 2-4 months).
"""

from __future__ import annotations

from datetime import date

import duckdb

from models.value import _has_table, load_rules, prepare_accounts
from models.warehouse import query, replace_date_rows, run_script

STAGES = ("acquisition", "growth", "maturity", "decline", "lapsed")
RULES = {
    "floor_cny": 100.0,  # the churn definition's balance floor
    "trend_months": 4,  # a 3-month trend needs this much tenure
    "min_deposit_cny": 1000.0,
    "decline_ratio": 0.75,
    "min_events": 9,
    "activity_ratio": 0.3,
    "acquisition_months": 6,
    "growth_months": 24,
    "growth_ratio": 1.2,
}


def lifecycle_previous(con: duckdb.DuckDBPyConnection, as_of: date) -> date | None:
    """The last lifecycle night before `as_of` whose month-ends are tonight's: its rows stand for every
    customer whose inputs did not change since. None (recompute everyone) when a month-end has passed."""
    if not _has_table(con, "marts", "customer_lifecycle_state"):
        return None
    return query(con, "lifecycle/previous_night", as_of=as_of)[0][0]


def build_lifecycle(con: duckdb.DuckDBPyConnection, as_of: date, full: bool = False) -> dict[str, object]:
    """Update marts.customer_lifecycle_monthly for the customers whose inputs changed since the last
    night (everyone when `full` or a month-end has passed) and write tonight's version of the history."""
    load_rules(con)
    prepare_accounts(con, as_of)
    previous = None if full else lifecycle_previous(con, as_of)
    if previous is None:
        run_script(con, "lifecycle/scope_all")
    else:
        run_script(con, "marts/contribution_scope", as_of=as_of, previous=previous)
        last_month = query(con, "lifecycle/last_month", as_of=as_of)[0][0]  # as last night's (previous_night)
        run_script(con, "lifecycle/scope", as_of=as_of, previous=previous, last_month=last_month)
    recomputed = query(con, "lifecycle/scope_count")[0][0]
    run_script(con, "lifecycle/monthly", as_of=as_of, **RULES)
    run_script(con, "lifecycle/history", as_of=as_of)
    replace_date_rows(con, "marts.customer_lifecycle_history", "as_of_date", as_of, rows="lifecycle_latest")
    stages = dict(query(con, "lifecycle/stage_counts", as_of=as_of))
    rows, months = query(con, "lifecycle/monthly_figures")[0]
    flows = query(con, "lifecycle/stage_flows", as_of=as_of)
    return {
        "recomputed": "every customer" if previous is None else f"{recomputed:,} customer(s) changed since {previous}",
        "stages": {s: int(stages.get(s, 0)) for s in STAGES},
        "monthly_rows": int(rows),
        "months": int(months),
        "flows": flows,
    }
