"""The match model's weights: trained once on DuckDB (a sample; m by EM, u by random sampling), regularised,
saved as engine-neutral JSON beside the work file and loaded for either engine; hand-set weights when
there are too few records to train on.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import duckdb
import polars as pl

from models.settings import duckdb_config
from models.identity.match.settings import MODEL_VERSION, SPLINK_COLUMNS, settings_dict

log = logging.getLogger(__name__)

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


def _splink_input(con: duckdb.DuckDBPyConnection, name: str, std: pl.DataFrame) -> None:
    frame = std.select(SPLINK_COLUMNS)  # noqa: F841 (referenced by the SQL below)
    con.execute(f"create or replace table {name} as select * from frame")


def _db(threads: int | None):
    from splink import DuckDBAPI

    con = duckdb.connect(config=duckdb_config())  # the job's budget, not 80% of RAM
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
