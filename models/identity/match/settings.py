"""The Splink model's shape, written once for both engines: the columns compared, the comparison levels
(SQL per dialect), the blocking rules that make candidate pairs, the term-frequency columns.

A change here that adds, drops or reorders comparison levels bumps MODEL_VERSION: saved weights no
longer fit the levels, so the next night retrains.
"""

from __future__ import annotations

SPLINK_COLUMNS = (
    "uid",
    "name_cn",
    "py_fwd",
    "py_rev",
    "name_key",
    "alias_key",
    "id_type",
    "id_std",
    "id_valid",
    "birth_date",
    "gender",
    "phone_std",
    "email_std",
    "name_parts",
    "addr_norm",
    "addr_tokens",
    "addr_nums",
    "postcode",
    "addr_city",
    "addr_district",
    "addr_street",
    "addr_house",
)

# Candidate pairs: every rule pairs two fields so that no block explodes at a million records.
BLOCKING_RULES = (
    ("id_std",),
    ("name_key", "birth_date"),
    ("name_key", "phone_std"),
    ("phone_std", "birth_date"),
    # A mistyped ID character leaves two of its three parts intact: region (1-6), birth date (7-14),
    # sequence and check (15-18). Pairs of parts keep each block small; region + year alone paired
    # common names by the ten thousand at a million persons (64M candidate pairs).
    ("name_key", "substr(id_std, 1, 14)"),
    ("name_key", "substr(id_std, 7, 12)"),
    ("name_key", "substr(id_std, 1, 6)", "substr(id_std, 15, 4)"),
    # With the surname's first letters: birth date + region alone groups everyone born that day nearby.
    ("birth_date", "substr(id_std, 1, 9)", "substr(py_fwd, 1, 2)"),
    ("birth_date", "substr(id_std, 10, 9)"),
    ("phone_std", "substr(id_std, 1, 9)"),
    ("phone_std", "substr(id_std, 10, 9)"),
    # Address evidence, for records whose name and document are both mistyped. House numbers (house,
    # building, room) with a birth date or a postcode are tight; a postcode alone is not.
    ("birth_date", "addr_nums"),
    ("birth_date", "postcode"),
    ("postcode", "addr_nums"),
    # The name (in any order) with the house numbers or the postcode: a person whose birth date is
    # missing or mistyped and whose postcode or house number carries a typo still meets their twin.
    ("name_key", "addr_nums"),
    ("name_key", "postcode"),
    # The same flat (house, building, room) and an ID that is one keystroke off: a typo leaves its
    # region or its birth date intact. Catches records whose name and birth date are spoiled too.
    ("addr_nums", "substr(id_std, 1, 6)"),
    ("addr_nums", "substr(id_std, 7, 8)"),
)

DEFAULT_THRESHOLD = 0.9

# A saved model of another version lacks comparisons the code now makes: it is retrained.
MODEL_VERSION = 4

# addr_house: a building many records share (a dormitory, an office block) says less than a flat.
TF_COLUMNS = ("name_key", "postcode", "addr_house")

# The SQL of the comparison levels that differs per engine; everything else is written once in the
# subset both share. Spark: Splink's jar registers `jaro_winkler`, date patterns are Java's, and ANSI
# mode raises on 0/0 where DuckDB gives NULL.
_FN = {
    "duckdb": {
        "jw": "jaro_winkler_similarity({a}, {b})",
        "ymd": "strftime({a}, '%Y%m%d')",
        # Tokens are distinct. list_filter + list_contains, not list_intersect: 3M sampled pairs take 2 s
        # instead of 19 s.
        "shared": "len(list_filter({a}, lambda t: list_contains({b}, t)))",
        "len": "len({a})",
        "div": "{a} / {b}",
        "any": "list_has_any({a}, {b})",
        "has_space": "contains({a}, ' ')",
    },
    "spark": {
        "jw": "jaro_winkler({a}, {b})",
        "ymd": "date_format({a}, 'yyyyMMdd')",
        "shared": "size(array_intersect({a}, {b}))",
        "len": "size({a})",
        "div": "try_divide({a}, {b})",
        "any": "arrays_overlap({a}, {b})",
        "has_space": "instr({a}, ' ') > 0",
    },
}


