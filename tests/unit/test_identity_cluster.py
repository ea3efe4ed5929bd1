"""Clustering constraints, stable ids and the evaluation figures."""

import datetime as dt

import polars as pl
import pytest

from models.identity.cluster import cluster
from models.identity.evaluate import evaluate
from models.identity.stable_ids import assign_ids, next_sequence

NODES = pl.DataFrame(
    {"node": ["a", "b", "x"], "ids": [["ID1"], ["ID2"], []]}, schema={"node": pl.String, "ids": pl.List(pl.String)}
)


def edges(rows):
    return pl.DataFrame(
        rows, schema={"node_l": pl.String, "node_r": pl.String, "prob": pl.Float64, "rule": pl.String}, orient="row"
    )


def groups(labels):
    return sorted(sorted(g) for g in labels.group_by("cluster").agg("node")["node"].to_list())


def test_record_without_id_cannot_bridge_two_valid_ids():
    labels, kept = cluster(NODES, edges([("a", "x", 0.99, "probabilistic"), ("b", "x", 0.95, "probabilistic")]))
    assert groups(labels) == [["a", "x"], ["b"]]  # x joins its best match only
    assert kept.height == 1


def test_unlink_keeps_records_apart_and_link_forces():
    e = edges([("a", "x", 0.99, "probabilistic")])
    assert groups(cluster(NODES, e, [("a", "x")])[0]) == [["a"], ["b"], ["x"]]
    forced = edges([("a", "b", 1.0, "override_link")])
    assert groups(cluster(NODES, forced)[0]) == [["a", "b"], ["x"]]


def test_assign_ids_keeps_merges_and_splits():
    prev = pl.DataFrame(
        {"uid": ["r1", "r2", "r3", "r4"], "customer_id": ["C000000001", "C000000001", "C000000002", "C000000003"]}
    )
    # r1+r2 stay, r3 and r4 merge (r4 joins C..2? no: equal size -> lowest id survives), r5 is new.
    records = pl.DataFrame({"uid": ["r1", "r2", "r3", "r4", "r5"], "cluster": [0, 0, 1, 1, 2]})
    out, events, nxt = assign_ids(records, prev, 4, dt.date(2026, 1, 2))
    got = dict(out.iter_rows())
    assert got["r1"] == got["r2"] == "C000000001"
    assert got["r3"] == got["r4"] == "C000000002"
    assert got["r5"] == "C000000004" and nxt == 5
    assert events.select("event", "customer_id", "other_customer_id").rows() == [("merge", "C000000002", "C000000003")]
    # Splitting C..1 again: the first cluster keeps it, the other gets a new id.
    out2, events2, _ = assign_ids(pl.DataFrame({"uid": ["r1", "r2"], "cluster": [0, 1]}), out, 5, dt.date(2026, 1, 3))
    assert sorted(out2["customer_id"].to_list()) == ["C000000001", "C000000005"]
    assert events2["event"].to_list() == ["split"]


def test_next_sequence_counts_retired_ids():
    assert next_sequence(pl.Series(["C000000007", "C000000002", None])) == 8
    assert next_sequence(pl.Series([], dtype=pl.String)) == 1


def test_evaluate_on_a_known_map():
    truth = pl.DataFrame(
        {
            "system": ["deposit", "card", "fx", "deposit", "card", "loan"],
            "source_key": ["1", "2", "3", "4", "5", "6"],
            "person_id": [1, 1, 1, 2, 3, 3],
            "planted": ["", "", "pinyin_only", "namesake", "namesake", "bad_id_digit"],
        }
    )
    # Person 1 found whole; person 2 wrongly merged with person 3's card record; person 3's loan record split off.
    cmap = pl.DataFrame(
        {
            "system": ["deposit", "card", "fx", "deposit", "card", "loan"],
            "source_key": ["1", "2", "3", "4", "5", "6"],
            "customer_id": ["A", "A", "A", "B", "B", "C"],
        }
    )
    r = evaluate(cmap, truth)
    # True pairs: 3 (person 1) + 1 (person 3) = 4. Predicted: 3 + 1 = 4. TP: 3.
    assert r["overall"]["tp"] == 3 and r["overall"]["true_pairs"] == 4 and r["overall"]["predicted_pairs"] == 4
    assert r["overall"]["precision"] == pytest.approx(0.75) and r["overall"]["f1"] == pytest.approx(0.75)
    assert r["by_system_pair"]["card-deposit"]["precision"] == pytest.approx(0.5)
    assert r["hard_cases"]["pinyin_only"]["recall"] == 1.0
    assert r["hard_cases"]["bad_id_digit"]["recall"] == 0.0
    assert r["namesake_false_merge_rate"] == 1.0


def test_id_keys_list_work_only_for_nodes_with_several_ids():
    from models.identity.cluster import id_keys

    nodes = pl.DataFrame(
        {"node": ["a", "b", "c", "d", "e", "f"], "ids": [["X"], ["X", "X"], ["Y", "X"], [], ["X", "Y"], None]},
        schema={"node": pl.String, "ids": pl.List(pl.String)},
    )
    assert id_keys(nodes).rows() == [("a", "X"), ("b", "X"), ("c", "X|Y"), ("d", None), ("e", "X|Y"), ("f", None)]
