"""A full night matched every record: its map rows are built without testing each uid against the list of
every uid (6 s per test at a million persons), and are the rows an explicit list gives."""

import datetime as dt

import polars as pl

from models.identity.resolve import _how_matched, _map_rows

DAY = dt.date(2026, 3, 2)


def test_full_night_rows_equal_rows_of_an_explicit_dirty_list():
    uids = ["a:1", "a:2", "b:1", "c:1"]
    std = pl.DataFrame({"uid": uids, "system": ["a", "a", "b", "c"], "source_key": ["1", "2", "1", "1"]})
    assigned = pl.DataFrame({"uid": uids, "customer_id": ["C1", "C1", "C1", "C2"]})
    kept = pl.DataFrame(
        {"node_l": ["a:1", "a:1"], "node_r": ["a:2", "b:1"], "prob": [1.0, 0.97], "rule": ["exact_id", "probabilistic"]}
    )
    prev = pl.DataFrame(
        {
            "uid": ["a:1", "c:1"],
            "customer_id": ["C1", "C9"],
            "match_rule": ["singleton", "singleton"],
            "match_probability": [None, None],
            "assigned_on": [DAY - dt.timedelta(days=1)] * 2,
        },
        schema_overrides={"match_probability": pl.Float64},
    )
    every = pl.Series("uid", uids)
    rows = lambda dirty: _map_rows(assigned, std, _how_matched(kept, set(), dirty), prev, dirty, DAY)  # noqa: E731
    full = rows(None)
    assert full.equals(rows(every))
    assert dict(zip(full["source_key"] + full["system"], full["match_rule"])) == {
        "1a": "exact_id",
        "2a": "exact_id",
        "1b": "probabilistic",
        "1c": "singleton",
    }
