"""The scrubber every text value passes on its way into schema crm (sql/publish/scrub.sql)."""

from __future__ import annotations

import unicodedata

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from models.warehouse import run_script
from tests.pii_patterns import BLOB, TEXT
from tests.synthetic_ids import mobile, old_id, resident_id

MOB = mobile("138", "00112233")
ID18 = resident_id("110101", "19900307", "123")
ID_X = resident_id("440301", "19851231", "001", check="x")
CARD = "6222" + "0200" + "1234" + "5678"


def _full_width(s: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if c.isdigit() or c == "+" else c for c in s)


PLANTED = [
    MOB,
    mobile("139", "87654321", "-"),
    mobile("150", "12345678", " "),
    "+86" + MOB,
    "+86 " + mobile("138", "00112233", "-"),
    "0086-" + MOB,
    "86 " + MOB,
    ".".join((MOB[:3], MOB[3:7], MOB[7:])),
    _full_width("+86" + MOB),
    ID18,
    ID_X,
    ID_X.upper(),
    old_id("110101", "900307", "123"),
    " ".join((ID18[:6], ID18[6:14], ID18[14:])),
    CARD,
    CARD + "123",
    " ".join(CARD[i : i + 4] for i in range(0, 16, 4)),
    "-".join(CARD[i : i + 4] for i in range(0, 16, 4)),
]
HARMLESS = [
    "北京市朝阳区建国路1号楼2单元301室",
    "2026-11-02 2026-11-03",
    "余额 12345.67 元",
    "C0000123",
    "ZHANG WEI",
    None,
]


@pytest.fixture(scope="module")
def con():
    c = duckdb.connect()
    run_script(c, "publish/scrub")
    yield c
    c.close()


def scrub(con, text):
    return con.execute("select crm_scrub(?)", [text]).fetchall()[0][0]


@pytest.mark.parametrize("number", PLANTED, ids=range(len(PLANTED)))
def test_every_spelling_is_found_and_masked(con, number):
    for text in (number, f"张伟{number}", f"Tel: {number}, {number};{number}", f"Name {number}x"):
        assert TEXT.search(unicodedata.normalize("NFKC", text)), text  # the test's own pattern sees it
        out = scrub(con, text)
        assert "***" in out
        assert not TEXT.search(out) and not TEXT.search(unicodedata.normalize("NFKC", out)), out


@pytest.mark.parametrize("text", HARMLESS)
def test_other_text_is_left_alone(con, text):
    assert scrub(con, text) == text


def test_blob_pattern_ignores_hashes_and_decimals():
    assert not BLOB.search("a3f" + "1234567890123" + "b 0.1234567890123456 1764300000000")
    assert BLOB.search("phone " + "+86 " + mobile("138", "00112233", "-"))


_chars = st.sampled_from(list("0123456789０１２３４５６７８９ .-+Xx张a") + ["\u3000"])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(_chars, st.sampled_from(PLANTED)), max_size=12).map("".join))
def test_nothing_the_scan_would_find_survives(con, text):
    assert not TEXT.search(scrub(con, text))
