"""Identity resolution end to end on a hand-built `staging.party` (no generator needed)."""

import datetime as dt

import duckdb
import polars as pl
import pytest

from models.identity.resolve import resolve_identities
from models.identity.standardise import standardise_into
from tests.synthetic_ids import mobile
from tests.synthetic_ids import resident_id as rid

DAY1, DAY2, DAY3 = dt.date(2026, 3, 2), dt.date(2026, 3, 3), dt.date(2026, 3, 4)
COLUMNS = ["system", "source_key", "name", "name_latin", "id_type", "id_no", "birth_date", "gender", "phone", "email"]


WANG_A = rid("110105", "19850612", "123")
WANG_B = rid("310104", "19850612", "457")
ZHANG = rid("440106", "19720301", "211")
LI = rid("510107", "19900909", "022")
ZENG = rid("330106", "19660101", "035")


def typo(idno: str, pos: int) -> str:
    return idno[:pos] + str((int(idno[pos]) + 1) % 10) + idno[pos + 1 :]


BASE = [
    # Namesakes: same name and birth date, different valid IDs and phones.
    ("deposit", "D1", "王伟", None, "RESIDENT", WANG_A, "1985-06-12", "M", mobile("138", "11110001"), None),
    ("card", "C1", "王伟", None, "RESIDENT", WANG_B.lower(), "1985-06-12", "M", mobile("139", "22220002", "-"), None),
    # A third 王伟 record with no ID or phone must not bridge them.
    ("loan", "L1", "王伟", None, "OTHER", None, "1985-06-12", "M", None, None),
    # One person in three systems: FX knows him only in Latin script, the card ID has a typo.
    (
        "deposit",
        "D2",
        "张　伟（张小伟）",
        None,
        "RESIDENT",
        ZHANG,
        "1972-03-01",
        "M",
        "+86 " + mobile("136", "00000003", " "),
        None,
    ),
    ("fx", "F1", None, "WEI ZHANG", "RESIDENT", ZHANG, "1972-03-01", "M", "+86" + mobile("136", "00000003"), None),
    ("card", "C2", "张伟", None, "RESIDENT", typo(ZHANG, 9), "1972-03-01", "M", mobile("136", "00000003", "-"), None),
    # Old 15-digit number in loan, 18 in deposit.
    ("deposit", "D3", "李娜", None, "RESIDENT", LI, "1990-09-09", "F", mobile("137", "00000004"), None),
    ("loan", "L2", "李娜", None, "RESIDENT", LI[:6] + LI[8:17], None, "F", mobile("137", "00000004"), None),
    # Surname reading: 曾 is zeng, as the FX name says.
    ("deposit", "D4", "曾静", None, "RESIDENT", ZENG, "1966-01-01", "F", mobile("135", "00000005"), None),
    ("fx", "F2", None, "zeng jing", "PASSPORT", "E7654321", "1966-01-01", "F", "+86" + mobile("135", "00000005"), None),
    # Unrelated people.
    (
        "deposit",
        "D5",
        "刘洋",
        None,
        "RESIDENT",
        rid("420102", "19950505", "061"),
        "1995-05-05",
        "M",
        mobile("133", "00000006"),
        None,
    ),
    (
        "card",
        "C3",
        "陈静",
        None,
        "RESIDENT",
        rid("420102", "19800101", "082"),
        "1980-01-01",
        "F",
        mobile("133", "00000007"),
        None,
    ),
]


def frame(rows, last_seen=DAY1):
    df = pl.DataFrame(rows, schema=COLUMNS, orient="row")
    return df.with_columns(
        pl.col("birth_date").str.to_date(),
        pl.lit(last_seen).alias("last_seen"),
        pl.lit(None, pl.String).alias("address"),
        pl.lit(None, pl.String).alias("employer"),
        pl.lit(None, pl.String).alias("nationality"),
        pl.lit(None, pl.Date).alias("since_date"),
        pl.lit(last_seen).alias("first_seen"),
    )


@pytest.fixture
def wh(tmp_path):
    con = duckdb.connect(str(tmp_path / "bank.work.duckdb"))
    con.execute("create schema staging")
    yield con, tmp_path
    con.close()


def load(con, rows):
    party = frame(rows)  # noqa: F841
    con.execute("create or replace table staging.party as select * from party")


def run(con, tmp_path, day, overrides=None, **kw):
    standardise_into(con, day)
    return resolve_identities(con, day, tmp_path / "models" / "m.json", overrides_path=overrides, **kw)


def cmap(con) -> dict[str, tuple[str, str]]:
    rows = con.sql("select system || ':' || source_key, customer_id, match_rule from identity.customer_map").fetchall()
    return {k: (c, r) for k, c, r in rows}


def test_resolution_rules(wh):
    con, tmp = wh
    load(con, BASE)
    result = run(con, tmp, DAY1)
    m = cmap(con)
    assert result.mode == "full" and result.records == len(BASE)
    # Namesakes stay apart, and the ID-less record does not bridge them.
    assert m["deposit:D1"][0] != m["card:C1"][0]
    # Latin-script FX name, typo'd ID and bracketed alias all join one customer.
    assert m["deposit:D2"][0] == m["fx:F1"][0] == m["card:C2"][0]
    assert m["fx:F1"][1] == "exact_id" and m["card:C2"][1] == "probabilistic"
    # 15-digit ID upgraded; surname reading.
    assert m["deposit:D3"][0] == m["loan:L2"][0]
    assert m["deposit:D4"][0] == m["fx:F2"][0]
    assert m["deposit:D5"][1] == "singleton" and m["deposit:D5"][0] != m["card:C3"][0]
    assert all(c.startswith("C") and len(c) == 10 for c, _ in m.values())


