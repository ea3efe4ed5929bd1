"""Record matching: exact evidence first, Fellegi-Sunter (Splink, on DuckDB or Spark) for the rest.

Exact rule: records sharing a valid resident ID, the pinyin name key and the birth date are one person.
Probabilistic: a Splink model with trained m/u weights scores candidate pairs from tight blocking rules;
common names get a term-frequency adjustment. The model is trained once (on DuckDB, on a sample), its
weights saved as engine-neutral JSON and reused on either engine, with the comparison SQL generated for
that engine's dialect; `train_model` is only called when no model exists or a retrain is asked for.

Modules: `settings` (columns, comparisons, blocking rules), `training` (the saved weights: train, load,
hand-set), `anchors` (exact-rule groups, what an incremental night compares), `scoring` (pairs on an engine).
"""
