"""Golden record by evidence: consensus of the customer's records, resident-ID facts first, the real
start date, and the lineage of each field (hand-built staging tables)."""

import datetime as dt

import duckdb
import polars as pl
import pytest

from models.identity.golden import city_key, write_golden
from models.identity.resolve import resolve_identities
from models.identity.standardise import standardise_into
from models.warehouse import run_script
from tests.synthetic_ids import resident_id

DAY = dt.date(2026, 3, 2)
SUN = resident_id("330106", "19800101", "124")  # sequence 124: even, a woman
ZHOU = resident_id("330106", "19850505", "135")
WU = resident_id("330106", "19900303", "246")
MA = resident_id("310104", "19920404", "248")  # issued in Shanghai (徐汇区)
COLUMNS = [
    "system",
    "source_key",
    "name",
    "name_latin",
    "id_type",
    "id_no",
    "birth_date",
    "gender",
    "address",
    "since_date",
]
ROWS = [
    # Deposit (the most trusted system) holds a typo and an outdated address; card, loan and FX agree.
    ("deposit", "D1", "孙勇", None, "RESIDENT", SUN, "1980-01-02", "M", "上海市静安区南京西路1号", "2015-03-01"),
    ("card", "C1", "孙慧", None, "RESIDENT", SUN, "1980-01-01", "F", "杭州市西湖区文三路2号", "2018-06-01"),
    ("loan", "L1", "孙慧", None, "RESIDENT", SUN, None, "F", None, None),
    (
        "fx",
        "F1",
        None,
        "SUN HUI",
        "RESIDENT",
        SUN,
        "1980-01-01",
        None,
        "Room 2, No. 2 Wensan Road, Xihu District, Hangzhou",
        None,
    ),
    # An FX-only client with an English address: the city is shown in Chinese all the same.
    (
        "fx",
        "F2",
        None,
        "WANG FANG",
        "PASSPORT",
        "E7770001",
        "1970-07-07",
        "F",
        "No. 9 Keji Road, Nanshan District, Shenzhen",
        None,
    ),
    ("card", "C2", "李伟", None, "PASSPORT", "E7770002", "1972-02-02", "M", "深圳市南山区科技园路3号", "2020-01-01"),
    # Two addresses name Hangzhou without writing 市 (province abbreviated or left out); one names Shanghai.
    ("deposit", "D3", "周杰", None, "RESIDENT", ZHOU, "1985-05-05", "M", "浙江杭州西湖区文三路8号", None),
    ("card", "C3", "周杰", None, "RESIDENT", ZHOU, "1985-05-05", "M", "杭州西湖区文三路8号", None),
    ("loan", "L3", "周杰", None, "RESIDENT", ZHOU, "1985-05-05", "M", "上海市静安区南京西路5号", None),
    # One record each way: the FX record's Latin name spells 吴丹, not the deposit's typo 吴林.
    ("deposit", "D4", "吴林", None, "RESIDENT", WU, "1990-03-03", "F", None, None),
    ("card", "C4", "吴丹", None, "RESIDENT", WU, "1990-03-03", "F", None, None),
    ("fx", "F4", None, "WU DAN", "RESIDENT", WU, "1990-03-03", "F", None, None),
    # One record each way again: the card's e-mail spells 马莉; the ID was issued in Shanghai, so the
    # Shanghai address beats the (in this bank more common) Hangzhou one.
    ("deposit", "D5", "马敏", None, "RESIDENT", MA, "1992-04-04", "F", "杭州市西湖区文三路9号", None),
    ("card", "C5", "马莉", None, "RESIDENT", MA, "1992-04-04", "F", "上海市徐汇区淮海中路9号", None),
]


