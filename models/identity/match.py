"""Record matching: exact evidence first, Fellegi-Sunter (Splink, on DuckDB or Spark) for the rest.

Exact rule: records sharing a valid resident ID, the pinyin name key and the birth date are one person.
Probabilistic: a Splink model with trained m/u weights scores candidate pairs from tight blocking rules;
common names get a term-frequency adjustment. The model is trained once (on DuckDB, on a sample), its
weights saved as engine-neutral JSON and reused on either engine, with the comparison SQL generated for
that engine's dialect; `train_model` is only called when no model exists or a retrain is asked for.
"""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path

import duckdb
import polars as pl

from models.settings import sql_text

log = logging.getLogger(__name__)

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
# Floors for m probabilities that the training data may leave at (or near) zero: phones and e-mail
# addresses change, birth dates get mistyped; a weight of -50 for a changed phone would split people.
M_FLOORS = {
    "phone_std": 0.02,
    "email_std": 0.05,
    "birth_date": 0.005,
    "gender": 0.01,
    "name": 0.005,
    "address": 0.05,
    "postcode": 0.05,
}
M_UNTRAINED = 0.001
# u is estimated on U_SAMPLE_PAIRS random pairs. A level none of them reached (two random records
# sharing a resident ID, a phone, an e-mail) gets the rule-of-three bound 3 / pairs, not a guess:
# filling it with 0.001 once cost an exact ID match 10 bits and split typo'd names from their IDs.
U_SAMPLE_PAIRS = 3_000_000
U_UNOBSERVED = 3 / U_SAMPLE_PAIRS
# Ceilings: two resident IDs more than one keystroke apart belong to different people, whatever EM
# learnt from namesakes it could not tell apart.
M_CEILINGS = {"different resident IDs": 1e-5, "two different valid IDs": 1e-5}
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
            cll.CustomLevel(
                f"damerau_levenshtein({ymd_l}, {ymd_r}) <= 1",
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
            cll.CustomLevel("damerau_levenshtein(id_std_l, id_std_r) <= 1", "one character off"),
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
            cll.CustomLevel("damerau_levenshtein(phone_std_l, phone_std_r) <= 1", "one digit off"),
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
            cll.CustomLevel(f"not ({parsed}) and {jaccard} >= 0.55", "address tokens mostly shared"),
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
            cll.CustomLevel(f"not ({parsed}) and {jaccard} >= 0.3", "address tokens partly shared"),
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
            cll.CustomLevel("damerau_levenshtein(postcode_l, postcode_r) <= 1", "one digit off"),
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


def _splink_input(con: duckdb.DuckDBPyConnection, name: str, std: pl.DataFrame) -> None:
    frame = std.select(SPLINK_COLUMNS)  # noqa: F841 (referenced by the SQL below)
    con.execute(f"create or replace table {name} as select * from frame")


def _db(threads: int | None):
    from splink import DuckDBAPI

    con = duckdb.connect()
    if threads:
        con.execute(f"set threads = {int(threads)}")
    return con, DuckDBAPI(connection=con)


def train_model(std: pl.DataFrame, model_path: Path, sample: int = 300_000, seed: int = 1) -> Path:
    """Estimate the prior, u (random sampling) and m (EM on two blockings); save settings JSON."""
    from splink import Linker, block_on

    # A random sample of records keeps the pairwise match rate of the whole population (each record
    # keeps the same share of its matches as of its non-matches), so the prior is stored against the
    # full record count, not the sample's.
    population = std.height
    if std.height > sample:
        std = std.sample(sample, seed=seed)
    con, db = _db(None)
    _splink_input(con, "party_in", std)
    # EM warns for every level a blocking pass cannot observe; regularise() fills those, so keep the log quiet.
    linker = Linker(db.register("party_in"), settings_dict(), log_level=logging.ERROR)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("id_std", "name_key"), block_on("name_key", "birth_date", "phone_std")], recall=0.8
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=U_SAMPLE_PAIRS, seed=seed)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("name_key", "birth_date"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("id_std"))
    settings = regularise(linker.misc.save_model_to_json())
    # The prior is per pair, so it shrinks as the data grows; keep the size it was estimated on.
    settings["probability_two_random_records_match"] = float(settings["probability_two_random_records_match"])
    model_path.parent.mkdir(parents=True, exist_ok=True)
    _meta_path(model_path).write_text(
        json.dumps({"training_records": population, "model_version": MODEL_VERSION}), encoding="utf-8"
    )
    model_path.write_text(json.dumps(weights_of(settings), indent=2), encoding="utf-8")
    con.close()
    return model_path


