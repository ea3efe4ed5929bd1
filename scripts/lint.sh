#!/usr/bin/env bash
# Linters (CI runs them before the tests): ruff (lint and format) on the Python, sqlfluff (DuckDB dialect, .sqlfluff) on sql/.
# Same install as the tests (CI runs both): one install, one stamp.
INSTALL_EXTRAS="test,spark"
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
set -e  # any linter failing fails the script (CI), not only the last one
ruff check .
ruff format --check .  # the layout is ruff's: run `ruff format .` before committing
sqlfluff lint sql --processes 2
