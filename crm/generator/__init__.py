"""Synthetic bank: writes deliveries in the layout of shared/contract/EXTRACTS.md and the ground truth.

    from crm.generator import generate, NoiseConfig
    summary = generate(landing, truth, customers=100_000, seed=42)

Persons are simulated in fixed-size chunks, each with its own seeded RNG, and appended to every
delivery's files, so memory stays flat and the same seed gives byte-identical files.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import polars as pl

from crm.generator import extracts as X
from crm.generator import records
from crm.generator.behaviour import simulate
from crm.generator.calendar import Calendar
from crm.generator.noise import NoiseConfig
from crm.generator.people import make_persons
from crm.generator.truth import Truth
from crm.generator.writers import Landing

__all__ = ["generate", "NoiseConfig", "GENERATOR_VERSION"]

# Bumped when the same seed no longer gives the same bank (benchmarks regenerate stale banks).
# 2: resident IDs are unique (version 1 let same-day, same-district people draw one number).
# 3: persons who do not churn no longer fade in the last simulated months (the truth's next 12 months).
# 4: new persons arrive in the daily deliveries; loan systems hold duplicate borrower records.
# 5: products are cross-sold after joining (behaviour.LATER), future openings in the truth.
GENERATOR_VERSION = 5

CHUNK = 25_000
ACCOUNT_HEADERS = {
    "deposit": [
        (
            "deposit_account.csv",
            ["acct_no", "cust_no", "product", "currency", "open_date", "maturity_date", "close_date", "status"],
        ),
        ("deposit_balance.csv", ["acct_no", "balance_date", "balance", "interest_rate"]),
    ],
    "card": [
        (
            "card_account.csv",
            [
                "card_acct_id",
                "holder_id",
                "card_type",
                "card_level",
                "credit_limit",
                "open_date",
                "close_date",
                "status",
            ],
        ),
        ("card_txn.csv", ["txn_id", "card_acct_id", "txn_time", "amount", "mcc", "channel", "txn_type"]),
    ],
    "loan": [
        (
            "loan_contract.csv",
            [
                "contract_no",
                "borrower_id",
                "product",
                "principal",
                "annual_rate",
                "start_date",
                "maturity_date",
                "status",
            ],
        ),
        ("loan_balance.csv", ["contract_no", "as_of", "outstanding", "days_past_due", "interest_accrued"]),
    ],
    "fx": [
        (
            "fx_deal.csv",
            [
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
            ],
        )
    ],
}
PARTY_FILE = {
    "deposit": "deposit_customer.csv",
    "card": "card_holder.csv",
    "loan": "loan_borrower.csv",
    "fx": "fx_client.csv",
}


def generate(
    landing: Path,
    truth: Path,
    customers: int,
    seed: int = 42,
    end_date: date = date(2026, 10, 31),
    history_months: int = 24,
    daily_deliveries: int = 3,
    noise: NoiseConfig | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> dict:
    noise = noise or NoiseConfig()
    if (end_date + timedelta(days=1)).day != 1:
        raise ValueError("end_date must be a month-end (the full delivery's business date)")
    cal = Calendar(end_date, history_months, daily_deliveries)
    deliveries = [(end_date, "full")] + [
        (end_date + timedelta(days=i), "daily") for i in range(1, daily_deliveries + 1)
    ]
    land = Landing(Path(landing), deliveries, noise.malformed_row, seed)
    for system, file in PARTY_FILE.items():
        land.open(system, file, records.HEADERS[system])
        for f, header in ACCOUNT_HEADERS[system]:
            land.open(system, f, header)
    tr = Truth(Path(truth))
    counters = {
        k: 0 for k in ("deposit", "card", "loan", "fx", "deposit_acct", "card_acct", "loan_acct", "txn", "deal")
    }
    n_records = n_outcomes = 0
    issued: set[str] = set()
    for ci, start in enumerate(range(0, customers, CHUNK)):
        n = min(CHUNK, customers - start)
        rng = np.random.default_rng([seed, ci])
        P = make_persons(rng, start, n, end_date, history_months, noise.namesake, issued, daily_deliveries)
        sim = simulate(rng, P, cal, noise.duplicate_record)
        n_records += _write_chunk(land, tr, rng, P, sim, cal, deliveries, noise, counters)
        tr.persons(P, sim, cal)
        tr.product_openings(P, sim, cal)
        n_outcomes += tr.outcomes(P, sim, cal)
        if progress:
            progress(start + n, customers)  # persons done, of
    tr.malformed(land.malformed)
    stats = land.finish()
    tr.config(
        {
            "seed": seed,
            "customers": customers,
            "end_date": end_date.isoformat(),
            "history_months": history_months,
            "daily_deliveries": daily_deliveries,
            "deliveries": [d.isoformat() for d, _ in deliveries],
            "first_history_month": str(cal.first_month),
            "chunk": CHUNK,
            "noise": noise.as_dict(),
        }
    )
    tr.close()
    return {
        "persons": customers,
        "source_records": n_records,
        "files": stats["files"],
        "bytes": stats["bytes"],
        "deliveries": [d.isoformat() for d, _ in deliveries],
        "outcome_rows": n_outcomes,
        "malformed_rows": len(land.malformed),
    }


def _index_keys(n: int, main: np.ndarray, dups: np.ndarray, keys: list[str]) -> tuple[np.ndarray, np.ndarray]:
    main_key = np.full(n, None, dtype=object)
    dup_key = np.full(n, None, dtype=object)
    main_key[main] = keys[: len(main)]
    dup_key[dups] = keys[len(main) :]
    return main_key, dup_key


def _since(n: int, person: np.ndarray, open_d: np.ndarray, fallback: np.ndarray) -> np.ndarray:
    days = np.full(n, np.iinfo(np.int64).max)
    np.minimum.at(days, person, open_d.astype("datetime64[D]").astype(np.int64))
    return np.where(days == np.iinfo(np.int64).max, fallback.astype("datetime64[D]").astype(np.int64), days).astype(
        "datetime64[D]"
    )


def _ids(prefix: str, base: int, sel: np.ndarray, width: int) -> pl.Series:
    digits = pl.Series((base + sel).astype(np.int64)).cast(pl.String).str.zfill(width)
    return pl.select(pl.lit(prefix) + pl.lit(digits)).to_series() if len(sel) else pl.Series([], dtype=pl.String)


def _write_chunk(land: Landing, tr: Truth, rng, P, sim, cal: Calendar, deliveries, noise, counters) -> int:
    n = len(P["seg"])
    join_d = cal.month_start(P["join"])
    party, accts, arrival = {}, {}, {}
    written = 0
    for system, acc_name in (("deposit", "deposit"), ("card", "card"), ("loan", "loan"), ("fx", "fx")):
        acc = sim[acc_name]
        if system == "fx":
            main, dups = acc["person"], acc["person"][acc["dup"]]
        else:
            dupm = acc.get("dup", np.zeros(len(acc["person"]), bool))
            main, dups = np.unique(acc["person"][~dupm]), np.unique(acc["person"][dupm])
        open_key = {"deposit": "open_d", "card": "open_d", "loan": "start_d"}.get(system)
        if open_key:
            dupm = acc.get("dup", np.zeros(len(acc["person"]), bool))
            s_main = _since(n, acc["person"][~dupm], acc[open_key][~dupm], join_d)
            s_dup = _since(n, acc["person"][dupm], acc[open_key][dupm], join_d)
            # a record whose first product here opens later is already on file (cross-sold): since at most today
            since = np.minimum(np.concatenate([s_main[main], s_dup[dups]]), np.datetime64(cal.end_date, "D"))
        else:
            since = np.concatenate([join_d[main], join_d[dups]]).astype("datetime64[D]")
        df, tdf, keys = records.build(system, rng, P, main, dups, since, counters[system], noise)
        arrival[system] = P["arrival"][np.concatenate([main, dups])]
        counters[system] += len(keys)
        written += len(keys)
        if tdf is not None:
            tr.source_records(tdf)
        party[system] = df
        main_key, dup_key = _index_keys(n, main, dups, keys)
        if system != "fx":
            dupm = acc.get("dup", np.zeros(len(acc["person"]), bool))
            owners = np.where(dupm, dup_key[acc["person"]], main_key[acc["person"]])
            akeys = records.make_key(
                f"{system}_acct", np.arange(counters[f"{system}_acct"], counters[f"{system}_acct"] + len(owners))
            )
            counters[f"{system}_acct"] += len(owners)
            accts[system] = (pl.Series(akeys, dtype=pl.String), pl.Series(owners.astype(str), dtype=pl.String))
        else:
            accts[system] = (main_key[acc["person"]], dup_key[acc["person"]])
    H = cal.history
    tx = sim["card"]["txn"]
    tx_day = tx["time"].astype("datetime64[D]")
    deal = sim["fx"]["deal"]
    dep, ln, card = sim["deposit"], sim["loan"], sim["card"]
    silent_since = np.where(sim["silent"][dep["person"]], sim["churn_date"][dep["person"]], np.datetime64("NaT"))
    for i, (d, kind) in enumerate(deliveries):
        dd = np.datetime64(d)
        # Persons arriving after end_date are delivered from their arrival day on, with their accounts.
        for system in PARTY_FILE:
            land.write(system, d, PARTY_FILE[system], party[system].filter(~pl.Series(arrival[system] > dd)))
        # (accounts not opened by the day are left out by the extract functions)
        land.write("deposit", d, "deposit_account.csv", X.deposit_account(dep, *accts["deposit"], dd, silent_since))
        land.write("card", d, "card_account.csv", X.card_account(card, *accts["card"], dd))
        land.write("loan", d, "loan_contract.csv", X.loan_contract(ln, *accts["loan"], dd))
        if kind == "full":
            tsel = np.nonzero(tx["month"] < H)[0]
            fsel = np.nonzero(deal["month"] < H)[0]
            land.write("deposit", d, "deposit_balance.csv", X.deposit_balance_full(dep, accts["deposit"][0], cal))
            land.write("loan", d, "loan_balance.csv", X.loan_balance_full(ln, accts["loan"][0], cal))
        else:
            tsel = np.nonzero(tx_day == dd)[0]
            fsel = np.nonzero(deal["date"] == dd)[0]
            land.write("deposit", d, "deposit_balance.csv", X.deposit_balance_day(dep, accts["deposit"][0], cal, dd, i))
            land.write("loan", d, "loan_balance.csv", X.loan_balance_day(ln, accts["loan"][0], cal, dd, i))
        land.write(
            "card", d, "card_txn.csv", X.card_txn(card, accts["card"][0], _ids("T", counters["txn"], tsel, 12), tsel)
        )
        land.write(
            "fx", d, "fx_deal.csv", X.fx_deal(sim["fx"], *accts["fx"], _ids("D", counters["deal"], fsel, 10), fsel)
        )
    counters["txn"] += len(tx["acc"])
    counters["deal"] += len(deal["client"])
    return written
