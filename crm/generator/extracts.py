"""Turn one simulated chunk into the rows of each delivered file (snapshot as of a date, or the
activity of the full history / of one day), formatted as each system writes them."""

from __future__ import annotations

import numpy as np
import polars as pl

from crm.generator.calendar import Calendar

DATE_FMT = {"deposit": "%Y%m%d", "card": "%Y-%m-%d", "loan": "%Y/%m/%d", "fx": "%d/%m/%Y"}


def dates(arr: np.ndarray, system: str) -> pl.Series:
    return pl.Series(arr.astype("datetime64[D]")).dt.strftime(DATE_FMT[system])


def num(arr: np.ndarray, decimals: int = 2) -> pl.Series:
    return pl.Series(np.asarray(arr, dtype=float)).fill_nan(None).round(decimals).cast(pl.String)


def strs(arr) -> pl.Series:
    return pl.Series(np.asarray(arr, dtype=object).astype(str))


def open_at(open_d, close_d, d) -> np.ndarray:
    return (open_d <= d) & (np.isnat(close_d) | (close_d > d))


def deposit_account(acc: dict, keys, owners, d: np.datetime64, silent_since) -> pl.DataFrame:
    closed = ~np.isnat(acc["close_d"]) & (acc["close_d"] <= d)
    dormant = ~np.isnat(silent_since) & (silent_since <= d)
    status = np.where(closed, "C", np.where(dormant, "D", "A"))
    return pl.DataFrame(
        {
            "acct_no": keys,
            "cust_no": owners,
            "product": strs(np.where(acc["product"] == "FXDEP", "CURRENT", acc["product"])),
            "currency": strs(acc["currency"]),
            "open_date": dates(acc["open_d"], "deposit"),
            "maturity_date": dates(acc["maturity"], "deposit"),
            "close_date": dates(np.where(closed, acc["close_d"], np.datetime64("NaT")), "deposit"),
            "status": strs(status),
        }
    ).filter(pl.Series(acc["open_d"] <= d))  # not opened yet: not delivered


def deposit_balance_full(acc: dict, keys, cal: Calendar) -> pl.DataFrame:
    H = cal.history
    a, k = np.nonzero(~np.isnan(acc["bal"][:, :H]))
    return pl.DataFrame(
        {
            "acct_no": pl.Series(keys)[a],
            "balance_date": dates(cal.month_end(k), "deposit"),
            "balance": num(acc["bal"][a, k]),
            "interest_rate": num(acc["rate"][a]),
        }
    )


def _interp(mat: np.ndarray, cal: Calendar, day: int) -> np.ndarray:
    H = cal.history
    last, nxt = mat[:, H - 1], mat[:, H]
    nxt = np.where(np.isnan(nxt), last, nxt)
    last = np.where(np.isnan(last), nxt, last)  # opened after end_date: its first balance
    return last + (nxt - last) * day / float(cal.days_in(H))


def deposit_balance_day(acc: dict, keys, cal: Calendar, d: np.datetime64, day: int) -> pl.DataFrame:
    a = np.nonzero(open_at(acc["open_d"], acc["close_d"], d))[0]
    bal = _interp(acc["bal"], cal, day)[a]
    ok = ~np.isnan(bal)
    a, bal = a[ok], bal[ok]
    return pl.DataFrame(
        {
            "acct_no": pl.Series(keys)[a],
            "balance_date": dates(np.full(len(a), d), "deposit"),
            "balance": num(bal),
            "interest_rate": num(acc["rate"][a]),
        }
    )


def card_account(c: dict, keys, owners, d) -> pl.DataFrame:
    closed = ~np.isnat(c["close_d"]) & (c["close_d"] <= d)
    status = np.where(closed, "CLOSED", np.where(c["frozen"], "FROZEN", "ACTIVE"))
    return pl.DataFrame(
        {
            "card_acct_id": keys,
            "holder_id": owners,
            "card_type": strs(c["type"]),
            "card_level": strs(c["level"]),
            "credit_limit": num(c["limit"], 0).str.replace(r"\.0$", ""),
            "open_date": dates(c["open_d"], "card"),
            "close_date": dates(np.where(closed, c["close_d"], np.datetime64("NaT")), "card"),
            "status": strs(status),
        }
    ).filter(pl.Series(c["open_d"] <= d))


