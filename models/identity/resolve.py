"""Nightly identity resolution over `staging.party`: the one entry point the Dagster assets call.

Full run: every record is standardised, matched (exact rule + Splink) and clustered; clusters then inherit
last night's ids. Incremental run (the default once a customer map exists): only new or changed records
(and records named by overrides that the current map breaks) are matched, against every record; unchanged
records keep their assignment and the customers a dirty record touches enter the clustering as one node each.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import duckdb
import polars as pl

from models.identity.match import anchors, scoring, training
from models.identity.match import settings as match_settings
from models.identity.cluster import cluster
from models.identity.overrides import read_overrides
from models.identity.stable_ids import assign_ids, next_sequence
from models.identity.standardise import PARTY_STD_SCHEMA, standardise_into
from models.settings import sql_text
from models.warehouse import execute, run_script, sql_of

log = logging.getLogger(__name__)
MODEL_FILE = "identity_splink_model.json"
MAP_SCHEMA = {
    "system": pl.String,
    "source_key": pl.String,
    "customer_id": pl.String,
    "match_rule": pl.String,
    "match_probability": pl.Float64,
    "assigned_on": pl.Date,
}
RULE_PRIORITY = ["override_link", "exact_id", "override_unlink", "probabilistic", "singleton"]


@dataclass
class ResolveResult:
    mode: str
    records: int
    dirty: int
    customers: int
    pairs_scored: int
    rule_counts: dict[str, int]
    events: dict[str, int]
    trained: bool
    seconds: dict[str, float] = field(default_factory=dict)


def model_path_for(work_file: Path) -> Path:
    """Model settings JSON lives in `models/` beside the warehouse work file."""
    return Path(work_file).parent / "models" / MODEL_FILE


def _frame(con: duckdb.DuckDBPyConnection, name: str, idents: dict[str, str] | None = None, **params) -> pl.DataFrame:
    return pl.from_arrow(con.sql(sql_of(name, idents), params=params or None).to_arrow_table())


# The record tables a night reads: all of them on a full night, the working set's views on an incremental one.
_ALL_RECORDS = {"party_std": "identity.party_std", "party_matched": "identity.party_matched"}
_WORKING_RECORDS = {"party_std": "working_party_std", "party_matched": "working_party_matched"}


def _std_frame(con: duckdb.DuckDBPyConnection, records: dict[str, str] = _ALL_RECORDS) -> pl.DataFrame:
    """The standardised records resolution reads: the match fields and the record's key."""
    frame = _frame(con, "identity/read_party_std", {"party_std": records["party_std"]})
    return frame.cast({c: PARTY_STD_SCHEMA[c] for c in frame.columns})


def _previous_state(con: duckdb.DuckDBPyConnection, records: dict[str, str] = _ALL_RECORDS) -> pl.DataFrame:
    """The records as they were last resolved, with their customer assignment."""
    return _frame(con, "identity/previous_state", {"party_matched": records["party_matched"]})


def term_frequency(con: duckdb.DuckDBPyConnection, col: str) -> pl.DataFrame:
    """The lookup Splink reads for a TF column of the match settings: `col` and `tf_<col>`."""
    idents = {"col": col, "tf_col": f"tf_{col}"}
    return pl.from_arrow(execute(con, "identity/term_frequency", idents).to_arrow_table())


def write_frame(con: duckdb.DuckDBPyConnection, script: str, view: str, frame: pl.DataFrame) -> None:
    """Run `sql/<script>.sql`, which reads the frame under the name `view`."""
    con.register(view, frame.to_arrow())
    try:
        run_script(con, script)
    finally:
        con.unregister(view)


@dataclass
class _Night:
    """What tonight resolves: the records loaded (`std`), their assignments before tonight (`prev`) and
    the records matched again (`dirty`). A full and an incremental night differ only in the steps below;
    everything else in `resolve_identities` is shared."""

    std: pl.DataFrame
    prev: pl.DataFrame
    dirty: pl.Series

    @property
    def prev_map(self) -> pl.DataFrame:
        return self.prev.filter(pl.col("customer_id").is_not_null())


