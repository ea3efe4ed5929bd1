"""The delivered files of each system (shared/contract/EXTRACTS.md) and their staging targets."""

from __future__ import annotations

from dataclasses import dataclass

SYSTEMS = ("deposit", "card", "loan", "fx")
CONTROL = "_CONTROL.json"  # written last: a delivery folder without it is incomplete


# Staging tables that hold each record's latest state (the others hold dated activity rows).
SNAPSHOT_TARGETS = ("party", "account")


@dataclass(frozen=True)
class FileSpec:
    name: str  # file name in the delivery folder, e.g. "deposit_customer.csv"
    columns: tuple[str, ...]  # required columns, in contract order
    target: str  # staging table: party, account, deposit_balance, loan_balance, card_txn, fx_deal
    keys: tuple[str, ...]  # must be present: the row's system key and the key it points to
    pii: tuple[str, ...] = ()  # ID / phone fields: never logged, masked in quarantine.raw_line

    @property
    def stem(self) -> str:
        return self.name.removesuffix(".csv")

    @property
    def snapshot(self) -> bool:
        return self.target in SNAPSHOT_TARGETS


FILES: dict[str, tuple[FileSpec, ...]] = {
    "deposit": (
        FileSpec(
            "deposit_customer.csv",
            (
                "cust_no",
                "cust_name",
                "cert_type",
                "cert_no",
                "birth_date",
                "gender",
                "mobile_no",
                "address",
                "open_branch",
                "open_date",
            ),
            "party",
            ("cust_no",),
            ("cert_no", "mobile_no"),
        ),
        FileSpec(
            "deposit_account.csv",
            ("acct_no", "cust_no", "product", "currency", "open_date", "maturity_date", "close_date", "status"),
            "account",
            ("acct_no", "cust_no"),
        ),
        FileSpec(
            "deposit_balance.csv",
            ("acct_no", "balance_date", "balance", "interest_rate"),
            "deposit_balance",
            ("acct_no",),
        ),
    ),
    "card": (
        FileSpec(
            "card_holder.csv",
            (
                "holder_id",
                "holder_name",
                "id_type",
                "id_number",
                "dob",
                "sex",
                "phone",
                "email",
                "bill_address",
                "member_since",
            ),
            "party",
            ("holder_id",),
            ("id_number", "phone"),
        ),
        FileSpec(
            "card_account.csv",
            (
                "card_acct_id",
                "holder_id",
                "card_type",
                "card_level",
                "credit_limit",
                "open_date",
                "close_date",
                "status",
            ),
            "account",
            ("card_acct_id", "holder_id"),
        ),
        FileSpec(
            "card_txn.csv",
            ("txn_id", "card_acct_id", "txn_time", "amount", "mcc", "channel", "txn_type"),
            "card_txn",
            ("txn_id", "card_acct_id"),
        ),
    ),
    "loan": (
        FileSpec(
            "loan_borrower.csv",
            (
                "borrower_id",
                "name",
                "id_kind",
                "id_no",
                "birthday",
                "gender",
                "contact_phone",
                "residence_address",
                "employer",
            ),
            "party",
            ("borrower_id",),
            ("id_no", "contact_phone"),
        ),
        FileSpec(
            "loan_contract.csv",
            (
                "contract_no",
                "borrower_id",
                "product",
                "principal",
                "annual_rate",
                "start_date",
                "maturity_date",
                "status",
            ),
            "account",
            ("contract_no", "borrower_id"),
        ),
        FileSpec(
            "loan_balance.csv",
            ("contract_no", "as_of", "outstanding", "days_past_due", "interest_accrued"),
            "loan_balance",
            ("contract_no",),
        ),
    ),
    "fx": (
        FileSpec(
            "fx_client.csv",
            (
                "client_ref",
                "name_en",
                "name_local",
                "doc_type",
                "doc_no",
                "date_of_birth",
                "nationality",
                "mobile",
                "address_en",
            ),
            "party",
            ("client_ref",),
            ("doc_no", "mobile"),
        ),
        FileSpec(
            "fx_deal.csv",
            (
                "deal_id",
                "client_ref",
                "trade_date",
                "sell_ccy",
                "buy_ccy",
                "sell_amount",
                "buy_amount",
                "rate",
                "margin_cny",
                "channel",
            ),
            "fx_deal",
            ("deal_id", "client_ref"),
        ),
    ),
}

# Per staging target, the columns that name a row once: a file repeating them quarantines the later line
# (sql/ingest/dedupe.sql), and an activity row already staged under them is re-sent (sql/ingest/resent.sql).
ROW_KEY: dict[str, tuple[str, ...]] = {
    "party": ("system", "source_key"),
    "account": ("system", "account_key"),
    "deposit_balance": ("acct_no", "balance_date"),
    "loan_balance": ("contract_no", "as_of"),
    "card_txn": ("txn_id",),
    "fx_deal": ("deal_id",),
}

# Money columns of each activity target, reconciled exactly against the file (sql/ingest/totals.sql).
MONEY: dict[str, tuple[str, ...]] = {
    "deposit_balance": ("balance",),
    "loan_balance": ("outstanding", "interest_accrued"),
    "card_txn": ("amount",),
    "fx_deal": ("sell_amount", "buy_amount", "margin_cny"),
}


def duplicate_reason(target: str) -> str:
    """Quarantine reason of a line repeating its key (its first key column is the field named)."""
    keys = ROW_KEY[target]
    if target in SNAPSHOT_TARGETS:
        return f"{keys[-1]}: duplicate key in snapshot"
    return f"{keys[0]}: duplicate key {'+'.join(keys)} in file"


DEFAULT_ENCODING = {"deposit": "gb18030", "card": "utf-8", "loan": "utf-8", "fx": "utf-8"}


def file_spec(system: str, name: str) -> FileSpec:
    for spec in FILES[system]:
        if spec.name == name:
            return spec
    raise KeyError(f"{system}: no file {name}")
