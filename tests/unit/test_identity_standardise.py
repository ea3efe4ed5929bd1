"""Identity standardisation: resident IDs, names to pinyin, phones."""

import datetime as dt

import polars as pl
import pytest

from models.identity.idcard import check_char, is_valid_id, standardise_id, upgrade_15
from models.identity.pinyin import name_keys, normalise_name
from models.identity.standardise import phone_expr, standardise_party
from tests.synthetic_ids import mobile, old_id, resident_id

# GB 11643 worked example (110105, born 1949-12-31, sequence 002): check character X.
BODY = resident_id("110105", "19491231", "002")[:17]
MOBILE = mobile("138", "12345678")


def test_check_character_iso7064():
    assert check_char(BODY) == "X"
    # The standard's own definition, independent of the lookup table in idcard.py.
    for body in ("44010619900101123", "11010519491231002", "32050219751201456"):
        total = sum(int(d) * (2 ** (17 - i) % 11) for i, d in enumerate(body))
        c = (12 - total % 11) % 11
        assert check_char(body) == ("X" if c == 10 else str(c))
    assert is_valid_id(BODY + "X")
    assert is_valid_id(BODY + "x")  # card system delivers a lower-case x


def test_fifteen_digit_upgrade():
    old = old_id("110105", "491231", "002")
    assert upgrade_15(old) == BODY + "X"
    got = standardise_id(old)
    assert got["id_std"] == BODY + "X"
    assert got["id_valid"] and got["id_upgraded"]
    assert got["id_birth"] == dt.date(1949, 12, 31)
    assert got["id_sex"] == "F"  # sequence 002 is even


@pytest.mark.parametrize(
    "bad",
    [
        BODY + "1",  # wrong check character
        resident_id("110105", "19491231", "012", check="X"),  # one mistyped digit: the check character no longer fits
        resident_id("990105", "19491231", "002", check="X"),  # no such province
        "110105" + "19491331" + "002",  # month 13
        "1101051949123100",  # 16 digits
    ],
)
def test_invalid_ids_detected(bad):
    assert not standardise_id(bad)["id_valid"]


def test_mistyped_digit_keeps_its_form():
    typo = resident_id("110105", "19491231", "012", check="X")
    got = standardise_id(typo)
    assert got["id_std"] == typo and got["id_birth"] is None


def test_non_resident_documents_only_cleaned():
    got = standardise_id(" e12-345 ", resident=False)
    assert got == {"id_valid": False, "id_std": "E12345", "id_birth": None, "id_sex": None, "id_upgraded": False}


def test_name_normalisation_full_width_space_and_alias():
    assert normalise_name("王伟（王小伟）") == ("王伟", "王小伟")
    assert normalise_name("王\u3000伟") == ("王伟", None)
    assert normalise_name("ＺＨＡＮＧ　ＷＥＩ") == ("ZHANG WEI", None)


@pytest.mark.parametrize(
    "latin", ["ZHANG WEI", "Wei Zhang", "ZHANGWEI", "zhang wei", "wei  ZHANG", "Ｗｅｉ　Ｚｈａｎｇ"]
)
def test_latin_names_meet_chinese_in_either_order(latin):
    cn_fwd, cn_rev, cn_key = name_keys("张伟")
    fwd, rev, key = name_keys(latin)
    assert key == cn_key
    assert cn_fwd in (fwd, rev)


@pytest.mark.parametrize(
    "name,fwd", [("曾伟", "zengwei"), ("单丽", "shanli"), ("解明", "xieming"), ("欧阳娜娜", "ouyangnana")]
)
def test_surname_readings(name, fwd):
    assert name_keys(name)[0] == fwd


def test_phone_forms():
    raw = pl.Series(
        [
            "+86" + MOBILE,
            mobile("138", "12345678", "-"),
            mobile("138", "12345678", " "),
            "0086" + MOBILE,
            "12345",
            None,
            "０１３８",
        ]
    )
    got = pl.select(phone_expr(pl.lit(raw))).to_series().to_list()
    assert got == [MOBILE] * 4 + [None, None, None]


def test_standardise_party_rows():
    party = pl.DataFrame(
        {
            "system": ["deposit", "fx"],
            "source_key": ["D1", "F1"],
            "name": ["张　伟（张小伟）", None],
            "name_latin": [None, "Wei Zhang"],
            "id_type": ["RESIDENT", "RESIDENT"],
            "id_no": [old_id("110105", "491231", "002"), ""],
            "birth_date": [None, dt.date(1949, 12, 31)],
            "gender": [None, "F"],
            "phone": ["+86 " + mobile("138", "12345678", "-"), ""],
            "email": [None, "A@B.CN"],
            "last_seen": [dt.date(2026, 1, 1)] * 2,
        }
    )
    std = standardise_party(party).sort("uid")
    d, f = std.row(0, named=True), std.row(1, named=True)
    assert d["uid"] == "deposit:D1" and d["name_cn"] == "张伟" and d["name_alias"] == "张小伟"
    assert d["id_std"] == BODY + "X" and d["birth_date"] == dt.date(1949, 12, 31) and d["gender"] == "F"
    assert d["phone_std"] == MOBILE
    assert f["id_std"] is None and f["phone_std"] is None and f["name_key"] == d["name_key"]
    assert f["email_std"] == "a@b.cn"


def test_15_digit_id_takes_its_century_from_the_records_birth_date():
    import datetime as dt

    import polars as pl

    from models.identity.idcard import add_id_columns, upgrade_15

    raw = old_id("110105", "050101", "123")  # YYMMDD 050101: 1905 or 2005
    df = pl.DataFrame({"raw": [raw, raw], "res": [True, True], "birth": [dt.date(2005, 1, 1), None]})
    out = add_id_columns(df, "raw", "res", today=dt.date(2026, 1, 1), birth="birth")
    assert out["id_birth"].to_list() == [dt.date(2005, 1, 1), dt.date(1905, 1, 1)]
    assert out["id_std"][1] == upgrade_15(raw)
    assert out["id_std"][0].startswith("11010520050101") and out["id_valid"].all()
