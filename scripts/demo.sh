#!/usr/bin/env bash
# Command 1: install, generate a sample bank, run the nightly job end to end, print a summary.
# Usage: bash scripts/demo.sh [customers]   (default 20000)
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
CUSTOMERS="${1:-20000}"
export CRM_DEMO=1  # synthetic data: the demo hashing key is allowed
rm -rf data/landing data/truth data/warehouse
crm generate --customers "$CUSTOMERS" --seed 42 --landing data/landing --truth data/truth
crm run --landing data/landing --warehouse data/warehouse/bank.duckdb

REPORT="$(ls -t data/reports/*.html 2>/dev/null | head -1)"
echo
echo "next:"
echo "  report (opens offline from disk):  ${REPORT:-data/reports/<business date>.html}"
echo "  query the warehouse:               .venv/bin/python -c \"import duckdb; print(duckdb.connect('data/warehouse/bank.duckdb', read_only=True).sql('select tier, count(*) from crm.value_tier group by 1'))\""
echo "  Dagster UI (lineage, checks, runs): DAGSTER_HOME=\$PWD/data/dagster_home .venv/bin/dagster dev -w workspace.yaml   # http://localhost:3000"
