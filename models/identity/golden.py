"""Golden record per customer (survivorship rules in sql/identity/golden.sql) plus analyst-safe columns.

`identity.customer_golden` keeps the raw standardised ID and phone (restricted schema) next to
`id_masked` / `phone_masked` (first 3 and last 4 characters visible) and `id_hash` / `phone_hash`
(HMAC-SHA256, hex, keyed with `crm.settings.pii_key()`), which analysts use to join.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import date

import duckdb

from crm.settings import pii_key, sql_text
from crm.sql import run_script


def keyed_hash(value: str | None, key: bytes) -> str | None:
    if value is None:
        return None
    return hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()


def hmac_pads(key: bytes) -> tuple[bytes, bytes]:
    """RFC 2104 inner and outer key pads for SHA-256 (block size 64), so SQL can compute the HMAC."""
    if len(key) > 64:
        key = hashlib.sha256(key).digest()
    key = key.ljust(64, b"\0")
    return bytes(b ^ 0x36 for b in key), bytes(b ^ 0x5C for b in key)


def write_golden(con: duckdb.DuckDBPyConnection, business_date: date, full: bool | None = None) -> dict[str, int]:
    """Rebuild `identity.customer_golden` for the customers touched on `business_date` (all when `full`,
    or when the table does not exist yet). Returns counts."""
    if full is None:
        full = not con.sql(sql_text("identity/golden_exists")).fetchall()[0][0]
    run_script(con, "identity/golden_scope", business_date=business_date, full=full)
    ipad, opad = hmac_pads(pii_key())
    con.execute("create or replace temp table golden_new as " + sql_text("identity/golden"), {"ipad": ipad, "opad": opad})
    run_script(con, "identity/write_customer_golden")
    total, rebuilt = con.sql(sql_text("identity/golden_counts")).fetchall()[0]
    run_script(con, "identity/golden_cleanup")
    return {"customers": total, "rebuilt_tonight": rebuilt, "full_rebuild": int(full)}
