"""Tiny deliveries written exactly per shared/contract/EXTRACTS.md, for the ingestion tests.

`write_delivery(landing, system, day, files)` writes CSVs (RFC 4180, the system's encoding) and then
`_CONTROL.json` with each file's data-row count and sha256. `sample_files(system, day)` gives a small
valid delivery of every file of a system; tests edit its rows to plant faults.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from datetime import date
from pathlib import Path

from models.ingest.layout import DEFAULT_ENCODING, FILES
from tests.synthetic_ids import mobile, old_id, resident_id

Rows = list[list[str]]

# 张伟's ID is the GB 11643 worked example (check character X); the 15-digit form is its pre-1999 twin.
SAMPLE_ID = resident_id("110105", "19491231", "002")
SAMPLE_ID_15 = old_id("110105", "491231", "002")
SAMPLE_MOBILE = mobile("138", "12345678")
SAMPLE_MOBILE_DASHED = mobile("138", "12345678", "-")


def header(system: str, name: str) -> list[str]:
    for spec in FILES[system]:
        if spec.name == name:
            return list(spec.columns)
    raise KeyError(name)


def csv_bytes(rows: Rows, encoding: str) -> bytes:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return buf.getvalue().encode(encoding)


def count_rows(data: bytes, encoding: str) -> int:
    text = data.decode(encoding, errors="replace")
    return sum(1 for _ in csv.reader(io.StringIO(text, newline=""))) - 1


def write_control(delivery: Path, system: str, day: date, kind: str, encoding: str, **extra) -> None:
    files = {}
    for path in sorted(delivery.glob("*.csv")):
        data = path.read_bytes()
        files[path.name] = {"rows": count_rows(data, encoding), "sha256": hashlib.sha256(data).hexdigest()}
    control = {
        "system": system,
        "business_date": day.isoformat(),
        "kind": kind,
        "encoding": encoding,
        "files": files,
        **extra,
    }
    (delivery / "_CONTROL.json").write_text(json.dumps(control), encoding="utf-8")


def write_delivery(
    landing: Path,
    system: str,
    day: date,
    files: dict[str, Rows | bytes],
    *,
    kind: str = "daily",
    encoding: str | None = None,
    control: bool = True,
    with_header: bool = True,
) -> Path:
    """Write one delivery; `files` maps file name -> data rows (header added) or raw bytes."""
    encoding = encoding or DEFAULT_ENCODING[system]
    delivery = Path(landing) / system / day.strftime("%Y%m%d")
    delivery.mkdir(parents=True, exist_ok=True)
    for name, rows in files.items():
        if isinstance(rows, bytes):
            data = rows
        else:
            data = csv_bytes(([header(system, name)] if with_header else []) + rows, encoding)
        (delivery / name).write_bytes(data)
    if control:
        write_control(delivery, system, day, kind, encoding)
    return delivery


def sample_files(system: str, day: date) -> dict[str, Rows]:
    """A small, valid delivery of `system` (every format of the contract represented)."""
    d8 = day.strftime("%Y%m%d")
    iso = day.isoformat()
    slash = day.strftime("%Y/%m/%d")
    dmy = day.strftime("%d/%m/%Y")
    if system == "deposit":
        return {
            "deposit_customer.csv": [
                [
                    "C001",
                    "张伟",
                    "A",
                    SAMPLE_ID,
                    "19491231",
                    "M",
                    "+86 " + SAMPLE_MOBILE_DASHED,
                    "北京市朝阳区",
                    "B01",
                    "20100105",
                ],
                [
                    "C002",
                    "李　娜（小李）",
                    "A",
                    SAMPLE_ID_15,
                    "19491231",
                    "F",
                    mobile("139", "12345678"),
                    "上海市",
                    "B02",
                    "20150601",
                ],
                ["C003", "王芳", "B", "E12345678", "", "", "", "", "B01", "20200101"],
                [
                    "C004",
                    "赵敏",
                    "C",
                    "H1234567801",
                    "19800229",
                    "F",
                    mobile("137", "00000000"),
                    "广州市,天河区",
                    "B03",
                    "",
                ],
            ],
            "deposit_account.csv": [
                ["D001", "C001", "CURRENT", "CNY", "20100105", "", "", "A"],
                ["D002", "C002", "TIME", "USD", "20150601", "20300601", "", "D"],
                ["D003", "C003", "NOTICE", "CNY", "20200101", "", "20240101", "C"],
            ],
            "deposit_balance.csv": [
                ["D001", d8, "1000.50", "0.35"],
                ["D002", d8, "25000", "2.1"],
            ],
        }
    if system == "card":
        return {
            "card_holder.csv": [
                [
                    "H001",
                    "张伟",
                    "IDCARD",
                    SAMPLE_ID.lower(),
                    "1949-12-31",
                    "男",
                    SAMPLE_MOBILE_DASHED,
                    "zw@example.com",
                    "北京市",
                    "2012-03-04",
                ],
                ["H002", "Smith John", "PASSPORT", "P1234567", "1975-06-01", "女", "", "", "", "2019-01-01"],
                ["H003", "刘洋", "OTHER", "X999", "", "", "", "", "", ""],
            ],
            "card_account.csv": [
                ["A001", "H001", "CREDIT", "GOLD", "50000", "2012-03-04", "", "ACTIVE"],
                ["A002", "H002", "DEBIT", "STANDARD", "", "2019-01-01", "", "FROZEN"],
                ["A003", "H003", "DEBIT", "", "", "2019-01-01", "2023-05-05", "CLOSED"],
            ],
            "card_txn.csv": [
                ["T001", "A001", f"{iso}T10:15:00", "128.50", "5411", "POS", "PURCHASE"],
                ["T002", "A001", f"{iso} 11:00:00", "60", "5812", "ONLINE", "REFUND"],
                ["T003", "A002", f"{iso}T23:59:59", "200.00", "6011", "ATM", "CASH_ADVANCE"],
            ],
        }
    if system == "loan":
        return {
            "loan_borrower.csv": [
                ["L001", "张伟", "1", SAMPLE_ID, "1949/12/31", "1", SAMPLE_MOBILE, "北京市", "某公司"],
                ["L002", "李娜", "2", "G1234567", "1980/01/15", "2", "", "", ""],
                ["L003", "王五", "9", "Z0001", "", "0", "", "", ""],
            ],
            "loan_contract.csv": [
                ["K001", "L001", "MORTGAGE", "1000000", "4.1", "2015/01/01", "2045/01/01", "ACTIVE"],
                ["K002", "L002", "AUTO", "150000", "5.5", "2020/06/01", "2025/06/01", "SETTLED"],
            ],
            "loan_balance.csv": [
                ["K001", slash, "800000.00", "0", "2733.33"],
                ["K002", slash, "0", "", ""],
            ],
        }
    if system == "fx":
        return {
            "fx_client.csv": [
                [
                    "F001",
                    "ZHANG WEI",
                    "张伟",
                    "NATIONAL_ID",
                    SAMPLE_ID,
                    "31/12/1949",
                    "CN",
                    "+86" + SAMPLE_MOBILE,
                    "Chaoyang, Beijing",
                ],
                ["F002", "John Smith", "", "PASSPORT", "P1234567", "01/06/1975", "GB", "", ""],
            ],
            "fx_deal.csv": [
                ["X001", "F001", dmy, "CNY", "USD", "7200", "1000", "7.2", "36.5", "BRANCH"],
                ["X002", "F002", dmy, "USD", "CNY", "500", "3590", "7.18", "10", "ONLINE"],
            ],
        }
    raise KeyError(system)


def write_sample_bank(landing: Path, days: list[date]) -> None:
    """All four systems delivered on each day; the first delivery is `full`."""
    for i, day in enumerate(days):
        for system in FILES:
            write_delivery(landing, system, day, sample_files(system, day), kind="full" if i == 0 else "daily")
