#!/usr/bin/env bash
# Command 2: install (if needed) and run the whole test suite.
# The suite resolves one bank on Spark too (Java present): install pyspark for tests only.
# Test files run in parallel, one worker per core (pytest-xdist; a file's tests stay on one worker,
# so its fixtures are built once): most of a test's time is single-threaded Python (Dagster, pandera).
INSTALL_EXTRAS="test,spark"
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
export CRM_DEMO=1
exec python -m pytest -q -n auto --dist loadfile "$@"
