"""Ingestion: read the four systems' nightly deliveries into the typed staging model (no dagster).

- `control`: which deliveries are complete, `_CONTROL.json` verification, `DeliveryError`.
- `layout`: the delivered files of each system (EXTRACTS.md) and how they map to staging.
- `scan`: one streaming pass per file: decode (GB18030/UTF-8, strict), header check, quoting-aware
  row count, wrong-field-count rows set aside, a UTF-8 copy with physical line numbers for DuckDB.
- `load.ingest_delivery(con, landing, system, business_date)`: the one entry point the assets call.
"""
