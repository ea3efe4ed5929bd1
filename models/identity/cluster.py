"""Clustering match edges into persons, with hard constraints.

Connected components over the accepted edges, except where a component would hold two different valid
resident IDs or both records of an `unlink` override: there the edges are replayed best first
(override links, exact-rule edges, then by match probability) and an edge that would join two groups
that must stay apart is skipped. Namesakes (same name and birth date, different valid IDs) therefore
stay apart even when a third record without an ID resembles both.
"""

from __future__ import annotations

import numpy as np
import polars as pl
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

RULE_RANK = {"override_link": 0, "exact_id": 1, "probabilistic": 2}


class _UnionFind:
    def __init__(self, n: int, ids: list[frozenset], cannot: dict[int, set[int]]):
        self.parent = list(range(n))
        self.ids = [set(s) for s in ids]
        self.cannot = {k: set(v) for k, v in cannot.items()}
        self.members = {i: {i} for i in range(n)}

    def find(self, x: int) -> int:
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: int, b: int, force: bool) -> bool:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return True
        if not force:
            if self.ids[ra] and self.ids[rb] and self.ids[ra] != self.ids[rb]:
                return False
            if self.cannot.get(ra, set()) & self.members[rb]:
                return False
        if len(self.members[ra]) < len(self.members[rb]):
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.ids[ra] |= self.ids[rb]
        self.members[ra] |= self.members.pop(rb)
        if rb in self.cannot or ra in self.cannot:
            merged = self.cannot.pop(ra, set()) | self.cannot.pop(rb, set())
            self.cannot[ra] = merged
        return True


def id_keys(nodes: pl.DataFrame) -> pl.DataFrame:
    """node, vkey: the node's distinct valid IDs, sorted and joined (NULL without one). A record holds one
    ID at most, so the list operations run only on nodes with several (a customer's, on incremental
    nights): over every node they cost 18 s of a 1M full night."""
    k = pl.col("ids").list.len()
    keys = nodes.select("node", pl.when(k == 1).then(pl.col("ids").list.first()).alias("vkey"), k.alias("k"))
    many = keys["k"] > 1
    if many.any():
        joined = nodes.filter(many).select(pl.col("ids").list.unique().list.sort().list.join("|"))
        keys = keys.with_columns(keys["vkey"].scatter(many.arg_true(), joined.to_series()))
    return keys.drop("k")


def cluster(
    nodes: pl.DataFrame, edges: pl.DataFrame, cannot_link: list[tuple[str, str]] = ()
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Cluster `nodes` (node: str, ids: list[str] of valid resident IDs) over `edges`.

    `edges`: node_l, node_r, prob, rule (override_link | exact_id | probabilistic), already thresholded.
    Returns (node -> cluster int, the edges kept).
    """
    n = nodes.height
    index = id_keys(nodes).with_row_index("i")
    e = (
        edges.join(index.rename({"node": "node_l", "i": "a", "vkey": "vk_l"}), on="node_l")
        .join(index.rename({"node": "node_r", "i": "b", "vkey": "vk_r"}), on="node_r")
        .filter(pl.col("a") != pl.col("b"))
    )
    # Two nodes holding different valid IDs are never joined directly, unless a reviewer said so.
    conflict = pl.col("vk_l").is_not_null() & pl.col("vk_r").is_not_null() & (pl.col("vk_l") != pl.col("vk_r"))
    e = e.filter(~conflict | (pl.col("rule") == "override_link")).drop("vk_l", "vk_r")
    a_np, b_np = e["a"].to_numpy().astype(np.int64), e["b"].to_numpy().astype(np.int64)
    graph = coo_matrix((np.ones(len(a_np), dtype=np.int8), (a_np, b_np)), shape=(n, n))
    _, labels = connected_components(graph, directed=False)

    # Components that break a constraint: more than one valid ID, or both ends of an unlink.
    pos = dict(zip(index["node"].to_list(), index["i"].to_list())) if cannot_link else {}
    cannot_idx = [(pos[x], pos[y]) for x, y in cannot_link if x in pos and y in pos]
    lab = pl.DataFrame({"i": np.arange(n, dtype=np.uint32), "comp": labels})
    ids_per_comp = (
        nodes.select(pl.col("ids"))
        .with_row_index("i")
        .explode("ids")
        .drop_nulls("ids")
        .join(lab, on="i")
        .group_by("comp")
        .agg(pl.col("ids").n_unique().alias("k"))
    )
    bad = set(ids_per_comp.filter(pl.col("k") > 1)["comp"].to_list())
    bad |= {int(labels[x]) for x, y in cannot_idx if labels[x] == labels[y]}
    if not bad:
        return nodes.select("node").with_columns(pl.Series("cluster", labels)), e.drop("a", "b")

    # Replay the edges of those components best first, refusing joins that break a constraint.
    bad_list = sorted(bad)
    keep = e.with_columns(pl.Series("comp", labels[a_np]))
    easy = keep.filter(~pl.col("comp").is_in(bad_list))
    hard = (
        keep.filter(pl.col("comp").is_in(bad_list))
        .with_columns(pl.col("rule").replace_strict(RULE_RANK, return_dtype=pl.Int32).alias("rank"))
        .sort(["rank", "prob"], descending=[False, True])
    )
    members = np.nonzero(np.isin(labels, bad_list))[0]
    local = {int(g): k for k, g in enumerate(members)}
    ids = [frozenset(x or []) for x in nodes["ids"].gather(members).to_list()]
    cannot: dict[int, set[int]] = {}
    for x, y in cannot_idx:
        if x in local and y in local:
            cannot.setdefault(local[x], set()).add(local[y])
            cannot.setdefault(local[y], set()).add(local[x])
    uf = _UnionFind(len(members), ids, cannot)
    kept = [
        uf.union(local[x], local[y], force=r == "override_link")
        for x, y, r in zip(hard["a"].to_list(), hard["b"].to_list(), hard["rule"].to_list())
    ]
    hard = hard.filter(pl.Series(kept, dtype=pl.Boolean))
    new_labels = labels.copy()
    offset = int(labels.max()) + 1
    for k, g in enumerate(members):
        new_labels[g] = offset + uf.find(k)
    out_edges = pl.concat([easy.drop("comp"), hard.drop("comp", "rank")]).drop("a", "b")
    return nodes.select("node").with_columns(pl.Series("cluster", new_labels)), out_edges
