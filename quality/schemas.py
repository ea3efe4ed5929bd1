"""pandera schemas of the staging tables (polars backend): the value rules of the contract, written once.

Ingestion checks them in place in DuckDB, compiled to SQL by `quality/schema_sql.py` (built-in checks
only: a check it cannot compile raises); failing rows are quarantined with their line, field and
check. `failures` runs pandera itself on a polars frame: the reference the compiled SQL is tested
against. Parsing (dates, numbers, codes) is already done in SQL.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pandera.polars as pa

from quality.bounds import bounds, label

ID_TYPES = ["RESIDENT", "PASSPORT", "PERMIT", "OTHER"]
GENDERS = ["M", "F"]
PRODUCTS = ["CURRENT", "TIME", "NOTICE", "DEBIT", "CREDIT", "MORTGAGE", "AUTO", "CONSUMER", "BUSINESS"]
STATUSES = ["ACTIVE", "DORMANT", "FROZEN", "CLOSED", "SETTLED", "WRITTEN_OFF"]
CARD_LEVELS = ["STANDARD", "GOLD", "PLATINUM", "DIAMOND"]
CARD_CHANNELS = ["POS", "ONLINE", "ATM", "MOBILE"]
TXN_TYPES = ["PURCHASE", "CASH_ADVANCE", "REFUND", "PAYMENT", "FEE", "INTEREST"]
FX_CHANNELS = ["BRANCH", "ONLINE", "MOBILE"]

# Optional fields whose failing value is nulled and noted, keeping the record (field-level quarantine):
# a person with a bad birth date is still a customer. Any other failure rejects the whole row.
FIELD_LEVEL = {
    "party": ("id_type", "birth_date", "gender", "nationality", "since_date"),
}

EARLIEST = date(1900, 1, 1)
LATEST = date(2100, 12, 31)  # maturities lie in the future


def _key() -> pa.Column:
    return pa.Column(str, nullable=False, coerce=False)


def _text(*checks: pa.Check) -> pa.Column:
    return pa.Column(str, checks=list(checks), nullable=True)


def _date(lo: date, hi: date) -> pa.Column:
    return pa.Column(checks=[pa.Check.in_range(lo, hi)], nullable=True)


def _ts(lo: date, hi: date) -> pa.Column:
    return pa.Column(
        checks=[
            pa.Check.in_range(datetime.combine(lo, datetime.min.time()), datetime.combine(hi, datetime.min.time()))
        ],
        nullable=True,
    )


def _money(name: str) -> pa.Column:
    """A money or rate field: finite and inside its plausible range (quality/bounds.py); NaN and
    inf fail the range too."""
    lo, hi = bounds()[name]
    return pa.Column(checks=[pa.Check.in_range(lo, hi, error=label(lo, hi))], nullable=True)


def staging_schema(target: str, business_date: date) -> pa.DataFrameSchema:
    """Schema of one staging table's rows delivered on `business_date` (dates judged against it)."""
    soon = business_date + timedelta(days=1)
    if target == "party":
        cols = {
            "source_key": _key(),
            "id_type": _text(pa.Check.isin(ID_TYPES)),
            "birth_date": _date(EARLIEST, business_date),
            "gender": _text(pa.Check.isin(GENDERS)),
            "nationality": _text(pa.Check.str_matches(r"^[A-Z]{2}$")),
            "since_date": _date(EARLIEST, soon),
        }
    elif target == "account":
        cols = {
            "account_key": _key(),
            "source_key": _key(),
            "product": _text(pa.Check.isin(PRODUCTS)),
            "currency": _text(pa.Check.str_matches(r"^[A-Z]{3}$")),
            "card_level": _text(pa.Check.isin(CARD_LEVELS)),
            "credit_limit": _money("credit_limit"),
            "principal": _money("principal"),
            "annual_rate": _money("annual_rate"),
            "open_date": _date(EARLIEST, soon),
            "maturity_date": _date(EARLIEST, LATEST),
            "close_date": _date(EARLIEST, soon),
            "status": _text(pa.Check.isin(STATUSES)),
        }
    elif target == "deposit_balance":
        cols = {
            "acct_no": _key(),
            "balance_date": _date(EARLIEST, soon),
            "balance": _money("balance"),
            "interest_rate": _money("interest_rate"),
        }
    elif target == "loan_balance":
        cols = {
            "contract_no": _key(),
            "as_of": _date(EARLIEST, soon),
            "outstanding": _money("outstanding"),
            "days_past_due": _money("days_past_due"),
            "interest_accrued": _money("interest_accrued"),
        }
    elif target == "card_txn":
        cols = {
            "txn_id": _key(),
            "card_acct_id": _key(),
            "txn_time": _ts(date(1970, 1, 1), business_date + timedelta(days=2)),
            "amount": _money("amount"),
            "mcc": _text(pa.Check.str_matches(r"^\d{4}$")),
            "channel": _text(pa.Check.isin(CARD_CHANNELS)),
            "txn_type": _text(pa.Check.isin(TXN_TYPES)),
        }
    elif target == "fx_deal":
        cols = {
            "deal_id": _key(),
            "client_ref": _key(),
            "trade_date": _date(EARLIEST, soon),
            "sell_ccy": _text(pa.Check.str_matches(r"^[A-Z]{3}$")),
            "buy_ccy": _text(pa.Check.str_matches(r"^[A-Z]{3}$")),
            "sell_amount": _money("sell_amount"),
            "buy_amount": _money("buy_amount"),
            "rate": _money("rate"),
            "margin_cny": _money("margin_cny"),
            "channel": _text(pa.Check.isin(FX_CHANNELS)),
        }
    else:
        raise KeyError(target)
    return pa.DataFrameSchema(cols, name=f"staging.{target}", strict=False, coerce=False)


def failures(schema: pa.DataFrameSchema, frame) -> list[tuple[int, str, str]]:
    """(row index, column, check) of every failing value of a collected polars frame; [] if valid."""
    try:
        schema.validate(frame, lazy=True)
        return []
    except pa.errors.SchemaErrors as err:
        fc = err.failure_cases
    out = []
    for row in fc.select("index", "column", "check").iter_rows():
        index, column, check = row
        out.append((-1 if index is None else int(index), column or "", str(check)))
    return out