@pytest.fixture
def golden(tmp_path):
    con = duckdb.connect(str(tmp_path / "bank.work.duckdb"))
    run_script(con, "ingest/create_tables")
    party = pl.DataFrame(ROWS, schema=COLUMNS, orient="row").with_columns(  # noqa: F841
        pl.col("birth_date").str.to_date(),
        pl.col("since_date").str.to_date(),
        *[pl.lit(None, pl.String).alias(c) for c in ("phone", "employer", "nationality", "branch")],
        pl.when(pl.col("source_key") == "C5").then(pl.lit("mali793@sina.com")).alias("email"),
        pl.lit(DAY).alias("first_seen"),
        pl.lit(DAY).alias("last_seen"),
    )
    con.execute("insert into staging.party by name select * from party")
    con.execute(
        "insert into staging.account (system, account_key, source_key, product, open_date, status, first_seen, last_seen) "
        "values ('loan', 'LC1', 'L1', 'MORTGAGE', date '2012-05-05', 'ACTIVE', $d, $d), "
        "('card', 'CA1', 'C1', 'DEBIT', date '2019-01-01', 'ACTIVE', $d, $d)",
        {"d": DAY},
    )
    standardise_into(con, DAY)
    resolve_identities(con, DAY, tmp_path / "models" / "m.json")
    write_golden(con, DAY, full=True)
    out = con.sql(
        "select m.system || ':' || m.source_key as uid, g.* from identity.customer_golden g "
        "join identity.customer_map m using (customer_id)"
    ).pl()
    con.close()
    return {r["uid"]: r for r in out.iter_rows(named=True)}


def test_the_name_most_records_agree_on_wins_over_the_most_trusted_system(golden):
    sun = golden["deposit:D1"]
    assert golden["card:C1"]["customer_id"] == sun["customer_id"]
    assert sun["name"] == "孙慧"
    assert sun["name_source"].endswith("2 of 3 records") and sun["name_source"].split(":")[0] in ("card", "loan")


def test_birth_date_and_sex_follow_a_valid_resident_id(golden):
    sun = golden["deposit:D1"]
    assert sun["birth_date"] == dt.date(1980, 1, 1) and sun["gender"] == "F"
    assert sun["birth_date_source"].endswith("resident ID") and sun["gender_source"].endswith("resident ID")


def test_city_is_voted_across_scripts(golden):
    assert golden["deposit:D1"]["city"] == "杭州市"  # card + FX (Hangzhou) against deposit's old address
    assert golden["deposit:D1"]["city_source"].endswith("2 of 3 records")
    assert golden["fx:F2"]["city"] == "深圳市"  # English only, shown in the population's Chinese spelling


def test_city_province_and_district_come_from_the_parsed_addresses(golden):
    zhou = golden["deposit:D3"]
    assert (zhou["province"], zhou["city"], zhou["district"]) == ("浙江省", "杭州市", "西湖区")
    assert zhou["city_source"].endswith("2 of 3 records") and zhou["district_source"].endswith("2 of 3 records")
    # An English address is read from the same division table.
    f2 = golden["fx:F2"]
    assert (f2["province"], f2["city"], f2["district"]) == ("广东省", "深圳市", "南山区")


def test_name_ties_go_to_the_latin_spelling_of_the_customer(golden):
    wu, ma = golden["deposit:D4"], golden["deposit:D5"]
    assert golden["fx:F4"]["customer_id"] == golden["card:C4"]["customer_id"] == wu["customer_id"]
    assert (
        wu["name"] == "吴丹"
        and wu["name_source"] == "card:C4 1 of 2 records, tie settled by a Latin spelling of the name"
    )
    assert golden["card:C5"]["customer_id"] == ma["customer_id"]
    assert ma["name"] == "马莉" and ma["name_source"].startswith("card:C5")


def test_place_ties_go_to_where_the_resident_id_was_issued(golden):
    ma = golden["deposit:D5"]
    assert (ma["province"], ma["city"], ma["district"]) == ("上海市", "上海市", "徐汇区")
    assert ma["city_source"] == "card:C5 1 of 2 records, tie settled by the resident ID's region"


def test_first_seen_is_the_earliest_customer_since_or_open_date(golden):
    sun = golden["deposit:D1"]
    assert sun["first_seen"] == dt.date(2012, 5, 5)
    assert sun["first_seen_source"].startswith("loan:L1")
    assert golden["fx:F2"]["first_seen"] == DAY and golden["fx:F2"]["first_seen_source"] == "first delivery"


@pytest.mark.parametrize("a,b", [("上海市", "Shanghai"), ("西安市", "Xi'an"), ("重庆", "CHONGQING")])
def test_city_keys_are_script_free(a, b):
    assert city_key(a) == city_key(b)