def one_edit(a: str, b: str) -> str:
    """`a` and `b` at most one edit apart (Damerau-Levenshtein <= 1), with the edit distance computed only
    when a cheap test passes: one edit (a substitution, an insertion or deletion, or two adjacent
    characters swapped) leaves the first or the last `h = (shorter length - 1) // 2` characters equal.
    DuckDB's damerau_levenshtein runs at ~170k pairs/s on two cores; the u estimate compares 3M random
    pairs per field. A CASE, not AND: only CASE skips computing the distance where the test fails."""
    h = f"cast(floor((least(length({a}), length({b})) - 1) / 2) as int)"
    cheap = f"(left({a}, {h}) = left({b}, {h}) or right({a}, {h}) = right({b}, {h}))"
    return f"case when {cheap} then damerau_levenshtein({a}, {b}) <= 1 else false end"


def unless(test: str, condition: str) -> str:
    """`not (test) and condition`, with `condition` computed only where `test` fails (`test` is never NULL):
    DuckDB computes both sides of an AND, and the token Jaccard costs more than the rest of a level."""
    return f"case when {test} then false else {condition} end"


def _jaccard(dialect: str) -> str:
    """Token Jaccard of two addresses."""
    f = _FN[dialect]
    shared = f["shared"].format(a="addr_tokens_l", b="addr_tokens_r")
    total = f"{f['len'].format(a='addr_tokens_l')} + {f['len'].format(a='addr_tokens_r')} - {shared}"
    return f["div"].format(a=shared, b=f"({total})")


