"""Identity resolution (single customer view): standardise, match, cluster, keep ids stable, build golden records.

Pure logic, no dagster. Entry points (each takes the warehouse work-file connection):
- `standardise.standardise_into(con, business_date)` -> `identity.party_std` (only new/changed records read and redone)
- `resolve.resolve_identities(con, business_date, model_path, overrides_path=..., mode="auto"|"full",
  retrain=False, engine=None | engine.SparkEngine, map_parquet=None)` -> `identity.customer_map`,
  `identity.id_event`, `identity.party_matched`
- `golden.write_golden(con, business_date)` -> `identity.customer_golden`
- `evaluate.evaluate(customer_map, truth_csv)` / `evaluate.evaluate_from_warehouse(con, truth_csv)`

Modules: idcard (GB 11643 IDs), pinyin (names), standardise, match/ (settings, training, anchors, scoring:
exact rule + Splink model),
engine (where matching SQL runs: DuckDB in process or Spark),
cluster (constrained clustering), stable_ids, overrides, golden, evaluate.
"""
