"""The contribution rule is written once (sql/marts/contribution_rule.sql): realised contribution, the
new business of lifetime value, its loans and BTYD values and the lifecycle's month-end balances call its
macros, so a change to the rule touches one file."""

from __future__ import annotations

import re

from models.settings import SQL_DIR

RULE = "marts/contribution_rule.sql"
# The rule's scalars, and the "an account's last row of each month" window, anywhere else is a second copy.
WRITTEN_ONCE = [
    *(
        re.compile(rf"\b{name}\b")
        for name in (
            "ftp_foreign",
            "cost_of_funds",
            "lgd_default",
            "interchange_rate",
            "cash_advance_fee_rate",
            "servicing_cost",
        )
    ),
    re.compile(r"row_number\(\) over \(partition by [\w.]+, last_day\("),
]


def test_the_rule_is_written_in_one_file():
    texts = {p.relative_to(SQL_DIR).as_posix(): p.read_text() for p in SQL_DIR.rglob("*.sql")}
    for pattern in WRITTEN_ONCE:
        where = sorted(name for name, text in texts.items() if pattern.search(text))
        assert where == [RULE], (pattern.pattern, where)


CONTRIBUTION = ("deposit_cny(", "loan_cny(", "write_off_cny(", "card_cny(", "servicing_cny(")


def test_every_reader_of_the_rule_calls_its_macros():
    readers = {
        "marts/contribution_monthly.sql": CONTRIBUTION,
        "marts/ltv_new_business_fit.sql": CONTRIBUTION,
        "marts/ltv_loans.sql": ("loan_margin_monthly(", "loan_lgd("),
        "marts/btyd_summary.sql": ("card_cny(",),
    }
    for name, macros in readers.items():
        text = (SQL_DIR / name).read_text()
        assert [m for m in macros if m not in text] == [], name