def _comparisons(dialect: str = "duckdb"):
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl

    f = _FN[dialect]
    jw_fwd = f["jw"].format(a="py_fwd_l", b="py_fwd_r")
    jw_rev = f["jw"].format(a="py_fwd_l", b="py_rev_r")
    ymd_l, ymd_r = f["ymd"].format(a="birth_date_l"), f["ymd"].format(a="birth_date_r")
    jaccard = _jaccard(dialect)

    name = cl.CustomComparison(
        output_column_name="name",
        comparison_levels=[
            cll.CustomLevel("py_fwd_l is null or py_fwd_r is null").configure(is_null_level=True),
            cll.CustomLevel("name_cn_l = name_cn_r", "same characters").configure(tf_adjustment_column="name_key"),
            cll.CustomLevel("name_key_l = name_key_r", "same pinyin, any order").configure(
                tf_adjustment_column="name_key"
            ),
            cll.CustomLevel("alias_key_l = name_key_r or name_key_l = alias_key_r", "alias"),
            cll.CustomLevel(
                f"greatest({jw_fwd}, {jw_rev}) >= 0.88",
                "pinyin similar",
            ),
            # Surname or given name (pinyin, or a word of a Latin name) shared, the rest mistyped.
            cll.CustomLevel(f["any"].format(a="name_parts_l", b="name_parts_r"), "one name part shared"),
            cll.ElseLevel(),
        ],
    )
    dob = cl.CustomComparison(
        output_column_name="birth_date",
        comparison_levels=[
            cll.NullLevel("birth_date"),
            cll.ExactMatchLevel("birth_date"),
            # One digit off in YYYYMMDD leaves the year or the day intact: test those (cheap on dates)
            # before formatting both dates and computing the edit distance.
            cll.CustomLevel(
                "case when year(birth_date_l) = year(birth_date_r) or dayofmonth(birth_date_l) = dayofmonth(birth_date_r)"
                f" then damerau_levenshtein({ymd_l}, {ymd_r}) <= 1 else false end",
                "one digit off",
            ),
            cll.ElseLevel(),
        ],
    )
    idc = cl.CustomComparison(
        output_column_name="id_std",
        comparison_levels=[
            cll.NullLevel("id_std"),
            # Documents are compared by type and number; a number under another type (a passport number
            # filed as `other` elsewhere) is its own level, weighed by EM.
            cll.CustomLevel(
                "id_std_l = id_std_r and coalesce(id_type_l, id_type_r, '') = coalesce(id_type_r, id_type_l, '')",
                "same document",
            ),
            cll.CustomLevel("id_std_l = id_std_r", "same number, other document type"),
            cll.CustomLevel("id_valid_l and id_valid_r", "two different valid IDs"),
            cll.CustomLevel(one_edit("id_std_l", "id_std_r"), "one character off"),
            cll.CustomLevel("id_type_l = 'RESIDENT' and id_type_r = 'RESIDENT'", "different resident IDs"),
            cll.CustomLevel("id_type_l = id_type_r", "different documents of one type"),
            cll.ElseLevel(),
        ],
    )
    phone = cl.CustomComparison(
        output_column_name="phone_std",
        comparison_levels=[
            cll.NullLevel("phone_std"),
            cll.ExactMatchLevel("phone_std"),
            cll.CustomLevel(one_edit("phone_std_l", "phone_std_r"), "one digit off"),
            cll.ElseLevel(),
        ],
    )
    # Two parsed Chinese addresses are compared by their parts; token overlap is for the rest (Latin
    # addresses, one side unparsed), where bigrams of `…建国路123号` and `…建国路45号` would share most.
    # A Latin address has city and district but never a street, so two of them keep the token levels.
    parsed = (
        "coalesce(addr_district_l, addr_city_l) is not null and coalesce(addr_district_r, addr_city_r) is not null"
        " and addr_street_l is not null and addr_street_r is not null"
    )
    same_city = "coalesce(addr_city_l = addr_city_r, true)"  # a district written alone names no city
    address = cl.CustomComparison(
        output_column_name="address",
        comparison_levels=[
            cll.CustomLevel("addr_tokens_l is null or addr_tokens_r is null").configure(is_null_level=True),
            cll.CustomLevel("addr_norm_l = addr_norm_r", "same address"),
            # Splink's term-frequency adjustment wants a plain equality: the city is part of the key.
            cll.CustomLevel("addr_house_l = addr_house_r", "same city, district, street and number").configure(
                tf_adjustment_column="addr_house"
            ),
            cll.CustomLevel(unless(parsed, f"{jaccard} >= 0.55"), "address tokens mostly shared"),
            # Script-free: the Chinese and the English address of one flat.
            cll.CustomLevel(
                f"addr_nums_l = addr_nums_r and {f['has_space'].format(a='addr_nums_l')}", "same house numbers"
            ),
            cll.CustomLevel(
                f"addr_district_l = addr_district_r and addr_street_l = addr_street_r and {same_city}",
                "same district and street",
            ),
            cll.CustomLevel(
                "addr_city_l = addr_city_r and addr_district_l = addr_district_r", "same city and district"
            ),
            cll.CustomLevel(unless(parsed, f"{jaccard} >= 0.3"), "address tokens partly shared"),
            cll.CustomLevel("addr_city_l = addr_city_r", "same city"),
            # A Chinese against an English address of another flat, or an unreadable one: the parts
            # cannot disagree, so this is weaker evidence against than two parsed different cities.
            cll.CustomLevel(f"not ({parsed})", "different, not comparable by parts"),
            cll.ElseLevel(),
        ],
    )
    postcode = cl.CustomComparison(
        output_column_name="postcode",
        comparison_levels=[
            cll.NullLevel("postcode"),
            cll.ExactMatchLevel("postcode").configure(tf_adjustment_column="postcode"),
            cll.CustomLevel(one_edit("postcode_l", "postcode_r"), "one digit off"),
            cll.ElseLevel(),
        ],
    )
    return [name, dob, idc, phone, cl.ExactMatch("gender"), cl.ExactMatch("email_std"), address, postcode]


def settings_dict(dialect: str = "duckdb") -> dict:
    from splink import SettingsCreator, block_on

    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="uid",
        comparisons=_comparisons(dialect),
        blocking_rules_to_generate_predictions=[block_on(*r) for r in BLOCKING_RULES],
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=False,
    ).create_settings_dict(sql_dialect_str=dialect)
