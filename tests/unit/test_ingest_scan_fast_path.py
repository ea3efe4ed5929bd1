"""scan.py's fast path (runs of plain lines copied in bulk) reads every file exactly as the csv module
does record by record: same row count, same set-aside rows, same line-numbered copy, same errors."""

import random

import pytest

import models.ingest.scan as scan
from models.ingest.errors import DeliveryError
from models.ingest.layout import file_spec

SPEC = file_spec("card", "card_txn.csv")
PIECES = [
    "T{i},A1,2026-11-20T10:00:00,12.5,5411,POS,FEE",  # plain
    "T{i},A1,2026-11-20T10:00:00,12.5,5411,POS",  # a field short
    "T{i},A1,2026-11-20T10:00:00,12.5,5411,POS,FEE,extra",  # a field too many
    '"T{i}",A1,"2026-11-20T10:00:00",12.5,5411,POS,FEE',  # quoted
    'T{i},A1,2026-11-20T10:00:00,12.5,"54\n11",POS,FEE',  # quoted newline: two physical lines
    'T{i},A1,2026-11-20T10:00:00,12.5,"5,411",POS,FEE',  # quoted comma
    "T{i},A1,2026-11-20T10:00:00,12.5,5411,POS,FEE\r",  # CRLF
    "",  # blank line
    "T{i},A1,2026-11-20T10:00:00,12.5,{long},POS,FEE",  # an oversized field
    'T{i},A1,2026-11-20T10:00:00,12.5,54"11,POS,FEE',  # a stray quote inside a field
    "T{i},张伟,2026-11-20T10:00:00,12.5,5411,ＰＯＳ,FEE",  # multi-byte text
]


def _scan(path, out, fast: bool, monkeypatch):
    monkeypatch.setattr(scan, "PLAIN_FAST_PATH", fast)
    try:
        result = scan.scan_file(path, "card", SPEC, "utf-8", out)
    except DeliveryError as e:
        return ("error", str(e).replace(str(path), "<path>"))
    return result.rows, result.header, result.bad_rows, out.read_text(encoding="utf-8")


@pytest.mark.parametrize("seed", range(8))
def test_fast_path_reads_as_the_csv_module(tmp_path, monkeypatch, seed):
    rnd = random.Random(seed)
    monkeypatch.setattr(scan, "CHUNK", rnd.choice([256, 1000, 4096, 4 * 1024 * 1024]))  # records across chunks
    weights = [40] + [1] * (len(PIECES) - 1)
    lines = [rnd.choices(PIECES, weights)[0].format(i=i, long="9" * (scan.MAX_FIELD_CHARS + 1)) for i in range(300)]
    if seed % 4 == 3:
        lines[rnd.randrange(len(lines))] = 'T0,A1,"unterminated'  # the quote runs to the end of the file
    tail = "" if seed % 3 == 0 else "\n"  # with and without a final newline
    path = tmp_path / "card_txn.csv"
    path.write_text(",".join(SPEC.columns) + "\n" + "\n".join(lines) + tail, encoding="utf-8")
    slow = _scan(path, tmp_path / "slow.csv", False, monkeypatch)
    fast = _scan(path, tmp_path / "fast.csv", True, monkeypatch)
    assert fast == slow
