"""The FEBRL converter writes a complete delivery in our layout and a truth file."""

import json

import polars as pl

from crm.benchmarks.febrl_to_landing import BUSINESS_DATE, convert


def test_febrl3_becomes_four_party_files_with_control_and_truth(tmp_path):
    out = convert("febrl3", tmp_path / "landing", tmp_path / "truth")
    assert out["records"] == 5000 and out["persons"] == 2000
    day = BUSINESS_DATE.strftime("%Y%m%d")
    total = 0
    for system, party in (
        ("deposit", "deposit_customer.csv"),
        ("card", "card_holder.csv"),
        ("loan", "loan_borrower.csv"),
        ("fx", "fx_client.csv"),
    ):
        control = json.loads((tmp_path / "landing" / system / day / "_CONTROL.json").read_text())
        assert control["kind"] == "full"
        total += control["files"][party]["rows"]
        assert all(v["rows"] == 0 for f, v in control["files"].items() if f != party)
    assert total == 5000
    deposit = (tmp_path / "landing" / "deposit" / day / "deposit_customer.csv").read_bytes().decode("gb18030")
    assert deposit.splitlines()[1].split(",")[2] == "Z"
    truth = pl.read_csv(tmp_path / "truth" / "source_records.csv")
    assert truth.height == 5000 and truth.select(pl.struct("system", "source_key").n_unique()).item() == 5000
