"""Ingest time of a realistic full delivery: `python -m models.ingest.benchmark [persons] [txn_rows]`.

Builds one synthetic full delivery of all four systems (contract layout, GB18030 for deposit, a
few malformed rows per file) in a temp folder, then times `ingest_delivery` per system.
Defaults: 100k persons, 1M card transactions; a third argument 1 also times the GX suites.
"""

from __future__ import annotations

import hashlib
import json
import random
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import duckdb

from models.ingest.layout import DEFAULT_ENCODING, FILES
from models.ingest.load import ingest_delivery

DAY = date(2026, 11, 20)


def _write(delivery: Path, system: str, files: dict[str, list[str]]) -> None:
    delivery.mkdir(parents=True, exist_ok=True)
    enc = DEFAULT_ENCODING[system]
    meta = {}
    for spec in FILES[system]:
        lines = files[spec.name]
        data = (",".join(spec.columns) + "\n" + "".join(lines)).encode(enc)
        (delivery / spec.name).write_bytes(data)
        meta[spec.name] = {"rows": len(lines), "sha256": hashlib.sha256(data).hexdigest()}
    control = {"system": system, "business_date": DAY.isoformat(), "kind": "full", "encoding": enc, "files": meta}
    (delivery / "_CONTROL.json").write_text(json.dumps(control))


def build(landing: Path, persons: int, txns: int, seed: int = 1) -> None:
    rnd = random.Random(seed)
    surnames, given = "王李张刘陈杨赵黄周吴", "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平"
    d0 = date(1950, 1, 1)

    def person(i):
        b = d0 + timedelta(days=rnd.randrange(20000))
        idno = f"110105{b:%Y%m%d}{i % 1000:03}{rnd.choice('0123456789X')}"
        return rnd.choice(surnames) + rnd.choice(given) + rnd.choice(given), idno, b, f"138{i:08}"

    people = [person(i) for i in range(persons)]
    bad = lambda n: max(1, n // 5000)  # noqa: E731  a few malformed rows per file

    dep_c, dep_a, dep_b = [], [], []
    for i, (n, idno, b, ph) in enumerate(people):
        dep_c.append(f"C{i},{n},A,{idno},{b:%Y%m%d},{'MF'[i % 2]},{ph},北京市朝阳区{i}号,B{i % 50},20100105\n")
        dep_a.append(f"D{i},C{i},CURRENT,CNY,20100105,,,A\n")
        for m in range(12):
            dep_b.append(f"D{i},2025{m + 1:02}28,{rnd.random() * 1e5:.2f},0.35\n")
    dep_c += [f"CX{k},坏,A,1,notadate,M,1,x,B1,20100105\n" for k in range(bad(persons))]
    _write(
        landing / "deposit" / DAY.strftime("%Y%m%d"),
        "deposit",
        {"deposit_customer.csv": dep_c, "deposit_account.csv": dep_a, "deposit_balance.csv": dep_b},
    )

    holders = persons * 6 // 10
    ch = [
        f"H{i},{people[i][0]},IDCARD,{people[i][1].lower()},{people[i][2]:%Y-%m-%d},{'男女'[i % 2]},"
        f"138-{i % 10000:04}-{i % 9999:04},u{i}@example.com,上海市{i}弄,2015-03-04\n"
        for i in range(holders)
    ]
    ca = [
        f"A{i},H{i},{'CREDIT' if i % 3 else 'DEBIT'},GOLD,{'50000' if i % 3 else ''},2015-03-04,,ACTIVE\n"
        for i in range(holders)
    ]
    channels, types = ["POS", "ONLINE", "ATM", "MOBILE"], ["PURCHASE", "REFUND", "PAYMENT", "FEE"]
    start = date(2024, 1, 1)
    ct = [
        f"T{j},A{j % holders},{start + timedelta(days=j % 690)}T{j % 24:02}:{j % 60:02}:00,{(j % 997) + 0.5},"
        f"5411,{channels[j % 4]},{types[j % 4]}\n"
        for j in range(txns)
    ]
    ct += [f"TX{k},A1,2026-11-20T10:00:00,abc,5411,POS\n" for k in range(bad(txns))]
    _write(
        landing / "card" / DAY.strftime("%Y%m%d"),
        "card",
        {"card_holder.csv": ch, "card_account.csv": ca, "card_txn.csv": ct},
    )

    borrowers = persons * 3 // 10
    lb = [
        f"L{i},{people[i][0]},1,{people[i][1]},{people[i][2]:%Y/%m/%d},{1 + i % 2},{people[i][3]},北京,公司\n"
        for i in range(borrowers)
    ]
    lc = [f"K{i},L{i},CONSUMER,100000,4.5,2020/01/01,2030/01/01,ACTIVE\n" for i in range(borrowers)]
    lbal = [
        f"K{i},2025/{m + 1:02}/28,{90000 - m * 100}.00,{i % 3},{300.5}\n" for i in range(borrowers) for m in range(12)
    ]
    _write(
        landing / "loan" / DAY.strftime("%Y%m%d"),
        "loan",
        {"loan_borrower.csv": lb, "loan_contract.csv": lc, "loan_balance.csv": lbal},
    )

    clients = persons // 10
    fc = [
        f"F{i},ZHANG WEI,{people[i][0]},NATIONAL_ID,{people[i][1]},{people[i][2]:%d/%m/%Y},CN,+86{people[i][3]},Beijing\n"
        for i in range(clients)
    ]
    fd = [
        f"X{j},F{j % clients},{start + timedelta(days=j % 690):%d/%m/%Y},CNY,USD,7200,1000,7.2,36.5,ONLINE\n"
        for j in range(clients * 10)
    ]
    _write(landing / "fx" / DAY.strftime("%Y%m%d"), "fx", {"fx_client.csv": fc, "fx_deal.csv": fd})


def main(persons: int = 100_000, txns: int = 1_000_000, gx: int = 0) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        t = time.perf_counter()
        build(root / "landing", persons, txns)
        out = {"persons": persons, "card_txn_rows": txns, "build_seconds": round(time.perf_counter() - t, 1)}
        con = duckdb.connect(str(root / "w.duckdb"))
        total = 0.0
        for system in FILES:
            t = time.perf_counter()
            rep = ingest_delivery(con, root / "landing", system, DAY)
            secs = time.perf_counter() - t
            total += secs
            out[system] = {
                "seconds": round(secs, 1),
                "rows_read": rep.rows_read,
                "rows_staged": rep.rows_staged,
                "rows_quarantined": rep.rows_quarantined,
                "steps": rep.seconds,
            }
        out["total_seconds"] = round(total, 1)
        if gx:  # the great-expectations check's own time (sampled to 200k rows per table)
            from quality.expectations import run_system_suite

            for system in FILES:
                t = time.perf_counter()
                res = run_system_suite(con, system, DAY, root / "gx" / system)
                out[system]["gx_seconds"] = round(time.perf_counter() - t, 1)
                out[system]["gx_success"] = res["success"]
        con.close()
    return out


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:]]
    print(json.dumps(main(*args), indent=1, ensure_ascii=False))
