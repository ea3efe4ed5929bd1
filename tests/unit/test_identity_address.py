"""Address standardisation: postcode, house numbers across scripts, token sets."""

import polars as pl

from models.identity.address import address_frame


def _one(raw: str) -> dict:
    return address_frame(pl.Series([raw])).row(0, named=True)


def test_postcode_at_the_end_or_after_label():
    assert _one("8 stanley street, miami, winston hills NSW 4223")["postcode"] == "4223"
    assert _one("上海市浦东新区 邮编200120 世纪大道100号")["postcode"] == "200120"
    # A house number ending a Chinese address is not a postcode.
    assert _one("北京市朝阳区建国路123")["postcode"] is None


def test_house_numbers_meet_across_scripts():
    cn = _one("北京市朝阳区建国路123号5栋1201室")
    en = _one("Room 1201, Bldg 5, No. 123 Jianguo Rd, Chaoyang District, Beijing")
    assert cn["addr_nums"] == en["addr_nums"] == "1201 123 5"


def test_tokens_are_distinct_words_numbers_and_bigrams_without_postcode():
    lat = _one("12 Harbour Street, Glebe NSW 2037")
    assert lat["addr_tokens"] == ["12", "glebe", "harbour", "nsw", "street"]
    assert lat["addr_norm"] == "12 harbour street glebe nsw"
    cn = _one("朝阳区 建国路")
    assert cn["addr_tokens"] == sorted(["朝阳", "阳区", "建国", "国路"])
    assert _one("  ")["addr_tokens"] is None
