"""Address standardisation: postcode, house numbers across scripts, token sets."""

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

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


PARTS = ("addr_province", "addr_city", "addr_district", "addr_street", "addr_number")


def _parts(raw: str) -> tuple:
    row = _one(raw)
    return tuple(row[c] for c in PARTS)


def test_chinese_address_parts_with_and_without_province():
    assert _parts("广东省深圳市南山区科技园路1号") == ("广东省", "深圳市", "南山区", "科技园路", "1")
    # Province missing, 市 dropped: the division table fills both; a municipality is its own city.
    assert _parts("北京朝阳区建国路88号") == ("北京市", "北京市", "朝阳区", "建国路", "88")
    assert _parts("浙江杭州西湖区文三路100号") == ("浙江省", "杭州市", "西湖区", "文三路", "100")
    assert _parts("北京市东城区东四十条胡同3号") == ("北京市", "北京市", "东城区", "东四十条胡同", "3")
    # Generator style: building and room after the house number stay out of the number.
    assert _parts("重庆市渝中区解放碑12号3栋101室") == ("重庆市", "重庆市", "渝中区", "解放碑", "12")


def test_hostile_chinese_addresses():
    # Full-width digits and stray spaces.
    assert _parts("  广州市 天河区 天河路１２３号 ") == ("广东省", "广州市", "天河区", "天河路", "123")
    # A district name several cities share, written alone: no city is guessed.
    assert _parts("鼓楼区中山路5号") == (None, None, "鼓楼区", "中山路", "5")
    assert _parts("南京市鼓楼区中山路5号")[:3] == ("江苏省", "南京市", "鼓楼区")
    # No house number: the street up to its suffix, no house key.
    row = _one("上海市浦东新区世纪大道")
    assert (row["addr_street"], row["addr_number"], row["addr_house"]) == ("世纪大道", None, None)


def test_empty_and_unplaceable_addresses_have_no_parts():
    for raw in ("", "   ", "8 stanley street, miami, winston hills NSW 4223", "asdf qwer 12", "Chaoyang", "Xi'an ??"):
        row = _one(raw)
        assert all(row[c] is None for c in (*PARTS, "addr_house")), raw


def test_latin_addresses_read_from_the_division_table():
    want = ("北京市", "北京市", "朝阳区", None, None)
    assert _parts("Room 1201, Bldg 5, No. 123 Jianguo Rd, Chaoyang District, Beijing") == want
    assert _parts("88 Jianguo Rd, Chaoyang District, Beijing") == want
    assert _parts("Chaoyang Qu Beijing Shi") == want
    # 朝阳 is also a city in Liaoning: written as a city, or with its province, it is that one.
    assert _parts("Chaoyang City")[:3] == ("辽宁省", "朝阳市", None)
    assert _parts("Shuangta District, Chaoyang, Liaoning")[:3] == ("辽宁省", "朝阳市", "双塔区")
    # A street named after a city is a street: `Beijing Road East` in Nanjing.
    assert _parts("No. 518 Beijing Road East, Xuanwu District, Nanjing")[:3] == ("江苏省", "南京市", "玄武区")
    assert _parts("No. 5 Zhongshan 5th Road, Yuexiu District, Guangzhou")[:3] == ("广东省", "广州市", "越秀区")
    assert _parts("Pudong New Area, Shanghai")[:3] == ("上海市", "上海市", "浦东新区")
    assert _parts("Yanta District, Xi'an")[:3] == ("陕西省", "西安市", "雁塔区")
    # A district several cities share, alone: no place; with its city, that city's.
    assert _parts("Gulou District")[:3] == (None, None, None)
    assert _parts("Gulou District, Fuzhou, Fujian")[:3] == ("福建省", "福州市", "鼓楼区")
    assert _parts("ＧＵＡＮＧＤＯＮＧ　ＰＲＯＶＩＮＣＥ")[:3] == ("广东省", None, None)


def test_district_written_without_its_suffix():
    assert _parts("北京朝阳建国路88号") == ("北京市", "北京市", "朝阳区", "建国路", "88")
    assert _parts("深圳南山科技园路1号") == ("广东省", "深圳市", "南山区", "科技园路", "1")
    # 朝阳门内大街 is a street in Beijing, not 朝阳区.
    assert _parts("北京市朝阳门内大街5号")[:3] == ("北京市", "北京市", None)
    # 朝阳 with no province or 市: 朝阳市 (Liaoning) or Beijing's district? No city is guessed.
    assert _parts("朝阳建国路88号")[:3] == (None, None, None)
    assert _parts("朝阳市双塔区1号")[:3] == ("辽宁省", "朝阳市", "双塔区")