class _FullNight(_Night):
    """Every record is matched and clustered; clusters then inherit last night's ids."""

    mode = "full"

    def link_scope(self) -> pl.Series | None:
        return None  # every record against every record

    def links_in_scope(self, links: pl.DataFrame) -> pl.DataFrame:
        return links

    def graph(
        self, valid: pl.DataFrame, edges: pl.DataFrame, unlinks: pl.DataFrame
    ) -> tuple[pl.DataFrame, pl.DataFrame, list[tuple[str, str]]]:
        """Nodes (one per record, with its valid ID), edges between them, pairs that must stay apart."""
        nodes = valid.select(pl.col("uid").alias("node"), pl.concat_list(pl.col("vid")).list.drop_nulls().alias("ids"))
        cannot = list(unlinks.select("uid_a", "uid_b").iter_rows())
        return nodes, edges, cannot

    def records(self, labels: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
        """Each record's cluster, and the previous ids of those records."""
        return labels.rename({"node": "uid"}), self.prev_map.select("uid", "customer_id")

    def touching_dirty(self, kept: pl.DataFrame) -> pl.DataFrame:
        return kept

    def clear(self, con: duckdb.DuckDBPyConnection) -> None:
        run_script(con, "identity/reset_resolution")


class _IncrementalNight(_Night):
    """Only dirty records are matched, against every record; unchanged records keep their assignment and
    each customer a dirty record touches enters the clustering as one node."""

    mode = "incremental"

    def link_scope(self) -> pl.Series | None:
        return self.dirty

    def links_in_scope(self, links: pl.DataFrame) -> pl.DataFrame:
        dirty = self.dirty.implode()
        return links.filter(pl.col("node_l").is_in(dirty) | pl.col("node_r").is_in(dirty))

    @cached_property
    def node_of(self) -> pl.DataFrame:
        """Each record's node: itself when dirty or unassigned, else its customer (`cust:<id>`)."""
        return (
            self.std.select("uid")
            .join(self.prev_map.select("uid", "customer_id"), on="uid", how="left")
            .with_columns(
                pl.when(pl.col("uid").is_in(self.dirty.implode()) | pl.col("customer_id").is_null())
                .then(pl.col("uid"))
                .otherwise(pl.concat_str([pl.lit("cust:"), pl.col("customer_id")]))
                .alias("node")
            )
        )

    def graph(
        self, valid: pl.DataFrame, edges: pl.DataFrame, unlinks: pl.DataFrame
    ) -> tuple[pl.DataFrame, pl.DataFrame, list[tuple[str, str]]]:
        """Nodes: dirty records, plus one per existing customer a dirty record reaches."""
        dirty, prev_map = self.dirty, self.prev_map
        nmap = self.node_of.select("uid", "node")
        edges = (
            edges.join(nmap.rename({"uid": "node_l", "node": "n_l"}), on="node_l")
            .join(nmap.rename({"uid": "node_r", "node": "n_r"}), on="node_r")
            .filter(pl.col("n_l").is_in(dirty.implode()) | pl.col("n_r").is_in(dirty.implode()))
            .select(pl.col("n_l").alias("node_l"), pl.col("n_r").alias("node_r"), "prob", "rule")
        )
        # The customers a dirty record reaches, and the ones dirty records came from (so that a record
        # leaving its customer is seen as a split, not a takeover of the id).
        came_from = prev_map.filter(pl.col("uid").is_in(dirty.implode()))["customer_id"].unique()
        touched = (
            set(edges["node_l"].to_list())
            | set(edges["node_r"].to_list())
            | set(dirty.to_list())
            | {"cust:" + c for c in came_from.to_list()}
        )
        nodes = (
            valid.join(nmap, on="uid")
            .filter(pl.col("node").is_in(list(touched)))
            .group_by("node")
            .agg(pl.col("vid").drop_nulls().unique().alias("ids"))
            .sort("node")
        )
        cannot = _cannot_nodes(unlinks, self.node_of)
        return nodes, edges, cannot

    def records(self, labels: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
        records = self.node_of.select("uid", "node").join(labels, on="node").select("uid", "cluster")
        return records, self.prev_map.select("uid", "customer_id").join(records, on="uid", how="semi")

    def touching_dirty(self, kept: pl.DataFrame) -> pl.DataFrame:
        dirty = self.dirty.implode()
        return kept.filter(pl.col("node_l").is_in(dirty) | pl.col("node_r").is_in(dirty))

    def clear(self, con: duckdb.DuckDBPyConnection) -> None:
        pass  # tonight's rows replace the rows of the customers they touch, nothing else


def _plan_full(con: duckdb.DuckDBPyConnection) -> _FullNight:
    std = _std_frame(con)
    return _FullNight(std=std, prev=_previous_state(con), dirty=std["uid"])


def _plan_incremental(con: duckdb.DuckDBPyConnection, overrides: pl.DataFrame) -> _IncrementalNight:
    """Only new and changed records, those named by overrides the current map breaks, and everything
    they could touch are loaded: a small slice of the warehouse."""
    dirty = _frame(con, "identity/dirty_records")["uid"]
    dirty = pl.concat([dirty, _override_extras(con, overrides)]).unique().sort()
    con.register("dirty_uids", dirty.to_frame("uid").to_arrow())
    try:
        con.execute("create or replace temp table working_set as " + anchors.build_working_set_sql())
        run_script(con, "identity/working_records")
        std = _std_frame(con, _WORKING_RECORDS)
        prev = _previous_state(con, _WORKING_RECORDS)
    finally:
        con.unregister("dirty_uids")
        con.execute("drop view if exists working_party_std")
        con.execute("drop view if exists working_party_matched")
        con.execute("drop table if exists working_set")
    return _IncrementalNight(std=std, prev=prev, dirty=dirty.filter(dirty.is_in(std["uid"].implode())))


def resolve_identities(
    con: duckdb.DuckDBPyConnection,
    business_date: dt.date,
    model_path: Path,
    overrides_path: Path | None = None,
    mode: str = "auto",
    retrain: bool = False,
    threshold: float = match_settings.DEFAULT_THRESHOLD,
    threads: int | None = None,
    engine=None,
    map_parquet: Path | None = None,
) -> ResolveResult:
    """Resolve `staging.party` into `identity.party_std`, `identity.customer_map`, `identity.id_event`.

    `engine`: where matching runs (`models.identity.engine`; None = DuckDB in process). With
    `map_parquet`, tonight's customer-map rows are written there as Parquet and the warehouse loads
    them from that file (the hand-over of a Spark run to the DuckDB stages after it).
    """
    t = {"start": time.perf_counter()}
    run_script(con, "identity/schema")
    n_records, n_matched = _frame(con, "identity/sizes").row(0)
    if n_records == 0:
        standardise_into(con, business_date)
        n_records, n_matched = _frame(con, "identity/sizes").row(0)
    model_missing = retrain or not training.model_is_current(Path(model_path))
    # A new model re-scores everything (ids still carry over from the previous map).
    full = mode == "full" or n_matched == 0 or model_missing
    overrides = read_overrides(overrides_path)
    tf = {col: term_frequency(con, col) for col in match_settings.TF_COLUMNS}

    night = _plan_full(con) if full else _plan_incremental(con, overrides)
    std, prev, dirty = night.std, night.prev, night.dirty
    t["load"] = time.perf_counter()

    if model_missing:
        trained = training.ensure_model(std, Path(model_path), retrain=retrain)
    else:
        trained = False
    t["train"] = time.perf_counter()

    # Edges: computed on the engine (DuckDB or Spark); only edges come back.
    pairs = pl.DataFrame(schema=scoring.PAIRS_SCHEMA)
    exact_edges = pl.DataFrame(schema={"uid_l": pl.String, "uid_r": pl.String})
    if len(dirty):
        exact_edges, pairs = scoring.link(
            std,
            Path(model_path),
            night.link_scope(),
            threshold=threshold,
            tf=tf,
            n_records=n_records,
            engine=engine,
            threads=threads,
        )
    t["predict"] = time.perf_counter()
    links = overrides.filter(pl.col("action") == "link")
    edges = _edges(exact_edges, pairs, night.links_in_scope(_as_edges(links, "override_link")), threshold)
    unlinks = overrides.filter(pl.col("action") == "unlink")
    unlinked_uids = set(unlinks["uid_a"].to_list()) | set(unlinks["uid_b"].to_list())

    valid = std.select("uid", pl.when(pl.col("id_valid")).then(pl.col("id_std")).alias("vid"))
    nodes, edges, cannot = night.graph(valid, edges, unlinks)
    t["nodes"] = time.perf_counter()
    labels, kept = cluster(nodes, edges, cannot)
    t["cluster"] = time.perf_counter()

    # Records of every clustered node, then ids.
    records, prev_for = night.records(labels)
    issued = _frame(con, "identity/issued_ids")["customer_id"]
    assigned, events, _ = assign_ids(records, prev_for, next_sequence(issued), business_date)
    t["ids"] = time.perf_counter()

    # How each dirty record matched: the strongest kept edge that touches it.
    kept_rec = night.touching_dirty(kept)
    matched = None if night.mode == "full" else dirty  # a full night matched every record
    how = _how_matched(kept_rec, unlinked_uids, matched)
    new_rows = _map_rows(assigned, std, how, prev, matched, business_date)

    t["rows"] = time.perf_counter()
    _write(con, night, new_rows, events, map_parquet)
    t["write"] = time.perf_counter()

    steps = ["start", "load", "train", "predict", "nodes", "cluster", "ids", "rows", "write"]
    seconds = {s: round(t[s] - t[p], 2) for p, s in zip(steps, steps[1:])}
    seconds["total"] = round(t["write"] - t["start"], 2)
    summary = _frame(con, "identity/resolution_summary")
    rules = dict(zip(summary["match_rule"].to_list(), summary["records"].to_list()))
    records, customers = int(summary["records"].sum()), int(summary["customers"].max() or 0)
    return ResolveResult(
        mode=night.mode,
        records=records,
        dirty=len(dirty),
        customers=customers,
        pairs_scored=pairs.height,
        rule_counts=rules,
        events=dict(events.group_by("event").len().iter_rows()) if events.height else {},
        trained=trained,
        seconds=seconds,
    )


def _as_edges(links: pl.DataFrame, rule: str) -> pl.DataFrame:
    return links.select(
        pl.col("uid_a").alias("node_l"),
        pl.col("uid_b").alias("node_r"),
        pl.lit(1.0).alias("prob"),
        pl.lit(rule).alias("rule"),
    )


def _edges(exact_edges: pl.DataFrame, pairs: pl.DataFrame, links: pl.DataFrame, threshold: float) -> pl.DataFrame:
    """Override links, exact-rule edges and scored pairs at or above `threshold`, as (node_l, node_r, prob, rule)."""
    prob_edges = pairs.filter(pl.col("match_probability") >= threshold).select(
        pl.col("uid_l").alias("node_l"),
        pl.col("uid_r").alias("node_r"),
        pl.col("match_probability").alias("prob"),
        pl.lit("probabilistic").alias("rule"),
    )
    exact = exact_edges.select(
        pl.col("uid_l").alias("node_l"),
        pl.col("uid_r").alias("node_r"),
        pl.lit(1.0).alias("prob"),
        pl.lit("exact_id").alias("rule"),
    )
    return pl.concat([links, exact, prob_edges])


def _is_dirty(dirty: pl.Series | None) -> pl.Expr:
    """The record was matched tonight: every record when `dirty` is None (a full night). is_in against
    every uid cost 6 s per call at a million persons."""
    return pl.lit(True) if dirty is None else pl.col("uid").is_in(dirty.implode())


def _how_matched(kept_rec: pl.DataFrame, unlinked_uids: set[str], dirty: pl.Series | None) -> pl.DataFrame:
    """How each dirty record (None: every record) matched: the strongest kept edge that touches it
    (match_rule, match_probability)."""
    ends = pl.concat(
        [
            kept_rec.select(pl.col("node_l").alias("uid"), "prob", "rule"),
            kept_rec.select(pl.col("node_r").alias("uid"), "prob", "rule"),
        ]
    )
    if unlinked_uids:
        ends = pl.concat(
            [
                ends,
                pl.DataFrame(
                    {
                        "uid": sorted(unlinked_uids),
                        "prob": [None] * len(unlinked_uids),
                        "rule": ["override_unlink"] * len(unlinked_uids),
                    },
                    schema=ends.schema,
                ),
            ]
        )
    rank = {r: i for i, r in enumerate(RULE_PRIORITY)}
    return (
        ends.filter(_is_dirty(dirty))
        .with_columns(pl.col("rule").replace_strict(rank, return_dtype=pl.Int32).alias("rk"))
        .group_by("uid")
        .agg(
            pl.col("rule").sort_by("rk").first().alias("match_rule"),
            pl.col("prob").filter(pl.col("rule") == "probabilistic").max().alias("p"),
        )
        .with_columns(
            pl.when(pl.col("match_rule") == "probabilistic")
            .then(pl.col("p"))
            .when(pl.col("match_rule").is_in(["exact_id", "override_link"]))
            .then(1.0)
            .alias("match_probability")
        )
        .drop("p")
    )


def _map_rows(
    assigned: pl.DataFrame,
    std: pl.DataFrame,
    how: pl.DataFrame,
    prev: pl.DataFrame,
    dirty: pl.Series | None,
    business_date: dt.date,
) -> pl.DataFrame:
    """Tonight's customer-map rows: dirty records (None: every record) with how they matched tonight,
    the others as before."""
    meta = std.select("uid", "system", "source_key")
    new_rows = (
        assigned.join(meta, on="uid")
        .join(how, on="uid", how="left")
        .join(
            prev.select(
                "uid",
                pl.col("customer_id").alias("old_id"),
                pl.col("match_rule").alias("old_rule"),
                pl.col("match_probability").alias("old_p"),
                "assigned_on",
            ),
            on="uid",
            how="left",
        )
        .with_columns(
            pl.when(_is_dirty(dirty))
            .then(pl.col("match_rule").fill_null("singleton"))
            .otherwise(pl.col("old_rule"))
            .alias("match_rule"),
            pl.when(_is_dirty(dirty))
            .then(pl.col("match_probability"))
            .otherwise(pl.col("old_p"))
            .alias("match_probability"),
            pl.when(pl.col("old_id") == pl.col("customer_id"))
            .then(pl.col("assigned_on"))
            .otherwise(pl.lit(business_date))
            .alias("assigned_on"),
        )
    )
    # Tonight's rows cover every record of every customer they touch, so they replace those rows whole.
    return _singleton_fix(new_rows.select(list(MAP_SCHEMA)).cast(MAP_SCHEMA)).sort("system", "source_key")


def _write(
    con: duckdb.DuckDBPyConnection,
    night: _Night,
    new_rows: pl.DataFrame,
    events: pl.DataFrame,
    map_parquet: Path | None,
) -> None:
    """Tonight's map rows, id events and matched records, in one transaction."""
    con.execute("begin transaction")
    night.clear(con)
    if map_parquet is None:
        write_frame(con, "identity/write_customer_map", "new_customer_map", new_rows)
    else:
        Path(map_parquet).parent.mkdir(parents=True, exist_ok=True)
        new_rows.write_parquet(map_parquet)
        run_script(con, "identity/load_customer_map_parquet", path=str(map_parquet))
        try:
            run_script(con, "identity/write_customer_map")
        finally:
            con.execute("drop table if exists new_customer_map")
    write_frame(con, "identity/append_id_event", "new_id_event", events)
    write_frame(con, "identity/write_party_matched", "matched_uids", night.dirty.to_frame("uid"))
    con.execute("commit")


def _override_extras(con: duckdb.DuckDBPyConnection, overrides: pl.DataFrame) -> pl.Series:
    """Records to match again because the current map breaks an override: both records of a link
    that are apart, and every record of a customer that holds both records of an unlink."""
    named = sorted(set(overrides["uid_a"].to_list()) | set(overrides["uid_b"].to_list()))
    extra: set[str] = set()
    if named:
        rows = con.sql(sql_text("identity/map_of_records"), params={"uids": named}).fetchall()
        uid_to_cust = dict(rows)
        for action, a, b in overrides.select("action", "uid_a", "uid_b").iter_rows():
            ca, cb = uid_to_cust.get(a), uid_to_cust.get(b)
            if action == "link" and ca != cb:
                extra |= {a, b}
            if action == "unlink" and ca is not None and ca == cb:
                members = con.sql(sql_text("identity/records_of_customer"), params={"customer_id": ca}).fetchall()
                extra |= {u for (u,) in members}
    return pl.Series("uid", sorted(extra), dtype=pl.String)


def _cannot_nodes(unlinks: pl.DataFrame, node_of: pl.DataFrame) -> list[tuple[str, str]]:
    names = sorted(set(unlinks["uid_a"].to_list()) | set(unlinks["uid_b"].to_list()))
    sub = node_of.filter(pl.col("uid").is_in(names))
    m = dict(zip(sub["uid"].to_list(), sub["node"].to_list()))
    return [(m[a], m[b]) for a, b in unlinks.select("uid_a", "uid_b").iter_rows() if a in m and b in m]


def _singleton_fix(new_map: pl.DataFrame) -> pl.DataFrame:
    """A record left alone in its customer is a singleton, whatever edge it once had."""
    size = pl.len().over("customer_id")
    return new_map.with_columns(
        pl.when((size == 1) & ~pl.col("match_rule").is_in(["override_unlink"]))
        .then(pl.lit("singleton"))
        .otherwise(pl.col("match_rule"))
        .alias("match_rule"),
        pl.when(size == 1).then(None).otherwise(pl.col("match_probability")).alias("match_probability"),
    )
