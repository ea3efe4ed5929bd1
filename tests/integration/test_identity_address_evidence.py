"""Address, postcode and non-resident documents as match evidence (hand-built `staging.party`)."""

import datetime as dt

import duckdb
import polars as pl
import pytest

from models.identity.golden import write_golden
from models.identity.match.settings import BLOCKING_RULES
from models.identity.resolve import resolve_identities
from models.identity.standardise import standardise_into
from models.warehouse import run_script

DAY = dt.date(2026, 3, 2)
COLUMNS = ["system", "source_key", "name", "name_latin", "id_type", "id_no", "birth_date", "gender", "address"]

ROWS = [
    # One person: the name spelt differently in each system, a Latin name in deposit's Chinese-name
    # column, the passport filed as `other` in card; address, postcode and document number agree.
    (
        "deposit",
        "D1",
        "katherine jonson",
        None,
        "OTHER",
        "E1234567",
        "1971-04-02",
        None,
        "12 harbour street, glebe NSW 2037",
    ),
    ("card", "C1", "Kathryn Johnston", None, "PASSPORT", "E1234567", None, None, "12 harbour st, glebe NSW 2037"),
    (
        "fx",
        "F1",
        None,
        "JOHNSON CATHERINE",
        "PASSPORT",
        "E1234576",
        "1971-04-02",
        None,
        "12 Harbour Street, Glebe NSW 2037",
    ),
    # Namesakes: same name and birth date, different passports, addresses and postcodes.
    ("deposit", "D2", "david smith", None, "PASSPORT", "K7001234", "1980-05-05", "M", "4 station road, ascot VIC 3032"),
    ("card", "C2", "David Smith", None, "PASSPORT", "N5559876", "1980-05-05", "M", "77 ocean parade, bondi NSW 2026"),
    # A Chinese address and its English form (FX): the house numbers meet across scripts.
    ("deposit", "D3", "李娜", None, "PASSPORT", "G8800123", "1990-09-09", "F", "北京市朝阳区建国路88号6栋1203室"),
    (
        "fx",
        "F3",
        None,
        "LI NA",
        "PASSPORT",
        "G8800132",
        "1990-09-09",
        "F",
        "Room 1203, Bldg 6, No. 88 Jianguo Rd, Chaoyang District, Beijing",
    ),
    # Unrelated people.
    ("loan", "L1", "陈静", None, "OTHER", "P3300441", "1985-01-01", "F", "广州市天河区体育西路10号"),
    ("card", "C3", "Ahmed Khan", None, "PASSPORT", "A9090909", "1975-12-12", "M", "9 king street, perth WA 6000"),
]


def frame(rows):
    df = pl.DataFrame(rows, schema=COLUMNS, orient="row")
    return df.with_columns(
        pl.col("birth_date").str.to_date(),
        pl.lit(None, pl.String).alias("phone"),
        pl.lit(None, pl.String).alias("email"),
        pl.lit(None, pl.String).alias("employer"),
        pl.lit(None, pl.String).alias("nationality"),
        pl.lit(None, pl.Date).alias("since_date"),
        pl.lit(DAY).alias("first_seen"),
        pl.lit(DAY).alias("last_seen"),
    )


@pytest.fixture
def resolved(tmp_path):
    con = duckdb.connect(str(tmp_path / "bank.work.duckdb"))
    run_script(con, "ingest/create_tables")
    party = frame(ROWS)  # noqa: F841
    con.execute("insert into staging.party by name select * from party")
    standardise_into(con, DAY)
    resolve_identities(con, DAY, tmp_path / "models" / "m.json")
    write_golden(con, DAY, full=True)
    cmap = con.sql("select system || ':' || source_key as uid, customer_id from identity.customer_map").pl()
    std = con.sql("select * from identity.party_std").pl()
    golden = con.sql("select * from identity.customer_golden").pl()
    con.close()
    return dict(zip(cmap["uid"], cmap["customer_id"])), std, golden


def test_same_person_linked_on_address_postcode_and_document(resolved):
    cid, _, _ = resolved
    assert cid["deposit:D1"] == cid["card:C1"] == cid["fx:F1"]


def test_namesakes_with_different_documents_and_addresses_stay_apart(resolved):
    cid, _, _ = resolved
    assert cid["deposit:D2"] != cid["card:C2"]
    assert len({cid["deposit:D1"], cid["deposit:D2"], cid["loan:L1"], cid["card:C3"]}) == 4


def test_chinese_and_english_address_of_one_flat_link(resolved):
    cid, _, _ = resolved
    assert cid["deposit:D3"] == cid["fx:F3"]


def test_latin_name_in_chinese_name_column_is_read_as_latin(resolved):
    _, std, _ = resolved
    d1 = std.filter(pl.col("uid") == "deposit:D1").row(0, named=True)
    assert d1["name_cn"] is None
    assert d1["py_fwd"] == "katherinejonson"
    assert d1["postcode"] == "2037"
    assert sorted(d1["name_parts"]) == ["jonson", "katherine"]
    d3 = std.filter(pl.col("uid") == "deposit:D3").row(0, named=True)
    f3 = std.filter(pl.col("uid") == "fx:F3").row(0, named=True)
    assert d3["name_cn"] == "李娜" and d3["addr_nums"] == f3["addr_nums"] == "1203 6 88"


def test_golden_record_keeps_a_latin_name_from_a_chinese_name_column(resolved):
    cid, _, golden = resolved
    d2 = golden.filter(pl.col("customer_id") == cid["deposit:D2"]).row(0, named=True)
    assert d2["name"] is None and d2["name_latin"] == "david smith"


def test_a_person_without_a_shared_birth_date_or_postcode_still_meets_their_twin(tmp_path):
    # FEBRL-style: name order swapped, one birth date and one document missing, a postcode typo; the
    # name and the house number agree.
    rows = [
        ("card", "C9", "timothy twigger", None, None, None, None, None, "9 tunney crescent, toorak VIC 5013"),
        (
            "fx",
            "F9",
            None,
            "TWIGGER TIMOTHY",
            "PASSPORT",
            "Q2112223",
            "1921-09-26",
            None,
            "9 Tunney Crescent, Argyle, Toorak VIC 5031",
        ),
        ("deposit", "D9", "anna smith", None, "OTHER", "R5550001", "1950-01-01", "F", "4 high street, ascot VIC 3032"),
    ]
    con = duckdb.connect(str(tmp_path / "bank.work.duckdb"))
    run_script(con, "ingest/create_tables")
    party = frame(rows)  # noqa: F841
    con.execute("insert into staging.party by name select * from party")
    standardise_into(con, DAY)
    resolve_identities(con, DAY, tmp_path / "models" / "m.json")
    cid = dict(con.execute("select system || ':' || source_key, customer_id from identity.customer_map").fetchall())
    # At scale only candidate pairs are scored: some blocking rule must bring the twins together.
    blocked = []
    for rule in BLOCKING_RULES:
        keys = ", ".join(f"{expr} as k{i}" for i, expr in enumerate(rule))
        on = " and ".join(f"l.k{i} = r.k{i}" for i in range(len(rule)))
        blocked += con.execute(
            f"with k as (select uid, {keys} from identity.party_std) "
            f"select l.uid, r.uid from k l join k r on l.uid < r.uid and {on}"
        ).fetchall()
    con.close()
    assert cid["card:C9"] == cid["fx:F9"] != cid["deposit:D9"]
    assert ("card:C9", "fx:F9") in blocked