def test_chinese_and_english_address_of_one_flat_share_city_and_district():
    assert _address_level(
        "北京市朝阳区建国路123号5栋1201室", "Room 1201, Bldg 5, No. 123 Jianguo Rd, Chaoyang District, Beijing"
    ) in ("same house numbers",)
    assert _address_level("北京市朝阳区建国路123号", "No. 9 Tianhe Road, Tianhe District, Guangzhou") == (
        "different, not comparable by parts"
    )
    # Two English addresses keep the token levels (they have no street part).
    a, b = "No. 12 Jianguo Rd, Chaoyang District, Beijing", "No. 12 Jianguo Road, Chaoyang District, Beijing"
    assert _address_level(a, b) == "address tokens mostly shared"


def _address_level(a: str, b: str) -> str:
    """The label of the address comparison level two raw addresses reach (DuckDB SQL of the model)."""
    import duckdb

    from models.identity.match.settings import SPLINK_COLUMNS, settings_dict

    cols = [c for c in SPLINK_COLUMNS if c.startswith("addr_")]
    f = address_frame(pl.Series([a, b])).select("raw", *cols)
    left = f.filter(pl.col("raw") == a).drop("raw").rename(lambda c: c + "_l")
    right = f.filter(pl.col("raw") == b).drop("raw").rename(lambda c: c + "_r")
    pair = pl.concat([left, right], how="horizontal")  # noqa: F841 (read by the SQL below)
    con = duckdb.connect()
    comp = next(c for c in settings_dict()["comparisons"] if c["output_column_name"] == "address")
    for level in comp["comparison_levels"]:
        sql = level["sql_condition"].replace("ELSE", "true")
        if con.execute(f"select ({sql}) from pair").fetchall()[0][0]:
            return level["label_for_charts"]
    raise AssertionError("no level")


def test_province_and_city_writing_do_not_change_the_evidence():
    full, short = "上海市浦东新区世纪大道88号5栋1201室", "上海浦东新区世纪大道88号5栋1201室"
    assert _parts(full) == _parts(short) == ("上海市", "上海市", "浦东新区", "世纪大道", "88")
    assert _address_level(full, short) == "same city, district, street and number"
    assert _address_level("北京市朝阳区建国路88号", "北京朝阳区建国路88号") == "same city, district, street and number"
    # Same street, another house: below the house level for parsed addresses (bigrams would call it "mostly shared").
    assert _address_level("北京市朝阳区建国路88号", "北京市朝阳区建国路90号") == "same district and street"
    assert _address_level("北京市朝阳区建国路88号", "北京市海淀区中关村大街1号") == "same city"


def test_the_parser_reads_each_distinct_head_once(monkeypatch):
    """cpca runs in Python (~4k addresses/s): a million addresses on a few thousand streets must cost the
    streets, not the addresses, and give the same parts as parsing each address whole."""
    import cpca

    from models.identity.address import parse_cn

    seen: list[str] = []
    transform = cpca.transform

    def counting(texts, **kw):
        seen.extend(texts)
        return transform(texts, **kw)

    monkeypatch.setattr(cpca, "transform", counting)
    flats = [f"北京市朝阳区建国路{n}号{b}栋{r}室" for n, b, r in ((88, 5, 1201), (90, 1, 101), (2, 3, 4))]
    got = parse_cn(pl.Series(flats + ["上海浦东新区世纪大道100号"])).sort("raw")
    assert sorted(seen) == ["上海浦东新区世纪大道", "北京市朝阳区建国路"]
    whole = transform(got["raw"].to_list(), pos_sensitive=True)
    assert got["addr_district"].to_list() == whole["区"].tolist()
    assert got["addr_number"].to_list() == ["100", "2", "88", "90"]
    # Division names after the number: read whole.
    assert parse_cn(pl.Series(["88号北京市朝阳区"]))["addr_district"].to_list() == ["朝阳区"]


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("abcdefghijklmnopqrstuvwxyz ,'-0123456789ＡＢ朝阳区市")), max_size=60))
def test_latin_parse_of_any_text_names_real_divisions_or_nothing(text):
    from models.identity.address_divisions import divisions, parse_latin

    names = {n for n, _r in divisions().values()}
    province, city, district = parse_latin(text)
    assert all(x is None or x in names for x in (province, city, district))
    assert district is None or city is not None or province is not None
