#!/usr/bin/env bash
# Command 2: install (if needed) and run the whole test suite.
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
export CRM_DEMO=1
exec python -m pytest -q "$@"
