"""Delivery files: opened once with their header, appended chunk by chunk, malformed rows planted
as they are written, and `_CONTROL.json` (rows + sha256) written last."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl

FILES = {
    "deposit": {"deposit_customer.csv": None, "deposit_account.csv": None, "deposit_balance.csv": None},
    "card": {"card_holder.csv": None, "card_account.csv": None, "card_txn.csv": None},
    "loan": {"loan_borrower.csv": None, "loan_contract.csv": None, "loan_balance.csv": None},
    "fx": {"fx_client.csv": None, "fx_deal.csv": None},
}
ENCODING = {"deposit": "gb18030", "card": "utf-8", "loan": "utf-8", "fx": "utf-8"}
# Columns a malformed row may spoil, per file: (date columns, amount columns, code columns).
SPOIL = {
    "deposit_customer.csv": (["birth_date", "open_date"], [], ["cert_type", "gender"]),
    "deposit_balance.csv": (["balance_date"], ["balance"], []),
    "card_holder.csv": (["dob", "member_since"], [], ["id_type", "sex"]),
    "card_txn.csv": (["txn_time"], ["amount"], ["txn_type", "channel"]),
    "loan_borrower.csv": (["birthday"], [], ["id_kind", "gender"]),
    "loan_balance.csv": (["as_of"], ["outstanding"], []),
    "fx_client.csv": (["date_of_birth"], [], ["doc_type"]),
    "fx_deal.csv": (["trade_date"], ["sell_amount", "margin_cny"], ["sell_ccy", "channel"]),
}
BAD_DATES = ["2026-02-30", "31/31/2026", "20261345", "N/A", "yesterday", "0000-00-00"]
BAD_AMOUNTS = ["12O.50", "N/A", "1.2.3", "--5", "abc"]
BAD_CODES = ["ZZ", "UNKNOWN", "?", "X9"]


class Landing:
    def __init__(self, root: Path, deliveries: list[tuple[date, str]], malformed_rate: float, seed: int):
        self.root, self.deliveries, self.rate = Path(root), deliveries, malformed_rate
        self.rng = np.random.default_rng([seed, 99])
        self.handles: dict = {}
        self.rows: dict = {}
        self.lines: dict = {}
        self.malformed: list[tuple] = []
        self.headers: dict = {}

    def open(self, system: str, file: str, header: list[str]) -> None:
        self.headers[file] = header
        for d, _ in self.deliveries:
            folder = self.root / system / d.strftime("%Y%m%d")
            folder.mkdir(parents=True, exist_ok=True)
            (folder / "_CONTROL.json").unlink(missing_ok=True)  # incomplete until we write it again
            fh = open(folder / file, "wb")
            fh.write((",".join(header) + "\n").encode(ENCODING[system]))
            self.handles[(system, d, file)] = fh
            self.rows[(system, d, file)] = 0
            self.lines[(system, d, file)] = 1

    def write(self, system: str, d: date, file: str, df: pl.DataFrame) -> None:
        """Append rows (all-string frame in header order); some are spoiled and moved to the block's end."""
        key = (system, d, file)
        if df.height == 0:
            return
        # An empty field means null: write it bare, never as a quoted "".
        df = df.with_columns(pl.when(pl.col(pl.String) == "").then(None).otherwise(pl.col(pl.String)).name.keep())
        bad_idx = np.zeros(0, dtype=int)
        if file in SPOIL and self.rate > 0:
            bad_idx = np.nonzero(self.rng.random(df.height) < self.rate)[0]
        good = df
        if len(bad_idx):
            mask = np.ones(df.height, bool)
            mask[bad_idx] = False
            good = df.filter(pl.Series(mask))
        text = good.write_csv(include_header=False) if good.height else ""
        if len(bad_idx):
            buf = io.StringIO()
            w = csv.writer(buf, lineterminator="\n")
            cols = df.columns
            for j, row in enumerate(df[bad_idx.tolist()].iter_rows()):
                row = ["" if v is None else v for v in row]
                dates, amounts, codes = SPOIL[file]
                kinds = (
                    ["field_count", "bad_date"]
                    + (["bad_amount"] if amounts else [])
                    + (["unknown_code"] if codes else [])
                )
                kind = kinds[int(self.rng.integers(len(kinds)))]
                if kind == "field_count":
                    row = row[:-1] if self.rng.random() < 0.5 else row + ["EXTRA"]
                elif kind == "bad_date":
                    row[cols.index(dates[int(self.rng.integers(len(dates)))])] = BAD_DATES[
                        int(self.rng.integers(len(BAD_DATES)))
                    ]
                elif kind == "bad_amount":
                    row[cols.index(amounts[int(self.rng.integers(len(amounts)))])] = BAD_AMOUNTS[
                        int(self.rng.integers(len(BAD_AMOUNTS)))
                    ]
                else:
                    row[cols.index(codes[int(self.rng.integers(len(codes)))])] = BAD_CODES[
                        int(self.rng.integers(len(BAD_CODES)))
                    ]
                w.writerow(row)
                line = self.lines[key] + good.height + j + 1
                self.malformed.append((system, d.isoformat(), file, line, kind))
            text += buf.getvalue()
        enc = ENCODING[system]
        self.handles[key].write(text.encode("ascii") if text.isascii() else text.encode(enc))
        self.rows[key] += df.height
        self.lines[key] += df.height

    def finish(self) -> dict:
        """Close every file, then write each delivery's control file last."""
        for fh in self.handles.values():
            fh.close()
        total_bytes = 0
        systems = sorted({k[0] for k in self.handles})
        for d, kind in self.deliveries:
            for system in systems:
                folder = self.root / system / d.strftime("%Y%m%d")
                files = {}
                for s, dd, file in self.handles:
                    if s != system or dd != d:
                        continue
                    h = hashlib.sha256()
                    with open(folder / file, "rb") as fh:
                        for block in iter(lambda: fh.read(1 << 20), b""):
                            h.update(block)
                    files[file] = {"rows": self.rows[(s, dd, file)], "sha256": h.hexdigest()}
                    total_bytes += (folder / file).stat().st_size
                control = {
                    "system": system,
                    "business_date": d.isoformat(),
                    "kind": kind,
                    "encoding": ENCODING[system],
                    "files": dict(sorted(files.items())),
                }
                (folder / "_CONTROL.json").write_text(json.dumps(control, indent=2) + "\n", encoding="utf-8")
        return {"files": len(self.handles), "bytes": total_bytes}