def regularise(settings: dict) -> dict:
    """Fill levels training never observed and floor the m probabilities of non-agreement levels."""
    for comp in settings["comparisons"]:
        floor = M_FLOORS.get(comp["output_column_name"])
        levels = [lv for lv in comp["comparison_levels"] if not lv.get("is_null_level")]
        if all(lv.get("u_probability") is None for lv in levels):
            # A field the training data never filled (no postcodes yet): no evidence either way until a
            # retrain. Filling u with the unobserved bound would make even disagreement worth +15 bits.
            for lv in levels:
                lv["m_probability"] = lv["u_probability"] = 1 / len(levels)
            continue
        for level in comp["comparison_levels"]:
            if level.get("is_null_level"):
                continue
            if level.get("m_probability") is None:
                level["m_probability"] = M_UNTRAINED
            if level.get("u_probability") is None:
                level["u_probability"] = U_UNOBSERVED
            ceiling = M_CEILINGS.get(level.get("label_for_charts"))
            if ceiling is not None:
                level["m_probability"] = min(level["m_probability"], ceiling)
            if floor and level.get("label_for_charts") == "All other comparisons":
                level["m_probability"] = max(level["m_probability"], floor)
    return settings


def _meta_path(model_path: Path) -> Path:
    return Path(model_path).with_suffix(".meta.json")


def weights_of(settings: dict) -> dict:
    """The trained part of a Splink settings dict, free of any SQL: the prior and, per comparison, the
    m and u of its non-null levels in order. The same file drives the DuckDB and the Spark model."""
    return {
        "probability_two_random_records_match": float(settings["probability_two_random_records_match"]),
        "comparisons": {
            comp["output_column_name"]: [
                {
                    "label": lv.get("label_for_charts"),
                    "m_probability": lv["m_probability"],
                    "u_probability": lv["u_probability"],
                }
                for lv in comp["comparison_levels"]
                if not lv.get("is_null_level")
            ]
            for comp in settings["comparisons"]
        },
    }


def load_model(model_path: Path, n_records: int | None = None, dialect: str = "duckdb") -> dict:
    """Tonight's settings for `dialect`: comparisons and blocking from the code, m/u and prior from the
    saved weights (blocking and SQL are code, the trained weights are data).

    With `n_records`, the prior (probability that two random records match) is rescaled from the
    number of records it was trained on: the expected number of matches per record stays the same.
    """
    saved = json.loads(Path(model_path).read_text(encoding="utf-8"))
    if isinstance(saved.get("comparisons"), list):  # a model saved as Splink settings (before weights files)
        saved = weights_of(saved)
    settings = settings_dict(dialect)
    for comp in settings["comparisons"]:
        levels = [lv for lv in comp["comparison_levels"] if not lv.get("is_null_level")]
        trained = saved["comparisons"][comp["output_column_name"]]
        if [lv.get("label_for_charts") for lv in levels] != [lv["label"] for lv in trained]:
            raise ValueError(f"saved weights of {comp['output_column_name']} do not fit the comparison levels; retrain")
        for lv, w in zip(levels, trained, strict=True):
            lv["m_probability"], lv["u_probability"] = w["m_probability"], w["u_probability"]
    settings["probability_two_random_records_match"] = saved["probability_two_random_records_match"]
    meta = _meta_path(model_path)
    if n_records and n_records > 1 and meta.exists():
        n_train = json.loads(meta.read_text(encoding="utf-8"))["training_records"]
        prior = settings["probability_two_random_records_match"] * (n_train - 1) / (n_records - 1)
        settings["probability_two_random_records_match"] = min(max(prior, 1e-12), 0.5)
    return settings


# Hand-set m/u values (non-null levels, in order), close to what training finds on generated data. Used
# when there are too few records to train on (a small first delivery, unit tests) or training fails.
EXPERT_MU = {
    "name": ([0.80, 0.12, 0.01, 0.04, 0.01, 0.02], [4e-5, 3e-5, 1e-5, 0.0027, 0.02, 0.977]),
    "birth_date": ([0.97, 0.02, 0.01], [8.6e-5, 0.0015, 0.998]),
    "id_std": ([0.92, 0.005, 1e-5, 0.065, 1e-5, 0.001, 0.005], [2.6e-5, 1e-6, 0.913, 2.4e-6, 0.087, 0.01, 0.04]),
    "phone_std": ([0.85, 0.02, 0.13], [3e-5, 3e-4, 0.9997]),
    "gender": ([0.99, 0.01], [0.5, 0.5]),
    "email_std": ([0.9, 0.1], [1e-4, 0.9999]),
    "address": (
        [0.55, 0.1, 0.1, 0.05, 0.03, 0.02, 0.03, 0.04, 0.05, 0.03],
        [1e-6, 1e-5, 1e-5, 1e-5, 0.003, 0.03, 0.005, 0.1, 0.2, 0.662],
    ),
    "postcode": ([0.85, 0.05, 0.1], [0.005, 0.02, 0.975]),
}
EXPERT_PRIOR = (3.5e-5, 34_677)  # probability two random records match, at this many records
MIN_TRAINING_RECORDS = 5_000


