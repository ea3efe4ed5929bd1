"""`crm bench spark`: identity resolution of one bank on DuckDB and on Spark (local mode), same data.

The first delivery's party records are ingested and standardised once; the match model is trained
once (on DuckDB, as every night does) and shared; then a full resolution runs on a copy of the work
file per engine. Reported: seconds per step, the Spark session's start, the ratio Spark / DuckDB,
agreement of the two customer maps (pairwise F1 of one against the other) and each against the
generator's truth, and the machine's load average (the machine is shared).
"""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import duckdb


def bench_spark(customers: int, seed: int, workdir: Path, master: str | None = None) -> dict:
    import polars as pl

    from crm.bench import _ensure_bank, _peak_rss_mb
    from models.identity.match.training import ensure_model
    from models.identity.engine import SparkEngine, spark_session
    from models.identity.evaluate import evaluate
    from models.identity.resolve import model_path_for, resolve_identities
    from models.identity.standardise import standardise_into
    from models.ingest.landing import complete_dates
    from models.ingest.load import ingest_delivery

    os.environ.setdefault("CRM_DEMO", "1")
    master = master or os.environ.get("CRM_SPARK_MASTER") or "local[2]"
    partitions = int(os.environ.get("CRM_SPARK_SHUFFLE_PARTITIONS") or 8)
    landing, truth = _ensure_bank(customers, seed, workdir)
    root = workdir / "spark"
    shutil.rmtree(root, ignore_errors=True)
    base = root / "base" / "bench.work.duckdb"
    base.parent.mkdir(parents=True)
    day = complete_dates(landing)[0]
    con = duckdb.connect(str(base))
    try:
        for system in ("deposit", "card", "loan", "fx"):
            ingest_delivery(con, landing, system, day, scratch_dir=base.parent / "tmp", only_targets={"party"})
        standardise_into(con, day)
        std = con.sql("select * from identity.party_std").pl()
        started = time.perf_counter()
        ensure_model(std, model_path_for(base))
        train_seconds = round(time.perf_counter() - started, 1)
    finally:
        con.close()
    shutil.rmtree(base.parent / "tmp", ignore_errors=True)

    runs, maps = {}, {}
    for name in ("duckdb", "spark"):
        shutil.copytree(base.parent, root / name)
        work = root / name / base.name
        load_before = os.getloadavg()[0]
        engine, session_seconds = None, 0.0
        if name == "spark":
            started = time.perf_counter()
            spark = spark_session(master, partitions, json.loads(os.environ.get("CRM_SPARK_CONF") or "{}"))
            engine = SparkEngine(spark, root / name / "exchange")
            session_seconds = round(time.perf_counter() - started, 1)
        con = duckdb.connect(str(work))
        try:
            started = time.perf_counter()
            result = resolve_identities(
                con,
                day,
                model_path_for(work),
                mode="full",
                engine=engine,
                map_parquet=None if engine is None else root / name / "customer_map.parquet",
            )
            seconds = round(time.perf_counter() - started, 1)
            maps[name] = con.sql("select system, source_key, customer_id from identity.customer_map").pl()
        finally:
            con.close()
            if engine is not None:
                engine.close()
                spark.stop()
        runs[name] = {
            "seconds": seconds,
            "session_start_seconds": session_seconds,
            "steps": result.seconds,
            "records": result.records,
            "customers": result.customers,
            "pairs_scored": result.pairs_scored,
            "load_average_before": round(load_before, 1),
            "load_average_after": round(os.getloadavg()[0], 1),
        }
        print(name, runs[name], flush=True)

    truth_records = pl.read_csv(truth / "source_records.csv", infer_schema=False)
    delivered = truth_records.join(
        maps["duckdb"].select("system", "source_key"), on=["system", "source_key"], how="semi"
    )
    agreement = evaluate(maps["spark"], maps["duckdb"].rename({"customer_id": "person_id"}))["overall"]
    return {
        "customers": customers,
        "records": runs["duckdb"]["records"],
        "spark_master": master,
        "shuffle_partitions": partitions,
        "model_training_seconds_duckdb": train_seconds,
        "duckdb": runs["duckdb"],
        "spark": runs["spark"],
        "ratio_spark_to_duckdb": round(runs["spark"]["seconds"] / max(runs["duckdb"]["seconds"], 0.1), 1),
        "ratio_with_session_start": round(
            (runs["spark"]["seconds"] + runs["spark"]["session_start_seconds"]) / max(runs["duckdb"]["seconds"], 0.1), 1
        ),
        "maps_identical": maps["spark"]
        .sort("system", "source_key")
        .equals(maps["duckdb"].sort("system", "source_key")),
        "pairwise_f1_spark_vs_duckdb": round(agreement["f1"], 6),
        "f1_vs_truth": {k: round(evaluate(m, delivered)["overall"]["f1"], 5) for k, m in maps.items()},
        "peak_rss_mb_driver": round(_peak_rss_mb()),
        "java": shutil.which("java"),
    }


def render(r: dict) -> list[str]:
    """Section of docs/benchmarks.md for one `crm bench spark` JSON."""
    d, s = r["duckdb"], r["spark"]
    load = f"{d['load_average_before']}-{s['load_average_after']}"
    return [
        (
            f"### Identity on Spark (local mode) vs DuckDB, {r['customers']:,} persons "
            f"(`crm bench spark`, {r['measured_on']}, {r['cores']} cores, load average {load})"
        ),
        "",
        (
            f"Full resolution of {r['records']:,} records (first delivery; model trained once on DuckDB in "
            f"{r['model_training_seconds_duckdb']} s and shared). Spark `{r['spark_master']}`, "
            f"{r['shuffle_partitions']} shuffle partitions."
        ),
        "",
        "| engine | seconds | of which on the engine (anchors, Splink) | session start | customers | pairs above threshold |",
        "|---|---|---|---|---|---|",
        f"| DuckDB | {d['seconds']} | {d['steps']['predict']} | - | {d['customers']:,} | {d['pairs_scored']:,} |",
        f"| Spark | {s['seconds']} | {s['steps']['predict']} | {s['session_start_seconds']} | {s['customers']:,} | {s['pairs_scored']:,} |",
        "",
        (
            f"Spark / DuckDB: **{r['ratio_spark_to_duckdb']}x** ({r['ratio_with_session_start']}x with the session start). "
            f"Same customer map: {r['maps_identical']} (pairwise F1 of one against the other "
            f"{r['pairwise_f1_spark_vs_duckdb']}); F1 against the generator's truth: DuckDB {r['f1_vs_truth']['duckdb']}, "
            f"Spark {r['f1_vs_truth']['spark']}."
        ),
        "",
    ]
