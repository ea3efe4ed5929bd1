"""Trained match weights after regularisation: unobserved levels get bounds, not guesses."""

from __future__ import annotations

import math

from models.identity.match.anchors import candidate_records
from models.identity.match.settings import SPLINK_COLUMNS, settings_dict
from models.identity.match.training import M_CEILINGS, M_FLOORS, U_SAMPLE_PAIRS, regularise


def _levels(settings: dict, column: str) -> dict[str, dict]:
    comp = next(c for c in settings["comparisons"] if c["output_column_name"] == column)
    return {lv.get("label_for_charts"): lv for lv in comp["comparison_levels"] if not lv.get("is_null_level")}


def test_unobserved_u_gets_the_rule_of_three_bound_and_id_agreement_dominates():
    settings = settings_dict()
    for comp in settings["comparisons"]:
        for lv in comp["comparison_levels"]:
            lv["m_probability"], lv["u_probability"] = 0.5, 0.5
    ids = _levels(settings, "id_std")
    # Random sampling never met two records sharing an ID: Splink leaves u empty.
    ids["same document"].update(m_probability=0.96, u_probability=None)
    ids["two different valid IDs"]["m_probability"] = 0.2
    _levels(settings, "phone_std")["All other comparisons"]["m_probability"] = 0.0

    out = regularise(settings)
    ids = _levels(out, "id_std")
    assert ids["same document"]["u_probability"] == 3 / U_SAMPLE_PAIRS
    weight = math.log2(ids["same document"]["m_probability"] / ids["same document"]["u_probability"])
    assert weight > 18  # an agreeing resident ID outweighs a mistyped name (about -5 bits)
    assert ids["two different valid IDs"]["m_probability"] == M_CEILINGS["two different valid IDs"]
    assert _levels(out, "phone_std")["All other comparisons"]["m_probability"] == M_FLOORS["phone_std"]


def test_a_field_training_never_saw_carries_no_weight():
    settings = settings_dict()
    for comp in settings["comparisons"]:
        for lv in comp["comparison_levels"]:
            lv["m_probability"], lv["u_probability"] = 0.5, 0.5
    # No postcodes in the training data: Splink leaves every level of the comparison empty.
    for lv in _levels(settings, "postcode").values():
        lv["m_probability"] = lv["u_probability"] = None
    out = regularise(settings)
    for lv in _levels(out, "postcode").values():
        assert lv["m_probability"] == lv["u_probability"]


def test_same_flat_with_an_id_typo_is_a_candidate_pair_when_name_and_birth_date_are_spoiled():
    import polars as pl

    from tests.synthetic_ids import resident_id

    good = resident_id("420102", "19960303", "549")
    typo = good[:16] + ("0" if good[16] != "0" else "1") + good[17]  # sequence digit mistyped
    row = {c: None for c in SPLINK_COLUMNS}
    records = pl.DataFrame(
        [
            {**row, "uid": "card:1", "name_key": "jun zhang", "id_std": good, "addr_nums": "289 9 940"},
            {**row, "uid": "deposit:2", "name_key": "qiang zhang", "id_std": typo, "addr_nums": "289 9 940"},
            {**row, "uid": "deposit:3", "name_key": "qiang zhang", "id_std": typo, "addr_nums": "12 3 45"},
        ],
        schema={
            c: pl.String for c in SPLINK_COLUMNS if c not in ("id_valid", "birth_date", "name_parts", "addr_tokens")
        }
        | {
            "id_valid": pl.Boolean,
            "birth_date": pl.Date,
            "name_parts": pl.List(pl.String),
            "addr_tokens": pl.List(pl.String),
        },
    )
    found = candidate_records(records, pl.Series(["card:1"]))["uid"].sort().to_list()
    assert found == ["card:1", "deposit:2"]
