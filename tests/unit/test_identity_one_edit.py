"""Costly comparison SQL runs only where it can decide: the one-edit levels compute the edit distance
behind a cheap prefix/suffix test (and decide exactly as the plain distance does), the token Jaccard
only for addresses not parsed into parts. DuckDB evaluates both sides of an AND; only CASE skips."""

import datetime as dt
import random
import re

import duckdb
import polars as pl

from models.identity.match.settings import one_edit, settings_dict
from tests.synthetic_ids import mobile, resident_id


def _variants(word: str) -> list[str]:
    """`word` and strings one or two edits away: substitutions, swaps, insertions, deletions at every position."""
    out = [word]
    for i in range(len(word) + 1):
        out.append(word[:i] + "x" + word[i:])
        if i < len(word):
            out.append(word[:i] + "y" + word[i + 1 :])
            out.append(word[:i] + word[i + 1 :])
        if i + 1 < len(word):
            out.append(word[:i] + word[i + 1] + word[i] + word[i + 2 :])
    return out + [v[:-1] + "z" for v in out if len(v) > 2]


def test_one_edit_decides_as_the_plain_distance():
    rng = random.Random(3)
    words = [
        "a",
        "ab",
        "abc",
        mobile("138", "00001234"),
        "19800501",
        resident_id("110101", "19800501", "001", "X"),
        "100020",
    ]
    words += ["".join(rng.choice("0123456789") for _ in range(rng.randint(1, 12))) for _ in range(40)]
    pairs = [(w, v) for w in words for v in _variants(w)] + [(w, v) for w in words for v in words]
    pairs += [(None, "abc"), ("abc", None), (None, None)]
    con = duckdb.connect()
    con.register("p", pl.DataFrame(pairs, schema={"a_l": pl.String, "a_r": pl.String}, orient="row").to_arrow())
    plain, guarded = con.execute(
        "select count(*) filter (where damerau_levenshtein(a_l, a_r) <= 1),"
        f" count(*) filter (where damerau_levenshtein(a_l, a_r) <= 1 is distinct from coalesce({one_edit('a_l', 'a_r')}, false)"
        " and a_l is not null and a_r is not null)"
        " from p"
    ).fetchone()
    assert plain > 500 and guarded == 0


def test_one_digit_off_birth_dates_decide_as_the_plain_distance():
    rng = random.Random(5)
    days = [dt.date(1930, 1, 1) + dt.timedelta(days=rng.randint(0, 30_000)) for _ in range(60)]
    near = [dt.date(d.year, d.day if d.day <= 12 else d.month, d.month if d.day <= 12 else d.day) for d in days]
    near += [d.replace(year=d.year + k) for d in days for k in (1, 10, 9) if not (d.month == 2 and d.day == 29)]
    near += [d + dt.timedelta(days=k) for d in days for k in (1, 9, 10, 30)]
    con = duckdb.connect()
    pairs = pl.DataFrame(
        [(a, b) for a in days for b in days + near] + [(None, days[0])],
        schema={"birth_date_l": pl.Date, "birth_date_r": pl.Date},
        orient="row",
    )
    con.register("p", pairs.to_arrow())
    (level,) = [
        lv["sql_condition"]
        for c in settings_dict("duckdb")["comparisons"]
        for lv in c["comparison_levels"]
        if c["output_column_name"] == "birth_date" and lv.get("label_for_charts") == "one digit off"
    ]
    plain = "damerau_levenshtein(strftime(birth_date_l, '%Y%m%d'), strftime(birth_date_r, '%Y%m%d')) <= 1"
    agree, differ = con.execute(
        f"select count(*) filter (where {plain}), count(*) filter (where ({plain}) is distinct from ({level}))"
        " from p where birth_date_l is not null"
    ).fetchone()
    assert agree > 200 and differ == 0


def test_every_edit_distance_of_the_model_is_guarded():
    for dialect in ("duckdb", "spark"):
        conditions = [
            lv["sql_condition"] for c in settings_dict(dialect)["comparisons"] for lv in c["comparison_levels"]
        ]
        text = " ".join(conditions)
        assert text.count("damerau_levenshtein(") == 4
        for sql in conditions:
            for call in re.findall(r"(\S+ )?damerau_levenshtein\(", sql):
                assert call.strip().lower() == "then", sql
            if "damerau_levenshtein(" in sql:
                assert sql.count("damerau_levenshtein(") == sql.lower().count("case when"), sql


def test_the_token_jaccard_is_computed_only_for_addresses_not_parsed_into_parts():
    conditions = [lv["sql_condition"] for c in settings_dict("duckdb")["comparisons"] for lv in c["comparison_levels"]]
    jaccard = [sql for sql in conditions if "list_filter(" in sql]
    assert len(jaccard) == 2
    for sql in jaccard:
        test, _, rest = sql.partition(" then false else ")
        assert test.startswith("case when ") and "list_filter(" in rest and "list_filter(" not in test, sql