def expert_model(model_path: Path) -> Path:
    """Save a model with the hand-set weights (no training)."""
    settings = settings_dict()
    for comp in settings["comparisons"]:
        m, u = EXPERT_MU[comp["output_column_name"]]
        levels = [lv for lv in comp["comparison_levels"] if not lv.get("is_null_level")]
        for lv, mi, ui in zip(levels, m, u, strict=True):
            lv["m_probability"], lv["u_probability"] = mi, ui
    settings["probability_two_random_records_match"] = EXPERT_PRIOR[0]
    model_path = Path(model_path)
    model_path.parent.mkdir(parents=True, exist_ok=True)
    model_path.write_text(json.dumps(weights_of(settings), indent=2), encoding="utf-8")
    _meta_path(model_path).write_text(
        json.dumps({"training_records": EXPERT_PRIOR[1], "expert": True, "model_version": MODEL_VERSION}),
        encoding="utf-8",
    )
    return model_path


def model_is_current(model_path: Path) -> bool:
    """A saved model made by this version of the comparisons."""
    meta = _meta_path(model_path)
    if not (Path(model_path).exists() and meta.exists()):
        return False
    return json.loads(meta.read_text(encoding="utf-8")).get("model_version") == MODEL_VERSION


def ensure_model(std: pl.DataFrame, model_path: Path, retrain: bool = False) -> bool:
    """Train (or, with too little data, write the expert model) unless a current saved model exists.
    True if trained."""
    if model_is_current(model_path) and not retrain:
        return False
    if std.height < MIN_TRAINING_RECORDS:
        log.warning("identity: %d records are too few to train on; using the hand-set match weights", std.height)
        expert_model(model_path)
        return False
    try:
        train_model(std, Path(model_path))
    except Exception as exc:  # noqa: BLE001 - a failed training must not stop the night
        log.warning("identity: model training failed (%s); using the hand-set match weights", type(exc).__name__)
        expert_model(model_path)
        return False
    return True


_SUBSTR = re.compile(r"substr\((\w+), (\d+), (\d+)\)")


def _key_expr(term: str) -> pl.Expr:
    """Polars form of a blocking term: a column, or `substr(col, start, length)`."""
    m = _SUBSTR.fullmatch(term)
    if m:
        return pl.col(m.group(1)).str.slice(int(m.group(2)) - 1, int(m.group(3))).alias(term)
    return pl.col(term).alias(term)


def build_working_set_sql() -> str:
    """SQL (over identity.party_std, identity.customer_map and a registered `dirty_uids`) for the uids
    an incremental night needs: dirty records, records sharing a blocking key with one, the rest of
    their exact-rule groups, and every record of the customers all those belong to.

    Generated from BLOCKING_RULES (constants, no values), in the shape of Splink's `*_sql` builders.
    """
    # Each blocking key is computed once per record (a materialised CTE), not once per rule that uses
    # it: 18 rules each scanning a million persons' records cost most of a daily identity night.
    terms = sorted({t for rule in BLOCKING_RULES for t in rule})
    key = {t: f"k{i}" for i, t in enumerate(terms)}
    joins = [
        "select l.uid from block_keys as l join dirty as r on " + " and ".join(f"l.{key[t]} = r.{key[t]}" for t in rule)
        for rule in BLOCKING_RULES
    ]
    candidates = "\n    union\n    ".join(joins)
    return f"""
with block_keys as materialized (
    select uid, {", ".join(f"{t} as {key[t]}" for t in terms)} from identity.party_std
),

dirty as materialized (
    select block_keys.* from block_keys semi join dirty_uids using (uid)
),

seeds as (
    select uid from dirty_uids
    union
    {candidates}
),

group_keys as (
    select distinct id_std, name_key, birth_date
    from identity.party_std semi join seeds using (uid)
    where id_valid and name_key is not null and birth_date is not null
),

mates as (
    select uid from identity.party_std as std semi join group_keys using (id_std, name_key, birth_date)
    where std.id_valid
),

records as (
    select uid from seeds
    union
    select uid from mates
),

keyed as (
    select std.uid, std.system, std.source_key from identity.party_std as std semi join records using (uid)
),

customers as (
    select distinct map.customer_id
    from identity.customer_map as map
    join keyed on map.system = keyed.system and map.source_key = keyed.source_key
),

final as (
    select uid from records
    union
    select map.system || ':' || map.source_key from identity.customer_map as map semi join customers using (customer_id)
)

select * from final
"""


