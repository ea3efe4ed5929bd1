"""The synthetic-bank generator: layout per EXTRACTS.md, determinism, planted problems and truth."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from crm.generator import NoiseConfig, generate
from crm.generator import idcard
from crm.generator.records import HEADERS as PARTY_HEADERS

HEADERS = {
    **{
        f: PARTY_HEADERS[s]
        for s, f in (
            ("deposit", "deposit_customer.csv"),
            ("card", "card_holder.csv"),
            ("loan", "loan_borrower.csv"),
            ("fx", "fx_client.csv"),
        )
    },
    "deposit_account.csv": [
        "acct_no",
        "cust_no",
        "product",
        "currency",
        "open_date",
        "maturity_date",
        "close_date",
        "status",
    ],
    "deposit_balance.csv": ["acct_no", "balance_date", "balance", "interest_rate"],
    "card_account.csv": [
        "card_acct_id",
        "holder_id",
        "card_type",
        "card_level",
        "credit_limit",
        "open_date",
        "close_date",
        "status",
    ],
    "card_txn.csv": ["txn_id", "card_acct_id", "txn_time", "amount", "mcc", "channel", "txn_type"],
    "loan_contract.csv": [
        "contract_no",
        "borrower_id",
        "product",
        "principal",
        "annual_rate",
        "start_date",
        "maturity_date",
        "status",
    ],
    "loan_balance.csv": ["contract_no", "as_of", "outstanding", "days_past_due", "interest_accrued"],
    "fx_deal.csv": [
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
}
EXPECTED_HEADER = {
    "deposit_customer.csv": [
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
    ],
    "card_holder.csv": [
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
    ],
    "loan_borrower.csv": [
        "borrower_id",
        "name",
        "id_kind",
        "id_no",
        "birthday",
        "gender",
        "contact_phone",
        "residence_address",
        "employer",
    ],
    "fx_client.csv": [
        "client_ref",
        "name_en",
        "name_local",
        "doc_type",
        "doc_no",
        "date_of_birth",
        "nationality",
        "mobile",
        "address_en",
    ],
}
PARTY = {
    "deposit": ("deposit_customer.csv", "cust_no"),
    "card": ("card_holder.csv", "holder_id"),
    "loan": ("loan_borrower.csv", "borrower_id"),
    "fx": ("fx_client.csv", "client_ref"),
}


@pytest.fixture(scope="module")
def bank(tmp_path_factory) -> dict:
    root = tmp_path_factory.mktemp("bank")
    summary = generate(root / "landing", root / "truth", customers=1500, seed=3, history_months=12, daily_deliveries=2)
    return {"root": root, "landing": root / "landing", "truth": root / "truth", "summary": summary}


def _read(path: Path, system: str) -> list[list[str]]:
    enc = "gb18030" if system == "deposit" else "utf-8"
    return list(csv.reader(io.StringIO(path.read_bytes().decode(enc), newline="")))


def _deliveries(landing: Path):
    for control in sorted(landing.glob("*/*/_CONTROL.json")):
        yield control.parent, json.loads(control.read_text())


def test_summary_and_layout(bank):
    s = bank["summary"]
    assert s["persons"] == 1500 and s["source_records"] > 1500 and s["files"] == 4 * 3 * 3 - 3
    assert s["deliveries"] == ["2026-10-31", "2026-11-01", "2026-11-02"]
    for system in ("deposit", "card", "loan", "fx"):
        folders = sorted(p.name for p in (bank["landing"] / system).iterdir())
        assert folders == ["20261031", "20261101", "20261102"]


def test_control_rows_and_sha256_match(bank):
    seen = 0
    for folder, control in _deliveries(bank["landing"]):
        assert control["system"] == folder.parent.name
        assert control["kind"] == ("full" if folder.name == "20261031" else "daily")
        assert control["encoding"] == ("gb18030" if control["system"] == "deposit" else "utf-8")
        for file, entry in control["files"].items():
            data = (folder / file).read_bytes()
            assert hashlib.sha256(data).hexdigest() == entry["sha256"]
            assert len(_read(folder / file, control["system"])) - 1 == entry["rows"]
            seen += 1
    assert seen == bank["summary"]["files"]


def test_headers_exact(bank):
    for folder, control in _deliveries(bank["landing"]):
        for file in control["files"]:
            header = _read(folder / file, control["system"])[0]
            assert header == EXPECTED_HEADER.get(file, HEADERS[file]), file


def test_deposit_is_gb18030_with_chinese(bank):
    raw = (bank["landing"] / "deposit" / "20261031" / "deposit_customer.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    text = raw.decode("gb18030")
    assert any("\u4e00" <= ch <= "\u9fff" for ch in text)


def test_deterministic_for_a_seed(tmp_path):
    def run(where):
        generate(where / "l", where / "t", customers=300, seed=9, history_months=6, daily_deliveries=1)
        return {p.relative_to(where).as_posix(): p.read_bytes() for p in sorted(where.rglob("*")) if p.is_file()}

    a, b = run(tmp_path / "a"), run(tmp_path / "b")
    assert a.keys() == b.keys()
    assert all(a[k] == b[k] for k in a)
    c = generate(
        tmp_path / "c" / "l", tmp_path / "c" / "t", customers=300, seed=10, history_months=6, daily_deliveries=1
    )
    assert c["persons"] == 300
    assert (tmp_path / "c" / "l" / "deposit" / "20261031" / "_CONTROL.json").read_bytes() != a[
        "l/deposit/20261031/_CONTROL.json"
    ]


def test_every_party_record_in_truth(bank):
    truth = pl.read_csv(bank["truth"] / "source_records.csv", infer_schema=False)
    known = set(zip(truth["system"], truth["source_key"]))
    assert len(known) == truth.height
    for folder, control in _deliveries(bank["landing"]):
        system = control["system"]
        file, _ = PARTY[system]
        rows = _read(folder / file, system)[1:]
        keys = {(system, r[0]) for r in rows}
        assert keys <= known
    # and each system's keys look unrelated: no key shared across systems
    assert truth.group_by("source_key").len()["len"].max() == 1


def test_planted_identity_problems(bank):
    truth = pl.read_csv(bank["truth"] / "source_records.csv", infer_schema=False).with_columns(
        pl.col("planted").fill_null("")
    )
    n = truth.height
    rate = lambda tag: truth.filter(pl.col("planted").str.contains(tag)).height / n  # noqa: E731
    noise = NoiseConfig()
    assert rate("duplicate") > 0.3 * noise.duplicate_record
    assert rate("id_15") > 0.2 * noise.id_15_digit
    assert rate("typo_name") > 0.3 * noise.name_typo
    assert rate("missing_phone") > 0.5 * noise.missing_phone
    assert 0 < rate("namesake") < 0.1
    # several persons in more than one system, and same person twice in one system
    per = truth.group_by("person_id").agg(pl.col("system").n_unique().alias("systems"), pl.len().alias("records"))
    assert per.filter(pl.col("systems") >= 2).height > 0.2 * per.height
    assert per["systems"].mean() < 3
    assert truth.group_by("system", "person_id").len()["len"].max() >= 2
    # 15-digit IDs are really in the landing, and a lower-case x in the card system
    dep = _read(bank["landing"] / "deposit" / "20261031" / "deposit_customer.csv", "deposit")
    assert any(len(r[3]) == 15 and r[3].isdigit() for r in dep[1:] if len(r) == 10 and r[2] == "A")
    assert any("\u3000" in r[1] for r in dep[1:])
    card = _read(bank["landing"] / "card" / "20261031" / "card_holder.csv", "card")
    assert any(r[3].endswith("x") for r in card[1:] if len(r) == 10)


def test_namesakes_share_name_and_birth_with_different_valid_ids(bank):
    persons = pl.read_csv(bank["truth"] / "persons.csv", infer_schema=False)
    groups = (
        persons.filter(pl.col("namesake_group").is_not_null())
        .group_by("namesake_group")
        .agg("name", "birth_date", "person_id")
    )
    assert groups.height >= 3
    truth = pl.read_csv(bank["truth"] / "source_records.csv", infer_schema=False).with_columns(
        pl.col("planted").fill_null("")
    )
    dep = pl.read_csv(
        bank["landing"] / "deposit" / "20261031" / "deposit_customer.csv",
        encoding="gb18030",
        infer_schema=False,
        truncate_ragged_lines=True,
    )
    ids = truth.filter(pl.col("system") == "deposit").join(dep, left_on="source_key", right_on="cust_no")
    for g in groups.iter_rows(named=True):
        assert len(set(g["name"])) == 1 and len(set(g["birth_date"])) == 1
        clean = ids.filter(pl.col("person_id").is_in(g["person_id"]) & (pl.col("planted") == "namesake"))
        by_person = dict(zip(clean["person_id"], clean["cert_no"]))
        if len(by_person) == 2:
            a, b = by_person.values()
            assert a != b and idcard.is_valid(a) and idcard.is_valid(b)


def test_resident_ids_are_never_issued_twice():
    """400 people of one sex born the same day in one district share 500 sequence numbers: random
    draws would collide (two people, one ID), which the identity engine rightly treats as one person."""
    import numpy as np

    from crm.generator.people import _new_id

    rng, issued = np.random.default_rng(3), set()
    ids = [_new_id(rng, "110101", "19800101", True, issued) for _ in range(400)]
    assert len(set(ids)) == 400 and issued == set(ids)
    assert all(idcard.is_valid(i) and int(i[16]) % 2 == 1 for i in ids)


def test_malformed_rows_recorded(bank):
    bad = pl.read_csv(bank["truth"] / "malformed_rows.csv", infer_schema=False)
    assert bad.height > 0
    assert set(bad["problem"]) <= {"field_count", "bad_date", "bad_amount", "unknown_code"}
    for r in bad.head(50).iter_rows(named=True):
        folder = bank["landing"] / r["system"] / r["business_date"].replace("-", "")
        rows = _read(folder / r["file"], r["system"])
        line = rows[int(r["line"]) - 1]
        # a row of another width than the header is exactly a field_count problem
        assert (len(line) != len(rows[0])) == (r["problem"] == "field_count"), r


def test_outcomes_each_month_both_classes(bank):
    out = pl.read_csv(bank["truth"] / "outcomes.csv", try_parse_dates=True)
    months = (
        out.group_by("business_date")
        .agg(pl.col("churned_90d").sum().alias("pos"), pl.len().alias("n"))
        .sort("business_date")
    )
    assert months.height == 12 and months["business_date"].max() == date(2026, 10, 31)
    assert (months["pos"] > 0).all() and (months["pos"] < months["n"]).all()
    assert out["churn_prob_90d"].is_between(0, 1).all()
    # The true hazard discriminates: churners have a higher mean probability.
    m = out.group_by("churned_90d").agg(pl.col("churn_prob_90d").mean()).sort("churned_90d")["churn_prob_90d"]
    assert m[1] > m[0]
    assert (out["contribution_next_12m"] < 0).any()  # some customers are loss-making


def test_daily_deliveries_only_carry_that_day(bank):
    for day, iso in (("20261101", "2026-11-01"), ("20261102", "2026-11-02")):
        txn = _read(bank["landing"] / "card" / day / "card_txn.csv", "card")[1:]
        assert txn and all(
            r[2].startswith(iso)
            for r in txn
            if len(r) == 7 and r[2][:4].isdigit() and r[2][4] == "-" and "2026-02-30" not in r[2]
        )
        bal = _read(bank["landing"] / "deposit" / day / "deposit_balance.csv", "deposit")[1:]
        good = [r for r in bal if len(r) == 4 and r[1].isdigit() and len(r[1]) == 8 and r[1] != "20261345"]
        assert good and {r[1] for r in good} == {day}
        deals = _read(bank["landing"] / "fx" / day / "fx_deal.csv", "fx")[1:]
        assert all(
            r[2] == f"{day[6:]}/{day[4:6]}/{day[:4]}"
            for r in deals
            if len(r) == 10 and r[2].count("/") == 2 and r[2][:2] != "31"
        )
    full = _read(bank["landing"] / "deposit" / "20261031" / "deposit_balance.csv", "deposit")[1:]
    dates = {r[1] for r in full if len(r) == 4}
    assert "20261031" in dates and "20251130" in dates


def test_noise_scaled():
    n = NoiseConfig()
    assert n.scaled(0).id_15_digit == 0 and n.scaled(2).name_typo == 2 * n.name_typo
    assert n.scaled(1000).name_local_missing == 1.0


def test_future_product_openings_in_truth_and_never_delivered_early(bank):
    from datetime import datetime

    from crm.generator.extracts import DATE_FMT

    opens = pl.read_csv(bank["truth"] / "product_openings.csv", try_parse_dates=True)
    assert opens.height > 0 and (opens["open_date"] > date(2026, 10, 31)).all()
    assert set(opens["product"]) <= {
        "CURRENT",
        "TIME",
        "NOTICE",
        "DEBIT",
        "CREDIT",
        "MORTGAGE",
        "AUTO",
        "CONSUMER",
        "BUSINESS",
        "FX",
    }
    persons = set(pl.read_csv(bank["truth"] / "persons.csv")["person_id"])
    assert set(opens["person_id"]) <= persons
    # An account is delivered only from its opening date on: a cross-sold one opening later is not there yet.
    for system, file, col in (
        ("deposit", "deposit_account.csv", 4),
        ("card", "card_account.csv", 5),
        ("loan", "loan_contract.csv", 5),
    ):
        for folder in sorted((bank["landing"] / system).iterdir()):
            day = datetime.strptime(folder.name, "%Y%m%d").date()
            opened = []
            for r in _read(folder / file, system)[1:]:
                try:
                    opened.append(datetime.strptime(r[col], DATE_FMT[system]).date())
                except (ValueError, IndexError):
                    continue  # a planted malformed row
            assert opened and max(opened) <= day, (system, folder.name)


def test_persons_who_stay_do_not_fade_at_the_end_of_the_simulation():
    """The truth's next-12-month value at the last delivered month-end runs to the last simulated month.
    Persons who never churn once faded there as if churning right after it (activity falling to 15%),
    which deflated the realised value and made every lifetime value forecast look ~6% too high."""
    import numpy as np

    from crm.generator.behaviour import simulate
    from crm.generator.calendar import Calendar
    from crm.generator.people import make_persons

    cal = Calendar(date(2026, 10, 31), 12, 2)
    rng = np.random.default_rng([5, 0])
    persons = make_persons(rng, 0, 1500, cal.end_date, cal.history, 0.0)
    sim = simulate(rng, persons, cal, 0.03)
    stay, act = ~sim["churned"], sim["act"]
    assert stay.sum() > 1000
    last4, earlier = act[stay][:, -4:].mean(axis=0), act[stay][:, :-4].mean()
    assert (last4 > 0.9 * earlier).all(), (last4, earlier)
    # Churners still drift before their churn month.
    went = np.nonzero(sim["churned"] & (sim["churn"] >= 5))[0]
    assert (act[went, sim["churn"][went] - 1] < 1).all()


def test_new_persons_arrive_at_the_history_join_rate():
    import numpy as np

    from crm.generator.people import make_persons

    end = date(2026, 10, 31)
    p = make_persons(np.random.default_rng(4), 0, 4000, end, 12, 0.0, arrival_days=10)
    new = ~np.isnat(p["arrival"])
    joined = (p["join"] >= 0) & (p["join"] < 12)
    # per day, as many arrive after end_date as joined per day during the history
    per_day_history, per_day_new = joined.sum() / (12 * 30.44), new.sum() / 10
    assert new.sum() > 5 and 0.5 < per_day_new / per_day_history < 2
    assert (p["join"][new] == 12).all()
    days = (p["arrival"][new] - np.datetime64(end)).astype(int)
    assert days.min() >= 1 and days.max() <= 10


def test_arrivals_are_delivered_from_their_day_on(bank):
    persons = pl.read_csv(bank["truth"] / "persons.csv", infer_schema=False)
    new = set(persons.filter(pl.col("join_month") == "2026-11")["person_id"])
    assert new
    src = pl.read_csv(bank["truth"] / "source_records.csv", infer_schema=False)
    keys = {(r["system"], r["source_key"]) for r in src.filter(pl.col("person_id").is_in(new)).iter_rows(named=True)}
    seen = {}
    for folder, _ in _deliveries(bank["landing"]):
        system, day = folder.parent.name, folder.name
        file, key = PARTY[system]
        rows = _read(folder / file, system)
        col = rows[0].index(key)
        for r in rows[1:]:
            if len(r) == len(rows[0]) and (system, r[col]) in keys:
                seen.setdefault((system, r[col]), []).append(day)
    assert set(seen) == keys  # every arrival's record is delivered ...
    assert all("20261031" not in days for days in seen.values())  # ... never in the full delivery
    # and delivered again in every later snapshot
    assert all(days == sorted(days) and days[-1] == "20261102" for days in seen.values())


def test_loan_system_carries_duplicate_borrowers(bank):
    src = pl.read_csv(bank["truth"] / "source_records.csv", infer_schema=False).filter(pl.col("system") == "loan")
    dups = src.filter(pl.col("planted").str.contains("duplicate"))
    assert dups.height > 0
    # the person also has a main borrower record, and the duplicate record holds a contract of its own
    mains = set(src.filter(~pl.col("planted").fill_null("").str.contains("duplicate"))["person_id"])
    assert set(dups["person_id"]) <= mains
    rows = _read(bank["landing"] / "loan" / "20261031" / "loan_contract.csv", "loan")
    borrowers = {r[1] for r in rows[1:] if len(r) == len(rows[0])}
    assert len(set(dups["source_key"]) & borrowers) >= 0.9 * dups.height
