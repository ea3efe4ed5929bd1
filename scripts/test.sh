#!/usr/bin/env bash
# Command 2: install (if needed) and run the whole test suite.
# The suite resolves one bank on Spark too (Java present): install pyspark for tests only.
INSTALL_EXTRAS="test,spark"
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
export CRM_DEMO=1
exec python -m pytest -q "$@"