def candidate_records(std: pl.DataFrame, dirty_uids: pl.Series) -> pl.DataFrame:
    """Records that share at least one blocking key with a dirty record: the only ones an incremental
    night needs to compare the dirty records with."""
    dirty = std.join(dirty_uids.to_frame("uid"), on="uid", how="semi")
    keep = [dirty.select("uid")]
    for rule in BLOCKING_RULES:
        exprs = [_key_expr(t) for t in rule]
        keys = dirty.select(exprs).drop_nulls().unique()
        if keys.height:
            keep.append(std.with_columns(exprs).join(keys, on=list(rule), how="semi").select("uid"))
    return std.join(pl.concat(keep).unique(), on="uid", how="semi")


PAIRS_SCHEMA = {"uid_l": pl.String, "uid_r": pl.String, "match_probability": pl.Float64}


def link(
    std: pl.DataFrame,
    model_path: Path,
    dirty: pl.Series | None = None,
    threshold: float = 0.5,
    tf: dict[str, pl.DataFrame] | pl.DataFrame | None = None,
    n_records: int | None = None,
    engine=None,
    threads: int | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Edges (uid_l, uid_r) of the exact rule, and scored candidate pairs (uid_l, uid_r,
    match_probability) at or above `threshold`, computed on `engine` (DuckDB in process by default).

    Records sharing a valid resident ID, the pinyin name key and the birth date form an exact-rule
    group named by its first uid (`sql/identity/exact_anchor.sql`); Splink compares one representative
    per group (`representatives.sql`), so a pair names the groups' anchors. With `dirty` (uids of new
    or changed records) only groups holding a dirty record are compared, against every group of the
    records that share a blocking key with one; term frequencies still come from all records. Only
    the edges come back to the driver.
    """
    from models.identity.engine import DuckEngine

    if isinstance(tf, pl.DataFrame):
        tf = {"name_key": tf}
    tf = dict(tf or {})
    for col in TF_COLUMNS:
        if col not in tf:
            tf[col] = (
                std.drop_nulls(col)
                .group_by(col)
                .len()
                .select(col, (pl.col("len") / pl.col("len").sum()).alias(f"tf_{col}"))
            )
    n_records = n_records or std.height
    own = engine is None
    engine = DuckEngine(threads) if own else engine
    try:
        engine.put("party_in", std.select(SPLINK_COLUMNS))
        engine.run("anchors", sql_text("identity/exact_anchor"))
        if dirty is None:
            exact = engine.get(sql_text("identity/exact_pairs"))
            engine.view("party_scope", "select * from party_in")
        else:
            # Only the groups of records that could pair with a dirty record are needed tonight.
            engine.put("dirty_uids", dirty.to_frame("uid"))
            engine.put("candidate_uids", candidate_records(std, dirty).select("uid"))
            engine.run("dirty_anchors", sql_text("identity/dirty_anchors"))
            exact = engine.get(sql_text("identity/exact_pairs_dirty"))
            engine.view("party_scope", sql_text("identity/party_scope"))
        engine.run("party_all", sql_text("identity/representatives"))
        pairs = _predict(engine, model_path, dirty is not None, threshold, tf, n_records)
    finally:
        if own:
            engine.close()
    return exact.cast({"uid_l": pl.String, "uid_r": pl.String}), pairs


def _predict(
    engine, model_path: Path, incremental: bool, threshold: float, tf: dict[str, pl.DataFrame], n_records: int
) -> pl.DataFrame:
    from splink import Linker

    db = engine.splink_db()
    settings = load_model(model_path, n_records, engine.dialect)
    linker = Linker(db.register("party_all"), settings, log_level=logging.WARNING)
    for col, frame in tf.items():
        engine.put(f"tf_{col}", frame)
        linker.table_management.register_term_frequency_lookup(db.register(f"tf_{col}"), col)
    if not incremental:
        pred = linker.inference.predict(threshold_match_probability=threshold, warning_mode="never")
    else:
        engine.run("party_dirty", sql_text("identity/party_dirty"))
        pred = linker.inference.predict_between(
            db.register("party_dirty"),
            db.register("party_all", table_name="party_all_r"),
            threshold_match_probability=threshold,
            warning_mode="never",
        )
    # Splink's own output table: its name is only known at run time.
    out = engine.get(f"select uid_l, uid_r, match_probability from {pred.physical_name} where uid_l <> uid_r")
    return out.cast(PAIRS_SCHEMA) if out.width else pl.DataFrame(schema=PAIRS_SCHEMA)
