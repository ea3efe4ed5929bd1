"""Golden record per customer (survivorship rules in sql/identity/golden.sql) plus analyst-safe columns.

`identity.customer_golden` keeps the raw standardised ID and phone (restricted schema) next to
`id_masked` / `phone_masked` (first 3 and last 4 characters visible) and `id_hash` / `phone_hash`
(HMAC-SHA256, hex, keyed with `models.settings.pii_key()`), which analysts use to join.

Hashes are made once per golden record, so a new CRM_PII_KEY would leave old-key hashes behind. The
work file keeps a fingerprint of the key (an HMAC of a fixed label, never the key); when it differs,
every golden record and every published date's hashes are redone with the new key.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import logging
import re
from datetime import date

import duckdb
import polars as pl

from models.settings import pii_key, sql_text
from models.warehouse import query, run_script

log = logging.getLogger(__name__)
FINGERPRINT_LABEL = "crm pii key fingerprint"


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


def city_key(city: str) -> str:
    """Script-free key of a city name: 上海市 and `Shanghai` both give `shanghai`."""
    from pypinyin import lazy_pinyin

    text = city.strip().removesuffix("市")
    if re.search(r"[\u3400-\u9fff]", text):
        text = "".join(lazy_pinyin(text))
    return re.sub(r"[^a-z]", "", text.lower())


def _city_keys(con: duckdb.DuckDBPyConnection) -> None:
    """`golden_city_keys(address, city, city_key)`: cities are few, so pinyin runs once per distinct city."""
    run_script(con, "identity/golden_city_names")
    cities = [r[0] for r in con.execute("select distinct city from golden_address_city").fetchall()]
    keys = pl.DataFrame(
        {"city": cities, "city_key": [city_key(c) for c in cities]}, schema={"city": pl.String, "city_key": pl.String}
    )
    con.register("golden_city_key_map", keys)
    try:
        run_script(con, "identity/golden_city_keys")
    finally:
        con.unregister("golden_city_key_map")
    # Where each resident-ID region code lies (its first 6 digits: the issuing county), for ties.
    con.register("golden_region", _region_table())


@functools.cache
def _region_table() -> pl.DataFrame:
    """region (6 digits), province, city_key, district of every division (cpca's table)."""
    from models.identity.address_divisions import divisions, parts_of

    rows = []
    for code in divisions():
        province, city, district = parts_of(code)
        rows.append((code, province, city_key(city) if city else None, district))
    return pl.DataFrame(rows, schema=["region", "province", "city_key", "district"], orient="row")


def key_fingerprint(key: bytes) -> str:
    return keyed_hash(FINGERPRINT_LABEL, key)


def write_golden(con: duckdb.DuckDBPyConnection, business_date: date, full: bool | None = None) -> dict[str, int]:
    """Rebuild `identity.customer_golden` for the customers touched on `business_date` (all when `full`,
    when the table does not exist yet, or when CRM_PII_KEY changed). Returns counts."""
    if full is None:
        full = not con.sql(sql_text("identity/golden_exists")).fetchall()[0][0]
    key = pii_key()
    ipad, opad = hmac_pads(key)
    run_script(con, "identity/schema")
    stored = query(con, "identity/pii_key_fingerprint")
    fingerprint = key_fingerprint(key)
    key_changed = bool(stored) and stored[0][0] != fingerprint
    full = full or key_changed
    # The new golden rows are built before the transaction: temp tables written inside it stay in memory
    # (transaction-local), and a 1M-person full night ran out of a 4 GB budget there.
    run_script(con, "identity/golden_scope", business_date=business_date, full=full)
    _city_keys(con)
    _build(con, ipad, opad)
    widened = not full and _columns(con, "identity.customer_golden") != _columns(con, "golden_new")
    if widened:  # the golden record gained columns since it was built: rebuild it whole, once
        full = True
        run_script(con, "identity/golden_scope", business_date=business_date, full=True)
        _build(con, ipad, opad)
    con.execute("begin transaction")
    try:
        if key_changed:
            log.warning("CRM_PII_KEY changed since the last night: re-hashing every golden record and published date")
            if query(con, "identity/customer_history_exists")[0][0]:
                run_script(con, "identity/pii_rehash_history", ipad=ipad, opad=opad)
        if widened:
            con.execute("drop table identity.customer_golden")
        run_script(con, "identity/write_customer_golden")
        total, rebuilt = con.sql(sql_text("identity/golden_counts")).fetchall()[0]
        run_script(con, "identity/golden_cleanup")
        con.unregister("golden_region")
        if not stored or key_changed:
            run_script(con, "identity/pii_key_record", fingerprint=fingerprint)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return {
        "customers": total,
        "rebuilt_tonight": rebuilt,
        "full_rebuild": int(full),
        "pii_key_changed": int(key_changed),
    }


def _build(con: duckdb.DuckDBPyConnection, ipad: bytes, opad: bytes) -> None:
    """`golden_new` for the customers in `golden_scope`. The records and the scored candidate values are
    temp tables first: as CTEs read several times DuckDB held them in memory, and a 1M-person full
    night ran out of a 4 GB budget; temp tables spill."""
    run_script(con, "identity/golden_records")
    run_script(con, "identity/golden_scored")
    golden_sql = "create or replace temp table golden_new as " + sql_text("identity/golden")
    con.execute(golden_sql, {"ipad": ipad, "opad": opad})


def _columns(con: duckdb.DuckDBPyConnection, relation: str) -> list[tuple[str, str]]:
    return [(r[0], r[1]) for r in con.execute(f"describe {relation}").fetchall()]