def card_txn(c: dict, keys, txn_ids, sel: np.ndarray) -> pl.DataFrame:
    t = c["txn"]
    return pl.DataFrame(
        {
            "txn_id": txn_ids,
            "card_acct_id": pl.Series(keys, dtype=pl.String)[t["acc"][sel]],
            "txn_time": pl.Series(t["time"][sel].astype("datetime64[ms]")).dt.strftime("%Y-%m-%dT%H:%M:%S"),
            "amount": num(t["amount"][sel]),
            "mcc": strs(t["mcc"][sel]),
            "channel": strs(t["channel"][sel]),
            "txn_type": strs(t["type"][sel]),
        }
    )


def loan_contract(ln: dict, keys, owners, d) -> pl.DataFrame:
    closed = ~np.isnat(ln["close_d"]) & (ln["close_d"] <= d)
    status = np.where(closed, np.where(ln["writeoff"], "WRITTEN_OFF", "SETTLED"), "ACTIVE")
    return pl.DataFrame(
        {
            "contract_no": keys,
            "borrower_id": owners,
            "product": strs(ln["product"]),
            "principal": num(ln["principal"]),
            "annual_rate": num(ln["rate"]),
            "start_date": dates(ln["start_d"], "loan"),
            "maturity_date": dates(ln["maturity"], "loan"),
            "status": strs(status),
        }
    ).filter(pl.Series(ln["start_d"] <= d))


def loan_balance_full(ln: dict, keys, cal: Calendar) -> pl.DataFrame:
    H = cal.history
    a, k = np.nonzero(~np.isnan(ln["out"][:, :H]))
    out = ln["out"][a, k]
    return pl.DataFrame(
        {
            "contract_no": pl.Series(keys, dtype=pl.String)[a],
            "as_of": dates(cal.month_end(k), "loan"),
            "outstanding": num(out),
            "days_past_due": strs(ln["dpd"][a, k]),
            "interest_accrued": num(out * ln["rate"][a] / 100 / 12),
        }
    )


def loan_balance_day(ln: dict, keys, cal: Calendar, d, day: int) -> pl.DataFrame:
    start_ok = ln["start_d"] <= d
    a = np.nonzero(start_ok & open_at(ln["start_d"], ln["close_d"], d))[0]
    out = _interp(ln["out"], cal, day)[a]
    ok = ~np.isnan(out)
    a, out = a[ok], out[ok]
    return pl.DataFrame(
        {
            "contract_no": pl.Series(keys, dtype=pl.String)[a],
            "as_of": dates(np.full(len(a), d), "loan"),
            "outstanding": num(out),
            "days_past_due": strs(ln["dpd"][a, cal.history]),
            "interest_accrued": num(out * ln["rate"][a] / 100 / 365),
        }
    )


def fx_deal(fx: dict, main_keys, dup_keys, deal_ids, sel) -> pl.DataFrame:
    dl = fx["deal"]
    cl = dl["client"][sel]
    ref = np.where(dl["use_dup"][sel], np.asarray(dup_keys, dtype=object)[cl], np.asarray(main_keys, dtype=object)[cl])
    return pl.DataFrame(
        {
            "deal_id": deal_ids,
            "client_ref": strs(ref),
            "trade_date": dates(dl["date"][sel], "fx"),
            "sell_ccy": strs(dl["sell_ccy"][sel]),
            "buy_ccy": strs(dl["buy_ccy"][sel]),
            "sell_amount": num(dl["sell_amount"][sel]),
            "buy_amount": num(dl["buy_amount"][sel]),
            "rate": num(dl["rate"][sel], 4),
            "margin_cny": num(dl["margin"][sel]),
            "channel": strs(dl["channel"][sel]),
        }
    )