def test_ids_stable_and_incremental(wh):
    con, tmp = wh
    load(con, BASE)
    run(con, tmp, DAY1)
    first = cmap(con)
    again = run(con, tmp, DAY2)
    assert again.mode == "incremental" and again.dirty == 0
    assert cmap(con) == first
    # Next night: Li Na opens a card; a brand-new customer arrives.
    load(
        con,
        BASE
        + [
            ("card", "C9", "李娜", None, "RESIDENT", LI, "1990-09-09", "F", mobile("137", "00000004", "-"), None),
            (
                "loan",
                "L9",
                "赵敏",
                None,
                "RESIDENT",
                rid("110105", "20000202", "044"),
                "2000-02-02",
                "F",
                mobile("139", "00000009"),
                None,
            ),
        ],
    )
    r3 = run(con, tmp, DAY3)
    m3 = cmap(con)
    assert r3.dirty == 2
    assert m3["card:C9"][0] == first["deposit:D3"][0]
    assert m3["loan:L9"][0] not in {c for c, _ in first.values()}
    assert {k: v for k, v in m3.items() if k in first} == first
    # A full re-match keeps every id too.
    run(con, tmp, DAY3, mode="full")
    assert {k: c for k, (c, _) in cmap(con).items()} == {k: c for k, (c, _) in m3.items()}


def test_overrides_link_and_unlink(wh):
    con, tmp = wh
    load(con, BASE)
    run(con, tmp, DAY1)
    before = cmap(con)
    overrides = tmp / "identity_overrides.csv"
    overrides.write_text(
        "action,system_a,key_a,system_b,key_b,reviewer,reason\n"
        "link,deposit,D5,card,C3,li.reviewer,same person per branch visit\n"
        "unlink,deposit,D4,fx,F2,li.reviewer,different people\n",
        encoding="utf-8",
    )
    result = run(con, tmp, DAY2, overrides=overrides)
    m = cmap(con)
    assert result.mode == "incremental"
    assert m["deposit:D5"][0] == m["card:C3"][0] and m["deposit:D5"][1] == "override_link"
    assert m["deposit:D4"][0] != m["fx:F2"][0] and m["fx:F2"][1] == "override_unlink"
    events = con.sql("select event from identity.id_event order by event").fetchall()
    assert [e for (e,) in events] == ["merge", "split"]
    # Honoured by later nights, incremental and full alike.
    run(con, tmp, DAY3, overrides=overrides)
    assert cmap(con) == m
    run(con, tmp, DAY3, overrides=overrides, mode="full")
    m_full = cmap(con)
    assert m_full["deposit:D5"][0] == m_full["card:C3"][0]
    assert m_full["deposit:D4"][0] != m_full["fx:F2"][0]
    # Untouched records keep their ids throughout.
    assert m_full["deposit:D2"][0] == before["deposit:D2"][0]


def test_changed_record_splits_off(wh):
    con, tmp = wh
    load(con, BASE)
    run(con, tmp, DAY1)
    first = cmap(con)
    # The card system corrects C2: it was a different person all along.
    rows = [r for r in BASE if r[1] != "C2"]
    rows.append(
        (
            "card",
            "C2",
            "赵敏",
            None,
            "RESIDENT",
            rid("110105", "20000202", "044"),
            "2000-02-02",
            "F",
            mobile("139", "00000009"),
            None,
        )
    )
    load(con, rows)
    result = run(con, tmp, DAY2)
    m = cmap(con)
    assert result.dirty == 1
    assert m["deposit:D2"][0] == m["fx:F1"][0] == first["deposit:D2"][0]
    assert m["card:C2"][0] != first["card:C2"][0] and m["card:C2"][1] == "singleton"
    events = con.sql("select event, customer_id, other_customer_id from identity.id_event").fetchall()
    assert events == [("split", first["deposit:D2"][0], m["card:C2"][0])]


def test_resolution_reads_and_keeps_only_what_it_needs(wh):
    """party_matched is bookkeeping (which records were matched, with which fingerprint), not a second copy
    of every field; resolution loads the match fields and the record key, not the golden record's fields."""
    from models.identity.match.settings import SPLINK_COLUMNS
    from models.identity.resolve import _previous_state, _std_frame

    con, tmp = wh
    load(con, BASE)
    run(con, tmp, DAY1)
    kept = con.execute(
        "select count(name_cn), count(id_std), count(phone_std), count(addr_tokens), count(raw_hash), count(*)"
        " from identity.party_matched"
    ).fetchall()
    assert kept == [(0, 0, 0, 0, len(BASE), len(BASE))]
    assert set(_std_frame(con).columns) == set(SPLINK_COLUMNS) | {"system", "source_key"}
    prev = _previous_state(con)
    assert prev.columns == ["uid", "customer_id", "match_rule", "match_probability", "assigned_on"]
    assert prev["customer_id"].null_count() == 0 and prev.height == len(BASE)
