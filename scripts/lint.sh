#!/usr/bin/env bash
# Linters (CI runs them before the tests): ruff on the Python, sqlfluff (DuckDB dialect, .sqlfluff) on sql/.
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
ruff check .
sqlfluff lint sql --processes 2
